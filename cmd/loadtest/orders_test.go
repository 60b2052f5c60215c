package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// ordersServer records what orders.lua sends and answers each request with
// status(n), n counting from 1.
type ordersServer struct {
	status func(n int) int

	mu                sync.Mutex
	n, creates, reads int
	requestIDs, refs  map[string]bool
	problems          []string
}

var refPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,50}$`)

func (s *ordersServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	problem := func(format string, args ...any) {
		if len(s.problems) < 10 {
			s.problems = append(s.problems, r.Method+" "+r.URL.Path+": "+format)
		}
	}
	if got := r.Header.Get("Authorization"); got != "Bearer tok-123" {
		problem("Authorization %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		problem("Content-Type %q", got)
	}
	id := r.Header.Get("Request-ID")
	if id == "" || len(id) > 50 || s.requestIDs[id] {
		problem("Request-ID %q empty, too long or reused", id)
	}
	s.requestIDs[id] = true
	ts := r.Header.Get("Request-Timestamp")
	if when, err := time.Parse("2006-01-02T15:04:05.000Z", ts); err != nil || time.Since(when).Abs() > time.Minute {
		problem("Request-Timestamp %q is not RFC 3339 UTC with milliseconds, now", ts)
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/pay/v1/orders":
		s.creates++
		var body struct {
			Ref    string         `json:"merchant_order_reference"`
			Amount map[string]any `json:"order_amount"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Amount == nil {
			problem("body: %v", err)
		}
		if !refPattern.MatchString(body.Ref) || s.refs[body.Ref] {
			problem("merchant_order_reference %q invalid or reused", body.Ref)
		}
		s.refs[body.Ref] = true
	case r.Method == "GET" && r.URL.Path == "/api/pay/v1/orders/v1-order-1":
		s.reads++
	default:
		problem("unexpected request")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status(s.n))
	w.Write([]byte(`{"data":{"order_id":"v1-order-1"}}`))
}

func runOrdersScript(t *testing.T, status func(int) int) (*ordersServer, wrkResult, error) {
	t.Helper()
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Skip("wrk is not installed (apt-get install -y wrk)")
	}
	dir := t.TempDir()
	example, err := os.ReadFile("../../spec/examples/createOrder/request.tokenization-004.json")
	if err != nil {
		t.Fatal(err)
	}
	body, err := bodyTemplate(example)
	if err != nil {
		t.Fatal(err)
	}
	run := wrkRun{
		Token:    "tok-123",
		OrderID:  "v1-order-1",
		BodyFile: filepath.Join(dir, "body.json"),
		Script:   filepath.Join(dir, "orders.lua"),
		RunID:    "lt0123abcd-memory-m",
	}
	os.WriteFile(run.BodyFile, body, 0o600)
	os.WriteFile(run.Script, ordersScript, 0o600)
	s := &ordersServer{status: status, requestIDs: map[string]bool{}, refs: map[string]bool{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	run.BaseURL = srv.URL
	res, err := runWrk(context.Background(), load{Threads: 2, Connections: 4, Duration: time.Second, Timeout: 5 * time.Second}, run)
	return s, res, err
}

// TestOrdersScript runs orders.lua under wrk against a server that checks
// every request as the sandbox and Prism would.
func TestOrdersScript(t *testing.T) {
	t.Parallel()
	s, res, err := runOrdersScript(t, func(int) int { return http.StatusOK })
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		t.Error(p)
	}
	if s.creates == 0 || s.reads == 0 {
		t.Fatalf("%d creates and %d reads; want both", s.creates, s.reads)
	}
	// Each thread alternates, so the two counts differ by at most one per
	// connection (requests in flight when the run ends).
	if d := s.creates - s.reads; d < -4 || d > 4 {
		t.Errorf("%d creates and %d reads; want them alternating", s.creates, s.reads)
	}
	if res.Responses == 0 || res.Non2xx != 0 || res.RequestsPerSec <= 0 || res.P99 <= 0 {
		t.Errorf("result %+v", res)
	}
}

func TestOrdersScriptCountsNon2xx(t *testing.T) {
	t.Parallel()
	_, res, err := runOrdersScript(t, func(n int) int {
		if n%100 == 7 {
			return http.StatusUnprocessableEntity
		}
		return http.StatusOK
	})
	if err == nil || !strings.Contains(err.Error(), "responses were not 2xx; the first: 422 {") {
		t.Fatalf("runWrk error = %v, want one about non-2xx answers", err)
	}
	if res.Non2xx == 0 || res.Non2xx > res.Responses/50 {
		t.Errorf("Non2xx = %d of %d; want about 1 in 100", res.Non2xx, res.Responses)
	}
}
