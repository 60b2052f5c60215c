package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// fault is what the test server does with one request instead of (or after)
// answering it normally.
type fault int

const (
	pass           fault = iota // answer normally
	dropAfter                   // do the work, then close the connection unanswered
	dropBefore                  // close the connection without doing anything
	status503                   // answer 503 without doing the work
	status500After              // do the work, then answer 500
	status429                   // answer 429 with Retry-After: 2
	status401                   // answer 401
	notJSON200                  // do the work, then answer 200 with an HTML body
	truncated200                // do the work, then answer a 200 cut short
	hang                        // answer nothing until the client gives up
)

// apiServer is a small stateful stand-in for the API on loopback: enough of
// each operation to count what was done and to fail on cue.
type apiServer struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	tokenCalls int
	issued     int
	revoked    map[string]bool
	tokenBody  func(n int) string // the token response for the n-th call
	calls      map[string]int     // requests per operation
	faults     map[string][]fault // queued per operation
	requests   []*http.Request    // every request, bodies not kept
	orders     map[string]*pinelabs.Order
	byRef      map[string]string
	creates    int // orders created
	payments   int // payments made
	captures   int // captures made
	cancels    int // cancels made
	customers  int
	nextID     int
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	s := &apiServer{
		t:       t,
		revoked: map[string]bool{},
		calls:   map[string]int{},
		faults:  map[string][]fault{},
		orders:  map[string]*pinelabs.Order{},
		byRef:   map[string]string{},
		tokenBody: func(n int) string {
			return fmt.Sprintf(`{"access_token":"tok-%d-eyJhbGciOiJIUzI1NiJ9","expires_in":3600}`, n)
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/v1/token", s.token)
	mux.HandleFunc("POST /api/pay/v1/orders", s.authed("createOrder", s.createOrder))
	mux.HandleFunc("GET /api/pay/v1/orders/{id}", s.authed("getOrder", s.getOrder))
	mux.HandleFunc("GET /api/pay/v1/orders/reference/{ref}", s.authed("getOrderByReference", s.getOrderByReference))
	mux.HandleFunc("POST /api/pay/v1/orders/{id}/payments", s.authed("createPayment", s.createPayment))
	mux.HandleFunc("PUT /api/pay/v1/orders/{id}/capture", s.authed("captureOrder", s.capture))
	mux.HandleFunc("PUT /api/pay/v1/orders/{id}/cancel", s.authed("cancelOrder", s.cancel))
	mux.HandleFunc("POST /payment-option", s.authed("checkPointBalance", func(w http.ResponseWriter, r *http.Request) {
		s.json(w, 200, `{"balance":{"value":23718050,"currency":"INR"},"redeemable_amount":{"value":100000,"currency":"INR"},"is_eligible":true}`)
	}))
	mux.HandleFunc("POST /api/payment-option/eligibility/bnpl", s.authed("checkBnplEligibility", func(w http.ResponseWriter, r *http.Request) {
		s.json(w, 200, `{"txn_eligibility":true,"brand_new_field":1}`)
	}))
	mux.HandleFunc("POST /api/v1/customer", s.authed("createCustomer", func(w http.ResponseWriter, r *http.Request) {
		s.customers++
		s.json(w, 200, `{"customer_id":"cust-v1-1","status":"INACTIVE"}`)
	}))
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// client returns a Client for s whose waits are instant and recorded.
func (s *apiServer) client(t *testing.T, opts ...Option) (*Client, *fakeClock) {
	t.Helper()
	c, err := New("a17ce30e-f88e-4f81-ada1-c3b4909ed232", "sup3r-s3cret-value", append([]Option{WithBaseURL(s.srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	fc := &fakeClock{t: time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.UTC)}
	c.clock = fc.clock()
	return c, fc
}

func (s *apiServer) fail(op string, f ...fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], f...)
}

func (s *apiServer) count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// snapshot reads counters under the lock.
func (s *apiServer) snapshot(f func(s *apiServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *apiServer) json(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func (s *apiServer) drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

func (s *apiServer) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.calls["generateToken"]++
	if f := s.next("generateToken"); f != pass {
		s.applyFault(w, f, nil)
		return
	}
	var req pinelabs.TokenRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ClientSecret != "sup3r-s3cret-value" {
		s.json(w, 401, `{"code":"UNAUTHORIZED","message":"Invalid client credentials"}`)
		return
	}
	s.tokenCalls++
	s.json(w, 200, s.tokenBody(s.tokenCalls))
}

func (s *apiServer) next(op string) fault {
	q := s.faults[op]
	if len(q) == 0 {
		return pass
	}
	s.faults[op] = q[1:]
	return q[0]
}

// applyFault answers with f; work, when not nil, is the operation's effect,
// done first by the faults that model a server that acted.
func (s *apiServer) applyFault(w http.ResponseWriter, f fault, work func() string) {
	switch f {
	case dropAfter, status500After, notJSON200, truncated200:
		if work != nil {
			work()
		}
	}
	switch f {
	case dropAfter, dropBefore:
		s.drop(w)
	case status503:
		s.json(w, 503, `{"code":"INTERNAL_ERROR","message":"unavailable"}`)
	case status500After:
		s.json(w, 500, `{"code":"INTERNAL_ERROR","message":"boom"}`)
	case status429:
		w.Header().Set("Retry-After", "2")
		s.json(w, 429, `{"code":"API_RATE_LIMIT","message":"slow down"}`)
	case status401:
		s.json(w, 401, `{"message":"Unauthorized"}`)
	case notJSON200:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		fmt.Fprint(w, "<html>ok</html>")
	case truncated200:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"data":{"order_id":"v1-`)
		if err := http.NewResponseController(w).Flush(); err != nil {
			s.t.Errorf("flush: %v", err)
		}
		s.drop(w)
	}
}

// authed checks the bearer token, counts the call and applies any queued
// fault before h runs; h runs with s.mu held.
func (s *apiServer) authed(op string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, r)
		s.calls[op]++
		auth := r.Header.Get("Authorization")
		if len(auth) < 8 || auth[:7] != "Bearer " || s.revoked[auth[7:]] {
			s.json(w, 401, `{"code":"UNAUTHORIZED","message":"token expired"}`)
			return
		}
		f := s.next(op)
		if f == hang {
			// The server notices the client leaving only once the body is read.
			io.Copy(io.Discard, r.Body)
			s.mu.Unlock()
			<-r.Context().Done()
			s.mu.Lock()
			return
		}
		if f != pass {
			s.applyFault(w, f, func() string {
				rec := httptest.NewRecorder()
				h(rec, r)
				return rec.Body.String()
			})
			return
		}
		h(w, r)
	}
}

func (s *apiServer) writeOrder(w http.ResponseWriter, o *pinelabs.Order) {
	b, err := json.Marshal(pinelabs.OrderResponse{Data: *o})
	if err != nil {
		s.t.Error(err)
	}
	s.json(w, 200, string(b))
}

func (s *apiServer) notFound(w http.ResponseWriter) {
	s.json(w, 404, `{"code":"ORDER_NOT_FOUND","message":"no such order"}`)
}

func (s *apiServer) createOrder(w http.ResponseWriter, r *http.Request) {
	var req pinelabs.CreateOrderRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.json(w, 400, `{"code":"INVALID_REQUEST","message":"bad json"}`)
		return
	}
	if _, ok := s.byRef[req.MerchantOrderReference]; ok {
		s.json(w, 422, `{"code":"DUPLICATE_REQUEST","message":"merchant_order_reference already used"}`)
		return
	}
	s.nextID++
	s.creates++
	id := fmt.Sprintf("v1-%d-aa-test", s.nextID)
	st := OrderCreated
	amt := req.OrderAmount
	o := &pinelabs.Order{OrderID: &id, MerchantOrderReference: &req.MerchantOrderReference, OrderAmount: &amt, Status: &st, PreAuth: req.PreAuth}
	s.orders[id] = o
	s.byRef[req.MerchantOrderReference] = id
	s.writeOrder(w, o)
}

func (s *apiServer) getOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		s.notFound(w)
		return
	}
	s.writeOrder(w, o)
}

