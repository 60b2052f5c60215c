package client_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/pkg/webhook"
)

// Pay by Points: the points pay what they can, a card pays the rest, and
// the two payments add up to the order amount.
func ExampleClient_PayWithPoints() {
	api := startExampleAPI() // stands in for client.UAT
	defer api.Close()
	ctx := context.Background()

	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	order, err := c.CreateOrder(ctx, &client.CreateOrderRequest{
		MerchantOrderReference: "PBP-12345",
		OrderAmount:            client.INR(4573), // ₹45.73
		AllowedPaymentMethods:  []client.PaymentMethod{"CARD", "POINTS"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Only once the customer has agreed to redeem their points.
	points := client.PointsCardDetails{CardLast4: "1112", CardNumber: "4012001037141112", RegisteredMobileNumber: "9876543210"}
	card := &client.CardDetails{CardNumber: "4012001037141112", CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030"}
	order, err = c.PayWithPoints(ctx, *order.OrderID, *order.OrderAmount, points, card)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range order.Payments {
		fmt.Println(*p.PaymentMethod, p.PaymentAmount.Value)
	}
	fmt.Println(*order.Status) // next: send the customer to *order.ChallengeURL
	// Output:
	// CARD 1372
	// POINTS 3201
	// PENDING
}

// Without a card, points that fall short are an error that names the
// shortfall, and nothing is charged.
func ExampleClient_PayWithPoints_shortfall() {
	api := startExampleAPI()
	defer api.Close()
	ctx := context.Background()

	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	order, err := c.CreateOrder(ctx, &client.CreateOrderRequest{MerchantOrderReference: "PBP-12346", OrderAmount: client.INR(4573)})
	if err != nil {
		log.Fatal(err)
	}
	points := client.PointsCardDetails{CardLast4: "1112", CardNumber: "4012001037141112", RegisteredMobileNumber: "9876543210"}
	_, err = c.PayWithPoints(ctx, *order.OrderID, *order.OrderAmount, points, nil)

	var short *client.PointsShortfallError
	if errors.As(err, &short) {
		fmt.Println("ask for a card to pay", short.Shortfall.Value, "paisa")
		fmt.Println(err)
	}
	// Output:
	// ask for a card to pay 1372 paisa
	// pinelabs payWithPoints: points cover ₹32.01 of ₹45.73; a card must pay the remaining ₹13.72
}

// Pay Later: eligibility first, then the payment; a customer the provider
// turns down is never charged.
func ExampleClient_PayLater() {
	api := startExampleAPI()
	defer api.Close()
	ctx := context.Background()

	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	order, err := c.CreateOrder(ctx, &client.CreateOrderRequest{MerchantOrderReference: "BNPL-1", OrderAmount: client.INR(3400)})
	if err != nil {
		log.Fatal(err)
	}

	// SIMPL and SIMPL3 need the customer's device; LAZYPAY takes nil.
	device := &client.DeviceInfo{
		OperatingSystem: "Android", SourceIPAddress: "10.11.19.2", BrowserIPAddress: "203.0.113.42",
		BrowserUserAgent: "Chrome", DeviceModel: "Samsung S21 Ultra", DeviceManufacturer: "Samsung",
	}
	order, err = c.PayLater(ctx, *order.OrderID, *order.OrderAmount, "9876543210", client.BNPLSimpl3, device)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*order.Payments[0].PaymentMethod, *order.Status)

	other, err := c.CreateOrder(ctx, &client.CreateOrderRequest{MerchantOrderReference: "BNPL-2", OrderAmount: client.INR(3400)})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.PayLater(ctx, *other.OrderID, *other.OrderAmount, exampleDeclinedMobile, client.BNPLLazyPay, nil)
	if errors.Is(err, client.ErrNotEligible) {
		fmt.Println("not eligible: offer another way to pay")
	}
	// Output:
	// BNPL PENDING
	// not eligible: offer another way to pay
}

// The callback_url handler: next sees only callbacks whose signature
// holds.
func ExampleCallbackHandler() {
	key, err := signature.ParseKey(exampleKeyHex) // the secret key from the dashboard, hex
	if err != nil {
		log.Fatal(err)
	}
	h := client.CallbackHandler(key, func(w http.ResponseWriter, r *http.Request, res client.CallbackResult) {
		switch res.Status {
		case client.OrderProcessed, client.OrderAuthorized:
			fmt.Println("paid:", res.OrderID)
		default:
			fmt.Println("not paid:", res.OrderID, res.Status, res.ErrorCode)
		}
		http.Redirect(w, r, "/orders/"+res.OrderID, http.StatusSeeOther)
	})

	// What the customer's browser posts back, here signed by hand.
	post := func(fields map[string]string, tamper bool) {
		sig, _ := key.SignMap(fields)
		form := url.Values{"signature": {sig}}
		for k, v := range fields {
			form.Set(k, v)
		}
		if tamper {
			form.Set("status", "PROCESSED")
		}
		r := httptest.NewRequest(http.MethodPost, "/pinelabs/callback", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	post(map[string]string{"order_id": "v1-4405071524-aa-qlAtAf", "status": "PROCESSED"}, false)
	post(map[string]string{"order_id": "v1-4405071524-aa-qlAtAg", "status": "FAILED", "error_code": "PAYMENT_DECLINED"}, false)
	post(map[string]string{"order_id": "v1-4405071524-aa-qlAtAh", "status": "FAILED"}, true)
	// Output:
	// paid: v1-4405071524-aa-qlAtAf
	// 303
	// not paid: v1-4405071524-aa-qlAtAg FAILED PAYMENT_DECLINED
	// 303
	// 400
}

// The webhook handler: verified events, with the order inside decoded.
func ExampleWebhookHandler() {
	v, err := webhook.NewVerifier(exampleWebhookSecret,
		// Only so that the delivery below, dated exampleSentAt, is fresh.
		webhook.WithClock(func() time.Time { return time.Unix(exampleWebhookSentAt, 0) }))
	if err != nil {
		log.Fatal(err)
	}
	h := client.WebhookHandler(v, func(ctx context.Context, ev client.WebhookEvent) error {
		// Pine Labs resends with the same ev.ID until it gets a 2xx:
		// record ev.ID with the change, and skip IDs already recorded.
		switch {
		case ev.Order != nil:
			fmt.Println(ev.Type, *ev.Order.OrderID, *ev.Order.Status)
		default:
			fmt.Println(ev.Type, "not about an order:", string(ev.Data))
		}
		return nil
	})

	for i, body := range []string{
		`{"event_type":"ORDER_PROCESSED","data":{"order_id":"v1-250614-0001-aB3dE9","status":"PROCESSED","order_amount":{"value":110000,"currency":"INR"}}}`,
		`{"event_type":"CUSTOMER_ACTIVATED","data":{"customer_id":"cust-v1-0811030624-aa-RBDgpR"}}`,
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, exampleWebhookDelivery(fmt.Sprint("msg_", i), body))
		fmt.Println(w.Code)
	}
	// Output:
	// ORDER_PROCESSED v1-250614-0001-aB3dE9 PROCESSED
	// 200
	// CUSTOMER_ACTIVATED not about an order: {"customer_id":"cust-v1-0811030624-aa-RBDgpR"}
	// 200
}

// Random test secrets; real ones come from configuration.
const (
	exampleKeyHex        = "5f2b8c1d9e4a7b3c6d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
	exampleWebhookSecret = "whsec_cGluZWdlbi1leGFtcGxlLXdlYmhvb2sta2V5"
	exampleWebhookSentAt = 1749900000
)

// exampleWebhookDelivery signs body as Pine Labs signs a delivery.
func exampleWebhookDelivery(id, body string) *http.Request {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(exampleWebhookSecret, "whsec_"))
	return signedDelivery(key, exampleWebhookSentAt, id, body)
}
