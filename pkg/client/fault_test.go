package client_test

// The fault-injection suite: every case runs the client against
// internal/fakeapi, makes one request misbehave, and asserts both what the
// caller got and what the server saw (how many orders, payments, captures,
// cancels and token calls; the Request-ID the attempts shared). No case
// measures time: slow responses are held on a channel until the client's own
// timeout gives up on them.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/client"
)

// testPAN is the docs' test card; none of its first 12 digits may ever be
// printed. testCVV is distinctive enough to search for next to its name.
const (
	testPAN    = "4012001037141112"
	testPANTop = "401200103714"
	testCVV    = "7391"
	testSecret = "s3cr3t-Client-Secret-do-not-print-9f8e"
)

func ptr[T any](v T) *T { return &v }

// newFake starts a fake and a client for it. Options come after the
// defaults, so a test can shorten the timeout or change the retry budget.
func newFake(t *testing.T, cfg fakeapi.Config, opts ...client.Option) (*fakeapi.Server, *client.Client) {
	t.Helper()
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = testSecret
	}
	s := fakeapi.New(t, cfg)
	c, err := client.New("client-id", cfg.ClientSecret,
		append([]client.Option{client.WithBaseURL(s.URL), client.WithTimeout(10 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkHeaders(t, s) })
	return s, c
}

// checkHeaders asserts the headers the docs require on every request the
// fake saw, faulted or not.
func checkHeaders(t *testing.T, s *fakeapi.Server) {
	t.Helper()
	for _, r := range s.Requests("") {
		where := r.Method + " " + r.Path
		if r.RequestID == "" {
			t.Errorf("%s: no Request-ID", where)
		}
		if ts, err := time.Parse("2006-01-02T15:04:05.000Z", r.RequestTimestamp); err != nil || ts.IsZero() {
			t.Errorf("%s: Request-Timestamp %q is not UTC with milliseconds", where, r.RequestTimestamp)
		}
		if !strings.HasPrefix(r.UserAgent, "pinegen-go/") {
			t.Errorf("%s: User-Agent %q", where, r.UserAgent)
		}
		if bearer := strings.HasPrefix(r.Authorization, "Bearer "); bearer == (r.Op == fakeapi.OpToken) {
			t.Errorf("%s: Authorization %q", where, r.Authorization)
		}
	}
}

func orderReq(ref string, preAuth bool) *client.CreateOrderRequest {
	return &client.CreateOrderRequest{
		MerchantOrderReference: ref,
		OrderAmount:            client.INR(110000),
		PreAuth:                ptr(preAuth),
	}
}

// cardPayment pays amount by card; ref "" leaves merchant_payment_reference
// for the client to fill.
func cardPayment(ref string, paisa int64) *client.CreatePaymentRequest {
	p := client.PaymentRequest{
		PaymentMethod: "CARD",
		PaymentAmount: client.INR(paisa),
		PaymentOption: client.PaymentOption{CardDetails: &client.CardDetails{
			Name:        ptr("Kevin Bob"),
			CardNumber:  testPAN,
			CVV:         testCVV,
			ExpiryMonth: "12",
			ExpiryYear:  "2030",
		}},
	}
	if ref != "" {
		p.MerchantPaymentReference = ptr(ref)
	}
	return &client.CreatePaymentRequest{Payments: []client.PaymentRequest{p}}
}

func captureReq(ref string, paisa int64) *client.CaptureRequest {
	return &client.CaptureRequest{MerchantCaptureReference: ref, CaptureAmount: client.INR(paisa)}
}

// example decodes a request body from spec/examples.
func example[T any](t *testing.T, path string) *T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "spec", "examples", path))
	if err != nil {
		t.Fatal(err)
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
	return v
}

// sameRequestID asserts that the fake saw n requests of op, all with one
// non-empty Request-ID, and returns it.
func sameRequestID(t *testing.T, s *fakeapi.Server, op fakeapi.Op, n int) string {
	t.Helper()
	reqs := s.Requests(op)
	if len(reqs) != n {
		t.Errorf("server saw %d %s requests, want %d", len(reqs), op, n)
	}
	if len(reqs) == 0 {
		return ""
	}
	id := reqs[0].RequestID
	if id == "" {
		t.Errorf("%s sent without Request-ID", op)
	}
	for i, r := range reqs {
		if r.RequestID != id {
			t.Errorf("%s attempt %d Request-ID %q, first attempt %q: retries must reuse it", op, i+1, r.RequestID, id)
		}
	}
	return id
}

func wantCounts(t *testing.T, s *fakeapi.Server, want fakeapi.Counts) {
	t.Helper()
	if got := s.Counts(); got != want {
		t.Errorf("server did %+v, want %+v", got, want)
	}
}

// stateOp is one state-changing call against a fresh fake: setup prepares
// what it needs (uncounted where the fake allows it) and returns the call.
type stateOp struct {
	name   string
	op     fakeapi.Op
	lookup fakeapi.Op // the lookup reconciliation uses
	setup  func(t *testing.T, s *fakeapi.Server, c *client.Client) (call func(context.Context) (*client.Order, error), base fakeapi.Counts, check func(t *testing.T, o *client.Order))
}

