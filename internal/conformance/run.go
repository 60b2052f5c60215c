package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pinegen/pinelabs/internal/challenge"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// RefPrefix starts the merchant reference of everything a run creates, so a
// person looking at the account can tell the run's orders, refunds and
// customers from real ones.
const RefPrefix = "pinegen-conf-"

// The docs' test card, which a test account authorises.
const (
	testCard       = "4012001037141112"
	testCVV        = "123"
	testExpiryMon  = "12"
	testExpiryYear = "2030"
	// customerMobile is the created customer's mobile number when no Pay
	// Later mobile is given: the docs' sample.
	customerMobile = "9876543210"
)

// Amounts, in paisa: the smallest the API takes for the order that is
// cancelled; twice that for the one refunded in two parts, since no refund
// may be smaller than the smallest amount either.
const (
	smallest     = 100
	refundedPaid = 2 * smallest
)

const (
	// callbackWait bounds the wait for the challenge's form to reach the
	// run's callback server; it is on loopback, so this is generous.
	callbackWait = 30 * time.Second
	// cleanupTimeout bounds the cleanup, which runs on a fresh context so
	// that it still runs after a Ctrl-C.
	cleanupTimeout = 30 * time.Second
	maxBody        = 8 << 20
)

// Options say where to run and with which credentials and test data.
type Options struct {
	BaseURL, ClientID, ClientSecret string
	// Key is the merchant's secret key, which the callback's signature
	// is checked with.
	Key signature.Key
	// PointsCard is a card with reward points on the account, for
	// checkPointBalance; empty skips it.
	PointsCard string
	// PayLaterMobile is a mobile number registered with a Pay Later
	// provider, for checkBnplEligibility; empty skips it.
	PayLaterMobile string
	// Progress receives one line per operation; nil discards them.
	Progress io.Writer
	// HTTPClient sends the API's requests; nil means client.NewHTTPClient.
	// Its transport is wrapped, never changed.
	HTTPClient *http.Client
}

// Result is what a run found.
type Result struct {
	// Findings are the deviations from the spec, each reported once
	// however many responses showed it.
	Findings []Finding
	// Skipped names each operation or step the run did not exercise, with
	// the reason: "checkPointBalance: no --points-card". A run that
	// stopped early does not list what it never reached.
	Skipped []string
	// Operations counts the exchanges of each operationId, the token call
	// and the client's own lookups included.
	Operations map[string]int
}

