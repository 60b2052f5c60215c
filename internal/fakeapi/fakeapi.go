// Package fakeapi is a small, programmable fake of the Pine Labs Online API
// for tests: it keeps orders (refunds among them), customers and saved
// tokens in memory on a loopback httptest server, counts what it was asked
// to do, and misbehaves on request (see Fault).
//
// It is deliberately not pkg/sandbox: it models only what a client's retry,
// token and decoding logic can observe, and every misbehaviour is chosen by
// the test, request by request.
package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// Op names an operation by its operationId in spec/pinelabs.yaml.
type Op string

// The operations the fake serves.
const (
	OpToken               Op = "generateToken"
	OpCreateOrder         Op = "createOrder"
	OpGetOrder            Op = "getOrder"
	OpGetOrderByReference Op = "getOrderByReference"
	OpCreatePayment       Op = "createPayment"
	OpCaptureOrder        Op = "captureOrder"
	OpCancelOrder         Op = "cancelOrder"
	OpCheckPointBalance   Op = "checkPointBalance"
	OpCheckBNPL           Op = "checkBnplEligibility"
	OpCreateCustomer      Op = "createCustomer"
	OpCreateRefund        Op = "createRefund"
	OpGetCustomer         Op = "getCustomer"
	OpFindCustomer        Op = "findCustomer"
	OpUpdateCustomer      Op = "updateCustomer"
	OpListCustomerTokens  Op = "listCustomerTokens"
	OpGetCustomerToken    Op = "getCustomerToken"
	OpDeleteCustomerToken Op = "deleteCustomerToken"

	// OpChallenge is the customer's side of the challenge protocol (GET and
	// POST of challenge_url, see Config.SecretKey). It is no operation of
	// the spec: the fake records these requests under it, but never applies
	// a Fault to them and asks for no token.
	OpChallenge Op = "challenge"
)

// Config sets the credentials the fake accepts and the tokens it issues.
type Config struct {
	ClientID, ClientSecret string
	// TokenLifetime is how long each token is valid; zero means one hour.
	TokenLifetime time.Duration
	// ExpiresAt makes the token call answer expires_at (a UTC timestamp)
	// instead of expires_in (seconds), the other shape the docs show.
	ExpiresAt bool
	// Challenge makes every payment wait for the customer's challenge: the
	// order is PENDING, with a challenge_url, until it is next read, by
	// which time the customer has passed it. The challenge_url is a
	// placeholder on the UAT host that nothing answers; for a challenge the
	// customer really has to pass, set SecretKey instead.
	Challenge bool
	// SecretKey, the merchant's secret key in hex as signature.ParseKey
	// takes it, makes the fake speak the challenge protocol of DESIGN.md:
	// every payment leaves the order PENDING with challenge_url
	// <URL>/challenge/<order_id>, and the order stays PENDING, however often
	// it is read, until the customer approves or declines there; the
	// answer is a self-submitting form that posts the result, signed with
	// this key, to the order's callback_url (or failure_callback_url on a
	// decline, when set). With SecretKey set, Challenge has no effect.
	// A key that does not parse makes Start panic and New fail the test.
	SecretKey string
	// RedeemablePaisa is what any points card may redeem; zero means the
	// docs' sample answer, ₹35.00.
	RedeemablePaisa int64
	// DeclinedMobiles are the customers Pay Later turns down.
	DeclinedMobiles []string
	// LookupLag makes reads lag writes, as a replicated store may: after
	// each order create, payment, capture or cancel, the next LookupLag
	// reads of that order (by order_id or merchant_order_reference) see it
	// as it was before the write, which for a new order is 404
	// ORDER_NOT_FOUND. A refund lags both ways: the refund reads as 404 and
	// its parent as not yet refunded. After a token delete, the next
	// LookupLag getCustomerToken reads of that token see it as it was.
	// A lookup that finds nothing proves nothing.
	LookupLag int
}

