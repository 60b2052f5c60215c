package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

// runDemo runs the command in-process, so the fake API it talks to lives
// in the test and -race sees both sides.
func runDemo(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"demo"}, args...), &out, &errOut, func(string) string { return "" })
	return result{code, out.String(), errOut.String()}
}

func demoArgs(api *fakeapi.Server, key string, more ...string) []string {
	return append([]string{"--base-url", api.URL, "--client-id", "client-id", "--client-secret", "client-secret", "--secret-key", key}, more...)
}

// stepLines returns the step names the demo printed, in order.
func stepLines(stdout string) []string {
	var steps []string
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		name, _, _ := strings.Cut(line, ":")
		steps = append(steps, name)
	}
	return steps
}

func TestDemoFlows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		flow  string
		steps []string
		// lines that must appear, as regular expressions
		want []string
	}{
		{
			flow:  "points",
			steps: []string{"token", "point balance", "order", "payment", "challenge", "callback", "final status"},
			want: []string{
				`point balance: +₹2,37,180\.50 on the card; ₹35\.00 redeemable \(140 points\)`,
				`order: +v1-\S+ CREATED, ₹45\.73`,
				`payment: +split CARD ₹10\.73 \+ POINTS ₹35\.00; order PENDING`,
				`challenge: +approved at http://127\.0\.0\.1:\d+/challenge/v1-\S+`,
				`callback: +signature verified; order v1-\S+ PROCESSED`,
				`final status: +PROCESSED`,
			},
		},
		{
			flow:  "card",
			steps: []string{"token", "order", "payment", "challenge", "callback", "capture", "final status"},
			want: []string{
				`payment: +CARD ₹1,500\.00 \(pre-auth\); order PENDING`,
				`callback: +signature verified; order v1-\S+ AUTHORIZED`,
				`capture: +₹1,500\.00 captured; order PROCESSED`,
				`final status: +PROCESSED`,
			},
		},
		{
			flow:  "bnpl",
			steps: []string{"token", "order", "payment", "challenge", "callback", "final status"},
			want: []string{
				`payment: +BNPL ₹34\.00 via LAZYPAY, eligible; order PENDING`,
				`callback: +signature verified; order v1-\S+ PROCESSED`,
				`final status: +PROCESSED`,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.flow, func(t *testing.T) {
			t.Parallel()
			api := fakeapi.New(t, fakeapi.Config{SecretKey: key32})
			r := runDemo(t, demoArgs(api, key32, "--flow", c.flow)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s", r.code, redact(r.stderr, key32), redact(r.stdout, key32))
			}
			t.Logf("stdout:\n%s", r.stdout)
			if got := stepLines(r.stdout); strings.Join(got, ",") != strings.Join(c.steps, ",") {
				t.Fatalf("steps %q, want %q; stdout:\n%s", got, c.steps, r.stdout)
			}
			for _, w := range c.want {
				if !regexp.MustCompile(`(?m)^` + w + `$`).MatchString(r.stdout) {
					t.Errorf("no line matching %q in\n%s", w, r.stdout)
				}
			}
			checkNoSecret(t, r, key32, "client-secret", testCard, api.LastToken())
			counts := api.Counts()
			wantCaptures := 0
			if c.flow == "card" {
				wantCaptures = 1
			}
			if counts.Orders != 1 || counts.Captures != wantCaptures || counts.Tokens != 1 {
				t.Errorf("server counts %+v", counts)
			}
			if n := api.Hits(fakeapi.OpChallenge); n != 2 {
				t.Errorf("%d challenge requests, want 2 (the page and the approval)", n)
			}
		})
	}
}