// Run drives every operation of the spec through pkg/client against
// opts.BaseURL, with flows a real test account can take, and checks every
// response, the callback and each order's path through its statuses against
// the spec. Everything it creates carries RefPrefix and a run ID; it cancels
// what it authorised and deletes the tokens it saved before it returns, also
// when ctx is cancelled.
//
// An error means the run could not go on (bad credentials, a server that
// cannot be reached, an operation that failed); the Result then holds what
// was found up to that point.
func Run(ctx context.Context, opts Options) (*Result, error) {
	chk, err := NewChecker()
	if err != nil {
		return nil, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	r := &runner{
		opts:     opts,
		progress: progress,
		checker:  chk,
		runID:    newRunID(),
		orders:   map[string]string{},
		res:      &Result{Operations: map[string]int{}},
	}
	r.rec = &recorder{
		checker: chk,
		res:     r.res,
		orders:  r.orders,
		prefix:  basePath(opts.BaseURL),
		token:   func() { r.line("generateToken ok") },
	}
	base := opts.HTTPClient
	if base == nil {
		base = client.NewHTTPClient(30 * time.Second)
	}
	hc := *base
	r.rec.next = orDefault(hc.Transport)
	hc.Transport = r.rec
	r.c, err = client.New(opts.ClientID, opts.ClientSecret,
		client.WithBaseURL(opts.BaseURL), client.WithHTTPClient(&hc), client.WithUserAgent("pinegen-conformance"))
	if err != nil {
		return nil, err
	}
	r.sink, err = startSink()
	if err != nil {
		return nil, fmt.Errorf("listening for the callback: %w", err)
	}
	defer r.sink.close()
	r.browser = challenge.NewBrowser(30 * time.Second)

	runErr := r.flows(ctx)
	r.cleanup()

	if runErr == nil {
		for _, op := range chk.Operations() {
			if r.res.Operations[op] == 0 && !r.skipped(op) {
				r.skip(op, "not reached")
			}
		}
	}
	r.res.Findings = dedupe(r.res.Findings)
	if runErr != nil && ctx.Err() != nil {
		runErr = fmt.Errorf("stopped: %w", context.Cause(ctx))
	}
	return r.res, runErr
}

func orDefault(t http.RoundTripper) http.RoundTripper {
	if t == nil {
		return http.DefaultTransport
	}
	return t
}

// newRunID is 8 random hex digits: enough to keep runs apart, short enough
// to leave room in a 50-character reference.
func newRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// runner is one run.
type runner struct {
	opts     Options
	progress io.Writer
	checker  *Checker
	rec      *recorder
	c        *client.Client
	sink     *sink
	browser  *challenge.Browser
	runID    string

	// res and orders are shared with rec, under rec.mu; orders maps the
	// ID of each order seen to its last status.
	res    *Result
	orders map[string]string

	created    []string // the IDs of the orders the run created
	customerID string
	saving     bool   // a payment asked to save a card for customerID
	tokenID    string // the token saved, once found
	deleted    bool   // tokenID was deleted
}

func (r *runner) ref(what string) string { return RefPrefix + r.runID + "-" + what }

func (r *runner) line(format string, a ...any) {
	fmt.Fprintf(r.progress, format+"\n", a...)
}

// done reports one operation; an error stops the run.
func (r *runner) done(op string, err error) error {
	if err != nil {
		r.line("%s failed: %v", op, err)
		if strings.Contains(err.Error(), op) { // the SDK's errors name their operation
			return err
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	r.line("%s ok", op)
	return nil
}

// read reports a read whose failure need not stop the run: a response the
// SDK could not decode is a deviation the checker has reported, and the
// flow does not depend on what the read returned.
func (r *runner) read(op string, err error) error {
	var de *client.DecodeError
	if errors.As(err, &de) {
		r.line("%s failed: %v (reported below; carrying on)", op, err)
		return nil
	}
	return r.done(op, err)
}

func (r *runner) skip(op, why string) {
	r.line("%s skipped: %s", op, why)
	r.rec.mu.Lock()
	r.res.Skipped = append(r.res.Skipped, op+": "+why)
	r.rec.mu.Unlock()
}

func (r *runner) skipped(op string) bool {
	return slices.ContainsFunc(r.res.Skipped, func(s string) bool { return strings.HasPrefix(s, op+":") })
}

func (r *runner) addFindings(fs []Finding) {
	r.rec.mu.Lock()
	r.res.Findings = append(r.res.Findings, fs...)
	r.rec.mu.Unlock()
}

// status is the last status seen of the order.
func (r *runner) status(orderID string) string {
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	return r.orders[orderID]
}

// flows runs the operations in an order each one's inputs exist for.
func (r *runner) flows(ctx context.Context) error {
	if err := r.paymentOptions(ctx); err != nil {
		return err
	}
	if err := r.customer(ctx); err != nil {
		return err
	}
	if err := r.capturedAndRefunded(ctx); err != nil {
		return err
	}
	if err := r.savedTokens(ctx); err != nil {
		return err
	}
	if err := r.cancelled(ctx); err != nil {
		return err
	}
	if r.tokenID == "" {
		r.skip("deleteCustomerToken", "no token was saved")
		return nil
	}
	del, err := r.c.DeleteCustomerToken(ctx, r.customerID, r.tokenID, &client.DeleteTokenRequest{MerchantUniqueReference: r.ref("del")})
	if err := r.done("deleteCustomerToken", err); err != nil {
		return err
	}
	r.deleted = true
	if s := deref(del.Status); s != client.TokenDeleted {
		r.line("deleteCustomerToken: the token is %s, not DELETED", s)
	}
	return nil
}

func (r *runner) paymentOptions(ctx context.Context) error {
	amount := client.INR(refundedPaid)
	if r.opts.PointsCard == "" {
		r.skip("checkPointBalance", "no --points-card")
	} else {
		req := &client.PointBalanceRequest{}
		req.OrderDetails.OrderAmount = amount
		card := r.opts.PointsCard
		req.PaymentOption.PointsCardDetails = client.PointsCardDetails{
			CardNumber: card, CardLast4: card[max(0, len(card)-4):], RegisteredMobileNumber: r.mobile(),
		}
		_, err := r.c.CheckPointBalance(ctx, req)
		if err := r.done("checkPointBalance", err); err != nil {
			return err
		}
	}
	if r.opts.PayLaterMobile == "" {
		r.skip("checkBnplEligibility", "no --paylater-mobile")
		return nil
	}
	_, err := r.c.CheckBNPLEligibility(ctx, &client.BNPLEligibilityRequest{Amount: amount, Mobile: r.opts.PayLaterMobile, PayCode: client.BNPLLazyPay})
	return r.done("checkBnplEligibility", err)
}

func (r *runner) mobile() string {
	if r.opts.PayLaterMobile != "" {
		return r.opts.PayLaterMobile
	}
	return customerMobile
}

func (r *runner) customer(ctx context.Context) error {
	first, last, cc, mobile, ref := "Conformance", "Run", "91", r.mobile(), r.ref("cust")
	cust, err := r.c.CreateCustomer(ctx, &client.CreateCustomerRequest{
		FirstName: &first, LastName: &last, CountryCode: &cc, MobileNumber: &mobile, MerchantCustomerReference: &ref,
	})
	if err := r.done("createCustomer", err); err != nil {
		return err
	}
	if cust.CustomerID == nil || *cust.CustomerID == "" {
		return r.done("createCustomer", errors.New("the response has no customer_id"))
	}
	r.customerID = *cust.CustomerID
	_, err = r.c.GetCustomer(ctx, r.customerID)
	if err := r.read("getCustomer", err); err != nil {
		return err
	}
	_, err = r.c.FindCustomer(ctx, &client.CustomerQuery{CountryCode: cc, MobileNumber: mobile, MerchantCustomerReference: ref})
	if err := r.read("findCustomer", err); err != nil {
		return err
	}
	last = "Checked"
	_, err = r.c.UpdateCustomer(ctx, r.customerID, &client.UpdateCustomerRequest{LastName: &last})
	return r.done("updateCustomer", err)
}

// newOrder creates a pre-auth order of paisa for the run's customer whose
// callbacks come back to the run.
func (r *runner) newOrder(ctx context.Context, what string, paisa int64) (*client.Order, error) {
	preAuth := true
	id := client.CustomerID(r.customerID)
	o, err := r.c.CreateOrder(ctx, &client.CreateOrderRequest{
		MerchantOrderReference: r.ref(what),
		OrderAmount:            client.INR(paisa),
		PreAuth:                &preAuth,
		CallbackURL:            &r.sink.url,
		FailureCallbackURL:     &r.sink.url,
		PurchaseDetails:        &client.PurchaseDetails{Customer: &client.OrderCustomer{CustomerID: &id}},
	})
	if err == nil && (o == nil || o.OrderID == nil || *o.OrderID == "") {
		err = errors.New("the response has no order_id")
	}
	if err := r.done("createOrder", err); err != nil {
		return nil, err
	}
	r.created = append(r.created, *o.OrderID)
	return o, nil
}

// capturedAndRefunded takes an order through a saving card payment, the
// challenge, a capture and two refunds.
func (r *runner) capturedAndRefunded(ctx context.Context) error {
	o, err := r.newOrder(ctx, "o1", refundedPaid)
	if err != nil {
		return err
	}
	orderID := *o.OrderID
	_, err = r.c.GetOrder(ctx, orderID)
	if err := r.read("getOrder", err); err != nil {
		return err
	}
	_, err = r.c.GetOrderByReference(ctx, r.ref("o1"))
	if err := r.read("getOrderByReference", err); err != nil {
		return err
	}
	save := true
	card := &client.CardDetails{CardNumber: testCard, CVV: testCVV, ExpiryMonth: testExpiryMon, ExpiryYear: testExpiryYear, Save: &save}
	o, err = r.c.CreatePayment(ctx, orderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{{
		MerchantPaymentReference: ptr(r.ref("p1")),
		PaymentMethod:            client.MethodCard,
		PaymentAmount:            client.INR(refundedPaid),
		PaymentOption:            client.PaymentOption{CardDetails: card},
	}}})
	if err := r.done("createPayment", err); err != nil {
		return err
	}
	r.saving = true
	if err := r.challenge(ctx, o); err != nil {
		return err
	}
	_, err = r.c.GetOrder(ctx, orderID)
	if err := r.read("getOrder", err); err != nil {
		return err
	}
	if s := r.status(orderID); s != string(client.OrderAuthorized) {
		why := fmt.Sprintf("order %s is %s, not AUTHORIZED", orderID, s)
		r.skip("captureOrder", why)
		r.skip("createRefund", why)
		return nil
	}
	_, err = r.c.CaptureOrder(ctx, orderID, &client.CaptureRequest{MerchantCaptureReference: r.ref("cap"), CaptureAmount: client.INR(refundedPaid)})
	if err := r.done("captureOrder", err); err != nil {
		return err
	}
	part := client.INR(smallest)
	for i, amount := range []*client.Amount{&part, nil} {
		_, err := r.c.CreateRefund(ctx, orderID, &client.RefundRequest{MerchantOrderReference: r.ref(fmt.Sprintf("r%d", i+1)), OrderAmount: amount})
		if err := r.done("createRefund", err); err != nil {
			return err
		}
	}
	_, err = r.c.GetOrder(ctx, orderID)
	return r.read("getOrder", err)
}

// challenge plays the customer at the order's challenge page, when the
// server speaks the challenge protocol, and checks the signed callback the
// page's form brings back.
func (r *runner) challenge(ctx context.Context, o *client.Order) error {
	u := deref(o.ChallengeURL)
	switch {
	case u == "":
		r.skip("challenge", "the payment answered without a challenge_url")
		return nil
	case !r.browser.OffersApprove(ctx, u):
		r.skip("challenge", "the challenge page does not speak the challenge protocol (a person must complete it)")
		return nil
	}
	form, err := r.browser.Approve(ctx, u)
	if err == nil && !r.sink.owns(form.Action) {
		err = fmt.Errorf("the approval page's form posts to %s, not to the order's callback_url", form.Action.Redacted())
	}
	if err == nil {
		var resp *http.Response
		if resp, err = r.browser.Submit(ctx, form); err == nil {
			resp.Body.Close()
		}
	}
	if err := r.done("challenge", err); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, callbackWait)
	defer cancel()
	select {
	case fields := <-r.sink.got:
		r.addFindings(r.checker.Callback(r.opts.Key, fields))
		r.line("callback ok")
		return nil
	case <-wait.Done():
		return r.done("callback", fmt.Errorf("none arrived: %w", context.Cause(wait)))
	}
}

// savedTokens lists the customer's tokens, finds the one the first payment
// saved and reads it.
func (r *runner) savedTokens(ctx context.Context) error {
	var tokens []*client.CustomerToken
	var listErr error
	for tok, err := range r.c.CustomerTokens(ctx, r.customerID) {
		if err != nil {
			listErr = err
			break
		}
		tokens = append(tokens, tok)
	}
	if err := r.read("listCustomerTokens", listErr); err != nil {
		return err
	}
	for _, t := range tokens {
		if deref(t.Status) == client.TokenActive && t.TokenID != nil {
			r.tokenID = *t.TokenID
		}
	}
	if r.tokenID == "" {
		r.skip("getCustomerToken", "no token was saved")
		return nil
	}
	_, err := r.c.GetCustomerToken(ctx, r.customerID, r.tokenID)
	return r.read("getCustomerToken", err)
}

// cancelled pays a second pre-auth order, with the saved token when there
// is one, and cancels it once authorised.
func (r *runner) cancelled(ctx context.Context) error {
	o, err := r.newOrder(ctx, "o2", smallest)
	if err != nil {
		return err
	}
	orderID := *o.OrderID
	opt := client.PaymentOption{CardDetails: &client.CardDetails{CardNumber: testCard, CVV: testCVV, ExpiryMonth: testExpiryMon, ExpiryYear: testExpiryYear}}
	if r.tokenID != "" {
		cvv := client.CardSecurityCode(testCVV)
		opt = client.PaymentOption{CardTokenDetails: &client.CardTokenDetails{TokenID: &r.tokenID, CVV: &cvv, TokenTxnType: client.TokenTxnNetwork}}
	}
	o, err = r.c.CreatePayment(ctx, orderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{{
		MerchantPaymentReference: ptr(r.ref("p2")),
		PaymentMethod:            client.MethodCard,
		PaymentAmount:            client.INR(smallest),
		PaymentOption:            opt,
	}}})
	if err := r.done("createPayment", err); err != nil {
		return err
	}
	if err := r.challenge(ctx, o); err != nil {
		return err
	}
	_, err = r.c.GetOrder(ctx, orderID)
	if err := r.read("getOrder", err); err != nil {
		return err
	}
	if s := r.status(orderID); s != string(client.OrderAuthorized) {
		r.skip("cancelOrder", fmt.Sprintf("order %s is %s, not AUTHORIZED", orderID, s))
		return nil
	}
	_, err = r.c.CancelOrder(ctx, orderID)
	return r.done("cancelOrder", err)
}