// Counts is what the fake has done: access tokens issued, orders created,
// payments linked to orders (one per payment in a request), captures,
// cancels, refunds, customers created and updated, and saved tokens
// deleted. Requests that failed or were faulted before the work are not
// counted here; see Server.Hits for those. What a test puts in place
// (PutAuthorizedOrder, PutCustomerToken, …) is not counted either.
type Counts struct {
	Tokens, Orders, Payments, Captures, Cancels, Customers int
	Refunds, CustomerUpdates, TokenDeletions               int
}

// A Request is one request as the fake saw it, faulted or not.
type Request struct {
	Op               Op
	Method, Path     string
	RequestID        string // the Request-ID header
	RequestTimestamp string // the Request-Timestamp header, as sent
	Authorization    string
	UserAgent        string
	Header           http.Header // every header, for those not named above
	ContentLength    int64       // as declared; -1 if unknown
	Body             []byte
	Fault            Fault
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give a client, http://127.0.0.1:port.
	URL string

	cfg  Config
	key  signature.Key // from cfg.SecretKey; used only when signing
	ts   *httptest.Server
	done chan struct{}
	once sync.Once

	mu        sync.Mutex
	tokens    map[string]time.Time // token → expiry
	orders    map[string]*pinelabs.Order
	byRef     map[string]string // merchant_order_reference → order_id
	seq       int
	counts    Counts
	faults    map[Op][]Fault
	stale     map[string]*staleOrder // order_id → what lagging reads see
	seen      []Request
	lastToken string

	refunded    map[string]int64 // parent order_id → paisa refunded so far
	customers   map[string]*pinelabs.Customer
	customerSeq int
	saved       map[string][]*pinelabs.CustomerToken // customer_id → its saved tokens, in order
	deletedBy   map[string]string                    // token_id → merchant_unique_reference of its delete
	staleTokens map[string]*staleToken               // token_id → what lagging reads see
}

// New starts a fake as Start does and closes it when the test ends.
func New(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake on a loopback port; the caller must Close it. It is
// for Examples, which have no testing.TB; tests should call New. Empty credentials in cfg default to "client-id" and
// "client-secret". It panics if cfg.SecretKey is set but is not hex.
func Start(cfg Config) *Server {
	s, err := start(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

func start(cfg Config) (*Server, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = "client-id"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "client-secret"
	}
	if cfg.TokenLifetime == 0 {
		cfg.TokenLifetime = time.Hour
	}
	if cfg.RedeemablePaisa == 0 {
		cfg.RedeemablePaisa = 3500
	}
	s := &Server{
		cfg:    cfg,
		done:   make(chan struct{}),
		tokens: map[string]time.Time{},
		orders: map[string]*pinelabs.Order{},
		byRef:  map[string]string{},
		faults: map[Op][]Fault{},
		stale:  map[string]*staleOrder{},

		refunded:    map[string]int64{},
		customers:   map[string]*pinelabs.Customer{},
		saved:       map[string][]*pinelabs.CustomerToken{},
		deletedBy:   map[string]string{},
		staleTokens: map[string]*staleToken{},
	}
	if cfg.SecretKey != "" {
		k, err := signature.ParseKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("fakeapi: Config.SecretKey: %w", err)
		}
		s.key = k
	}
	mux := http.NewServeMux()
	for pattern, r := range map[string]struct {
		op Op
		h  handler
	}{
		"POST /api/auth/v1/token":                                      {OpToken, s.token},
		"POST /api/pay/v1/orders":                                      {OpCreateOrder, s.createOrder},
		"GET /api/pay/v1/orders/{order_id}":                            {OpGetOrder, s.getOrder},
		"GET /api/pay/v1/orders/reference/{merchant_order_reference}":  {OpGetOrderByReference, s.getOrderByReference},
		"POST /api/pay/v1/orders/{order_id}/payments":                  {OpCreatePayment, s.createPayment},
		"PUT /api/pay/v1/orders/{order_id}/capture":                    {OpCaptureOrder, s.capture},
		"PUT /api/pay/v1/orders/{order_id}/cancel":                     {OpCancelOrder, s.cancel},
		"POST /payment-option":                                         {OpCheckPointBalance, s.pointBalance},
		"POST /api/payment-option/eligibility/bnpl":                    {OpCheckBNPL, s.bnplEligibility},
		"POST /api/v1/customer":                                        {OpCreateCustomer, s.createCustomer},
		"POST /api/pay/v1/refunds/{order_id}":                          {OpCreateRefund, s.createRefund},
		"GET /api/v1/customer":                                         {OpFindCustomer, s.findCustomer},
		"GET /api/v1/customer/{customer_id}":                           {OpGetCustomer, s.getCustomer},
		"PATCH /api/v1/customer/{customer_id}":                         {OpUpdateCustomer, s.updateCustomer},
		"GET /api/v1/customer/{customer_id}/tokens":                    {OpListCustomerTokens, s.listCustomerTokens},
		"GET /api/v1/customer/{customer_id}/tokens/{token_id}":         {OpGetCustomerToken, s.getCustomerToken},
		"POST /api/v1/customer/{customer_id}/tokens/{token_id}/delete": {OpDeleteCustomerToken, s.deleteCustomerToken},
	} {
		mux.HandleFunc(pattern, s.serve(r.op, r.h))
	}
	mux.HandleFunc("GET /challenge/{order_id}", s.challengePage)
	mux.HandleFunc("POST /challenge/{order_id}", s.challengeAnswer)
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL
	return s, nil
}

// Close releases every stalled request and stops the server.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Inject queues faults for op: the next request of op gets the first, the
// one after the second, and so on; when the queue is empty requests behave.
func (s *Server) Inject(op Op, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], faults...)
}

