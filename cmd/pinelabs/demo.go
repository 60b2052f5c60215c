package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/pinegen/pinelabs/internal/challenge"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// defaultCallbackWait is how long the demo waits for the callback when it
// cannot pass the challenge itself and a person has to.
const defaultCallbackWait = 10 * time.Minute

// The docs' test values.
const (
	testCard       = "4012001037141112"
	testCVV        = "123"
	testExpiryMon  = "12"
	testExpiryYear = "2030"
	testMobile     = "9876543210"
)

func newDemoCmd(getenv func(string) string) *cobra.Command {
	kf := &keyFlag{getenv: getenv}
	var baseURL, clientID, clientSecret, flow, logLevel string
	cmd := &cobra.Command{
		Use:   "demo --base-url URL --client-id ID --client-secret S --secret-key HEX [--flow points|card|bnpl|saved-card|refund]",
		Short: "Run a payment flow end to end and show each step",
		Long: `demo runs one payment flow through the SDK (pkg/client) and prints each step:
token, point balance (points flow), order, payment, challenge, signed
callback verified, capture (card flow), final order status.

  points      Pay by Points: the points pay what they can, a card the rest
  card        a pre-authorised card payment, captured once AUTHORIZED
  bnpl        Pay Later with LAZYPAY
  saved-card  a card saved for a customer on the first payment, paid with by
              its token on the second, then deleted
  refund      a card payment captured, then refunded in part and then in full

It listens for the callback on a loopback port. Where the server speaks the
challenge protocol (a challenge_url page offering approve) the demo plays
the customer and approves; otherwise it prints the challenge URL and waits
for the callback. The callback's signature is checked with --secret-key.

Exit status: 0 when the flow completed and every signature verified, 1 when
the flow failed (a decline, a signature that does not verify), 2 on bad
input.

Without --base-url the demo starts the sandbox in-process on a loopback
port and runs against it; the credentials and secret key then default to
throwaway ones. To watch orders on the sandbox's dashboard, run
"pinelabs sandbox" instead and point --base-url at it.`,
		Example: `  pinelabs demo
  pinelabs demo --flow card
  pinelabs demo --base-url http://127.0.0.1:8080 --client-id ID --client-secret "$SECRET" --secret-key "$KEY" --flow bnpl`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return badInput("demo takes no arguments, only flags")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(flows, flow) {
				return badInput("--flow must be " + strings.Join(flows[:len(flows)-1], ", ") + " or " + flows[len(flows)-1])
			}
			level, err := parseLogLevel(logLevel)
			if err != nil {
				return err
			}
			inProcess := baseURL == ""
			if inProcess {
				clientID, clientSecret = cmp.Or(clientID, "demo-client"), cmp.Or(clientSecret, randomHex(16))
				if kf.hex == "" && kf.getenv(secretEnv) == "" {
					kf.hex = randomHex(32)
				}
			}
			if clientID == "" || clientSecret == "" {
				return badInput("--client-id and --client-secret are required with --base-url")
			}
			key, err := kf.key()
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
			defer stop()
			if inProcess {
				sb, err := startSandbox(sandbox.Config{ClientID: clientID, ClientSecret: clientSecret, SecretKey: key})
				if err != nil {
					return failed("starting the in-process sandbox: %v", err)
				}
				defer sb.close()
				baseURL = sb.url
				fmt.Fprintf(cmd.OutOrStdout(), "%-14s %s\n", "sandbox:", "in-process at "+sb.url)
			}
			d := &demo{
				out:  cmd.OutOrStdout(),
				key:  key,
				flow: flow,
				wait: defaultCallbackWait,
			}
			return d.run(ctx, baseURL, clientID, clientSecret, logger)
		},
	}
	f := cmd.Flags()
	f.StringVar(&baseURL, "base-url", "", "base URL of the API to run against")
	f.StringVar(&clientID, "client-id", "", "merchant client ID")
	f.StringVar(&clientSecret, "client-secret", "", "merchant client secret")
	kf.register(cmd)
	f.StringVar(&flow, "flow", "points", "flow to run: "+strings.Join(flows, ", "))
	f.StringVar(&logLevel, "log-level", "info", "SDK log level on stderr: debug (redacted HTTP exchanges), info, warn or error")
	return cmd
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, badInput("--log-level must be debug, info, warn or error")
}

// localSandbox is a sandbox served on a loopback port for one demo run.
type localSandbox struct {
	url string
	srv *http.Server
	sb  *sandbox.Sandbox
}

