package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pinegen/pinelabs/internal/conformance"
	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/spec"
)

const (
	testClientID     = "conformance-test"
	testClientSecret = "conformance-test-secret"
	testKeyHex       = "9A6B1C2D3E4F5061728394A5B6C7D8E9"
	// The sandbox's test data (pkg/sandbox/testdata.go).
	pointsCard     = "4111111111111111"
	payLaterMobile = "9876543210"
)

// serve starts the sandbox behind wrap on a loopback port and returns the
// options a run against it takes.
func serve(t *testing.T, wrap func(http.Handler) http.Handler) conformance.Options {
	t.Helper()
	key, err := signature.ParseKey(testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sandbox.Config{ClientID: testClientID, ClientSecret: testClientSecret, SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	var h http.Handler = sb
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return conformance.Options{
		BaseURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, Key: key,
		PointsCard: pointsCard, PayLaterMobile: payLaterMobile,
	}
}

func specOperations(t *testing.T) []string {
	t.Helper()
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	slices.Sort(ops)
	return ops
}

func TestRunAgainstSandboxFindsNothing(t *testing.T) {
	t.Parallel()
	opts := serve(t, nil)
	var progress bytes.Buffer
	opts.Progress = &progress
	res, err := conformance.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, &progress)
	}
	for _, f := range res.Findings {
		t.Errorf("finding: %+v", f)
	}
	if len(res.Skipped) > 0 {
		t.Errorf("skipped: %q", res.Skipped)
	}
	for _, op := range specOperations(t) {
		if res.Operations[op] == 0 {
			t.Errorf("operation %s was not exercised", op)
		}
	}
	for op := range res.Operations {
		if strings.Contains(op, " ") {
			t.Errorf("an exchange matched no operation of the spec: %s", op)
		}
	}
	for _, want := range []string{"generateToken ok", "checkPointBalance ok", "createOrder ok", "challenge ok", "cancelOrder ok", "deleteCustomerToken ok"} {
		if !strings.Contains(progress.String(), want+"\n") {
			t.Errorf("progress lacks %q:\n%s", want, &progress)
		}
	}
	if t.Failed() {
		t.Logf("progress:\n%s", &progress)
	}
}

func TestRunSkipsWhatItHasNoTestDataFor(t *testing.T) {
	t.Parallel()
	opts := serve(t, nil)
	opts.PointsCard, opts.PayLaterMobile = "", ""
	var progress bytes.Buffer
	opts.Progress = &progress
	res, err := conformance.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"checkPointBalance: no --points-card", "checkBnplEligibility: no --paylater-mobile"}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
	if !strings.Contains(progress.String(), "checkPointBalance skipped: no --points-card\n") {
		t.Errorf("progress:\n%s", &progress)
	}
}

// deviate rewrites the sandbox's answers the way a server that drifted
// from the spec would: getOrder responses gain an unknown field, an unknown
// enum value and a number sent as a string (where the spec tolerates one,
// so the SDK still reads the order), and the challenge's answer page
// carries a tampered signature.
func deviate(next http.Handler) http.Handler {
	getOrder := regexp.MustCompile(`^/api/pay/v1/orders/[^/]+$`)
	sig := regexp.MustCompile(`(name="signature" value=")([0-9a-fA-F])`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		switch {
		case r.Method == http.MethodGet && getOrder.MatchString(r.URL.Path) && rec.Code == http.StatusOK:
			var env map[string]map[string]any
			if err := json.Unmarshal(body, &env); err != nil {
				panic(err)
			}
			d := env["data"]
			d["x_drift"] = "surprise"
			d["integration_mode"] = "WIDGET"
			d["payment_retries_remaining"] = "3"
			body, _ = json.Marshal(env)
		case r.Method == http.MethodPost && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html"):
			body = sig.ReplaceAllFunc(body, func(m []byte) []byte {
				c := m[len(m)-1]
				flip := byte('0')
				if c == '0' {
					flip = '1'
				}
				return append(m[:len(m)-1:len(m)-1], flip)
			})
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

func TestRunReportsEachDeviationOnce(t *testing.T) {
	t.Parallel()
	opts := serve(t, deviate)
	var progress bytes.Buffer
	opts.Progress = &progress
	res, err := conformance.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, &progress)
	}
	want := []struct {
		kind      conformance.Kind
		operation string
		path      string
	}{
		{conformance.KindUnknownField, "getOrder", "data.x_drift"},
		{conformance.KindUnknownEnum, "getOrder", "data.integration_mode"},
		{conformance.KindStringNumber, "getOrder", "data.payment_retries_remaining"},
		{conformance.KindSignature, "", ""},
	}
	for _, w := range want {
		n := 0
		for _, f := range res.Findings {
			if f.Kind == w.kind && (w.operation == "" || f.Operation == w.operation) && (w.path == "" || samePath(f.Path, w.path)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s at %s %s: reported %d times, want once", w.kind, w.operation, w.path, n)
		}
	}
	if len(res.Findings) != len(want) {
		t.Errorf("%d findings, want %d", len(res.Findings), len(want))
	}
	if t.Failed() {
		for _, f := range res.Findings {
			t.Logf("finding: %+v", f)
		}
		t.Logf("progress:\n%s", &progress)
	}
}

// samePath compares a finding's path with a dotted one, whatever notation
// the checker writes it in (data.a.b, /data/a/b, $.data.a.b).
func samePath(got, want string) bool {
	norm := strings.NewReplacer("/", ".", "$", "", "[", ".", "]", "").Replace(got)
	return strings.Trim(norm, ".") == want
}

func TestRunStopsOnBadCredentials(t *testing.T) {
	t.Parallel()
	opts := serve(t, nil)
	opts.ClientSecret = "wrong-secret"
	res, err := conformance.Run(context.Background(), opts)
	if err == nil {
		t.Fatal("Run succeeded with a wrong client secret")
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if res != nil && res.Operations["createOrder"] > 0 {
		t.Errorf("the run went on to create orders: %v", res.Operations)
	}
}

func TestRunCleansUpWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu        sync.Mutex
		cancelled []string
	)
	opts := serve(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Stop the run right after the first challenge is
			// approved: the order is then AUTHORIZED and the card saved.
			if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "challenge") {
				defer cancel()
			}
			if strings.HasSuffix(r.URL.Path, "/cancel") {
				mu.Lock()
				cancelled = append(cancelled, r.URL.Path)
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	})
	var progress bytes.Buffer
	opts.Progress = &progress
	res, err := conformance.Run(ctx, opts)
	if err == nil {
		t.Fatalf("Run succeeded though cancelled\nprogress:\n%s", &progress)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(cancelled) != 1 {
		t.Errorf("%d orders cancelled, want 1 (the authorised one)", len(cancelled))
	}
	if res.Operations["deleteCustomerToken"] != 1 {
		t.Errorf("the saved token was not deleted: %v", res.Operations)
	}
	if t.Failed() {
		t.Logf("progress:\n%s", &progress)
	}
}