// Counts reports what the fake has done so far.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// Requests returns every request of op the fake has seen, in order of
// arrival; op "" returns all of them.
func (s *Server) Requests(op Op) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.seen {
		if op == "" || r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

// Hits is the number of requests of op the fake has seen, faulted or not.
func (s *Server) Hits(op Op) int { return len(s.Requests(op)) }

// PathHits counts the requests seen by "METHOD path".
func (s *Server) PathHits() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for _, r := range s.seen {
		m[r.Method+" "+r.Path]++
	}
	return m
}

// Order returns a copy of the stored order, as GetOrder would answer it.
func (s *Server) Order(orderID string) (pinelabs.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return pinelabs.Order{}, false
	}
	return *clone(o), true
}

// OrderByReference returns the order_id stored under a merchant reference.
func (s *Server) OrderByReference(ref string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byRef[ref]
	return id, ok
}

// PutAuthorizedOrder stores a pre-auth order of paisa with one authorised
// card payment, ready to capture or cancel, without counting it. It returns
// the order_id.
func (s *Server) PutAuthorizedOrder(ref string, paisa int64) string {
	return s.putPaidOrder(ref, paisa, true, pinelabs.OrderStatusAUTHORIZED, pinelabs.PaymentStatusAUTHORIZED)
}

// PutProcessedOrder stores an order of paisa paid in full by one card
// payment (PROCESSED, not pre-auth), ready to refund, without counting it.
// It returns the order_id.
func (s *Server) PutProcessedOrder(ref string, paisa int64) string {
	return s.putPaidOrder(ref, paisa, false, pinelabs.OrderStatusPROCESSED, pinelabs.PaymentStatusPROCESSED)
}