var stateOps = []stateOp{
	{
		name: "create order", op: fakeapi.OpCreateOrder, lookup: fakeapi.OpGetOrderByReference,
		setup: func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
			call := func(ctx context.Context) (*client.Order, error) { return c.CreateOrder(ctx, orderReq("ord-1", false)) }
			return call, fakeapi.Counts{Orders: 1}, func(t *testing.T, o *client.Order) {
				id, _ := s.OrderByReference("ord-1")
				if o.OrderID == nil || *o.OrderID != id {
					t.Errorf("got order %v, the server stored %q", o.OrderID, id)
				}
			}
		},
	},
	{
		name: "create payment", op: fakeapi.OpCreatePayment, lookup: fakeapi.OpGetOrder,
		setup: paymentSetup("pay-ref-1"),
	},
	{
		name: "create payment, reference filled by the client", op: fakeapi.OpCreatePayment, lookup: fakeapi.OpGetOrder,
		setup: paymentSetup(""),
	},
	{
		name: "capture", op: fakeapi.OpCaptureOrder, lookup: fakeapi.OpGetOrder,
		setup: func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
			id := s.PutAuthorizedOrder("cap-1", 110000)
			call := func(ctx context.Context) (*client.Order, error) {
				return c.CaptureOrder(ctx, id, captureReq("capture-ref-1", 110000))
			}
			return call, fakeapi.Counts{Captures: 1}, func(t *testing.T, o *client.Order) {
				if o.Status == nil || *o.Status != client.OrderStatus("PROCESSED") {
					t.Errorf("status %v, want PROCESSED", o.Status)
				}
				if !hasCapture(o, "capture-ref-1") {
					t.Errorf("returned order has no capture_data with our reference")
				}
			}
		},
	},
	{
		name: "capture whole amount (no body)", op: fakeapi.OpCaptureOrder, lookup: fakeapi.OpGetOrder,
		setup: func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
			id := s.PutAuthorizedOrder("cap-2", 110000)
			call := func(ctx context.Context) (*client.Order, error) { return c.CaptureOrder(ctx, id, nil) }
			return call, fakeapi.Counts{Captures: 1}, func(t *testing.T, o *client.Order) {
				if o.Status == nil || *o.Status != client.OrderStatus("PROCESSED") {
					t.Errorf("status %v, want PROCESSED", o.Status)
				}
			}
		},
	},
	{
		name: "cancel", op: fakeapi.OpCancelOrder, lookup: fakeapi.OpGetOrder,
		setup: func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
			id := s.PutAuthorizedOrder("can-1", 110000)
			call := func(ctx context.Context) (*client.Order, error) { return c.CancelOrder(ctx, id) }
			return call, fakeapi.Counts{Cancels: 1}, func(t *testing.T, o *client.Order) {
				if o.Status == nil || *o.Status != client.OrderStatus("CANCELLED") {
					t.Errorf("status %v, want CANCELLED", o.Status)
				}
			}
		},
	},
	{
		name: "refund part", op: fakeapi.OpCreateRefund, lookup: fakeapi.OpGetOrderByReference,
		setup: refundSetup(ptr(client.INR(40000)), client.OrderPartiallyRefunded),
	},
	{
		name: "refund all", op: fakeapi.OpCreateRefund, lookup: fakeapi.OpGetOrderByReference,
		setup: refundSetup(nil, client.OrderFullyRefunded),
	},
}

// refundSetup puts a paid order of ₹1,100.00 in place (uncounted) and
// refunds amount of it (nil: all of it) under the reference "refund-1";
// the order must end up parentStatus, refunded once.
func refundSetup(amount *client.Amount, parentStatus client.OrderStatus) func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
	return func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
		id := s.PutProcessedOrder("refund-parent-1", 110000)
		want := int64(110000)
		if amount != nil {
			want = amount.Value
		}
		call := func(ctx context.Context) (*client.Order, error) {
			return c.CreateRefund(ctx, id, &client.RefundRequest{MerchantOrderReference: "refund-1", OrderAmount: amount})
		}
		return call, fakeapi.Counts{Refunds: 1}, func(t *testing.T, o *client.Order) {
			if o.Type == nil || *o.Type != client.OrderTypeRefund || o.ParentOrderID == nil || *o.ParentOrderID != id {
				t.Errorf("got type %v parent %v, want a REFUND of %s", o.Type, o.ParentOrderID, id)
			}
			if o.MerchantOrderReference == nil || *o.MerchantOrderReference != "refund-1" {
				t.Errorf("got merchant_order_reference %v, want refund-1", o.MerchantOrderReference)
			}
			if o.OrderAmount == nil || o.OrderAmount.Value != want {
				t.Errorf("refund of %v, want %d paisa", o.OrderAmount, want)
			}
			if got := s.Refunded(id); got != want {
				t.Errorf("server refunded %d paisa of the order, want %d", got, want)
			}
			if parent, _ := s.Order(id); parent.Status == nil || *parent.Status != parentStatus {
				t.Errorf("order is %v after the refund, want %s", parent.Status, parentStatus)
			}
		}
	}
}