// With no --base-url the demo runs each flow against the sandbox it starts
// in-process, with throwaway credentials, or with the ones given.
func TestDemoInProcessSandbox(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		args  []string
		steps []string
	}{
		{"no flags", nil, []string{"sandbox", "token", "point balance", "order", "payment", "challenge", "callback", "final status"}},
		{"card", []string{"--flow", "card"}, []string{"sandbox", "token", "order", "payment", "challenge", "callback", "capture", "final status"}},
		{"bnpl with credentials", []string{"--flow", "bnpl", "--client-id", "mine", "--client-secret", "my-secret", "--secret-key", key32}, []string{"sandbox", "token", "order", "payment", "challenge", "callback", "final status"}},
		{"saved-card", []string{"--flow", "saved-card"}, []string{"sandbox", "token", "customer",
			"order", "payment", "challenge", "callback", "final status", "saved card",
			"order", "payment", "challenge", "callback", "final status", "delete token"}},
		{"refund", []string{"--flow", "refund"}, []string{"sandbox", "token", "order", "payment", "challenge", "callback", "capture", "final status", "refund", "refund", "final status"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runDemo(t, c.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s", r.code, redact(r.stderr, key32), redact(r.stdout, key32))
			}
			if got := stepLines(r.stdout); strings.Join(got, ",") != strings.Join(c.steps, ",") {
				t.Fatalf("steps %q, want %q; stdout:\n%s", got, c.steps, r.stdout)
			}
			if !regexp.MustCompile(`(?m)^sandbox: +in-process at http://127\.0\.0\.1:\d+$`).MatchString(r.stdout) {
				t.Errorf("no sandbox line in\n%s", r.stdout)
			}
			last := `final status: +PROCESSED`
			switch c.name {
			case "refund":
				last = `final status: +FULLY_REFUNDED`
			case "saved-card":
				last = `delete token: +\S+ DELETED`
			}
			if !regexp.MustCompile(last + `\n$`).MatchString(r.stdout) {
				t.Errorf("the flow did not end with %q:\n%s", last, r.stdout)
			}
			checkNoSecret(t, r, key32, "my-secret", testCard)
		})
	}
}

func TestDemoWrongSecretKey(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(t, fakeapi.Config{SecretKey: key32})
	r := runDemo(t, demoArgs(api, key16, "--flow", "card")...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "callback:") || !strings.Contains(r.stdout, "REFUSED: invalid callback signature") {
		t.Errorf("stdout does not show the refused callback:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "signature did not verify") {
		t.Errorf("stderr %q does not say the signature did not verify", r.stderr)
	}
	oneLine(t, r.stderr)
	if strings.Contains(r.stdout, "capture:") || api.Counts().Captures != 0 {
		t.Error("captured an order whose callback did not verify")
	}
	checkNoSecret(t, r, key16, key32, "client-secret")
}

func TestDemoBadInput(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(t, fakeapi.Config{SecretKey: key32})
	oddKey := "c0ffeec0ffeec0ffeec0ffeec0ffee1"
	nonHexKey := "c0ffeec0ffeec0ffeec0ffeec0ffeeZZ"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"in-process-odd-key", []string{"--secret-key", oddKey}, "odd number of hex digits"},
		{"odd-key", demoArgs(api, oddKey), "odd number of hex digits"},
		{"non-hex-key", demoArgs(api, nonHexKey), "non-hex character"},
		{"non-hex-key-equals", append(demoArgs(api, key32), "--secret-key="+nonHexKey), "non-hex character"},
		{"missing-key", []string{"--base-url", api.URL, "--client-id", "client-id", "--client-secret", "client-secret"}, "--secret-key is required"},
		{"missing-client-secret", []string{"--base-url", api.URL, "--client-id", "client-id", "--secret-key", key32}, "--client-secret"},
		{"unknown-flow", demoArgs(api, key32, "--flow", "upi"), "--flow must be points, card, bnpl, saved-card or refund"},
		{"bad-log-level", demoArgs(api, key32, "--log-level", "loud"), "--log-level"},
		{"bad-base-url", []string{"--base-url", "ftp://example", "--client-id", "client-id", "--client-secret", "client-secret", "--secret-key", key32}, "not an absolute http(s) URL"},
		{"stray-argument", append(demoArgs(api, key32), key32), "no arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runDemo(t, c.args...)
			if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, c.want) || !strings.HasPrefix(r.stderr, "pinelabs: ") {
				t.Fatalf("got exit %d, stdout %q, stderr %q; want exit 2 and %q",
					r.code, r.stdout, redact(redact(r.stderr, key32), nonHexKey), c.want)
			}
			oneLine(t, r.stderr)
			checkNoSecret(t, r, key32, oddKey, nonHexKey)
		})
	}
	if n := len(api.Requests("")); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