// putPaidOrder stores an order of paisa in status with one card payment of
// the whole amount in payStatus.
func (s *Server) putPaidOrder(ref string, paisa int64, preAuth bool, status pinelabs.OrderStatus, payStatus pinelabs.PaymentStatus) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := pinelabs.CreateOrderRequest{
		MerchantOrderReference: ref,
		OrderAmount:            pinelabs.Amount{Value: paisa, Currency: "INR"},
	}
	if preAuth {
		req.PreAuth = ptr(true)
	}
	o := s.newOrder(req)
	o.Status = ptr(status)
	o.Payments = []pinelabs.Payment{{
		ID:                       ptr(*o.OrderID + "-cc-seed"),
		MerchantPaymentReference: ptr("seed-" + ref),
		Status:                   ptr(payStatus),
		PaymentAmount:            &pinelabs.Amount{Value: paisa, Currency: "INR"},
		PaymentMethod:            ptr(pinelabs.PaymentMethodCARD),
		PaymentOption:            &pinelabs.PaymentOptionData{CardData: &pinelabs.CardData{Last4Digit: ptr("1112")}},
		CreatedAt:                o.CreatedAt,
		UpdatedAt:                o.CreatedAt,
	}}
	return *o.OrderID
}

// SetTokenLifetime changes how long the tokens issued from now on last, so
// a test can let one short-lived token expire and then have its
// replacement outlive the test.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.TokenLifetime = d
}

// RevokeTokens makes every token issued so far invalid, as if it had
// expired on the server's side.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// LastToken is the most recently issued access token, for tests that look
// for it where it must not be.
func (s *Server) LastToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastToken
}

// A handler does an operation's work with s.mu held and returns the status
// and the value to encode as the JSON body.
type handler func(r *http.Request, body []byte) (int, any)

func (s *Server) serve(op Op, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)

		s.mu.Lock()
		var f Fault
		if q := s.faults[op]; len(q) > 0 {
			f, s.faults[op] = q[0], q[1:]
		}
		s.record(op, r, body, f)
		if f.kind == faultExpireToken {
			clear(s.tokens)
		}
		s.mu.Unlock()

		if !f.after {
			if f.kind == faultStall && !s.wait(r, f.release) {
				return
			}
			if f.strike(w, nil) {
				return
			}
		}

		rec := httptest.NewRecorder()
		s.mu.Lock()
		if op != OpToken && !s.authorized(r) {
			writeJSON(rec, http.StatusUnauthorized, errorBody("UNAUTHORIZED", "the access token is missing, expired or invalid"))
		} else {
			lag := s.beforeWrite(op, r, body)
			status, v := h(r, body)
			if status == http.StatusOK && lag != nil {
				lag()
			}
			writeJSON(rec, status, v)
		}
		s.mu.Unlock()

		if f.after {
			if f.kind == faultStall && !s.wait(r, f.release) {
				return
			}
			if f.strike(w, rec) {
				return
			}
		}
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
}

// record notes a request as seen; s.mu must be held.
func (s *Server) record(op Op, r *http.Request, body []byte, f Fault) {
	s.seen = append(s.seen, Request{
		Op: op, Method: r.Method, Path: r.URL.Path,
		RequestID:        r.Header.Get("Request-ID"),
		RequestTimestamp: r.Header.Get("Request-Timestamp"),
		Authorization:    r.Header.Get("Authorization"),
		UserAgent:        r.Header.Get("User-Agent"),
		Header:           r.Header.Clone(),
		ContentLength:    r.ContentLength,
		Body:             body,
		Fault:            f,
	})
}