// paymentSetup creates the order through the fake (counted: Orders 1) and
// returns a card payment with reference ref ("" for the client to fill).
func paymentSetup(ref string) func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
	return func(t *testing.T, s *fakeapi.Server, c *client.Client) (func(context.Context) (*client.Order, error), fakeapi.Counts, func(*testing.T, *client.Order)) {
		o, err := c.CreateOrder(context.Background(), orderReq("pay-ord-1", false))
		if err != nil {
			t.Fatalf("setup: %v", err)
		}
		id := *o.OrderID
		call := func(ctx context.Context) (*client.Order, error) {
			return c.CreatePayment(ctx, id, cardPayment(ref, 110000))
		}
		return call, fakeapi.Counts{Orders: 1, Payments: 1}, func(t *testing.T, o *client.Order) {
			stored, _ := s.Order(id)
			if len(stored.Payments) != 1 || stored.Payments[0].MerchantPaymentReference == nil {
				t.Fatalf("server holds payments %v", stored.Payments)
			}
			want := *stored.Payments[0].MerchantPaymentReference
			if ref != "" && want != ref {
				t.Errorf("server recorded merchant_payment_reference %q, sent %q", want, ref)
			}
			if len(o.Payments) != 1 || o.Payments[0].MerchantPaymentReference == nil || *o.Payments[0].MerchantPaymentReference != want {
				t.Errorf("returned order's payments %v, want the one with reference %q", o.Payments, want)
			}
		}
	}
}

func hasCapture(o *client.Order, ref string) bool {
	for _, p := range o.Payments {
		for _, c := range p.CaptureData {
			if c.MerchantCaptureReference != nil && *c.MerchantCaptureReference == ref {
				return true
			}
		}
	}
	return false
}

// runStateOp sets op up on a fresh fake, injects faults into it, calls it
// and checks the server did the work exactly once.
func runStateOp(t *testing.T, so stateOp, faults []fakeapi.Fault, opts ...client.Option) (s *fakeapi.Server, o *client.Order, err error, check func(*testing.T, *client.Order)) {
	t.Helper()
	return runStateOpOn(t, so, fakeapi.Config{}, faults, opts...)
}

// runStateOpOn is runStateOp on a fake configured with cfg.
func runStateOpOn(t *testing.T, so stateOp, cfg fakeapi.Config, faults []fakeapi.Fault, opts ...client.Option) (s *fakeapi.Server, o *client.Order, err error, check func(*testing.T, *client.Order)) {
	t.Helper()
	s, c := newFake(t, cfg, opts...)
	call, base, check := so.setup(t, s, c)
	s.Inject(so.op, faults...)
	base.Tokens = 1
	o, err = call(context.Background())
	wantCounts(t, s, base)
	return s, o, err, check
}

func TestFaultLostResponse(t *testing.T) {
	t.Parallel()
	for _, so := range stateOps {
		t.Run(so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.DropResponse()})
			if err != nil {
				t.Fatalf("the server did the work and reconciliation could find it, got %v", err)
			}
			if o == nil {
				t.Fatal("nil order with nil error")
			}
			check(t, o)
			sameRequestID(t, s, so.op, 1)
			if s.Hits(so.lookup) == 0 {
				t.Errorf("no %s lookup: the result did not come from reconciliation", so.lookup)
			}
		})
	}
}

// The server did the work, then answered 5xx: the docs say whether the call
// took effect is unknown, so the client must look before repeating it.
func TestFaultServerErrorAfterWork(t *testing.T) {
	t.Parallel()
	for _, code := range []int{500, 502, 503} {
		for _, so := range stateOps {
			t.Run(fmt.Sprintf("%d/%s", code, so.name), func(t *testing.T) {
				t.Parallel()
				s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.After(fakeapi.Status(code))})
				if err != nil {
					t.Fatalf("got %v, want the order found by reconciliation", err)
				}
				check(t, o)
				sameRequestID(t, s, so.op, 1)
			})
		}
	}
}

func TestFaultLostResponseLookupFails(t *testing.T) {
	t.Parallel()
	for _, so := range stateOps {
		t.Run(so.name, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{}, client.WithRetries(1))
			call, base, _ := so.setup(t, s, c)
			base.Tokens = 1
			s.Inject(so.op, fakeapi.DropResponse())
			for range 20 {
				s.Inject(so.lookup, fakeapi.Status(503))
			}
			o, err := call(context.Background())
			wantCounts(t, s, base)
			id := sameRequestID(t, s, so.op, 1)
			if o != nil {
				t.Errorf("got order %v with error %v", o, err)
			}
			if !errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("got %v, want ErrOutcomeUnknown", err)
			}
			var oe *client.OutcomeUnknownError
			if !errors.As(err, &oe) {
				t.Fatalf("%T does not unwrap to *OutcomeUnknownError", err)
			}
			if oe.Operation == "" || oe.Request == nil || oe.Err == nil {
				t.Errorf("OutcomeUnknownError lacks what the caller needs to reconcile: %+v", oe)
			}
			if oe.RequestID != id {
				t.Errorf("OutcomeUnknownError.RequestID %q, the server saw %q", oe.RequestID, id)
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, oe.Request, oe.Request)} {
				if strings.Contains(text, testPANTop) || cvvPattern.MatchString(text) {
					t.Errorf("error output shows card data: %s", text)
				}
			}
		})
	}
}