// TestDemoDebugLog: --log-level debug shows the SDK's HTTP exchanges, with
// the secrets redacted.
func TestDemoDebugLog(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(t, fakeapi.Config{SecretKey: key32})
	r := runDemo(t, demoArgs(api, key32, "--log-level", "debug")...)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, redact(r.stderr, key32))
	}
	if !strings.Contains(r.stderr, "pinelabs http") || !strings.Contains(r.stderr, "createPayment") {
		t.Errorf("no HTTP exchanges logged:\n%s", r.stderr)
	}
	checkNoSecret(t, r, key32, "client-secret", testCard, `"cvv":"123"`, api.LastToken())
}

// TestDemoWaitsForAPerson: where challenge_url is no page of the challenge
// protocol (as on a real bank's), the demo prints it and waits for the
// callback, which here the test brings about as the customer would.
func TestDemoWaitsForAPerson(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		action     string
		code       int
		callback   string
		finalState string
	}{
		{"approve", 0, "signature verified; order v1-0000000001-aa-fakeAp AUTHORIZED", "PROCESSED"},
		{"decline", 1, "signature verified; order v1-0000000001-aa-fakeAp FAILED: PAYMENT_DECLINED", "FAILED"},
	} {
		t.Run(c.action, func(t *testing.T) {
			t.Parallel()
			api := fakeapi.New(t, fakeapi.Config{SecretKey: key32})
			front := opaqueChallenges(t, api)

			var out, errOut syncBuffer
			done := make(chan int, 1)
			go func() {
				args := []string{"demo", "--base-url", front.URL, "--client-id", "client-id", "--client-secret", "client-secret",
					"--secret-key", key32, "--flow", "card"}
				done <- run(args, &out, &errOut, func(string) string { return "" })
			}()

			waiting := regexp.MustCompile(`challenge: +open (\S+) in a browser`)
			var challengeURL string
			for deadline := time.Now().Add(10 * time.Second); challengeURL == ""; time.Sleep(5 * time.Millisecond) {
				if m := waiting.FindStringSubmatch(out.String()); m != nil {
					challengeURL = m[1]
				}
				if time.Now().After(deadline) {
					t.Fatalf("the demo never asked for the challenge; stdout:\n%s\nstderr: %s", out.String(), errOut.String())
				}
			}
			// The customer, in a browser that does speak the protocol.
			realURL := strings.Replace(challengeURL, front.URL, api.URL, 1)
			page := postForm(t, realURL, url.Values{"action": {c.action}})
			action := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindStringSubmatch(page)
			if action == nil {
				t.Fatalf("no form in %q", page)
			}
			fields := url.Values{}
			for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
				fields.Set(m[1], htmlUnescape(m[2]))
			}
			postForm(t, htmlUnescape(action[1]), fields)

			var code int
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the demo did not finish after the callback")
			}
			r := result{code, out.String(), errOut.String()}
			if r.code != c.code {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr: %s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, want := range []string{"callback:      " + c.callback, "final status:  " + c.finalState + "\n"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if c.code != 0 && !strings.Contains(r.stderr, "the payment failed: FAILED PAYMENT_DECLINED") {
				t.Errorf("stderr %q", r.stderr)
			}
			checkNoSecret(t, r, key32, "client-secret")
		})
	}
}

// opaqueChallenges puts a server in front of api that passes the API
// through but answers its challenge_url with a page that offers nothing to
// approve, like a bank's own.
func opaqueChallenges(t *testing.T, api *fakeapi.Server) *httptest.Server {
	t.Helper()
	target, _ := url.Parse(api.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var front *httptest.Server
	proxy.ModifyResponse = func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(api.URL), []byte(front.URL))
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/challenge/") {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>Enter the code your bank sent you.</p>")
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front
}

func postForm(t *testing.T, target string, form url.Values) string {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// syncBuffer is a bytes.Buffer the demo can write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