// wait blocks until release is closed (true), or the caller gives up or the
// server closes (false).
func (s *Server) wait(r *http.Request, release <-chan struct{}) bool {
	select {
	case <-release:
		return true
	case <-s.done:
		return false
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}

func (s *Server) token(_ *http.Request, body []byte) (int, any) {
	var req pinelabs.TokenRequest
	if err := json.Unmarshal(body, &req); err != nil || req.GrantType != pinelabs.GrantTypeClientCredentials {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "grant_type must be client_credentials")
	}
	if req.ClientID != s.cfg.ClientID || req.ClientSecret != s.cfg.ClientSecret {
		return http.StatusUnauthorized, errorBody("UNAUTHORIZED", "invalid client credentials")
	}
	s.counts.Tokens++
	tok := fmt.Sprintf("fake-access-token-%d-%d", s.counts.Tokens, time.Now().UnixNano())
	exp := time.Now().Add(s.cfg.TokenLifetime)
	s.tokens[tok] = exp
	s.lastToken = tok
	resp := pinelabs.TokenResponse{AccessToken: tok}
	if s.cfg.ExpiresAt {
		resp.ExpiresAt = ptr(exp.UTC().Format("2006-01-02T15:04:05.000Z"))
	} else {
		resp.ExpiresIn = ptr(int64(s.cfg.TokenLifetime / time.Second))
	}
	return http.StatusOK, resp
}

func (s *Server) createOrder(_ *http.Request, body []byte) (int, any) {
	var req pinelabs.CreateOrderRequest
	if err := json.Unmarshal(body, &req); err != nil || req.MerchantOrderReference == "" || req.OrderAmount.Value <= 0 {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "merchant_order_reference and order_amount are required")
	}
	if _, dup := s.byRef[req.MerchantOrderReference]; dup {
		return http.StatusUnprocessableEntity, errorBody("DUPLICATE_REQUEST", "merchant_order_reference already used")
	}
	s.counts.Orders++
	return http.StatusOK, pinelabs.OrderResponse{Data: *s.newOrder(req)}
}

func (s *Server) newOrder(req pinelabs.CreateOrderRequest) *pinelabs.Order {
	s.seq++
	now := timestamp()
	o := &pinelabs.Order{
		OrderID:                ptr(fmt.Sprintf("v1-%010d-aa-fakeAp", s.seq)),
		MerchantOrderReference: ptr(req.MerchantOrderReference),
		Type:                   ptr(pinelabs.OrderTypeCHARGE),
		Status:                 ptr(pinelabs.OrderStatusCREATED),
		MerchantID:             ptr("104359"),
		OrderAmount:            &req.OrderAmount,
		PreAuth:                ptr(req.PreAuth != nil && *req.PreAuth),
		AllowedPaymentMethods:  req.AllowedPaymentMethods,
		Notes:                  req.Notes,
		CallbackURL:            req.CallbackURL,
		FailureCallbackURL:     req.FailureCallbackURL,
		PurchaseDetails:        req.PurchaseDetails,
		Payments:               []pinelabs.Payment{},
		CreatedAt:              &now,
		UpdatedAt:              &now,
	}
	s.orders[*o.OrderID] = o
	s.byRef[req.MerchantOrderReference] = *o.OrderID
	return o
}

// staleOrder is what the next remaining reads of an order see: nil for an
// order that did not exist yet.
type staleOrder struct {
	order     *pinelabs.Order
	remaining int
}

// beforeWrite notes what a write of op is about to change and returns what
// makes the next Config.LookupLag reads see it as it was, for serve to call
// once the write has succeeded; nil when reads do not lag. s.mu must be
// held.
func (s *Server) beforeWrite(op Op, r *http.Request, body []byte) (lag func()) {
	n := s.cfg.LookupLag
	if n <= 0 {
		return nil
	}
	// An order that does not exist yet lags as 404: a nil staleOrder.order.
	lagOrder := func(id string, before *pinelabs.Order) {
		if id != "" {
			s.stale[id] = &staleOrder{order: before, remaining: n}
		}
	}
	switch op {
	case OpCreateOrder:
		return func() {
			var req pinelabs.CreateOrderRequest
			json.Unmarshal(body, &req)
			lagOrder(s.byRef[req.MerchantOrderReference], nil)
		}
	case OpCreatePayment, OpCaptureOrder, OpCancelOrder, OpCreateRefund:
		id := r.PathValue("order_id")
		o, ok := s.orders[id]
		if !ok {
			return nil
		}
		before := clone(o)
		return func() {
			lagOrder(id, before)
			if op == OpCreateRefund {
				// The refund is a new order of its own.
				var req pinelabs.RefundRequest
				json.Unmarshal(body, &req)
				lagOrder(s.byRef[req.MerchantOrderReference], nil)
			}
		}
	case OpDeleteCustomerToken:
		id := r.PathValue("token_id")
		t := s.savedToken(r.PathValue("customer_id"), id)
		if t == nil {
			return nil
		}
		before := clone(t)
		return func() { s.staleTokens[id] = &staleToken{token: before, remaining: n} }
	}
	return nil
}