// The connection is reset before the server does anything: the client
// cannot know that, so it must reconcile (and find nothing) before sending
// the call again, with the same Request-ID.
func TestFaultConnectionReset(t *testing.T) {
	t.Parallel()
	for _, so := range stateOps {
		t.Run(so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.Reset()})
			if err != nil {
				t.Fatalf("got %v, want success on the retry", err)
			}
			check(t, o)
			sameRequestID(t, s, so.op, 2)
			if s.Hits(so.lookup) == 0 {
				t.Errorf("retried %s without reconciling first", so.op)
			}
		})
	}
	t.Run("get order", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		id := s.PutAuthorizedOrder("get-1", 110000)
		s.Inject(fakeapi.OpGetOrder, fakeapi.Reset())
		o, err := c.GetOrder(context.Background(), id)
		if err != nil || o == nil || *o.OrderID != id {
			t.Fatalf("got %v, %v", o, err)
		}
		// The transport may replay an idempotent GET on its own; either way
		// every attempt carries the one Request-ID.
		sameRequestID(t, s, fakeapi.OpGetOrder, s.Hits(fakeapi.OpGetOrder))
		if s.Hits(fakeapi.OpGetOrder) < 2 {
			t.Errorf("server saw %d getOrder requests, want a retry", s.Hits(fakeapi.OpGetOrder))
		}
	})
}

// 5xx before the work, then success.
func TestFaultServerErrorThenSuccess(t *testing.T) {
	t.Parallel()
	for _, code := range []int{500, 502, 503} {
		for _, so := range stateOps {
			t.Run(fmt.Sprintf("%d/%s", code, so.name), func(t *testing.T) {
				t.Parallel()
				s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.Status(code)})
				if err != nil {
					t.Fatalf("got %v, want success on the retry", err)
				}
				check(t, o)
				sameRequestID(t, s, so.op, 2)
			})
		}
		t.Run(fmt.Sprintf("%d/get order", code), func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			id := s.PutAuthorizedOrder("get-1", 110000)
			s.Inject(fakeapi.OpGetOrder, fakeapi.Status(code), fakeapi.Status(code))
			if o, err := c.GetOrder(context.Background(), id); err != nil || o == nil {
				t.Fatalf("got %v, %v", o, err)
			}
			sameRequestID(t, s, fakeapi.OpGetOrder, 3)
		})
	}
	t.Run("retries exhausted", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{}, client.WithRetries(2))
		id := s.PutAuthorizedOrder("get-1", 110000)
		for range 5 {
			s.Inject(fakeapi.OpGetOrder, fakeapi.Status(503))
		}
		o, err := c.GetOrder(context.Background(), id)
		var apiErr *client.APIError
		if o != nil || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Code != "INTERNAL_ERROR" {
			t.Fatalf("got %v, %v; want *APIError 503 INTERNAL_ERROR", o, err)
		}
		rid := sameRequestID(t, s, fakeapi.OpGetOrder, 3)
		if apiErr.RequestID != rid {
			t.Errorf("APIError.RequestID %q, sent %q", apiErr.RequestID, rid)
		}
	})
}

// A rate limiter refuses before any work, so 429 is retried after
// Retry-After without reconciling.
func TestFaultRateLimited(t *testing.T) {
	t.Parallel()
	for _, retryAfter := range []string{"1", time.Now().Add(time.Second).UTC().Format(http.TimeFormat)} {
		t.Run("Retry-After "+retryAfter, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			s.Inject(fakeapi.OpCreateOrder, fakeapi.RateLimited(retryAfter))
			o, err := c.CreateOrder(context.Background(), orderReq("rl-1", false))
			if err != nil || o == nil {
				t.Fatalf("got %v, %v", o, err)
			}
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, Orders: 1})
			sameRequestID(t, s, fakeapi.OpCreateOrder, 2)
			if n := s.Hits(fakeapi.OpGetOrderByReference); n != 0 {
				t.Errorf("%d lookups after a 429: a rate-limited call was not processed", n)
			}
		})
	}
	t.Run("wait ends with the context", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		s.Inject(fakeapi.OpCreateOrder, fakeapi.RateLimited("3600"))
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		o, err := c.CreateOrder(ctx, orderReq("rl-2", false))
		// Waiting out the deadline or giving up at once because Retry-After
		// is past it are both right; sleeping an hour is not (the test
		// would time out).
		if o != nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, client.ErrRateLimited)) {
			t.Fatalf("got %v, %v; want the context's error or ErrRateLimited", o, err)
		}
		wantCounts(t, s, fakeapi.Counts{Tokens: 1})
		sameRequestID(t, s, fakeapi.OpCreateOrder, 1)
	})
}

// The fake holds a response until the test releases it, which it never does
// while the call runs: the client's per-attempt timeout must end the attempt.
func TestFaultSlowResponse(t *testing.T) {
	t.Parallel()
	stall := func(t *testing.T) <-chan struct{} {
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		return release
	}
	// Long enough for any healthy attempt on a loaded machine, so that only
	// the stalled ones time out.
	timeout := client.WithTimeout(time.Second)
	for _, so := range stateOps {
		t.Run("before work/"+so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.Stall(stall(t))}, timeout)
			if err != nil {
				t.Fatalf("got %v, want success on the retry", err)
			}
			check(t, o)
			sameRequestID(t, s, so.op, 2)
		})
		t.Run("after work/"+so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.After(fakeapi.Stall(stall(t)))}, timeout)
			if err != nil {
				t.Fatalf("got %v, want the order found by reconciliation", err)
			}
			check(t, o)
			sameRequestID(t, s, so.op, 1)
		})
	}
	t.Run("every attempt", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{}, timeout, client.WithRetries(2))
		id := s.PutAuthorizedOrder("slow-1", 110000)
		release := stall(t)
		for range 5 {
			s.Inject(fakeapi.OpGetOrder, fakeapi.Stall(release))
		}
		o, err := c.GetOrder(context.Background(), id)
		if o != nil || err == nil {
			t.Fatalf("got %v, %v; want an error", o, err)
		}
		sameRequestID(t, s, fakeapi.OpGetOrder, 3)
	})
}

