package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/contract"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/signature"
)

const (
	testClientID     = "sandbox-test"
	testClientSecret = "sandbox-test-secret"
	testKeyHex       = "9A6B1C2D3E4F5061728394A5B6C7D8E9"
	docsCard         = "4012001037141112"
)

// env is a sandbox on a loopback port whose every API response is held to
// the spec, with a client of it and a merchant that receives callbacks.
type env struct {
	t        *testing.T
	sb       *sandbox.Sandbox
	url      string
	key      signature.Key
	client   *client.Client
	merchant *merchant
	contract *contract.Checker
}

func start(t *testing.T, configure ...func(*sandbox.Config)) *env {
	t.Helper()
	key, err := signature.ParseKey(testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sandbox.Config{ClientID: testClientID, ClientSecret: testClientSecret, SecretKey: key}
	for _, f := range configure {
		f(&cfg)
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	checker := contract.New(t)
	srv := httptest.NewServer(checker.Handler(t, sb))
	t.Cleanup(srv.Close)
	c, err := client.New(testClientID, testClientSecret, client.WithBaseURL(srv.URL), client.WithRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: sb, url: srv.URL, key: key, client: c, merchant: &merchant{url: "https://merchant.example/return", failureURL: "https://merchant.example/failed"}, contract: checker}
}

type merchant struct{ url, failureURL string }

// order creates an order of paisa whose callbacks go to e.merchant.
func (e *env) order(paisa int64, preAuth bool) *client.Order {
	e.t.Helper()
	return e.orderRef("ref-"+uuid.NewString(), paisa, preAuth)
}

// orderRef is order under the merchant_order_reference ref.
func (e *env) orderRef(ref string, paisa int64, preAuth bool) *client.Order {
	e.t.Helper()
	req := &client.CreateOrderRequest{
		MerchantOrderReference: ref,
		OrderAmount:            client.INR(paisa),
		CallbackURL:            &e.merchant.url,
		FailureCallbackURL:     &e.merchant.failureURL,
	}
	if preAuth {
		req.PreAuth = &preAuth
	}
	o, err := e.client.CreateOrder(context.Background(), req)
	if err != nil {
		e.t.Fatalf("CreateOrder: %v", err)
	}
	return o
}

func card(number string) *client.CardDetails {
	return &client.CardDetails{CardNumber: number, CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030"}
}

// payByCard links one card payment for the whole order.
func (e *env) payByCard(o *client.Order, number string) *client.Order {
	e.t.Helper()
	o, err := e.client.CreatePayment(context.Background(), *o.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{{
		PaymentMethod: client.MethodCard, PaymentAmount: *o.OrderAmount,
		PaymentOption: client.PaymentOption{CardDetails: card(number)},
	}}})
	if err != nil {
		e.t.Fatalf("CreatePayment: %v", err)
	}
	return o
}

// capture captures the whole of an authorized order.
func (e *env) capture(o *client.Order) *client.Order {
	e.t.Helper()
	o, err := e.client.CaptureOrder(context.Background(), *o.OrderID, nil)
	if err != nil {
		e.t.Fatalf("CaptureOrder: %v", err)
	}
	return o
}

// get reads an order back.
func (e *env) get(id string) *client.Order {
	e.t.Helper()
	o, err := e.client.GetOrder(context.Background(), id)
	if err != nil {
		e.t.Fatalf("GetOrder: %v", err)
	}
	return o
}

// challengePage is what the customer's browser shows at challengeURL.
func (e *env) challengePage(challengeURL string) string {
	e.t.Helper()
	resp, err := http.Get(challengeURL)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("challenge page: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

var (
	formRE  = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// answer posts the customer's form to challengeURL and returns the status
// and the page.
func (e *env) answer(challengeURL string, form url.Values) (int, string) {
	e.t.Helper()
	resp, err := http.Post(challengeURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// answerOK answers the challenge and returns the page, failing the test
// unless the sandbox took the answer.
func (e *env) answerOK(challengeURL string, form url.Values) string {
	e.t.Helper()
	status, page := e.answer(challengeURL, form)
	if status != http.StatusOK {
		e.t.Fatalf("challenge answered %d: %s", status, page)
	}
	return page
}

// callback answers the challenge and reads the self-submitting form the
// customer's browser would post to the merchant.
func (e *env) callback(challengeURL string, form url.Values) (action string, fields url.Values) {
	e.t.Helper()
	page := e.answerOK(challengeURL, form)
	forms := formRE.FindAllStringSubmatch(page, -1)
	if len(forms) != 1 {
		e.t.Fatalf("want one form posting to the merchant, got %d in:\n%s", len(forms), page)
	}
	fields = url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(page, -1) {
		fields.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return html.UnescapeString(forms[0][1]), fields
}

// verified checks a callback's signature as a merchant would and returns
// what it says.
func (e *env) verified(fields url.Values) *signature.Callback {
	e.t.Helper()
	fs, err := signature.FieldsFromValues(fields)
	if err != nil {
		e.t.Fatal(err)
	}
	cb, err := e.key.VerifyCallback(fs)
	if err != nil {
		e.t.Fatalf("callback does not verify: %v", err)
	}
	return cb
}

// fetch GETs a path of the sandbox outside the API, such as the
// dashboard's, whatever the status.
func (e *env) fetch(path string) (*http.Response, string) {
	e.t.Helper()
	resp, err := http.Get(e.url + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, string(b)
}

// put stores an order as it is, for a shape the API cannot make.
func (e *env) put(o *sandbox.Order) {
	e.t.Helper()
	if err := e.sb.Store().Update(context.Background(), func(tx sandbox.Tx) error { return tx.PutOrder(o) }); err != nil {
		e.t.Fatal(err)
	}
}

// raw sends one API request as is and decodes the JSON answer.
func (e *env) raw(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Request-ID", uuid.NewString())
	req.Header.Set("Request-Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatalf("%s %s answered %d with a body that is not a JSON object: %q", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// token gets an access token by hand, for raw requests.
func (e *env) token() string {
	e.t.Helper()
	status, body := e.raw("POST", "/api/auth/v1/token", "", map[string]string{
		"client_id": testClientID, "client_secret": testClientSecret, "grant_type": "client_credentials",
	})
	if status != http.StatusOK {
		e.t.Fatalf("token: %d %v", status, body)
	}
	return body["access_token"].(string)
}

func statusOf(o *client.Order) pinelabs.OrderStatus { return *o.Status }

// call sends one API request as is and decodes a 200's body into T; the
// body is also returned as a map, for an error's code and message.
func call[T any](e *env, method, path, token string, body any) (int, *T, map[string]any) {
	e.t.Helper()
	status, m := e.raw(method, path, token, body)
	if status != http.StatusOK {
		return status, nil, m
	}
	b, err := json.Marshal(m)
	if err != nil {
		e.t.Fatal(err)
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		e.t.Fatalf("%s %s: the answer does not decode: %v\n%s", method, path, err, b)
	}
	return status, v, m
}

// refused checks that an answer is the refusal wanted, its message saying
// says.
func refused(t *testing.T, what string, status int, body map[string]any, wantStatus int, wantCode, says string) {
	t.Helper()
	msg, _ := body["message"].(string)
	if status != wantStatus || body["code"] != wantCode || !strings.Contains(msg, says) {
		t.Errorf("%s: %d %v, want %d %s saying %q", what, status, body, wantStatus, wantCode, says)
	}
}

// wantChecked fails unless the contract checker validated at least one
// response of each "operationId status".
func (e *env) wantChecked(keys ...string) {
	e.t.Helper()
	checked := e.contract.Checked()
	for _, k := range keys {
		if checked[k] == 0 {
			e.t.Errorf("no %s response was validated against the spec", k)
		}
	}
}

// customerOrder creates an order of paisa whose purchase_details.customer
// is customer, with callbacks to e.merchant.
func (e *env) customerOrder(paisa int64, preAuth bool, customer *pinelabs.OrderCustomer) *client.Order {
	e.t.Helper()
	req := &pinelabs.CreateOrderRequest{
		MerchantOrderReference: "ref-" + uuid.NewString(),
		OrderAmount:            client.INR(paisa),
		CallbackURL:            &e.merchant.url,
		FailureCallbackURL:     &e.merchant.failureURL,
		PreAuth:                &preAuth,
		PurchaseDetails:        &pinelabs.PurchaseDetails{Customer: customer},
	}
	o, err := e.client.CreateOrder(context.Background(), req)
	if err != nil {
		e.t.Fatalf("CreateOrder: %v", err)
	}
	return o
}
