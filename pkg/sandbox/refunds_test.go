package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

func refundPath(orderID string) string { return "/api/pay/v1/refunds/" + orderID }

// refundBody is a refund request under ref, of paisa (0: no amount, a
// full refund).
func refundBody(ref string, paisa int64) map[string]any {
	m := map[string]any{"merchant_order_reference": ref}
	if paisa > 0 {
		m["order_amount"] = map[string]any{"value": paisa, "currency": "INR"}
	}
	return m
}

// paid returns a PROCESSED order of paisa, paid by card.
func (e *env) paid(paisa int64) *client.Order {
	e.t.Helper()
	o := e.payByCard(e.order(paisa, false), docsCard)
	e.callback(*o.ChallengeURL, approve())
	return e.get(*o.OrderID)
}

// refund refunds paisa (0: the rest) of the order, failing the test unless
// the sandbox does.
func (e *env) refund(tok, orderID, ref string, paisa int64) *pinelabs.Order {
	e.t.Helper()
	status, r, body := call[pinelabs.OrderResponse](e, "POST", refundPath(orderID), tok, refundBody(ref, paisa))
	if status != http.StatusOK {
		e.t.Fatalf("createRefund: %d %v", status, body)
	}
	return &r.Data
}

func TestRefundInPartsThenTheRest(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	parent := e.paid(10000)
	id := *parent.OrderID

	r1 := e.refund(tok, id, "refund-1", 3000)
	if deref(r1.Type) != pinelabs.OrderTypeREFUND || deref(r1.ParentOrderID) != id || deref(r1.Status) != pinelabs.OrderStatusPROCESSED ||
		r1.OrderAmount.Value != 3000 || r1.OrderAmount.Currency != "INR" || deref(r1.MerchantOrderReference) != "refund-1" || deref(r1.OrderID) == id {
		t.Errorf("first refund: %+v", r1)
	}
	if st := statusOf(e.get(id)); st != pinelabs.OrderStatusPARTIALLYREFUNDED {
		t.Errorf("after a partial refund the order is %s", st)
	}
	// The refund is an order: found by its order_id and its reference.
	if got := e.get(*r1.OrderID); deref(got.ParentOrderID) != id || deref(got.Type) != pinelabs.OrderTypeREFUND {
		t.Errorf("GET of the refund: %+v", got)
	}
	if got, err := e.client.GetOrderByReference(context.Background(), "refund-1"); err != nil || *got.OrderID != *r1.OrderID {
		t.Errorf("GET by the refund's reference: %v, %v", got, err)
	}

	e.refund(tok, id, "refund-2", 3000)
	if st := statusOf(e.get(id)); st != pinelabs.OrderStatusPARTIALLYREFUNDED {
		t.Errorf("after a second partial refund the order is %s", st)
	}
	rest := e.refund(tok, id, "refund-3", 0)
	if rest.OrderAmount.Value != 4000 {
		t.Errorf("the refund of the rest is %d paisa, want 4000", rest.OrderAmount.Value)
	}
	final := e.get(id)
	if statusOf(final) != pinelabs.OrderStatusFULLYREFUNDED {
		t.Errorf("after refunding the rest the order is %s", statusOf(final))
	}
	// Refunds leave the payments as they were.
	if p := final.Payments[0]; deref(p.Status) != pinelabs.PaymentStatusPROCESSED || p.PaymentAmount.Value != 10000 {
		t.Errorf("the payment after refunds: %+v", p)
	}

	// The parent's timeline goes on through the refunds, and its record
	// names each.
	var rec *sandbox.Order
	e.sb.Store().View(context.Background(), func(tx sandbox.Tx) (err error) {
		rec, err = tx.Order(id)
		return err
	})
	var path []pinelabs.OrderStatus
	for _, ev := range rec.Events {
		if ev.Kind == sandbox.EventStatus {
			path = append(path, ev.Status)
		}
	}
	if fmt.Sprint(path) != "[CREATED PENDING PROCESSED PARTIALLY_REFUNDED PARTIALLY_REFUNDED FULLY_REFUNDED]" {
		t.Errorf("the parent's path: %v", path)
	}
	if len(rec.Refunds) != 3 || rec.Refunds[0].OrderID != *r1.OrderID || rec.Refunds[2].Reference != "refund-3" || rec.Refunded() != 10000 {
		t.Errorf("the parent's refunds: %+v", rec.Refunds)
	}
	e.wantChecked("createRefund 200", "getOrderByReference 200")
}