// Bodies that do not decode: the error keeps a short excerpt, with card
// numbers masked.
func TestFaultUndecodableBodies(t *testing.T) {
	t.Parallel()
	leaky := `{"data":{"order_id":"v1-x","payments":[{"payment_option":{"card_details":{"card_number":"` + testPAN + `","cvv":"` + testCVV + `"`
	// The CVV appears only as a JSON field: in prose no redactor could
	// tell it from any other number.
	html := `<html><body><h1>Upstream error</h1><p>card ` + testPAN + ` declined</p>` + strings.Repeat("<p>padding</p>", 100) + `</body></html>`
	for _, tc := range []struct {
		name  string
		fault fakeapi.Fault
	}{
		{"truncated JSON", fakeapi.Respond(200, leaky)},
		{"non-JSON 200", fakeapi.Respond(200, html)},
		{"non-JSON 502", fakeapi.Respond(502, html)},
		{"cut-off connection", fakeapi.Truncate()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{}, client.WithRetries(1))
			id := s.PutAuthorizedOrder("dec-1", 110000)
			s.Inject(fakeapi.OpGetOrder, tc.fault, tc.fault)
			o, err := c.GetOrder(context.Background(), id)
			if o != nil || err == nil {
				t.Fatalf("got %v, %v; want an error", o, err)
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			if strings.Contains(msg, testPANTop) || cvvPattern.MatchString(msg) {
				t.Errorf("error shows card data: %s", msg)
			}
			if len(msg) > 600 {
				t.Errorf("error is %d bytes; the excerpt must be short", len(msg))
			}
			if tc.name != "cut-off connection" && !strings.Contains(msg, "v1-x") && !strings.Contains(msg, "Upstream error") && !strings.Contains(msg, "html") {
				t.Errorf("error keeps no excerpt of the body: %s", msg)
			}
		})
	}
	// A 200 that does not decode on a state-changing call: the server did
	// the work, so whatever the caller gets, the client must not do it twice.
	for _, so := range stateOps {
		t.Run("non-JSON 200/"+so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, check := runStateOp(t, so, []fakeapi.Fault{fakeapi.After(fakeapi.Respond(200, html))})
			t.Logf("got %v, %v", o != nil, err)
			wantDoneOrUnknown(t, o, err, check)
			sameRequestID(t, s, so.op, 1)
		})
		// The lookup lags, so it cannot confirm what the 200 says: the
		// outcome is unknown, and the call is not sent again.
		t.Run("non-JSON 200, lagging lookup/"+so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, _ := runStateOpOn(t, so, fakeapi.Config{LookupLag: 100}, []fakeapi.Fault{fakeapi.After(fakeapi.Respond(200, html))})
			if o != nil || !errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("got %v, %v; want ErrOutcomeUnknown", o, err)
			}
			sameRequestID(t, s, so.op, 1)
		})
	}
}

// wantDoneOrUnknown asserts that a call that may have taken effect either
// succeeded (and check passes) or failed with ErrOutcomeUnknown: never a
// plain error, which a caller would read as a refusal.
func wantDoneOrUnknown(t *testing.T, o *client.Order, err error, check func(*testing.T, *client.Order)) {
	t.Helper()
	switch {
	case err == nil && o == nil:
		t.Fatal("nil order with nil error")
	case err == nil:
		check(t, o)
	case o != nil:
		t.Errorf("got order %v with error %v", o, err)
	case !errors.Is(err, client.ErrOutcomeUnknown):
		t.Errorf("got %v; the server did the work, so want success or ErrOutcomeUnknown", err)
	}
	if err != nil && (strings.Contains(err.Error(), testPANTop) || cvvPattern.MatchString(err.Error())) {
		t.Errorf("error shows card data: %v", err)
	}
}

// The response is lost and lookups lag the write, seeing the order as it
// was: the client may retry with the same references, which the server
// refuses as done, but the work is done once and the caller never gets an
// error that reads as a refusal.
func TestFaultLostResponseLaggingLookup(t *testing.T) {
	t.Parallel()
	for _, lag := range []int{1, 2, 100} {
		for _, so := range stateOps {
			t.Run(fmt.Sprintf("lag %d/%s", lag, so.name), func(t *testing.T) {
				t.Parallel()
				s, o, err, check := runStateOpOn(t, so, fakeapi.Config{LookupLag: lag}, []fakeapi.Fault{fakeapi.DropResponse()})
				t.Logf("got %v, %v", o != nil, err)
				wantDoneOrUnknown(t, o, err, check)
				sameRequestID(t, s, so.op, s.Hits(so.op))
			})
		}
	}
}

