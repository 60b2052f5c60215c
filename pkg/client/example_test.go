package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/client"
)

// The card flow with pre-authorization: create an order, pay it by card,
// confirm the payment was authorized, then capture it.
func Example() {
	api := startExampleAPI() // stands in for client.UAT
	defer api.Close()
	ctx := context.Background()

	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	preAuth := true
	order, err := c.CreateOrder(ctx, &client.CreateOrderRequest{
		MerchantOrderReference: "ORDER-1001",
		OrderAmount:            client.INR(150000), // ₹1,500.00
		PreAuth:                &preAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	card := &client.CardDetails{CardNumber: "4012001037141112", CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030"}
	order, err = c.CreatePayment(ctx, *order.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{
		{PaymentMethod: client.MethodCard, PaymentAmount: *order.OrderAmount, PaymentOption: client.PaymentOption{CardDetails: card}},
	}})
	if err != nil {
		log.Fatal(err)
	}
	// The customer completes the challenge at *order.ChallengeURL and comes
	// back to the callback URL (see CallbackHandler); then confirm.
	if order, err = c.GetOrder(ctx, *order.OrderID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(*order.Status)
	if order, err = c.CaptureOrder(ctx, *order.OrderID, nil); err != nil { // nil: capture it all
		log.Fatal(err)
	}
	fmt.Println(*order.Status)
	// Output:
	// AUTHORIZED
	// PROCESSED
}

func ExampleINR() {
	amount := client.INR(150000)
	fmt.Printf("%d paisa is %s\n", amount.Value, client.FormatAmount(amount))
	// Output: 150000 paisa is ₹1,500.00
}

// Errors from the API carry its code; compare with the Err… values.
func ExampleAPIError() {
	api := startExampleAPI()
	defer api.Close()
	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.GetOrder(context.Background(), "v1-no-such-order")
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && errors.Is(err, client.ErrOrderNotFound) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output: 404 ORDER_NOT_FOUND
}

// Refund part of a paid order, then the rest. Each refund is an order of
// its own, under its own merchant_order_reference: if a refund's response
// is lost, the client finds the refund by that reference rather than
// refunding twice, and a reference used before is refused as a duplicate.
func ExampleClient_CreateRefund() {
	api := startExampleAPI()
	defer api.Close()
	ctx := context.Background()

	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	order, err := c.CreateOrder(ctx, &client.CreateOrderRequest{MerchantOrderReference: "ORDER-2001", OrderAmount: client.INR(150000)})
	if err != nil {
		log.Fatal(err)
	}
	card := &client.CardDetails{CardNumber: "4012001037141112", CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030"}
	if _, err = c.CreatePayment(ctx, *order.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{
		{PaymentMethod: client.MethodCard, PaymentAmount: *order.OrderAmount, PaymentOption: client.PaymentOption{CardDetails: card}},
	}}); err != nil {
		log.Fatal(err)
	}
	// After the customer's challenge, the order is paid.
	if order, err = c.GetOrder(ctx, *order.OrderID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(*order.Status)

	part := client.INR(50000) // ₹500.00
	refund, err := c.CreateRefund(ctx, *order.OrderID, &client.RefundRequest{MerchantOrderReference: "REFUND-2001-1", OrderAmount: &part})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*refund.Type, *refund.Status, client.FormatAmount(*refund.OrderAmount), *refund.ParentOrderID == *order.OrderID)

	// No amount: whatever is left.
	refund, err = c.CreateRefund(ctx, *order.OrderID, &client.RefundRequest{MerchantOrderReference: "REFUND-2001-2"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*refund.Type, *refund.Status, client.FormatAmount(*refund.OrderAmount))

	_, err = c.CreateRefund(ctx, *order.OrderID, &client.RefundRequest{MerchantOrderReference: "REFUND-2001-2"})
	fmt.Println(errors.Is(err, client.ErrDuplicateRequest))

	if order, err = c.GetOrder(ctx, *order.OrderID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(*order.Status)
	// Output:
	// PROCESSED
	// REFUND PROCESSED ₹500.00 true
	// REFUND PROCESSED ₹1,000.00
	// true
	// FULLY_REFUNDED
}

// Range over a customer's saved cards and delete one. Deleting is settled
// like a payment: if the response is lost, the client reads the token back
// before deciding whether to send the delete again.
func ExampleClient_CustomerTokens() {
	api := startExampleAPI()
	defer api.Close()
	ctx := context.Background()

	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	first, last := "Kevin", "Bob"
	customer, err := c.CreateCustomer(ctx, &client.CreateCustomerRequest{FirstName: &first, LastName: &last})
	if err != nil {
		log.Fatal(err)
	}
	// The customer saves two cards at checkout (the example API's shortcut).
	visa, visaLast4, mastercard, mastercardLast4 := "VISA", "1112", "MASTERCARD", "1096"
	for _, card := range []client.CardData{
		{NetworkName: &visa, Last4Digit: &visaLast4},
		{NetworkName: &mastercard, Last4Digit: &mastercardLast4},
	} {
		api.PutCustomerToken(*customer.CustomerID, client.CustomerToken{CardData: &card})
	}

	var visaToken string
	for tok, err := range c.CustomerTokens(ctx, *customer.CustomerID) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(*tok.CardData.NetworkName, *tok.CardData.Last4Digit, *tok.Status)
		if *tok.CardData.NetworkName == visa {
			visaToken = *tok.TokenID
		}
	}

	deleted, err := c.DeleteCustomerToken(ctx, *customer.CustomerID, visaToken, &client.DeleteTokenRequest{MerchantUniqueReference: "DEL-VISA-1112"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*deleted.Status)
	tok, err := c.GetCustomerToken(ctx, *customer.CustomerID, visaToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*tok.CardData.Last4Digit, *tok.Status)
	// Output:
	// VISA 1112 ACTIVE
	// MASTERCARD 1096 ACTIVE
	// DELETED
	// 1112 DELETED
}

// startExampleAPI starts the fake API that stands in for client.UAT in the
// examples, answering as the docs' samples do: the points redeem ₹32.01 (seed 000's
// split), Pay Later says yes to everyone but exampleDeclinedMobile, and a
// payment is PENDING until the customer, who passes every challenge at
// once, is next asked about.
func startExampleAPI() *fakeapi.Server {
	return fakeapi.Start(fakeapi.Config{
		Challenge:       true,
		RedeemablePaisa: 3201,
		DeclinedMobiles: []string{exampleDeclinedMobile},
	})
}

// exampleDeclinedMobile is the one customer the example API's Pay Later
// provider turns down.
const exampleDeclinedMobile = "9000000000"