// cleanup cancels the orders the run left authorised and deletes a token
// it saved, on a context of its own: the run's may be cancelled already.
func (r *runner) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	for _, id := range r.created {
		s := r.status(id)
		if s != string(client.OrderAuthorized) && s != string(client.OrderPending) && s != string(client.OrderCreated) {
			continue
		}
		// A Ctrl-C may have come between the challenge and the run
		// seeing its result: ask.
		if _, err := r.c.GetOrder(ctx, id); err != nil {
			// Cancelling what is not authorised is refused, and harms
			// nothing.
			r.line("cleanup: getOrder %s failed: %v", id, err)
		} else if r.status(id) != string(client.OrderAuthorized) {
			continue
		}
		_, err := r.c.CancelOrder(ctx, id)
		r.cleaned("cancelOrder "+id, err)
	}
	if !r.saving || r.deleted || r.customerID == "" {
		return
	}
	ids := []string{r.tokenID}
	if r.tokenID == "" {
		ids = nil
		for tok, err := range r.c.CustomerTokens(ctx, r.customerID) {
			if err != nil {
				r.line("cleanup: listCustomerTokens failed: %v", err)
				return
			}
			if s := deref(tok.Status); tok.TokenID != nil && s != client.TokenDeleted {
				ids = append(ids, *tok.TokenID)
			}
		}
	}
	for _, id := range ids {
		_, err := r.c.DeleteCustomerToken(ctx, r.customerID, id, &client.DeleteTokenRequest{MerchantUniqueReference: r.ref("cleanup")})
		r.cleaned("deleteCustomerToken "+id, err)
	}
}