// With no retries left, a 5xx after the work is not the refusal it looks
// like: a lookup that cannot confirm it leaves the outcome unknown.
func TestFaultNoRetriesServerErrorAfterWork(t *testing.T) {
	t.Parallel()
	for _, so := range stateOps {
		t.Run(so.name, func(t *testing.T) {
			t.Parallel()
			s, o, err, _ := runStateOpOn(t, so, fakeapi.Config{LookupLag: 100},
				[]fakeapi.Fault{fakeapi.After(fakeapi.Status(503))}, client.WithRetries(0))
			if o != nil || !errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("got %v, %v; want ErrOutcomeUnknown", o, err)
			}
			sameRequestID(t, s, so.op, 1)
		})
	}
}

// The first response is lost, the lookup finds nothing yet, and the retry is
// refused as DUPLICATE_REQUEST: the first attempt did the work. When the
// lookup that should confirm it fails, the outcome is unknown, not a
// refusal.
func TestFaultDuplicateOnRetryLookupFails(t *testing.T) {
	t.Parallel()
	s, c := newFake(t, fakeapi.Config{LookupLag: 1}, client.WithRetries(1))
	s.Inject(fakeapi.OpCreateOrder, fakeapi.DropResponse())
	s.Inject(fakeapi.OpGetOrderByReference, fakeapi.None())
	for range 10 {
		s.Inject(fakeapi.OpGetOrderByReference, fakeapi.Status(503))
	}
	o, err := c.CreateOrder(context.Background(), orderReq("dup-1", false))
	if o != nil || !errors.Is(err, client.ErrOutcomeUnknown) {
		t.Fatalf("got %v, %v; want ErrOutcomeUnknown", o, err)
	}
	wantCounts(t, s, fakeapi.Counts{Tokens: 1, Orders: 1})
	reqs := s.Requests(fakeapi.OpCreateOrder)
	if len(reqs) != 2 || reqs[1].Fault.String() != "none" {
		t.Fatalf("createOrder requests %v: want the lost one and a retry", reqs)
	}
	sameRequestID(t, s, fakeapi.OpCreateOrder, 2)
}

// A token call refused in plain text that echoes the request: none of the
// body may reach the error, as the secret is in it.
func TestFaultTokenErrorEchoesSecret(t *testing.T) {
	t.Parallel()
	s, c := newFake(t, fakeapi.Config{}, client.WithRetries(1))
	echo := fakeapi.RespondAs(500, "text/plain", "client_id=client-id&client_secret="+testSecret+"&grant_type=client_credentials")
	s.Inject(fakeapi.OpToken, echo, echo, echo)
	o, err := c.GetOrder(context.Background(), "v1-none")
	if o != nil || err == nil {
		t.Fatalf("got %v, %v; want an error", o, err)
	}
	if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error shows the secret: %v", err)
	}
	if n := s.Hits(fakeapi.OpGetOrder); n != 0 {
		t.Errorf("getOrder sent %d times without a token", n)
	}
}

// The token is revoked mid-session: the client refreshes once and retries
// once, and gives up with ErrUnauthorized if that fails too.
func TestFault401MidSession(t *testing.T) {
	t.Parallel()
	t.Run("refresh and retry", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		if _, err := c.CreateOrder(context.Background(), orderReq("tok-1", false)); err != nil {
			t.Fatal(err)
		}
		s.Inject(fakeapi.OpCreateOrder, fakeapi.ExpireToken())
		o, err := c.CreateOrder(context.Background(), orderReq("tok-2", false))
		if err != nil || o == nil {
			t.Fatalf("got %v, %v", o, err)
		}
		wantCounts(t, s, fakeapi.Counts{Tokens: 2, Orders: 2})
		if n := s.Hits(fakeapi.OpToken); n != 2 {
			t.Errorf("%d token calls, want 2", n)
		}
		reqs := s.Requests(fakeapi.OpCreateOrder)
		if len(reqs) != 3 {
			t.Fatalf("%d createOrder requests, want 3", len(reqs))
		}
		if reqs[1].RequestID != reqs[2].RequestID || reqs[1].RequestID == reqs[0].RequestID {
			t.Errorf("Request-IDs %q %q %q: the retry must reuse its call's ID, a new call must not", reqs[0].RequestID, reqs[1].RequestID, reqs[2].RequestID)
		}
		if reqs[1].Authorization == reqs[2].Authorization {
			t.Error("retried with the token that was refused")
		}
	})
	t.Run("refused again", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		id := s.PutAuthorizedOrder("tok-3", 110000)
		s.Inject(fakeapi.OpGetOrder, fakeapi.ExpireToken(), fakeapi.ExpireToken(), fakeapi.ExpireToken())
		o, err := c.GetOrder(context.Background(), id)
		if o != nil || !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("got %v, %v; want ErrUnauthorized", o, err)
		}
		if n := s.Hits(fakeapi.OpToken); n != 2 {
			t.Errorf("%d token calls, want 2 (one refresh)", n)
		}
		sameRequestID(t, s, fakeapi.OpGetOrder, 2)
	})
	t.Run("bad credentials", func(t *testing.T) {
		t.Parallel()
		s := fakeapi.New(t, fakeapi.Config{ClientSecret: testSecret})
		c, err := client.New("client-id", "wrong-"+testSecret, client.WithBaseURL(s.URL))
		if err != nil {
			t.Fatal(err)
		}
		o, err := c.GetOrder(context.Background(), "v1-none")
		if o != nil || err == nil {
			t.Fatalf("got %v, %v", o, err)
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Errorf("error shows the secret: %v", err)
		}
		if n := s.Hits(fakeapi.OpGetOrder); n != 0 {
			t.Errorf("getOrder sent %d times without a token", n)
		}
	})
}