func (s *apiServer) getOrderByReference(w http.ResponseWriter, r *http.Request) {
	id, ok := s.byRef[r.PathValue("ref")]
	if !ok {
		s.notFound(w)
		return
	}
	s.writeOrder(w, s.orders[id])
}

func (s *apiServer) createPayment(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		s.notFound(w)
		return
	}
	var req pinelabs.CreatePaymentRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.json(w, 400, `{"code":"INVALID_REQUEST","message":"bad json"}`)
		return
	}
	for _, p := range req.Payments {
		s.payments++
		id := fmt.Sprintf("pay-%d", s.payments)
		st := pinelabs.PaymentStatusAUTHORIZED
		amt := p.PaymentAmount
		m := pinelabs.PaymentMethod(p.PaymentMethod)
		o.Payments = append(o.Payments, pinelabs.Payment{ID: &id, MerchantPaymentReference: p.MerchantPaymentReference, Status: &st, PaymentAmount: &amt, PaymentMethod: &m})
	}
	st := OrderAuthorized
	if o.PreAuth == nil || !*o.PreAuth {
		st = OrderProcessed
	}
	o.Status = &st
	s.writeOrder(w, o)
}

func (s *apiServer) capture(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		s.notFound(w)
		return
	}
	if o.Status == nil || *o.Status != OrderAuthorized {
		s.json(w, 422, `{"code":"OPERATION_NOT_ALLOWED","message":"order is not authorized"}`)
		return
	}
	var cd pinelabs.CaptureData
	if r.ContentLength != 0 {
		var req pinelabs.CaptureRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			s.json(w, 400, `{"code":"INVALID_REQUEST","message":"bad json"}`)
			return
		}
		cd = pinelabs.CaptureData{MerchantCaptureReference: &req.MerchantCaptureReference, CaptureAmount: &req.CaptureAmount}
	}
	s.captures++
	if len(o.Payments) > 0 {
		o.Payments[0].CaptureData = append(o.Payments[0].CaptureData, cd)
	}
	st := OrderProcessed
	o.Status = &st
	s.writeOrder(w, o)
}

func (s *apiServer) cancel(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		s.notFound(w)
		return
	}
	if o.Status == nil || *o.Status != OrderAuthorized {
		s.json(w, 422, `{"code":"OPERATION_NOT_ALLOWED","message":"order is not authorized"}`)
		return
	}
	s.cancels++
	st := OrderCancelled
	o.Status = &st
	s.writeOrder(w, o)
}

// fakeClock is a clock that moves only when told to, and records every
// wait instead of waiting.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (f *fakeClock) clock() clock {
	return clock{
		now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.t
		},
		sleep: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.waits = append(f.waits, d)
			f.t = f.t.Add(d)
			f.mu.Unlock()
			return ctx.Err()
		},
		// The longest wait backoff allows, so tests can check the bound.
		jitter: func(d time.Duration) time.Duration { return d },
	}
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func (f *fakeClock) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}