func startSandbox(cfg sandbox.Config) (*localSandbox, error) {
	sb, err := sandbox.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sb.Close()
		return nil, err
	}
	l := &localSandbox{url: "http://" + ln.Addr().String(), srv: &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}, sb: sb}
	go l.srv.Serve(ln)
	return l, nil
}

func (l *localSandbox) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.srv.Shutdown(ctx)
	l.sb.Close()
}

// randomHex is n random bytes in hex: a throwaway credential.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// demo is one run of a flow.
type demo struct {
	out  io.Writer
	key  signature.Key
	flow string
	// wait bounds the wait for a callback a person has to bring about.
	wait time.Duration

	c          *client.Client
	callbacks  *callbackServer
	customerID string             // the orders' customer, in the saved-card flow
	browser    *challenge.Browser // the customer's
}

// failed is the error for a flow that did not complete: exit 1.
func failed(format string, a ...any) error {
	return &exitError{code: exitInvalid, msg: fmt.Sprintf(format, a...)}
}

func (d *demo) step(name, format string, a ...any) {
	fmt.Fprintf(d.out, "%-14s %s\n", name+":", fmt.Sprintf(format, a...))
}

func (d *demo) run(ctx context.Context, baseURL, clientID, clientSecret string, logger *slog.Logger) error {
	cb, err := startCallbackServer(d.key)
	if err != nil {
		return failed("cannot listen for the callback: %v", err)
	}
	defer cb.close()
	d.callbacks = cb

	d.browser = challenge.NewBrowser(30 * time.Second)

	var once sync.Once
	api := client.NewHTTPClient(30 * time.Second)
	api.Transport = &tokenWatcher{next: api.Transport, seen: func() {
		once.Do(func() { d.step("token", "access token obtained for client %s", clientID) })
	}}
	d.c, err = client.New(clientID, clientSecret,
		client.WithBaseURL(baseURL), client.WithHTTPClient(api), client.WithLogger(logger),
		client.WithUserAgent("pinelabs-demo"))
	if err != nil {
		return badInput(strings.TrimPrefix(err.Error(), "pinelabs: New: "))
	}

	var order *client.Order
	switch d.flow {
	case "points":
		order, err = d.points(ctx)
	case "card":
		order, err = d.card(ctx)
	case "bnpl":
		order, err = d.bnpl(ctx)
	case "saved-card":
		return d.savedCard(ctx)
	case "refund":
		return d.refund(ctx)
	}
	if err != nil {
		return err
	}
	return d.finish(ctx, order)
}

// flows are what --flow takes.
var flows = []string{"points", "card", "bnpl", "saved-card", "refund"}

// newOrder creates the order whose callbacks come back to the demo, for
// d.customerID when set.
func (d *demo) newOrder(ctx context.Context, amount client.Amount, preAuth bool, methods ...client.PaymentMethod) (*client.Order, error) {
	req := &client.CreateOrderRequest{
		MerchantOrderReference: "demo-" + uuid.NewString(),
		OrderAmount:            amount,
		AllowedPaymentMethods:  methods,
		CallbackURL:            &d.callbacks.url,
		FailureCallbackURL:     &d.callbacks.failureURL,
	}
	if d.customerID != "" {
		id := client.CustomerID(d.customerID)
		req.PurchaseDetails = &client.PurchaseDetails{Customer: &client.OrderCustomer{CustomerID: &id}}
	}
	if preAuth {
		req.PreAuth = &preAuth
	}
	order, err := d.c.CreateOrder(ctx, req)
	if err != nil {
		return nil, failed("order: %v", err)
	}
	d.step("order", "%s %s, %s", deref(order.OrderID), status(order), client.FormatAmount(amount))
	return order, nil
}

func (d *demo) points(ctx context.Context) (*client.Order, error) {
	amount := client.INR(4573) // the docs' Pay by Points sample, ₹45.73
	points := client.PointsCardDetails{CardNumber: testCard, CardLast4: testCard[len(testCard)-4:], RegisteredMobileNumber: testMobile}
	balReq := &client.PointBalanceRequest{}
	balReq.OrderDetails.OrderAmount = amount
	balReq.PaymentOption.PointsCardDetails = points
	bal, err := d.c.CheckPointBalance(ctx, balReq)
	if err != nil {
		return nil, failed("point balance: %v", err)
	}
	d.step("point balance", "%s", balanceText(bal))

	order, err := d.newOrder(ctx, amount, false, "CARD", "POINTS")
	if err != nil {
		return nil, err
	}
	card := &client.CardDetails{CardNumber: testCard, CVV: testCVV, ExpiryMonth: testExpiryMon, ExpiryYear: testExpiryYear}
	order, err = d.c.PayWithPoints(ctx, *order.OrderID, amount, points, card)
	if err != nil {
		return nil, failed("payment: %v", err)
	}
	d.step("payment", "split %s; order %s", paymentsText(order), status(order))
	return order, nil
}