func TestFaultUnknownFieldsAndEnums(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newFake(t, fakeapi.Config{})

	s.Inject(fakeapi.OpCreateOrder, fakeapi.Unknowns())
	o, err := c.CreateOrder(ctx, orderReq("unk-1", true))
	if err != nil {
		t.Fatalf("create order: %v", err)
	}
	if string(*o.Status) != fakeapi.UnknownStatus || string(*o.Type) != fakeapi.UnknownType {
		t.Errorf("status %q type %q: unknown values must come through as they are", *o.Status, *o.Type)
	}
	if o.Status.Valid() {
		t.Errorf("Valid() true for %q", *o.Status)
	}

	if _, err := c.CreatePayment(ctx, *o.OrderID, cardPayment("unk-pay", 110000)); err != nil {
		t.Fatalf("create payment: %v", err)
	}
	s.Inject(fakeapi.OpGetOrder, fakeapi.Unknowns())
	o, err = c.GetOrder(ctx, *o.OrderID)
	if err != nil {
		t.Fatalf("get order: %v", err)
	}
	if len(o.Payments) != 1 || string(*o.Payments[0].Status) != fakeapi.UnknownPaymentStatus || string(*o.Payments[0].PaymentMethod) != fakeapi.UnknownPaymentMethod {
		t.Errorf("payments %v", o.Payments)
	}

	s.Inject(fakeapi.OpCheckPointBalance, fakeapi.Unknowns())
	if b, err := c.CheckPointBalance(ctx, example[client.PointBalanceRequest](t, "checkPointBalance/request.points-balance-001.json")); err != nil || b == nil || b.IsEligible == nil || !*b.IsEligible {
		t.Errorf("point balance: %v, %v", b, err)
	}
	s.Inject(fakeapi.OpCheckBNPL, fakeapi.Unknowns())
	if e, err := c.CheckBNPLEligibility(ctx, example[client.BNPLEligibilityRequest](t, "checkBnplEligibility/request.simpl3-003.json")); err != nil || e == nil || e.TxnEligibility == nil {
		t.Errorf("bnpl eligibility: %v, %v", e, err)
	}
	s.Inject(fakeapi.OpCreateCustomer, fakeapi.Unknowns())
	if cu, err := c.CreateCustomer(ctx, example[client.CreateCustomerRequest](t, "createCustomer/request.customer-004.json")); err != nil || cu == nil || cu.Status == nil || string(*cu.Status) != fakeapi.UnknownStatus {
		t.Errorf("create customer: %v, %v", cu, err)
	}
	wantCounts(t, s, fakeapi.Counts{Tokens: 1, Orders: 1, Payments: 1, Customers: 1})
}

// 100 callers at once when the token has just expired: one token call.
func TestTokenConcurrentAtExpiry(t *testing.T) {
	t.Parallel()
	const callers = 100
	burst := func(t *testing.T, c *client.Client, id string) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, callers)
		for range callers {
			wg.Go(func() {
				<-start
				if _, err := c.GetOrder(context.Background(), id); err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("caller: %v", err)
		}
	}
	for _, tc := range []struct {
		name string
		cfg  fakeapi.Config
	}{
		{"expires_in", fakeapi.Config{TokenLifetime: time.Second}},
		{"expires_at", fakeapi.Config{TokenLifetime: time.Second, ExpiresAt: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, tc.cfg)
			id := s.PutAuthorizedOrder("tok-1", 110000)
			if _, err := c.GetOrder(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			// The next token outlives the test, so the burst needs exactly
			// one. Sleep past the first one's whole lifetime, whatever margin
			// the client refreshes ahead by; only an outcome is asserted.
			s.SetTokenLifetime(time.Hour)
			time.Sleep(1100 * time.Millisecond)
			burst(t, c, id)
			if n := s.Hits(fakeapi.OpToken); n != 2 {
				t.Errorf("%d token calls for the first call and %d callers at expiry, want 2", n, callers)
			}
		})
	}
	t.Run("first use", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		burst(t, c, s.PutAuthorizedOrder("tok-2", 110000))
		if n := s.Hits(fakeapi.OpToken); n != 1 {
			t.Errorf("%d token calls for %d first callers, want 1", n, callers)
		}
	})
	t.Run("revoked on the server", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		id := s.PutAuthorizedOrder("tok-3", 110000)
		if _, err := c.GetOrder(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		s.RevokeTokens()
		burst(t, c, id)
		if n := s.Hits(fakeapi.OpToken); n != 2 {
			t.Errorf("%d token calls after %d callers all got 401 for one token, want 2", n, callers)
		}
	})
}

// cvvPattern finds testCVV next to its field name in JSON, Go or log syntax.
var cvvPattern = regexp.MustCompile(`(?i)cvv[^0-9a-z]{0,8}` + testCVV)