// clone deep-copies a response value through its JSON form.
func clone[T any](v *T) *T {
	var c T
	b, _ := json.Marshal(v)
	json.Unmarshal(b, &c)
	return &c
}

// read is the order as a read sees it, lagging or not; s.mu must be held.
func (s *Server) read(id string) (*pinelabs.Order, bool) {
	if st := s.stale[id]; st != nil && st.remaining > 0 {
		st.remaining--
		return st.order, st.order != nil
	}
	o, ok := s.orders[id]
	if ok {
		s.passChallenge(o)
	}
	return o, ok
}

func (s *Server) getOrder(r *http.Request, _ []byte) (int, any) {
	o, ok := s.read(r.PathValue("order_id"))
	if !ok {
		return http.StatusNotFound, errorBody("ORDER_NOT_FOUND", "no order with this order_id")
	}
	return http.StatusOK, pinelabs.OrderResponse{Data: *o}
}

func (s *Server) getOrderByReference(r *http.Request, _ []byte) (int, any) {
	id, ok := s.byRef[r.PathValue("merchant_order_reference")]
	var o *pinelabs.Order
	if ok {
		o, ok = s.read(id)
	}
	if !ok {
		return http.StatusNotFound, errorBody("ORDER_NOT_FOUND", "no order with this merchant_order_reference")
	}
	return http.StatusOK, pinelabs.OrderResponse{Data: *o}
}

func (s *Server) createPayment(r *http.Request, body []byte) (int, any) {
	o, ok := s.orders[r.PathValue("order_id")]
	if !ok {
		return http.StatusNotFound, errorBody("ORDER_NOT_FOUND", "no order with this order_id")
	}
	var req pinelabs.CreatePaymentRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Payments) == 0 {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "payments is required")
	}
	seen := map[string]bool{}
	for _, p := range o.Payments {
		if p.MerchantPaymentReference != nil {
			seen[*p.MerchantPaymentReference] = true
		}
	}
	for _, p := range req.Payments {
		if ref := p.MerchantPaymentReference; ref != nil {
			if seen[*ref] {
				return http.StatusUnprocessableEntity, errorBody("DUPLICATE_REQUEST", "merchant_payment_reference already used")
			}
			seen[*ref] = true
		}
	}
	if *o.Status != pinelabs.OrderStatusCREATED {
		return http.StatusUnprocessableEntity, errorBody("OPERATION_NOT_ALLOWED", "the order is "+string(*o.Status))
	}
	status, orderStatus := paidStatus(o)
	switch {
	case s.signing():
		status, orderStatus = pinelabs.PaymentStatusPENDING, pinelabs.OrderStatusPENDING
		o.ChallengeURL = ptr(s.URL + "/challenge/" + url.PathEscape(*o.OrderID))
	case s.cfg.Challenge:
		status, orderStatus = pinelabs.PaymentStatusPENDING, pinelabs.OrderStatusPENDING
		o.ChallengeURL = ptr("https://pluraluat.v2.pinepg.in/challenge/" + *o.OrderID)
	}
	now := timestamp()
	for _, p := range req.Payments {
		s.counts.Payments++
		method := pinelabs.PaymentMethod(p.PaymentMethod)
		o.Payments = append(o.Payments, pinelabs.Payment{
			ID:                       ptr(fmt.Sprintf("%s-cc-%d", *o.OrderID, len(o.Payments)+1)),
			MerchantPaymentReference: p.MerchantPaymentReference,
			Status:                   ptr(status),
			PaymentAmount:            &p.PaymentAmount,
			PaymentMethod:            &method,
			PaymentOption:            optionData(p.PaymentOption),
			CreatedAt:                &now,
			UpdatedAt:                &now,
		})
	}
	o.Status, o.UpdatedAt = &orderStatus, &now
	return http.StatusOK, pinelabs.OrderResponse{Data: *o}
}

