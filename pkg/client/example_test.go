package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/pinegen/pinelabs/pkg/client"
)

// The card flow with pre-authorization: create an order, pay it by card,
// confirm the payment was authorized, then capture it.
func Example() {
	api := startCardAPI() // stands in for client.UAT
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
		{PaymentMethod: client.PayByCard, PaymentAmount: *order.OrderAmount, PaymentOption: client.PaymentOption{CardDetails: card}},
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
	fmt.Printf("%d paisa is ₹%d.%02d\n", amount.Value, amount.Value/100, amount.Value%100)
	// Output: 150000 paisa is ₹1500.00
}

// Errors from the API carry its code; compare with the Err… values.
func ExampleAPIError() {
	api := startCardAPI()
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

// startCardAPI answers the card flow as the API would, with a customer who
// approves every challenge at once: a payment is PENDING when made and
// AUTHORIZED when next read.
func startCardAPI() *httptest.Server {
	var mu sync.Mutex
	orders := map[string]*client.Order{}
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	withOrder := func(h func(o *client.Order, r *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			o, ok := orders[r.PathValue("order_id")]
			if !ok {
				reply(w, http.StatusNotFound, map[string]string{"code": "ORDER_NOT_FOUND", "message": "no such order"})
				return
			}
			h(o, r)
			reply(w, http.StatusOK, map[string]any{"data": o})
		}
	}
	setStatus := func(o *client.Order, s client.OrderStatus) { o.Status = &s }
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/v1/token", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"access_token": "example-token", "expires_in": 3600})
	})
	mux.HandleFunc("POST /api/pay/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		var req client.CreateOrderRequest
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		id := fmt.Sprintf("v1-250101000%d-aa-card", len(orders)+1)
		o := &client.Order{OrderID: &id, MerchantOrderReference: &req.MerchantOrderReference, OrderAmount: &req.OrderAmount, PreAuth: req.PreAuth}
		setStatus(o, client.OrderCreated)
		orders[id] = o
		reply(w, http.StatusOK, map[string]any{"data": o})
	})
	mux.HandleFunc("POST /api/pay/v1/orders/{order_id}/payments", withOrder(func(o *client.Order, r *http.Request) {
		var req client.CreatePaymentRequest
		json.NewDecoder(r.Body).Decode(&req)
		for _, p := range req.Payments {
			method := client.PaymentMethod(p.PaymentMethod)
			o.Payments = append(o.Payments, client.Payment{MerchantPaymentReference: p.MerchantPaymentReference, PaymentMethod: &method, PaymentAmount: &p.PaymentAmount})
		}
		challenge := "https://pluraluat.v2.pinepg.in/challenge/" + *o.OrderID
		o.ChallengeURL = &challenge
		setStatus(o, client.OrderPending)
	}))
	mux.HandleFunc("GET /api/pay/v1/orders/{order_id}", withOrder(func(o *client.Order, r *http.Request) {
		if *o.Status == client.OrderPending {
			setStatus(o, client.OrderAuthorized)
		}
	}))
	mux.HandleFunc("PUT /api/pay/v1/orders/{order_id}/capture", withOrder(func(o *client.Order, r *http.Request) {
		setStatus(o, client.OrderProcessed)
	}))
	return httptest.NewServer(mux)
}