// A debug-logged run with card payments, faults and errors: no log line, no
// error string and no printed value may show the card number (beyond its
// last four), the CVV, the client secret or an access token.
func TestRedactionEndToEnd(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, c := newFake(t, fakeapi.Config{}, client.WithLogger(logger), client.WithRetries(1))
	ctx := context.Background()
	var printed []string
	note := func(v ...any) {
		for _, x := range v {
			printed = append(printed, fmt.Sprintf("%v | %+v | %#v", x, x, x))
		}
	}
	note(c)

	// A card payment that works.
	o, err := c.CreateOrder(ctx, orderReq("red-1", true))
	if err != nil {
		t.Fatal(err)
	}
	pay := cardPayment("red-pay-1", 110000)
	note(pay)
	if o, err = c.CreatePayment(ctx, *o.OrderID, pay); err != nil {
		t.Fatal(err)
	}
	note(o)

	// Pay by Points with the same card number, the balance check included.
	o2, err := c.CreateOrder(ctx, orderReq("red-2", false))
	if err != nil {
		t.Fatal(err)
	}
	bal := example[client.PointBalanceRequest](t, "checkPointBalance/request.points-balance-001.json")
	b, err := c.CheckPointBalance(ctx, bal)
	note(bal, b, err)
	points := cardPayment("red-pay-2", 106500)
	points.Payments = append(points.Payments, client.PaymentRequest{
		PaymentMethod: "POINTS",
		PaymentAmount: client.INR(3500),
		PaymentOption: client.PaymentOption{PointsCardDetails: &client.PointsCardDetails{
			CardNumber: testPAN, CardLast4: "1112", RegisteredMobileNumber: "9876543210",
		}},
	})
	_, err = c.CreatePayment(ctx, *o2.OrderID, points)
	note(points, err)

	// A lost payment response whose lookup fails too: ErrOutcomeUnknown
	// carries the request, card and all.
	o3, err := c.CreateOrder(ctx, orderReq("red-3", false))
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(fakeapi.OpCreatePayment, fakeapi.DropResponse())
	s.Inject(fakeapi.OpGetOrder, fakeapi.Status(503), fakeapi.Status(503), fakeapi.Status(503))
	_, err = c.CreatePayment(ctx, *o3.OrderID, cardPayment("red-pay-3", 110000))
	note(err)
	var oe *client.OutcomeUnknownError
	if errors.As(err, &oe) {
		note(oe, oe.Request)
	} else {
		t.Errorf("lost payment with failed lookup: got %v, want *OutcomeUnknownError", err)
	}

	// A declined payment whose body echoes the card, and a body that does
	// not decode.
	o4, err := c.CreateOrder(ctx, orderReq("red-4", false))
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(fakeapi.OpCreatePayment, fakeapi.Respond(422,
		`{"code":"PAYMENT_DECLINED","message":"card `+testPAN+` declined","additional_error_details":{"reason":"card `+testPAN+` failed the issuer's checks"}}`))
	_, err = c.CreatePayment(ctx, *o4.OrderID, cardPayment("red-pay-4", 110000))
	note(err)
	if !errors.Is(err, client.ErrPaymentDeclined) {
		t.Errorf("got %v, want ErrPaymentDeclined", err)
	}
	s.Inject(fakeapi.OpGetOrder, fakeapi.Respond(200, `{"data":{"card_number":"`+testPAN+`","cvv":"`+testCVV+`"`))
	_, err = c.GetOrder(ctx, *o4.OrderID)
	note(err)

	// A refused token mid-session.
	s.Inject(fakeapi.OpGetOrder, fakeapi.ExpireToken())
	_, err = c.GetOrder(ctx, *o4.OrderID)
	note(err)

	// Invalid input: the validation error names the field, not the value.
	bad := cardPayment("red-pay-5", 110000)
	bad.Payments[0].PaymentOption.CardDetails.CardNumber = testPAN + "x"
	_, err = c.CreatePayment(ctx, *o4.OrderID, bad)
	note(err)
	if err == nil {
		t.Error("a card number with a letter was accepted")
	}

	var tokens []string
	for _, r := range s.Requests("") {
		if tok, ok := strings.CutPrefix(r.Authorization, "Bearer "); ok && !contains(tokens, tok) {
			tokens = append(tokens, tok)
		}
	}
	if len(tokens) < 2 {
		t.Fatalf("saw %d tokens; the run should have used two", len(tokens))
	}
	mu.Lock()
	out := logs.String() + "\n" + strings.Join(printed, "\n")
	mu.Unlock()
	if !strings.Contains(logs.String(), `"level":"DEBUG"`) {
		t.Error("no debug log lines: the run logged nothing to check")
	}
	forbidden := map[string]string{"card number": testPANTop, "client secret": testSecret}
	for i, tok := range tokens {
		forbidden[fmt.Sprintf("access token %d", i+1)] = tok
	}
	for what, s := range forbidden {
		if i := strings.Index(out, s); i >= 0 {
			t.Errorf("%s found in output: …%s…", what, excerpt(out, i))
		}
	}
	if loc := cvvPattern.FindStringIndex(out); loc != nil {
		t.Errorf("CVV found in output: …%s…", excerpt(out, loc[0]))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func excerpt(s string, i int) string {
	return s[max(0, i-120):min(len(s), i+60)]
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