// paidStatus is what a payment on o and o itself become once paid.
func paidStatus(o *pinelabs.Order) (pinelabs.PaymentStatus, pinelabs.OrderStatus) {
	if *o.PreAuth {
		return pinelabs.PaymentStatusAUTHORIZED, pinelabs.OrderStatusAUTHORIZED
	}
	return pinelabs.PaymentStatusPROCESSED, pinelabs.OrderStatusPROCESSED
}

// passChallenge settles a payment left PENDING by Config.Challenge: the
// customer has passed the challenge by the time the order is read. With
// Config.SecretKey the customer must pass it at challenge_url instead.
func (s *Server) passChallenge(o *pinelabs.Order) {
	if s.signing() || *o.Status != pinelabs.OrderStatusPENDING {
		return
	}
	status, orderStatus := paidStatus(o)
	now := timestamp()
	for i := range o.Payments {
		if p := &o.Payments[i]; *p.Status == pinelabs.PaymentStatusPENDING {
			p.Status, p.UpdatedAt = ptr(status), &now
		}
	}
	o.Status, o.UpdatedAt = &orderStatus, &now
}

// optionData is what the API reports of an instrument: never the number.
func optionData(po pinelabs.PaymentOption) *pinelabs.PaymentOptionData {
	last4 := func(pan string) *string {
		if len(pan) < 4 {
			return nil
		}
		return ptr(pan[len(pan)-4:])
	}
	switch {
	case po.CardDetails != nil:
		return &pinelabs.PaymentOptionData{CardData: &pinelabs.CardData{
			Last4Digit: last4(po.CardDetails.CardNumber), CardType: ptr("CREDIT"), NetworkName: ptr("VISA"),
		}}
	case po.PointsCardDetails != nil:
		return &pinelabs.PaymentOptionData{PointsCardDetails: &pinelabs.PointsCardData{CardLast4: ptr(po.PointsCardDetails.CardLast4)}}
	case po.BNPLDetails != nil:
		return &pinelabs.PaymentOptionData{BNPLData: &pinelabs.BNPLData{BNPLPayCode: &po.BNPLDetails.BNPLPayCode}}
	}
	return nil
}

func (s *Server) capture(r *http.Request, body []byte) (int, any) {
	o, ok := s.orders[r.PathValue("order_id")]
	if !ok {
		return http.StatusNotFound, errorBody("ORDER_NOT_FOUND", "no order with this order_id")
	}
	data := pinelabs.CaptureData{CaptureAmount: o.OrderAmount}
	if b := bytes.TrimSpace(body); len(b) > 0 && string(b) != "null" {
		var req pinelabs.CaptureRequest
		if err := json.Unmarshal(b, &req); err != nil || req.MerchantCaptureReference == "" {
			return http.StatusBadRequest, errorBody("INVALID_REQUEST", "merchant_capture_reference and capture_amount are required")
		}
		if req.CaptureAmount.Value <= 0 || req.CaptureAmount.Value > o.OrderAmount.Value {
			return http.StatusBadRequest, errorBody("INVALID_REQUEST", "capture_amount exceeds the order amount")
		}
		data.MerchantCaptureReference, data.CaptureAmount = &req.MerchantCaptureReference, &req.CaptureAmount
	}
	if *o.Status != pinelabs.OrderStatusAUTHORIZED {
		return http.StatusUnprocessableEntity, errorBody("OPERATION_NOT_ALLOWED", "the order is "+string(*o.Status))
	}
	s.counts.Captures++
	now := timestamp()
	data.CreatedAt = &now
	for i := range o.Payments {
		p := &o.Payments[i]
		if *p.Status == pinelabs.PaymentStatusAUTHORIZED {
			p.Status, p.UpdatedAt = ptr(pinelabs.PaymentStatusPROCESSED), &now
			p.CaptureData = append(p.CaptureData, data)
			data.MerchantCaptureReference, data.CaptureAmount = nil, nil // recorded once, on the first
		}
	}
	o.Status, o.UpdatedAt = ptr(pinelabs.OrderStatusPROCESSED), &now
	return http.StatusOK, pinelabs.OrderResponse{Data: *o}
}

