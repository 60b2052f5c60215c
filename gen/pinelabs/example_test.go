package pinelabs_test

import (
	"errors"
	"fmt"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/pkg/validation"
)

func ExampleCreateOrderRequest_Validate() {
	pincode := "51524"
	order := pinelabs.CreateOrderRequest{
		MerchantOrderReference: "order#1",
		OrderAmount:            pinelabs.Amount{Value: 99, Currency: "INR"},
		PurchaseDetails: &pinelabs.PurchaseDetails{Customer: &pinelabs.OrderCustomer{
			BillingAddress: &pinelabs.Address{Pincode: &pincode},
		}},
	}
	err := order.Validate()

	var ve *validation.Error
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// merchant_order_reference: pattern ^[A-Za-z0-9_-]+$, got "order#1"
	// order_amount.value: minimum 100, got 99
	// purchase_details.customer.billing_address.pincode: minLength 6, got 5 characters
}

func ExamplePaymentCallback_VerifySignature() {
	key, err := signature.ParseKey("276a2bf0d2c0f10db6c1be1a7b461a18")
	if err != nil {
		panic(err)
	}
	status := pinelabs.OrderStatusAUTHORIZED
	cb := pinelabs.PaymentCallback{
		OrderID:   "random_order_id",
		Status:    &status,
		Signature: "a2019d1e7fae08043483d461596c6d1b83205d4f876dd12fad28c1fe8ede16e3",
	}
	fmt.Println(cb.VerifySignature(key))

	cb.OrderID = "another_order"
	fmt.Println(errors.Is(cb.VerifySignature(key), signature.ErrSignatureMismatch))
	// Output:
	// <nil>
	// true
}

func ExampleCardDetails_String() {
	card := pinelabs.CardDetails{
		CardNumber:  "4012001037141112",
		CVV:         "123",
		ExpiryMonth: "12",
		ExpiryYear:  "2030",
	}
	req := pinelabs.CreatePaymentRequest{Payments: []pinelabs.PaymentRequest{{
		PaymentMethod: pinelabs.PaymentRequestMethodCARD,
		PaymentAmount: pinelabs.Amount{Value: 150000, Currency: "INR"},
		PaymentOption: pinelabs.PaymentOption{CardDetails: &card},
	}}}
	fmt.Printf("%v\n", card)
	fmt.Printf("%+v\n", &req)
	// Output:
	// {"card_number":"[redacted, 16 characters, ending 1112]","cvv":"[redacted, 3 characters]","expiry_month":"12","expiry_year":"2030"}
	// {"payments":[{"payment_amount":{"currency":"INR","value":150000},"payment_method":"CARD","payment_option":{"card_details":{"card_number":"[redacted, 16 characters, ending 1112]","cvv":"[redacted, 3 characters]","expiry_month":"12","expiry_year":"2030"}}}]}
}
