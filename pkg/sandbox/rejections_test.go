package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/spec"
)

// Every operation the spec secures answers 401 without a valid token,
// before it looks at the request.
func TestEveryOperationNeedsAToken(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *sandbox.Config) { c.TokenLifetime = time.Nanosecond })
	expired := e.token()
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	secured := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // the token call
			}
			secured++
			// The generated router binds path, header and query parameters
			// before any middleware runs, so the request must be well formed
			// for the token check to be what answers it.
			p := strings.NewReplacer("{order_id}", "v1-0000000000-aa-abcdef", "{merchant_order_reference}", "ref-1",
				"{customer_id}", "cust-v1-0000000000-aa-abcdef", "{token_id}", "token-v1-0000000000-bb-abcdef").Replace(path)
			query := url.Values{}
			for _, prm := range op.Parameters {
				if v := prm.Value; v.In == "query" && v.Required {
					query.Set(v.Name, fmt.Sprint(v.Schema.Value.Example))
				}
			}
			if len(query) > 0 {
				p += "?" + query.Encode()
			}
			for name, tok := range map[string]string{"no token": "", "unknown token": "sbx-not-issued", "expired token": expired} {
				status, body := e.raw(method, p, tok, "{}")
				if status != http.StatusUnauthorized || body["code"] != "UNAUTHORIZED" {
					t.Errorf("%s %s with %s: %d %v, want 401 UNAUTHORIZED", method, path, name, status, body)
				}
			}
		}
	}
	if secured < 9 {
		t.Fatalf("only %d secured operations found in the spec", secured)
	}
}

func TestTokenCall(t *testing.T) {
	t.Parallel()
	e := start(t)
	for name, body := range map[string]any{
		"wrong secret":    map[string]string{"client_id": testClientID, "client_secret": "nope", "grant_type": "client_credentials"},
		"wrong client id": map[string]string{"client_id": "someone", "client_secret": testClientSecret, "grant_type": "client_credentials"},
	} {
		status, got := e.raw("POST", "/api/auth/v1/token", "", body)
		if status != http.StatusUnauthorized {
			t.Errorf("%s: %d %v, want 401", name, status, got)
		}
	}
	status, got := e.raw("POST", "/api/auth/v1/token", "", map[string]string{"client_id": testClientID, "client_secret": testClientSecret, "grant_type": "password"})
	if status != http.StatusBadRequest || !strings.Contains(got["message"].(string), "grant_type") {
		t.Errorf("wrong grant_type: %d %v, want 400 naming grant_type", status, got)
	}
	status, got = e.raw("POST", "/api/auth/v1/token", "", map[string]string{"client_id": testClientID, "client_secret": testClientSecret, "grant_type": "client_credentials"})
	if status != http.StatusOK || got["expires_in"].(float64) != 3600 {
		t.Errorf("token: %d %v", status, got)
	}
}

// An invalid request is refused with every failing field named by path,
// and nothing is created.
func TestInvalidRequestNamesEveryField(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	status, body := e.raw("POST", "/api/pay/v1/orders", tok, map[string]any{
		"merchant_order_reference": strings.Repeat("r", 51),
		"order_amount":             map[string]any{"value": 0, "currency": "inr"},
		"callback_url":             "not a url",
		"purchase_details":         map[string]any{"customer": map[string]any{"email_id": strings.Repeat("e", 51), "mobile_number": "98765abc10"}},
	})
	msg, _ := body["message"].(string)
	if status != http.StatusBadRequest || body["code"] != "INVALID_REQUEST" {
		t.Fatalf("%d %v, want 400 INVALID_REQUEST", status, body)
	}
	for _, path := range []string{"merchant_order_reference", "order_amount.value", "order_amount.currency", "purchase_details.customer.email_id", "purchase_details.customer.mobile_number"} {
		if !strings.Contains(msg, path) {
			t.Errorf("message does not name %s: %s", path, msg)
		}
	}
	if n := countOrders(t, e); n != 0 {
		t.Errorf("%d orders stored after a refused request", n)
	}
}