func (s *Server) cancel(r *http.Request, _ []byte) (int, any) {
	o, ok := s.orders[r.PathValue("order_id")]
	if !ok {
		return http.StatusNotFound, errorBody("ORDER_NOT_FOUND", "no order with this order_id")
	}
	if *o.Status != pinelabs.OrderStatusAUTHORIZED {
		return http.StatusUnprocessableEntity, errorBody("OPERATION_NOT_ALLOWED", "the order is "+string(*o.Status))
	}
	s.counts.Cancels++
	now := timestamp()
	for i := range o.Payments {
		o.Payments[i].Status, o.Payments[i].UpdatedAt = ptr(pinelabs.PaymentStatusCANCELLED), &now
	}
	o.Status, o.UpdatedAt = ptr(pinelabs.OrderStatusCANCELLED), &now
	return http.StatusOK, pinelabs.OrderResponse{Data: *o}
}

// pointBalance answers the docs' sample balance (seed 001) for any card,
// redeeming Config.RedeemablePaisa.
func (s *Server) pointBalance(_ *http.Request, body []byte) (int, any) {
	var req pinelabs.PointBalanceRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "malformed body")
	}
	return http.StatusOK, pinelabs.PointBalanceResponse{
		Balance:          &pinelabs.Money{Value: ptr(int64(23718050)), Currency: ptr("INR")},
		RedeemableAmount: &pinelabs.Money{Value: ptr(s.cfg.RedeemablePaisa), Currency: ptr("INR")},
		RedeemablePoints: ptr(int64(140)),
		IsEligible:       ptr(true),
	}
}

// bnplEligibility answers the docs' sample (seed 003): eligible, three
// instalments; Config.DeclinedMobiles are not eligible.
func (s *Server) bnplEligibility(_ *http.Request, body []byte) (int, any) {
	var req pinelabs.BNPLEligibilityRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "malformed body")
	}
	if slices.Contains(s.cfg.DeclinedMobiles, req.Mobile) {
		return http.StatusOK, pinelabs.BNPLEligibilityResponse{TxnEligibility: ptr(false)}
	}
	inst := func(n int, paise int64, due string) pinelabs.Installment {
		return pinelabs.Installment{SerialNo: &n, AmountInPaise: &paise, DueDate: &due}
	}
	return http.StatusOK, pinelabs.BNPLEligibilityResponse{
		TxnEligibility: ptr(true),
		Metadata: &pinelabs.BNPLEligibilityMetadata{
			CreditLimitAvailableInPaise: ptr("0"),
			Installments: []pinelabs.Installment{
				inst(1, 1134, "2025-06-30"), inst(2, 1133, "2025-07-21"), inst(3, 1133, "2025-08-21"),
			},
		},
	}
}

func errorBody(code, message string) pinelabs.ErrorResponse {
	return pinelabs.ErrorResponse{Code: &code, Message: &message}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"INTERNAL_ERROR","message":"fakeapi: `+err.Error()+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func timestamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

func ptr[T any](v T) *T { return &v }
