package fakeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

// refundOf decodes a refund response's data.
func refundOf(t *testing.T, b []byte) (id, typ, parent, status string, value int64) {
	t.Helper()
	var r struct {
		Data struct {
			OrderID       string `json:"order_id"`
			Type          string `json:"type"`
			ParentOrderID string `json:"parent_order_id"`
			Status        string `json:"status"`
			OrderAmount   struct {
				Value int64 `json:"value"`
			} `json:"order_amount"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	d := r.Data
	return d.OrderID, d.Type, d.ParentOrderID, d.Status, d.OrderAmount.Value
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{})
	ctx := context.Background()
	tok := token(t, s)
	parent := s.PutProcessedOrder("paid-1", 1100)
	refund := func(orderID, body string) (int, []byte) {
		t.Helper()
		resp, b, err := call(t, ctx, s, "POST", "/api/pay/v1/refunds/"+orderID, tok, body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	parentStatus := func() string {
		o, _ := s.Order(parent)
		return string(*o.Status)
	}

	code, b := refund(parent, `{"merchant_order_reference":"rf-1","order_amount":{"value":400,"currency":"INR"}}`)
	if code != 200 {
		t.Fatalf("partial refund: %d %s", code, b)
	}
	id, typ, p, status, value := refundOf(t, b)
	if typ != "REFUND" || p != parent || status != "PROCESSED" || value != 400 {
		t.Errorf("refund %s: type %s parent %s status %s value %d", id, typ, p, status, value)
	}
	if got, _ := s.OrderByReference("rf-1"); got != id {
		t.Errorf("the refund is not stored under its reference: %q", got)
	}
	if st := parentStatus(); st != "PARTIALLY_REFUNDED" {
		t.Errorf("parent %s after a partial refund", st)
	}
	for _, tc := range []struct {
		name, orderID, body string
		code                int
		errCode             string
	}{
		{"reference reused", parent, `{"merchant_order_reference":"rf-1","order_amount":{"value":100,"currency":"INR"}}`, 422, "DUPLICATE_REQUEST"},
		{"the order's own reference", parent, `{"merchant_order_reference":"paid-1"}`, 422, "DUPLICATE_REQUEST"},
		{"more than is left", parent, `{"merchant_order_reference":"rf-2","order_amount":{"value":701,"currency":"INR"}}`, 422, "AMOUNT_LIMIT_EXCEEDED"},
		{"no reference", parent, `{}`, 400, "INVALID_REQUEST"},
		{"unknown order", "v1-none", `{"merchant_order_reference":"rf-3"}`, 404, "ORDER_NOT_FOUND"},
		{"a refund refunded", id, `{"merchant_order_reference":"rf-4"}`, 422, "OPERATION_NOT_ALLOWED"},
		{"not paid", s.PutAuthorizedOrder("auth-1", 1100), `{"merchant_order_reference":"rf-5"}`, 422, "OPERATION_NOT_ALLOWED"},
	} {
		if code, b := refund(tc.orderID, tc.body); code != tc.code || !bytes.Contains(b, []byte(tc.errCode)) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, b, tc.code, tc.errCode)
		}
	}
	// No amount: the rest, 700.
	code, b = refund(parent, `{"merchant_order_reference":"rf-6"}`)
	if _, _, _, _, value := refundOf(t, b); code != 200 || value != 700 {
		t.Fatalf("refund of the rest: %d %s", code, b)
	}
	if st := parentStatus(); st != "FULLY_REFUNDED" || s.Refunded(parent) != 1100 {
		t.Errorf("parent %s, refunded %d after refunding it all", st, s.Refunded(parent))
	}
	if code, b := refund(parent, `{"merchant_order_reference":"rf-7","order_amount":{"value":100,"currency":"INR"}}`); code != 422 {
		t.Errorf("refund of a fully refunded order: %d %s", code, b)
	}
	if got := s.Counts(); got.Refunds != 2 || got.Orders != 0 {
		t.Errorf("counts %+v, want 2 refunds and no orders", got)
	}
}

// A pre-auth order can be refunded up to what was captured, not what was
// authorised.
func TestRefundCapped(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{})
	ctx := context.Background()
	tok := token(t, s)
	id := s.PutAuthorizedOrder("auth-1", 1100)
	if resp, b, _ := call(t, ctx, s, "PUT", "/api/pay/v1/orders/"+id+"/capture", tok, `{"merchant_capture_reference":"c1","capture_amount":{"value":600,"currency":"INR"}}`); resp.StatusCode != 200 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	if resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/refunds/"+id, tok, `{"merchant_order_reference":"rf-1","order_amount":{"value":601,"currency":"INR"}}`); resp.StatusCode != 422 {
		t.Errorf("refund above the capture: %d %s", resp.StatusCode, b)
	}
	resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/refunds/"+id, tok, `{"merchant_order_reference":"rf-2"}`)
	if _, _, _, _, value := refundOf(t, b); resp.StatusCode != 200 || value != 600 {
		t.Errorf("refund of all: %d %s, want the 600 captured", resp.StatusCode, b)
	}
}

// After a refund, lagging reads see neither the refund nor its effect on
// the parent.
func TestRefundLookupLag(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{LookupLag: 1})
	ctx := context.Background()
	tok := token(t, s)
	parent := s.PutProcessedOrder("paid-1", 1100)
	if resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/refunds/"+parent, tok, `{"merchant_order_reference":"rf-1"}`); resp.StatusCode != 200 {
		t.Fatalf("refund: %d %s", resp.StatusCode, b)
	}
	if resp, _, _ := call(t, ctx, s, "GET", "/api/pay/v1/orders/reference/rf-1", tok, ""); resp.StatusCode != 404 {
		t.Errorf("lagging read of the refund: %d, want 404", resp.StatusCode)
	}
	if _, b, _ := call(t, ctx, s, "GET", "/api/pay/v1/orders/"+parent, tok, ""); !bytes.Contains(b, []byte(`"status":"PROCESSED"`)) {
		t.Errorf("lagging read of the parent: %s, want it PROCESSED", b)
	}
	if resp, b, _ := call(t, ctx, s, "GET", "/api/pay/v1/orders/reference/rf-1", tok, ""); resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"type":"REFUND"`)) {
		t.Errorf("read after the lag: %d %s", resp.StatusCode, b)
	}
	if _, b, _ := call(t, ctx, s, "GET", "/api/pay/v1/orders/"+parent, tok, ""); !bytes.Contains(b, []byte(`"status":"FULLY_REFUNDED"`)) {
		t.Errorf("read of the parent after the lag: %s", b)
	}
}
