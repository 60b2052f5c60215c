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