func (d *demo) card(ctx context.Context) (*client.Order, error) {
	amount := client.INR(150000) // ₹1,500.00, as in the README
	order, err := d.newOrder(ctx, amount, true, "CARD")
	if err != nil {
		return nil, err
	}
	card := &client.CardDetails{CardNumber: testCard, CVV: testCVV, ExpiryMonth: testExpiryMon, ExpiryYear: testExpiryYear}
	order, err = d.c.CreatePayment(ctx, *order.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{
		{PaymentMethod: client.MethodCard, PaymentAmount: amount, PaymentOption: client.PaymentOption{CardDetails: card}},
	}})
	if err != nil {
		return nil, failed("payment: %v", err)
	}
	d.step("payment", "%s (pre-auth); order %s", paymentsText(order), status(order))
	return order, nil
}

func (d *demo) bnpl(ctx context.Context) (*client.Order, error) {
	amount := client.INR(3400)
	order, err := d.newOrder(ctx, amount, false, "BNPL")
	if err != nil {
		return nil, err
	}
	order, err = d.c.PayLater(ctx, *order.OrderID, amount, testMobile, client.BNPLLazyPay, nil)
	if err != nil {
		return nil, failed("payment: %v", err)
	}
	d.step("payment", "%s via %s, eligible; order %s", paymentsText(order), client.BNPLLazyPay, status(order))
	return order, nil
}

// finish takes the order from its payment to the end: the challenge, the
// callback, the capture of a pre-authorisation, the final status.
func (d *demo) finish(ctx context.Context, order *client.Order) error {
	orderID := *order.OrderID
	var callbackErr error
	if order.ChallengeURL != nil && *order.ChallengeURL != "" {
		if err := d.challenge(ctx, *order.ChallengeURL); err != nil {
			return err
		}
		callbackErr = d.callback(ctx, orderID)
	} else {
		d.step("challenge", "none: the server settled the payment without one")
	}

	order, err := d.c.GetOrder(ctx, orderID)
	if err != nil {
		if callbackErr != nil {
			return callbackErr
		}
		return failed("order status: %v", err)
	}
	if callbackErr != nil {
		// Nothing is captured on a callback that failed or did not
		// verify; the order's status is still worth showing.
		d.step("final status", "%s", status(order))
		return callbackErr
	}
	if status(order) == string(client.OrderAuthorized) {
		order, err = d.c.CaptureOrder(ctx, orderID, nil)
		if err != nil {
			return failed("capture: %v", err)
		}
		d.step("capture", "%s captured; order %s", client.FormatAmount(deref(order.OrderAmount)), status(order))
		if order, err = d.c.GetOrder(ctx, orderID); err != nil {
			return failed("order status: %v", err)
		}
	}
	d.step("final status", "%s", status(order))
	if status(order) != string(client.OrderProcessed) {
		return failed("the flow did not complete: order %s is %s", orderID, status(order))
	}
	return nil
}

// challenge plays the customer where the server speaks the challenge
// protocol, and otherwise asks a person to.
func (d *demo) challenge(ctx context.Context, challengeURL string) error {
	if !d.browser.OffersApprove(ctx, challengeURL) {
		d.step("challenge", "open %s in a browser and complete it; waiting up to %v for the callback", challengeURL, d.wait)
		return nil
	}
	form, err := d.browser.Approve(ctx, challengeURL)
	if err != nil {
		return failed("challenge: %v", err)
	}
	d.step("challenge", "approved at %s", challengeURL)
	if err := d.callbacks.owns(form.Action); err != nil {
		return failed("challenge: %v", err)
	}
	// What the browser does with the self-submitting form.
	resp, err := d.browser.Submit(ctx, form)
	if err != nil {
		return failed("callback: posting the challenge's form: %v", err)
	}
	resp.Body.Close()
	return nil
}

// callback waits for the order's callback and reports what it said.
func (d *demo) callback(ctx context.Context, orderID string) error {
	ctx, cancel := context.WithTimeout(ctx, d.wait)
	defer cancel()
	var got callbackOutcome
	select {
	case got = <-d.callbacks.results:
	case <-ctx.Done():
		return failed("callback: none arrived: %v", context.Cause(ctx))
	}
	if got.refused != "" {
		d.step("callback", "REFUSED: %s", got.refused)
		return failed("the callback's signature did not verify (%s); check --secret-key", got.refused)
	}
	res := got.result
	if res.OrderID != orderID {
		d.step("callback", "signature verified, but for order %s, not %s", res.OrderID, orderID)
		return failed("the callback is for another order")
	}
	if res.ErrorCode != "" || res.Status == client.OrderFailed {
		d.step("callback", "signature verified; order %s %s: %s %s", res.OrderID, res.Status, res.ErrorCode, res.ErrorMessage)
		return failed("the payment failed: %s %s", res.Status, res.ErrorCode)
	}
	d.step("callback", "signature verified; order %s %s", res.OrderID, res.Status)
	return nil
}

