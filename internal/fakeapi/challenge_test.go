package fakeapi_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/signature"
)

const secretKey = "9A7282D0556544C59AFE8EC92F5C85F6"

func mustKey(t *testing.T) signature.Key {
	t.Helper()
	k, err := signature.ParseKey(secretKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// payChallenged creates an order from body, pays it by card and returns its
// order_id and challenge_url, checking that the order waits for the customer.
func payChallenged(t *testing.T, s *fakeapi.Server, body string) (id, challengeURL string) {
	t.Helper()
	ctx := context.Background()
	tok := token(t, s)
	resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders", tok, body)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var created pinelabs.OrderResponse
	json.Unmarshal(b, &created)
	id = *created.Data.OrderID
	pay := `{"payments":[{"payment_method":"CARD","payment_amount":{"value":1100,"currency":"INR"},"payment_option":{"card_details":{"card_number":"4012001037141112"}}}]}`
	resp, b, _ = call(t, ctx, s, "POST", "/api/pay/v1/orders/"+id+"/payments", tok, pay)
	var paid pinelabs.OrderResponse
	json.Unmarshal(b, &paid)
	if resp.StatusCode != 200 || paid.Data.Status == nil || *paid.Data.Status != pinelabs.OrderStatusPENDING || paid.Data.ChallengeURL == nil {
		t.Fatalf("pay: %d %s", resp.StatusCode, b)
	}
	challengeURL = *paid.Data.ChallengeURL
	if want := s.URL + "/challenge/" + id; challengeURL != want {
		t.Fatalf("challenge_url = %q, want %q", challengeURL, want)
	}
	// Unlike Config.Challenge alone, reading the order does not pass the
	// challenge: the customer has to.
	resp, b, _ = call(t, ctx, s, "GET", "/api/pay/v1/orders/"+id, tok, "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"status":"PENDING"`) {
		t.Fatalf("read before the challenge: %d %s", resp.StatusCode, b)
	}
	return id, challengeURL
}

func browse(t *testing.T, method, u, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func answer(t *testing.T, challengeURL, action string) (*http.Response, string) {
	t.Helper()
	return browse(t, "POST", challengeURL, "application/x-www-form-urlencoded", url.Values{"action": {action}}.Encode())
}

var (
	formTag   = regexp.MustCompile(`(?i)<form\b[^>]*>`)
	inputTag  = regexp.MustCompile(`(?i)<input\b[^>]*>`)
	attribute = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attribute.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// callbackForm reads the page a challenge answers with: exactly one form,
// posting to its action hidden fields, and a script that submits it.
func callbackForm(t *testing.T, page string) (action string, fields signature.Fields) {
	t.Helper()
	forms := formTag.FindAllString(page, -1)
	if len(forms) != 1 {
		t.Fatalf("want exactly one form, got %d in\n%s", len(forms), page)
	}
	fa := attrs(forms[0])
	if !strings.EqualFold(fa["method"], "post") || fa["action"] == "" {
		t.Fatalf("form %s: want method=post and an action", forms[0])
	}
	if !strings.Contains(page, "document.forms[0].submit()") {
		t.Errorf("the page does not submit itself:\n%s", page)
	}
	for _, in := range inputTag.FindAllString(page, -1) {
		a := attrs(in)
		if a["type"] != "hidden" {
			t.Errorf("input %s is not hidden", in)
		}
		fields = append(fields, signature.Field{Name: a["name"], Value: a["value"]})
	}
	return fa["action"], fields
}

func TestChallengeProtocol(t *testing.T) {
	t.Parallel()
	const (
		success = "https://merchant.example/pay/ok?ref=a&lang=en"
		failure = "https://merchant.example/pay/failed"
	)
	for _, tc := range []struct {
		name, action  string
		preAuth       bool
		failureURL    string
		wantStatus    pinelabs.OrderStatus
		wantPayStatus pinelabs.PaymentStatus
		wantURL       string
	}{
		{"approve pre-auth", "approve", true, failure, pinelabs.OrderStatusAUTHORIZED, pinelabs.PaymentStatusAUTHORIZED, success},
		{"approve sale", "approve", false, "", pinelabs.OrderStatusPROCESSED, pinelabs.PaymentStatusPROCESSED, success},
		{"decline to failure_callback_url", "decline", true, failure, pinelabs.OrderStatusFAILED, pinelabs.PaymentStatusFAILED, failure},
		{"decline to callback_url", "decline", false, "", pinelabs.OrderStatusFAILED, pinelabs.PaymentStatusFAILED, success},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fakeapi.New(t, fakeapi.Config{SecretKey: secretKey})
			body, _ := json.Marshal(map[string]any{
				"merchant_order_reference": "ref-1",
				"order_amount":             map[string]any{"value": 1100, "currency": "INR"},
				"pre_auth":                 tc.preAuth,
				"callback_url":             success,
				"failure_callback_url":     tc.failureURL,
			})
			id, challengeURL := payChallenged(t, s, string(body))

			resp, page := browse(t, "GET", challengeURL, "", "")
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("challenge page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), page)
			}
			for _, want := range []string{`name="action" value="approve"`, `name="action" value="decline"`, `method="post"`, `action="` + challengeURL + `"`, id} {
				if !strings.Contains(page, want) {
					t.Errorf("challenge page lacks %s:\n%s", want, page)
				}
			}

			resp, page = answer(t, challengeURL, tc.action)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: %d\n%s", tc.action, resp.StatusCode, page)
			}
			action, fields := callbackForm(t, page)
			if action != tc.wantURL {
				t.Errorf("form action %q, want %q", action, tc.wantURL)
			}
			if !strings.Contains(page, "ref=a&amp;lang=en") && tc.wantURL == success {
				t.Errorf("the callback URL is not HTML-escaped:\n%s", page)
			}
			names := map[string]bool{}
			for _, f := range fields {
				names[f.Name] = true
			}
			wantNames := []string{"order_id", "status", "signature"}
			if tc.action == "decline" {
				wantNames = append(wantNames, "error_code", "error_message")
			}
			if len(names) != len(wantNames) || len(fields) != len(wantNames) {
				t.Errorf("hidden fields %v, want exactly %v", fields, wantNames)
			}
			for _, n := range wantNames {
				if !names[n] {
					t.Errorf("no hidden field %s in %v", n, fields)
				}
			}
			cb, err := mustKey(t).VerifyCallback(fields)
			if err != nil {
				t.Fatalf("VerifyCallback(%v): %v", fields, err)
			}
			if cb.OrderID != id || cb.Status != string(tc.wantStatus) {
				t.Errorf("callback %+v, want order %s status %s", cb, id, tc.wantStatus)
			}
			if tc.action == "decline" && (cb.ErrorCode != fakeapi.DeclineErrorCode || cb.ErrorMessage != fakeapi.DeclineErrorMessage) {
				t.Errorf("callback error %q %q", cb.ErrorCode, cb.ErrorMessage)
			}
			if other, _ := signature.ParseKey("00" + secretKey[2:]); other.Verify(fields, mustSig(t, fields)) == nil {
				t.Error("the signature verifies under another key")
			}

			o, _ := s.Order(id)
			if *o.Status != tc.wantStatus || *o.Payments[0].Status != tc.wantPayStatus {
				t.Errorf("order %s, payment %s; want %s, %s", *o.Status, *o.Payments[0].Status, tc.wantStatus, tc.wantPayStatus)
			}
			if d := o.Payments[0].ErrorDetail; (tc.action == "decline") != (d != nil) || d != nil && *d.Code != fakeapi.DeclineErrorCode {
				t.Errorf("payment error_detail %+v", d)
			}

			// The challenge is over: neither page answers again.
			if resp, msg := answer(t, challengeURL, tc.action); resp.StatusCode != http.StatusConflict {
				t.Errorf("second POST: %d %s", resp.StatusCode, msg)
			}
			if resp, msg := browse(t, "GET", challengeURL, "", ""); resp.StatusCode != http.StatusConflict {
				t.Errorf("GET after completion: %d %s", resp.StatusCode, msg)
			}
			if got := s.Hits(fakeapi.OpChallenge); got != 4 {
				t.Errorf("Hits(OpChallenge) = %d, want 4", got)
			}
		})
	}
}

func mustSig(t *testing.T, fs signature.Fields) string {
	t.Helper()
	sig, _ := fs.Get(signature.FieldSignature)
	return sig
}

// The form works as a browser would send it: posted to a merchant that
// checks it with signature.ParseCallback.
func TestChallengeCallbackReachesMerchant(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	var (
		mu  sync.Mutex
		got *signature.Callback
	)
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := signature.ParseCallback(r, key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = cb
		mu.Unlock()
	}))
	t.Cleanup(merchant.Close)

	s := fakeapi.New(t, fakeapi.Config{SecretKey: strings.ToLower(secretKey)})
	id, challengeURL := payChallenged(t, s, `{"merchant_order_reference":"ref-1","order_amount":{"value":1100,"currency":"INR"},"pre_auth":true,"callback_url":"`+merchant.URL+`/callback?session=1"}`)
	_, page := answer(t, challengeURL, "approve")
	action, fields := callbackForm(t, page)
	form := url.Values{}
	for _, f := range fields {
		form.Set(f.Name, f.Value)
	}
	resp, msg := browse(t, "POST", action, "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != 200 {
		t.Fatalf("merchant refused the callback: %d %s", resp.StatusCode, msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if got == nil || got.OrderID != id || got.Status != "AUTHORIZED" {
		t.Fatalf("merchant got %+v", got)
	}
}

func TestChallengeRefusals(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{SecretKey: secretKey})
	id, challengeURL := payChallenged(t, s, `{"merchant_order_reference":"ref-1","order_amount":{"value":1100,"currency":"INR"},"pre_auth":true,"callback_url":"https://merchant.example/cb"}`)

	tok := token(t, s)
	resp, b, _ := call(t, context.Background(), s, "POST", "/api/pay/v1/orders", tok, `{"merchant_order_reference":"ref-unpaid","order_amount":{"value":1100,"currency":"INR"},"callback_url":"https://merchant.example/cb"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	unpaid, _ := s.OrderByReference("ref-unpaid")
	noCallback, noCallbackURL := payChallenged(t, s, `{"merchant_order_reference":"ref-2","order_amount":{"value":1100,"currency":"INR"}}`)
	badCallback, badCallbackURL := payChallenged(t, s, `{"merchant_order_reference":"ref-3","order_amount":{"value":1100,"currency":"INR"},"callback_url":"javascript:alert(1)"}`)

	for _, tc := range []struct {
		name, method, url, contentType, body string
		want                                 int
	}{
		{"GET unknown order", "GET", s.URL + "/challenge/v1-nope", "", "", 404},
		{"POST unknown order", "POST", s.URL + "/challenge/v1-nope", "application/x-www-form-urlencoded", "action=approve", 404},
		{"GET order without payment", "GET", s.URL + "/challenge/" + unpaid, "", "", 404},
		{"POST order without payment", "POST", s.URL + "/challenge/" + unpaid, "application/x-www-form-urlencoded", "action=approve", 404},
		{"bad action", "POST", challengeURL, "application/x-www-form-urlencoded", "action=maybe", 400},
		{"no action", "POST", challengeURL, "application/x-www-form-urlencoded", "", 400},
		{"two actions", "POST", challengeURL, "application/x-www-form-urlencoded", "action=approve&action=decline", 400},
		{"action in the query only", "POST", challengeURL + "?action=approve", "application/x-www-form-urlencoded", "", 400},
		{"JSON body", "POST", challengeURL, "application/json", `{"action":"approve"}`, 415},
		{"oversized form", "POST", challengeURL, "application/x-www-form-urlencoded", "action=approve&pad=" + strings.Repeat("x", 8<<10), 413},
		{"PUT", "PUT", challengeURL, "application/x-www-form-urlencoded", "action=approve", 405},
		{"no callback_url", "POST", noCallbackURL, "application/x-www-form-urlencoded", "action=approve", 422},
		{"callback_url not http", "POST", badCallbackURL, "application/x-www-form-urlencoded", "action=decline", 422},
	} {
		resp, msg := browse(t, tc.method, tc.url, tc.contentType, tc.body)
		if resp.StatusCode != tc.want || strings.Contains(resp.Header.Get("Content-Type"), "html") || strings.TrimSpace(msg) == "" {
			t.Errorf("%s: %d %q (%s), want %d and a plain message", tc.name, resp.StatusCode, msg, resp.Header.Get("Content-Type"), tc.want)
		}
	}
	for _, o := range []string{id, noCallback, badCallback} {
		if got, _ := s.Order(o); *got.Status != pinelabs.OrderStatusPENDING {
			t.Errorf("a refused answer moved order %s to %s", o, *got.Status)
		}
	}
	if resp, page := answer(t, challengeURL, "approve"); resp.StatusCode != 200 {
		t.Errorf("approve after the refusals: %d %s", resp.StatusCode, page)
	}
}

// Two customers answering at once: exactly one settles the order.
func TestChallengeAnsweredOnce(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{SecretKey: secretKey})
	_, challengeURL := payChallenged(t, s, `{"merchant_order_reference":"ref-1","order_amount":{"value":1100,"currency":"INR"},"callback_url":"https://merchant.example/cb"}`)
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			action := "approve"
			if i%2 == 1 {
				action = "decline"
			}
			resp, _ := answer(t, challengeURL, action)
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		switch c {
		case 200:
			ok++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d answers settled the order, want 1", ok)
	}
}

// Without a SecretKey the fake serves no challenge, and Config.Challenge
// keeps its placeholder URL.
func TestChallengeNeedsSecretKey(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{Challenge: true})
	tok := token(t, s)
	call(t, context.Background(), s, "POST", "/api/pay/v1/orders", tok, orderBody)
	id, _ := s.OrderByReference("ref-1")
	if resp, msg := browse(t, "GET", s.URL+"/challenge/"+id, "", ""); resp.StatusCode != 404 {
		t.Errorf("GET: %d %s", resp.StatusCode, msg)
	}
}

func TestStartRefusesBadSecretKey(t *testing.T) {
	t.Parallel()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("Start accepted a key that is not hex")
		}
		if strings.Contains(strings.ToLower(fmtAny(r)), "zz") {
			t.Errorf("the panic repeats the key: %v", r)
		}
	}()
	s := fakeapi.Start(fakeapi.Config{SecretKey: "zz12"})
	s.Close()
}

func fmtAny(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