// A full refund of a pre-auth order gives back what was captured, not
// what was authorised.
func TestRefundOfAPartialCapture(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	o := e.payByCard(e.order(10000, true), docsCard)
	e.callback(*o.ChallengeURL, approve())
	if _, err := e.client.CaptureOrder(context.Background(), *o.OrderID, &client.CaptureRequest{MerchantCaptureReference: "cap-" + uuid.NewString()[:8], CaptureAmount: client.INR(6000)}); err != nil {
		t.Fatal(err)
	}
	status, body := e.raw("POST", refundPath(*o.OrderID), tok, refundBody("too-much", 6001))
	refused(t, "refund above the capture", status, body, 422, "AMOUNT_LIMIT_EXCEEDED", "60.00")
	r := e.refund(tok, *o.OrderID, "all-of-the-capture", 0)
	if r.OrderAmount.Value != 6000 || statusOf(e.get(*o.OrderID)) != pinelabs.OrderStatusFULLYREFUNDED {
		t.Errorf("full refund of a 6000 capture: %d paisa, order %s", r.OrderAmount.Value, statusOf(e.get(*o.OrderID)))
	}
}

// A refund carries the parent's customer and the request's metadata.
func TestRefundCarriesCustomerAndMetadata(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	cid := *e.newCustomer(tok, "refund-customer").CustomerID
	o := e.payByCard(e.customerOrder(5000, false, &pinelabs.OrderCustomer{CustomerID: &cid}), docsCard)
	e.callback(*o.ChallengeURL, approve())
	body := refundBody("refund-meta", 0)
	body["merchant_metadata"] = map[string]string{"reason": "damaged"}
	body["products"] = []any{map[string]any{"product_code": "redmi_1", "imei_number": "490154203237518"}}
	status, r, raw := call[pinelabs.OrderResponse](e, "POST", refundPath(*o.OrderID), tok, body)
	if status != http.StatusOK {
		t.Fatalf("createRefund: %d %v", status, raw)
	}
	pd := r.Data.PurchaseDetails
	if pd == nil || deref(pd.Customer.CustomerID) != cid || pd.MerchantMetadata["reason"] != "damaged" {
		t.Errorf("the refund's purchase_details: %+v", pd)
	}
}

func TestRefundRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	ctx := context.Background()

	created := *e.order(10000, false).OrderID
	pending := *e.payByCard(e.order(10000, false), docsCard).OrderID
	authorized := e.payByCard(e.order(10000, true), docsCard)
	e.callback(*authorized.ChallengeURL, approve())
	cancelled := e.payByCard(e.order(10000, true), docsCard)
	e.callback(*cancelled.ChallengeURL, approve())
	if _, err := e.client.CancelOrder(ctx, *cancelled.OrderID); err != nil {
		t.Fatal(err)
	}
	failed := e.payByCard(e.order(10000, false), "4000000000000002")
	e.callback(*failed.ChallengeURL, approve())
	paid := *e.paid(10000).OrderID
	refunded := *e.paid(10000).OrderID
	refund := e.refund(tok, refunded, "used-refund-ref", 0)
	taken := e.order(500, false)

	for _, tc := range []struct {
		name       string
		path       string
		body       any
		status     int
		code, says string
	}{
		{"unknown order", refundPath("v1-0000000000-aa-nobody"), refundBody("r-unknown", 0), 404, "ORDER_NOT_FOUND", "v1-0000000000-aa-nobody"},
		{"CREATED order", refundPath(created), refundBody("r-created", 0), 422, "OPERATION_NOT_ALLOWED", "CREATED"},
		{"PENDING order", refundPath(pending), refundBody("r-pending", 0), 422, "OPERATION_NOT_ALLOWED", "PENDING"},
		{"AUTHORIZED order", refundPath(*authorized.OrderID), refundBody("r-authorized", 0), 422, "OPERATION_NOT_ALLOWED", "AUTHORIZED"},
		{"CANCELLED order", refundPath(*cancelled.OrderID), refundBody("r-cancelled", 0), 422, "OPERATION_NOT_ALLOWED", "CANCELLED"},
		{"FAILED order", refundPath(*failed.OrderID), refundBody("r-failed", 0), 422, "OPERATION_NOT_ALLOWED", "FAILED"},
		{"FULLY_REFUNDED order", refundPath(refunded), refundBody("r-again", 0), 422, "OPERATION_NOT_ALLOWED", "FULLY_REFUNDED"},
		{"a refund", refundPath(*refund.OrderID), refundBody("r-of-refund", 0), 422, "OPERATION_NOT_ALLOWED", "itself a refund"},
		{"more than was paid", refundPath(paid), refundBody("r-too-much", 10001), 422, "AMOUNT_LIMIT_EXCEEDED", "more than"},
		{"an order's reference", refundPath(paid), refundBody(*taken.MerchantOrderReference, 100), 422, "DUPLICATE_REQUEST", *taken.MerchantOrderReference},
		{"a refund's reference, retried", refundPath(refunded), refundBody("used-refund-ref", 0), 422, "DUPLICATE_REQUEST", "used-refund-ref"},
		{"another currency", refundPath(paid), map[string]any{"merchant_order_reference": "r-usd", "order_amount": map[string]any{"value": 100, "currency": "USD"}}, 400, "INVALID_REQUEST", "currency"},
		{"below one rupee", refundPath(paid), refundBody("r-99", 99), 400, "INVALID_REQUEST", "order_amount.value"},
		{"no reference", refundPath(paid), map[string]any{}, 400, "INVALID_REQUEST", "merchant_order_reference"},
		{"no body", refundPath(paid), "", 400, "INVALID_REQUEST", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countOrders(t, e)
			status, body := e.raw("POST", tc.path, tok, tc.body)
			refused(t, tc.name, status, body, tc.status, tc.code, tc.says)
			if countOrders(t, e) != before {
				t.Error("a refused refund created an order")
			}
		})
	}
	if st := statusOf(e.get(paid)); st != pinelabs.OrderStatusPROCESSED {
		t.Errorf("after refused refunds the paid order is %s", st)
	}
	e.wantChecked("createRefund 400", "createRefund 404", "createRefund 422")
}