func countOrders(t *testing.T, e *env) int {
	t.Helper()
	var n int
	err := e.sb.Store().View(context.Background(), func(tx sandbox.Tx) error {
		os, err := tx.Orders(-1)
		n = len(os)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A body that is not JSON, or not the right JSON, is refused without its
// content quoted: it may hold a card number.
func TestMalformedBodyIsNotEchoed(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	o := e.order(1000, false)
	for name, body := range map[string]string{
		"number for a string": `{"payments":[{"payment_method":"CARD","payment_amount":{"value":1000,"currency":"INR"},"payment_option":{"card_details":{"card_number":4012001037141112}}}]}`,
		"syntax error":        `{"payments":[{"card_number":"4012001037141112",,}]}`,
		"empty":               ``,
	} {
		status, got := e.raw("POST", "/api/pay/v1/orders/"+*o.OrderID+"/payments", tok, body)
		msg, _ := got["message"].(string)
		if status != http.StatusBadRequest || msg == "" {
			t.Errorf("%s: %d %v, want 400 with a message", name, status, got)
		}
		if strings.Contains(msg, "4012001037141112") || strings.Contains(msg, "1037141112") {
			t.Errorf("%s: the message quotes the card number", name)
		}
	}
}

func TestMissingRequestHeaders(t *testing.T) {
	t.Parallel()
	e := start(t)
	req, _ := http.NewRequest("GET", e.url+"/api/pay/v1/orders/v1-1", nil)
	req.Header.Set("Authorization", "Bearer "+e.token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body["message"].(string), "Request-ID") {
		t.Errorf("without Request-ID: %d %v, want 400 naming it", resp.StatusCode, body)
	}
}

// Each refusal of the lifecycle, with the state it needs set up first.
func TestRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	ctx := context.Background()
	inr := func(p int64) map[string]any { return map[string]any{"value": p, "currency": "INR"} }
	cardPayment := func(ref string, p int64) map[string]any {
		m := map[string]any{
			"payment_method": "CARD", "payment_amount": inr(p),
			"payment_option": map[string]any{"card_details": map[string]any{"card_number": docsCard, "cvv": "123", "expiry_month": "12", "expiry_year": "2030"}},
		}
		if ref != "" {
			m["merchant_payment_reference"] = ref
		}
		return m
	}
	pointsPayment := func(card string, p int64) map[string]any {
		return map[string]any{
			"payment_method": "POINTS", "payment_amount": inr(p),
			"payment_option": map[string]any{"points_card_details": map[string]any{"card_number": card, "card_last4": card[len(card)-4:], "registered_mobile_number": "9876543210"}},
		}
	}
	authorized := func() string {
		o := e.payByCard(e.order(10000, true), docsCard)
		e.callback(*o.ChallengeURL, approve())
		return *o.OrderID
	}
	created := func() string { return *e.order(10000, false).OrderID }
	taken := e.order(500, false)
	usedPayRef := created()
	if s, b := e.raw("POST", "/api/pay/v1/orders/"+usedPayRef+"/payments", tok, map[string]any{"payments": []any{cardPayment("pay-ref-1", 10000)}}); s != 200 {
		t.Fatalf("setup: %d %v", s, b)
	}
	capturedWithRef := authorized()
	if _, err := e.client.CaptureOrder(ctx, capturedWithRef, &client.CaptureRequest{MerchantCaptureReference: "cap-ref-1", CaptureAmount: client.INR(10000)}); err != nil {
		t.Fatal(err)
	}
	restricted, err := e.client.CreateOrder(ctx, &client.CreateOrderRequest{MerchantOrderReference: "cards-only", OrderAmount: client.INR(10000), AllowedPaymentMethods: []client.PaymentMethod{"CARD"}})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		status       int
		code, says   string
	}{
		{"duplicate merchant_order_reference", "POST", "/api/pay/v1/orders", map[string]any{"merchant_order_reference": *taken.MerchantOrderReference, "order_amount": inr(500)}, 422, "DUPLICATE_REQUEST", "merchant_order_reference"},
		{"unknown order", "GET", "/api/pay/v1/orders/v1-0000000000-aa-nobody", nil, 404, "ORDER_NOT_FOUND", "order_id"},
		{"unknown reference", "GET", "/api/pay/v1/orders/reference/nobody", nil, 404, "ORDER_NOT_FOUND", "merchant_order_reference"},
		{"payment on an unknown order", "POST", "/api/pay/v1/orders/v1-0000000000-aa-nobody/payments", map[string]any{"payments": []any{cardPayment("", 100)}}, 404, "ORDER_NOT_FOUND", "order_id"},
		{"split not adding up", "POST", "/api/pay/v1/orders/" + created() + "/payments", map[string]any{"payments": []any{cardPayment("", 6000), pointsPayment("4111111111111111", 3000)}}, 400, "INVALID_REQUEST", "add up"},
		{"points above the redeemable amount", "POST", "/api/pay/v1/orders/" + created() + "/payments", map[string]any{"payments": []any{cardPayment("", 6000), pointsPayment(docsCard, 4000)}}, 422, "AMOUNT_LIMIT_EXCEEDED", "redeem"},
		{"points on a card without any", "POST", "/api/pay/v1/orders/" + created() + "/payments", map[string]any{"payments": []any{cardPayment("", 9900), pointsPayment("4000000000000010", 100)}}, 422, "AMOUNT_LIMIT_EXCEEDED", "redeem"},
		{"duplicate merchant_payment_reference", "POST", "/api/pay/v1/orders/" + created() + "/payments", map[string]any{"payments": []any{cardPayment("pay-ref-1", 10000)}}, 422, "DUPLICATE_REQUEST", "merchant_payment_reference"},
		{"second payment on a PENDING order", "POST", "/api/pay/v1/orders/" + usedPayRef + "/payments", map[string]any{"payments": []any{cardPayment("", 10000)}}, 422, "OPERATION_NOT_ALLOWED", "PENDING"},
		{"method not allowed on the order", "POST", "/api/pay/v1/orders/" + *restricted.OrderID + "/payments", map[string]any{"payments": []any{cardPayment("", 9000), pointsPayment("4111111111111111", 1000)}}, 422, "PAYMENT_METHOD_NOT_ENABLED", "POINTS"},
		{"capture of a CREATED order", "PUT", "/api/pay/v1/orders/" + created() + "/capture", nil, 422, "OPERATION_NOT_ALLOWED", "CREATED"},
		{"capture above the authorised amount", "PUT", "/api/pay/v1/orders/" + authorized() + "/capture", map[string]any{"merchant_capture_reference": "cap-big", "capture_amount": inr(10001)}, 400, "INVALID_REQUEST", "more than"},
		{"duplicate merchant_capture_reference", "PUT", "/api/pay/v1/orders/" + authorized() + "/capture", map[string]any{"merchant_capture_reference": "cap-ref-1", "capture_amount": inr(100)}, 422, "DUPLICATE_REQUEST", "merchant_capture_reference"},
		{"capture twice", "PUT", "/api/pay/v1/orders/" + capturedWithRef + "/capture", nil, 422, "OPERATION_NOT_ALLOWED", "PROCESSED"},
		{"cancel of a PROCESSED order", "PUT", "/api/pay/v1/orders/" + capturedWithRef + "/cancel", nil, 422, "OPERATION_NOT_ALLOWED", "PROCESSED"},
		{"cancel of a CREATED order", "PUT", "/api/pay/v1/orders/" + created() + "/cancel", nil, 422, "OPERATION_NOT_ALLOWED", "CREATED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before int
			if strings.HasPrefix(tc.path, "/api/pay/v1/orders/v1-") {
				before = countOrders(t, e)
			}
			status, body := e.raw(tc.method, tc.path, tok, tc.body)
			msg, _ := body["message"].(string)
			if status != tc.status || body["code"] != tc.code || !strings.Contains(msg, tc.says) {
				t.Errorf("%d %v, want %d %s saying %q", status, body, tc.status, tc.code, tc.says)
			}
			if before != 0 && countOrders(t, e) != before {
				t.Error("a refused request created an order")
			}
		})
	}
	// Each refusal was held to the spec's responses on its way out.
	checked := e.contract.Checked()
	for _, k := range []string{"createOrder 422", "getOrder 404", "getOrderByReference 404", "createPayment 400", "createPayment 404", "createPayment 422", "captureOrder 400", "captureOrder 422", "cancelOrder 422"} {
		if checked[k] == 0 {
			t.Errorf("no %s response was validated against the spec", k)
		}
	}
}

// The docs' own request samples are accepted as they stand.
func TestDocsRequestsAccepted(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	files, _ := filepath.Glob("../../spec/examples/createOrder/request.*.json")
	if len(files) == 0 {
		t.Fatal("no createOrder request samples")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The samples share one reference, which the sandbox would
		// rightly refuse the second time.
		var req map[string]any
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		req["merchant_order_reference"] = strings.NewReplacer(".", "-").Replace(filepath.Base(f))
		if status, body := e.raw("POST", "/api/pay/v1/orders", tok, req); status != http.StatusOK {
			t.Errorf("%s: %d %v", filepath.Base(f), status, body)
		}
	}
}