// callbackServer is the merchant's callback_url, on a loopback port.
type callbackServer struct {
	url, failureURL string
	results         chan callbackOutcome
	host            string
	srv             *http.Server
}

// callbackOutcome is one callback: verified, or refused with the reason
// the handler gave.
type callbackOutcome struct {
	result  client.CallbackResult
	refused string
}

func startCallbackServer(key signature.Key) (*callbackServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	s := &callbackServer{
		url:        base + "/callback",
		failureURL: base + "/callback/failure",
		host:       ln.Addr().String(),
		// Buffered so that a handler never blocks on a demo that has
		// stopped listening; only the first callback counts.
		results: make(chan callbackOutcome, 8),
	}
	deliver := func(o callbackOutcome) {
		select {
		case s.results <- o:
		default:
		}
	}
	verified := client.CallbackHandler(key, func(w http.ResponseWriter, r *http.Request, res client.CallbackResult) {
		deliver(callbackOutcome{result: res})
		io.WriteString(w, "payment result received\n")
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &refusalRecorder{ResponseWriter: w}
		verified.ServeHTTP(rec, r)
		if rec.code >= 400 {
			deliver(callbackOutcome{refused: strings.TrimSpace(rec.body.String())})
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/callback", h)
	mux.Handle("/callback/failure", h)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// owns checks that the challenge's form posts to this server: the demo
// plays a browser, but only one that returns to the merchant.
func (s *callbackServer) owns(u *url.URL) error {
	if u.Scheme != "http" || u.Host != s.host || u.Path != "/callback" && u.Path != "/callback/failure" {
		return fmt.Errorf("the approval page's form posts to %s, not to the callback URL the order gave", u.Redacted())
	}
	return nil
}

func (s *callbackServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
}

// refusalRecorder passes a response through and keeps the status and the
// start of the body, the one-line reason CallbackHandler gives a refusal.
type refusalRecorder struct {
	http.ResponseWriter
	code int
	body strings.Builder
}

func (r *refusalRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *refusalRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	if r.body.Len() < 200 {
		r.body.Write(b[:min(len(b), 200)])
	}
	return r.ResponseWriter.Write(b)
}

// tokenWatcher notices the first access token the server issues, so the
// demo can show that step; it never reads the token itself.
type tokenWatcher struct {
	next http.RoundTripper
	seen func()
}

func (t *tokenWatcher) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(r.URL.Path, "/auth/v1/token") {
		t.seen()
	}
	return resp, err
}

func status(o *client.Order) string {
	if o == nil || o.Status == nil {
		return "(no status)"
	}
	return string(*o.Status)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func paymentsText(o *client.Order) string {
	parts := make([]string, 0, len(o.Payments))
	for _, p := range o.Payments {
		parts = append(parts, fmt.Sprintf("%s %s", deref(p.PaymentMethod), client.FormatAmount(deref(p.PaymentAmount))))
	}
	if len(parts) == 0 {
		return "no payments"
	}
	return strings.Join(parts, " + ")
}

func balanceText(b *client.PointBalanceResponse) string {
	var parts []string
	if b.Balance != nil && b.Balance.Value != nil {
		parts = append(parts, client.FormatAmount(client.Amount{Value: *b.Balance.Value, Currency: deref(b.Balance.Currency)})+" on the card")
	}
	if b.RedeemableAmount != nil && b.RedeemableAmount.Value != nil {
		s := client.FormatAmount(client.Amount{Value: *b.RedeemableAmount.Value, Currency: deref(b.RedeemableAmount.Currency)}) + " redeemable"
		if b.RedeemablePoints != nil {
			s += fmt.Sprintf(" (%v points)", *b.RedeemablePoints)
		}
		parts = append(parts, s)
	} else if b.InrEquivalent != nil {
		parts = append(parts, fmt.Sprintf("₹%.2f redeemable", *b.InrEquivalent))
	}
	if b.IsEligible != nil && !*b.IsEligible {
		parts = append(parts, "not eligible")
	}
	if len(parts) == 0 {
		return "answered without a balance"
	}
	return strings.Join(parts, "; ")
}