// Refunds of one order made at once never add up to more than was paid:
// of twenty refunds of ₹30 against ₹100, three go through.
func TestConcurrentRefunds(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	id := *e.paid(10000).OrderID

	const n = 20
	type answer struct {
		status int
		code   string
	}
	answers := make(chan answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b, _ := json.Marshal(refundBody(fmt.Sprint("concurrent-", i), 3000))
			req, _ := http.NewRequest("POST", e.url+refundPath(id), bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Request-ID", uuid.NewString())
			req.Header.Set("Request-Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var body struct{ Code string }
			json.NewDecoder(resp.Body).Decode(&body)
			answers <- answer{resp.StatusCode, body.Code}
		})
	}
	wg.Wait()
	close(answers)
	ok := 0
	for a := range answers {
		switch {
		case a.status == http.StatusOK:
			ok++
		case a.status != http.StatusUnprocessableEntity || a.code != "AMOUNT_LIMIT_EXCEEDED":
			t.Errorf("a refund answered %d %s, want 200 or 422 AMOUNT_LIMIT_EXCEEDED", a.status, a.code)
		}
	}
	if ok != 3 {
		t.Errorf("%d refunds of ₹30 of a ₹100 order went through, want 3", ok)
	}
	var rec *sandbox.Order
	e.sb.Store().View(context.Background(), func(tx sandbox.Tx) (err error) {
		rec, err = tx.Order(id)
		return err
	})
	if rec.Refunded() != 9000 || len(rec.Refunds) != 3 || rec.Status() != pinelabs.OrderStatusPARTIALLYREFUNDED {
		t.Errorf("after the race: %d paisa refunded by %d refunds, order %s", rec.Refunded(), len(rec.Refunds), rec.Status())
	}
	if n := countOrders(t, e); n != 4 {
		t.Errorf("%d orders stored, want the order and its 3 refunds", n)
	}
}

// A pre-auth split order is captured once, whatever its number of
// payments, so it cannot be refunded more than it was paid.
func TestSplitCaptureRefundsOnce(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	amount := client.INR(10000)
	o := e.order(amount.Value, true)
	points := client.PointsCardDetails{CardNumber: docsCard, CardLast4: "1112", RegisteredMobileNumber: "9876543210"} // ₹35.00 of ₹100.00
	o, err := e.client.PayWithPoints(ctx, *o.OrderID, amount, points, card(docsCard))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Payments) != 2 {
		t.Fatalf("want a split of two payments, got %d", len(o.Payments))
	}
	e.callback(*o.ChallengeURL, approve())
	o, err = e.client.CaptureOrder(ctx, *o.OrderID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var recorded int64
	for _, p := range o.Payments {
		for _, c := range p.CaptureData {
			recorded += c.CaptureAmount.Value
		}
	}
	if recorded != amount.Value {
		t.Fatalf("the payments record %d paisa captured, want %d", recorded, amount.Value)
	}
	if _, err := e.client.CreateRefund(ctx, *o.OrderID, &client.RefundRequest{MerchantOrderReference: "split-all"}); err != nil {
		t.Fatal(err)
	}
	one := client.INR(100)
	_, err = e.client.CreateRefund(ctx, *o.OrderID, &client.RefundRequest{MerchantOrderReference: "split-more", OrderAmount: &one})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 {
		t.Fatalf("a refund beyond the capture: %v, want a 422", err)
	}
}