func (r *runner) cleaned(what string, err error) {
	if err != nil {
		r.line("cleanup: %s failed: %v", what, err)
		return
	}
	r.line("cleanup: %s ok", what)
}

// recorder is the client's transport: it passes every exchange on, reads
// the response, checks it against the spec and follows each order's status.
type recorder struct {
	next    http.RoundTripper
	checker *Checker
	prefix  string // the base URL's path, which the spec's paths follow
	token   func() // called on the first token issued

	mu        sync.Mutex
	res       *Result
	orders    map[string]string
	tokenSeen bool
}

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if rerr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	api := t.asAPI(req)
	op := t.route(api)
	findings := t.checker.Response(api, resp.StatusCode, resp.Header, body)

	t.mu.Lock()
	defer t.mu.Unlock()
	t.res.Operations[op]++
	t.res.Findings = append(t.res.Findings, findings...)
	if op == "generateToken" && resp.StatusCode == http.StatusOK && !t.tokenSeen {
		t.tokenSeen = true
		t.token()
	}
	if resp.StatusCode/100 == 2 {
		t.follow(op, body)
	}
	return resp, nil
}

// follow notes the status of the order a response carries and has the
// checker judge each change. An order seen for the first time comes from
// "", so its first status is judged too.
func (t *recorder) follow(op string, body []byte) {
	var env struct {
		Data struct {
			OrderID any `json:"order_id"`
			Status  any `json:"status"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil {
		return
	}
	id, _ := env.Data.OrderID.(string)
	to, _ := env.Data.Status.(string)
	if id == "" || to == "" {
		return
	}
	from, seen := t.orders[id]
	if seen && from == to {
		return
	}
	t.orders[id] = to
	t.res.Findings = append(t.res.Findings, t.checker.Transition(op, id, from, to)...)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// asAPI is req as the spec's paths see it: no scheme or host, and the path
// below the base URL's.
func (t *recorder) asAPI(req *http.Request) *http.Request {
	r := req.Clone(req.Context())
	r.URL = &url.URL{Path: strings.TrimPrefix(req.URL.Path, t.prefix), RawQuery: req.URL.RawQuery}
	r.Body = http.NoBody
	return r
}

// route names the operation of req (as asAPI gives it), or "METHOD path"
// for a request no operation matches.
func (t *recorder) route(req *http.Request) string {
	if op, ok := t.checker.Operation(req); ok {
		return op
	}
	return req.Method + " " + req.URL.Path
}

func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// dedupe keeps the first finding of each kind, operation, path and rule: a
// deviation in every getOrder response is one deviation.
func dedupe(fs []Finding) []Finding {
	type key struct {
		kind           Kind
		op, path, rule string
	}
	seen := map[key]bool{}
	out := fs[:0:0]
	for _, f := range fs {
		k := key{f.Kind, f.Operation, f.Path, f.Spec}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// sink is the merchant's callback_url, on a loopback port: it takes the
// form the challenge's answer page submits and hands over its fields
// unjudged, so the checker sees exactly what arrived.
type sink struct {
	url  string
	host string
	got  chan url.Values
	srv  *http.Server
}

func startSink() (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{url: "http://" + ln.Addr().String() + "/callback", host: ln.Addr().String(), got: make(chan url.Values, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /callback", func(w http.ResponseWriter, req *http.Request) {
		if err := req.ParseForm(); err != nil {
			http.Error(w, "unreadable form", http.StatusBadRequest)
			return
		}
		select {
		case s.got <- req.PostForm:
		default:
		}
		io.WriteString(w, "received\n")
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// owns tells whether the challenge's form posts here: the run plays a
// browser, but only one that returns to the merchant.
func (s *sink) owns(u *url.URL) bool {
	return u.Scheme == "http" && u.Host == s.host && u.Path == "/callback"
}

func (s *sink) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
