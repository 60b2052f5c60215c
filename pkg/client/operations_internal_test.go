package client

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/validation"
)

// setupAuthorized returns an order with an authorized card payment.
func setupAuthorized(t *testing.T, c *Client, ref string) *Order {
	t.Helper()
	o, err := c.CreateOrder(t.Context(), orderRequest(ref))
	if err != nil {
		t.Fatal(err)
	}
	o, err = c.CreatePayment(t.Context(), *o.OrderID, cardPayment(150000))
	if err != nil {
		t.Fatal(err)
	}
	if *o.Status != OrderAuthorized {
		t.Fatalf("status %s, want AUTHORIZED", *o.Status)
	}
	return o
}

// TestNoDoubleEffects: for every call that changes state, the server does
// the work and the response is lost (or turns into an error); the client
// finds the result by reconciling and never repeats the work.
func TestNoDoubleEffects(t *testing.T) {
	t.Parallel()
	type counts = fakeapi.Counts
	cases := []struct {
		name  string
		op    fakeapi.Op
		fault fakeapi.Fault
		call  func(t *testing.T, c *Client) (*Order, error)
		want  counts
	}{
		{"create order, response lost", fakeapi.OpCreateOrder, fakeapi.DropResponse(), func(t *testing.T, c *Client) (*Order, error) {
			return c.CreateOrder(t.Context(), orderRequest("ref-lost"))
		}, counts{Tokens: 1, Orders: 1}},
		{"create order, 500 after the work", fakeapi.OpCreateOrder, fakeapi.After(fakeapi.Status(500)), func(t *testing.T, c *Client) (*Order, error) {
			return c.CreateOrder(t.Context(), orderRequest("ref-500"))
		}, counts{Tokens: 1, Orders: 1}},
		{"create order, truncated 200", fakeapi.OpCreateOrder, fakeapi.Truncate(), func(t *testing.T, c *Client) (*Order, error) {
			return c.CreateOrder(t.Context(), orderRequest("ref-trunc"))
		}, counts{Tokens: 1, Orders: 1}},
		{"create order, 200 not JSON", fakeapi.OpCreateOrder, notJSON, func(t *testing.T, c *Client) (*Order, error) {
			return c.CreateOrder(t.Context(), orderRequest("ref-html"))
		}, counts{Tokens: 1, Orders: 1}},
		{"create order, 503 before the work", fakeapi.OpCreateOrder, fakeapi.Status(503), func(t *testing.T, c *Client) (*Order, error) {
			return c.CreateOrder(t.Context(), orderRequest("ref-503"))
		}, counts{Tokens: 1, Orders: 1}},
		{"payment, response lost", fakeapi.OpCreatePayment, fakeapi.DropResponse(), func(t *testing.T, c *Client) (*Order, error) {
			o, err := c.CreateOrder(t.Context(), orderRequest("ref-pay"))
			if err != nil {
				t.Fatal(err)
			}
			return c.CreatePayment(t.Context(), *o.OrderID, cardPayment(150000))
		}, counts{Tokens: 1, Orders: 1, Payments: 1}},
		{"payment, 503 before the work", fakeapi.OpCreatePayment, fakeapi.Status(503), func(t *testing.T, c *Client) (*Order, error) {
			o, err := c.CreateOrder(t.Context(), orderRequest("ref-pay503"))
			if err != nil {
				t.Fatal(err)
			}
			return c.CreatePayment(t.Context(), *o.OrderID, cardPayment(150000))
		}, counts{Tokens: 1, Orders: 1, Payments: 1}},
		{"capture all, response lost", fakeapi.OpCaptureOrder, fakeapi.DropResponse(), func(t *testing.T, c *Client) (*Order, error) {
			o := setupAuthorized(t, c, "ref-cap")
			return c.CaptureOrder(t.Context(), *o.OrderID, nil)
		}, counts{Tokens: 1, Orders: 1, Payments: 1, Captures: 1}},
		{"capture part, response lost", fakeapi.OpCaptureOrder, fakeapi.DropResponse(), func(t *testing.T, c *Client) (*Order, error) {
			o := setupAuthorized(t, c, "ref-cap-part")
			return c.CaptureOrder(t.Context(), *o.OrderID, &CaptureRequest{MerchantCaptureReference: "cap-1", CaptureAmount: INR(100000)})
		}, counts{Tokens: 1, Orders: 1, Payments: 1, Captures: 1}},
		{"cancel, response lost", fakeapi.OpCancelOrder, fakeapi.DropResponse(), func(t *testing.T, c *Client) (*Order, error) {
			o := setupAuthorized(t, c, "ref-cancel")
			return c.CancelOrder(t.Context(), *o.OrderID)
		}, counts{Tokens: 1, Orders: 1, Payments: 1, Cancels: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPI(t)
			c, _ := testClient(t, s)
			s.Inject(tc.op, tc.fault)
			o, err := tc.call(t, c)
			if err != nil || o == nil || o.OrderID == nil {
				t.Fatalf("= %v, %v", o, err)
			}
			if got := s.Counts(); got != tc.want {
				t.Errorf("server did %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestOutcomeUnknown: the work may have been done and the lookup fails, so
// the caller is told the outcome is unknown and given what was sent.
func TestOutcomeUnknown(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s, WithRetries(1))
	s.Inject(fakeapi.OpCreateOrder, fakeapi.DropResponse())
	s.Inject(fakeapi.OpGetOrderByReference, fakeapi.Status(503), fakeapi.Status(503))
	req := orderRequest("ref-unknown")
	o, err := c.CreateOrder(t.Context(), req)
	if o != nil || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("= %v, %v; want ErrOutcomeUnknown", o, err)
	}
	var u *OutcomeUnknownError
	if !errors.As(err, &u) || u.Operation != "createOrder" || u.RequestID == "" {
		t.Fatalf("OutcomeUnknownError = %+v", u)
	}
	if sent, ok := u.Request.(*CreateOrderRequest); !ok || sent.MerchantOrderReference != "ref-unknown" {
		t.Errorf("Request = %#v", u.Request)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("the lookup's failure is not in the chain: %v", err)
	}
	wantHits(t, s, fakeapi.OpCreateOrder, 1)
}

func TestPaymentOutcomeUnknownCarriesReference(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s, WithRetries(0))
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-pay-unknown"))
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(fakeapi.OpCreatePayment, fakeapi.DropResponse())
	s.Inject(fakeapi.OpGetOrder, fakeapi.Status(503))
	req := cardPayment(150000)
	_, err = c.CreatePayment(t.Context(), *o.OrderID, req)
	var u *OutcomeUnknownError
	if !errors.As(err, &u) {
		t.Fatalf("err = %v", err)
	}
	sent := u.Request.(*CreatePaymentRequest)
	if sent.Payments[0].MerchantPaymentReference == nil {
		t.Fatal("the reference the payment was sent with is not reported")
	}
	if req.Payments[0].MerchantPaymentReference != nil {
		t.Error("the caller's request was changed")
	}
}

func TestCreateCustomerNotRetriedWhenUnknown(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	s.Inject(fakeapi.OpCreateCustomer, fakeapi.Status(503))
	first := "Kevin"
	_, err := c.CreateCustomer(t.Context(), &CreateCustomerRequest{FirstName: &first})
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v", err)
	}
	wantHits(t, s, fakeapi.OpCreateCustomer, 1)
	s.Inject(fakeapi.OpCreateCustomer, fakeapi.RateLimited("2"))
	if cu, err := c.CreateCustomer(t.Context(), &CreateCustomerRequest{FirstName: &first}); err != nil || cu.CustomerID == nil {
		t.Fatalf("after a 429: %v, %v", cu, err)
	}
}

func TestCreatePaymentFillsReferenceOnACopy(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-fill"))
	if err != nil {
		t.Fatal(err)
	}
	req := cardPayment(150000)
	o, err = c.CreatePayment(t.Context(), *o.OrderID, req)
	if err != nil {
		t.Fatal(err)
	}
	if req.Payments[0].MerchantPaymentReference != nil {
		t.Error("the caller's request was changed")
	}
	if p := o.Payments[0].MerchantPaymentReference; p == nil || len(*p) != 36 {
		t.Errorf("merchant_payment_reference %v, want a UUID", p)
	}
	mine := "my-ref-1"
	req.Payments[0].MerchantPaymentReference = &mine
	o2, err := c.CreateOrder(t.Context(), orderRequest("ref-fill-2"))
	if err != nil {
		t.Fatal(err)
	}
	o2, err = c.CreatePayment(t.Context(), *o2.OrderID, req)
	if err != nil || *o2.Payments[0].MerchantPaymentReference != mine {
		t.Errorf("own reference not kept: %v", err)
	}
}

// TestInvalidInputSendsNothing: validation fails before any request, the
// token call included.
func TestInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	bad := orderRequest("ref bad!")
	bad.OrderAmount = INR(50)
	calls := map[string]func() (any, error){
		"createOrder":   func() (any, error) { return c.CreateOrder(t.Context(), bad) },
		"createPayment": func() (any, error) { return c.CreatePayment(t.Context(), "v1-x", cardPayment(10)) },
		"captureOrder": func() (any, error) {
			return c.CaptureOrder(t.Context(), "v1-x", &CaptureRequest{CaptureAmount: INR(100)})
		},
		"checkBnplEligibility": func() (any, error) { return c.CheckBNPLEligibility(t.Context(), &BNPLEligibilityRequest{}) },
		"checkPointBalance":    func() (any, error) { return c.CheckPointBalance(t.Context(), &PointBalanceRequest{}) },
	}
	for name, call := range calls {
		v, err := call()
		var verr *validation.Error
		if !errors.As(err, &verr) || len(verr.Fields) == 0 {
			t.Errorf("%s: err = %v, want a *validation.Error", name, err)
		}
		if rv := reflect.ValueOf(v); !rv.IsNil() {
			t.Errorf("%s returned a value with its error", name)
		}
	}
	var verr *validation.Error
	if _, err := c.CreateOrder(t.Context(), bad); errors.As(err, &verr) {
		if !verr.Has("order_amount.value", validation.Minimum) || !verr.Has("merchant_order_reference", validation.Pattern) {
			t.Errorf("fields: %v", verr)
		}
	}
	for _, err := range []error{
		func() error { _, err := c.CreateOrder(t.Context(), nil); return err }(),
		func() error { _, err := c.GetOrder(t.Context(), ""); return err }(),
		func() error { _, err := c.CancelOrder(t.Context(), ""); return err }(),
		func() error { _, err := c.CreatePayment(t.Context(), "v1", nil); return err }(),
	} {
		if err == nil {
			t.Error("bad input accepted")
		}
	}
	if n := len(s.Requests("")); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}

// TestNeverNilNil: every way a response can go wrong yields an error.
func TestNeverNilNil(t *testing.T) {
	t.Parallel()
	for _, f := range []fakeapi.Fault{fakeapi.Status(503), notJSON, fakeapi.Truncate(), bare401, fakeapi.Reset()} {
		s := newAPI(t)
		c, _ := testClient(t, s, WithRetries(0))
		s.Inject(fakeapi.OpGetOrder, f, f)
		o, err := c.GetOrder(t.Context(), "v1-any")
		if o != nil || err == nil {
			t.Errorf("fault %v: = %v, %v", f, o, err)
		}
	}
}

func TestCaptureWithoutBodySendsNone(t *testing.T) {
	t.Parallel()
	var gotLen int64 = -1
	s := newAPI(t)
	c, _ := testClient(t, s)
	o := setupAuthorized(t, c, "ref-nobody")
	if _, err := c.CaptureOrder(t.Context(), *o.OrderID, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Requests(fakeapi.OpCaptureOrder) {
		gotLen = r.ContentLength
	}
	if gotLen != 0 {
		t.Errorf("capture sent a %d-byte body", gotLen)
	}
}

func TestReadOperations(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-read"))
	if err != nil {
		t.Fatal(err)
	}
	byRef, err := c.GetOrderByReference(t.Context(), "ref-read")
	if err != nil || *byRef.OrderID != *o.OrderID {
		t.Fatalf("GetOrderByReference = %v, %v", byRef, err)
	}
	if _, err := c.GetOrderByReference(t.Context(), "ref-none"); !errors.Is(err, ErrOrderNotFound) {
		t.Errorf("missing reference: %v", err)
	}
	pb, err := c.CheckPointBalance(t.Context(), &PointBalanceRequest{
		OrderDetails: struct {
			OrderAmount Amount `json:"order_amount"`
		}{INR(150000)},
		PaymentOption: struct {
			PointsCardDetails PointsCardDetails `json:"points_card_details"`
		}{PointsCardDetails{CardNumber: testPAN, CardLast4: "1112", RegisteredMobileNumber: "9876543210"}},
	})
	if err != nil || pb.RedeemableAmount == nil || *pb.RedeemableAmount.Value != 3500 {
		t.Errorf("CheckPointBalance = %v, %v", pb, err)
	}
}

// TestCancelledMidCallIsUnknown: the caller gives up while a create is in
// flight; the client cannot look it up with a dead context, so it says the
// outcome is unknown rather than that the call failed.
func TestCancelledMidCallIsUnknown(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	if _, err := c.token(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Inject(fakeapi.OpCreateOrder, hang(t))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.CreateOrder(ctx, orderRequest("ref-cancelled"))
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown and DeadlineExceeded", err)
	}
	wantHits(t, s, fakeapi.OpGetOrderByReference, 0)
}

// TestUnreachableIsRetriedWithoutLookup: a connection that was never made
// cannot have created anything, so no lookup is needed and the error is not
// "unknown".
func TestUnreachableIsRetriedWithoutLookup(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	// No pooled connection: one closed by the server while idle could have
	// taken the request before failing, which is a different case.
	noReuse := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c, clk := testClient(t, s, WithRetries(2), WithHTTPClient(noReuse))
	if _, err := c.token(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := c.CreateOrder(t.Context(), orderRequest("ref-down"))
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want a connection error", err)
	}
	if n := len(clk.slept()); n != 2 {
		t.Errorf("%d waits, want 2 retries", n)
	}
}
