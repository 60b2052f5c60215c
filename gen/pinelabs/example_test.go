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
