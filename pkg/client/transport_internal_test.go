package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

// TestHeaders is not parallel: it sets time.Local.
func TestHeaders(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	old := time.Local
	time.Local = kolkata
	t.Cleanup(func() { time.Local = old })

	s := newAPI(t)
	c, clk := testClient(t, s, WithUserAgent("shop/2.1"))
	clk.t = time.Date(2026, 11, 23, 15, 30, 0, 123456789, kolkata) // 10:00:00.123 UTC
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-headers"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOrder(t.Context(), *o.OrderID); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests("")
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want token, create, get", len(reqs))
	}
	ids := map[string]bool{}
	for i, r := range reqs {
		h := r.Header
		if got := h.Get("Request-Timestamp"); got != "2026-11-23T10:00:00.123Z" {
			t.Errorf("request %d: Request-Timestamp %q, want UTC with milliseconds", i, got)
		}
		id := h.Get("Request-ID")
		if _, err := uuid.Parse(id); err != nil || ids[id] {
			t.Errorf("request %d: Request-ID %q is not a fresh UUID", i, id)
		}
		ids[id] = true
		if h.Get("Accept") != "application/json" || h.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: Accept %q Content-Type %q", i, h.Get("Accept"), h.Get("Content-Type"))
		}
		if got := h.Get("User-Agent"); got != "pinegen-go/"+Version+" shop/2.1" {
			t.Errorf("request %d: User-Agent %q", i, got)
		}
		auth := h.Get("Authorization")
		if i == 0 && auth != "" {
			t.Errorf("token call sent Authorization %q", auth)
		}
		if i > 0 && auth != "Bearer "+s.LastToken() {
			t.Errorf("request %d: Authorization %q", i, auth)
		}
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults []fakeapi.Fault
		waits  []time.Duration // with jitter at its maximum
	}{
		{"503 then success", []fakeapi.Fault{fakeapi.Status(503)}, []time.Duration{200 * time.Millisecond}},
		{"backoff doubles", []fakeapi.Fault{fakeapi.Status(503), fakeapi.Status(503), fakeapi.Status(503)}, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
		{"429 honours Retry-After", []fakeapi.Fault{fakeapi.RateLimited("2")}, []time.Duration{2 * time.Second}},
		{"connection closed", []fakeapi.Fault{fakeapi.Reset()}, []time.Duration{200 * time.Millisecond}},
		{"truncated body", []fakeapi.Fault{fakeapi.Truncate()}, []time.Duration{200 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPI(t)
			c, clk := testClient(t, s)
			s.Inject(fakeapi.OpCheckBNPL, tc.faults...)
			r, err := c.CheckBNPLEligibility(t.Context(), bnplRequest())
			if err != nil || r == nil || r.TxnEligibility == nil || !*r.TxnEligibility {
				t.Fatalf("= %v, %v", r, err)
			}
			if got := clk.slept(); !equalDurations(got, tc.waits) {
				t.Errorf("waits %v, want %v", got, tc.waits)
			}
			var ids []string
			for _, r := range s.Requests(fakeapi.OpCheckBNPL) {
				ids = append(ids, r.RequestID)
			}
			for _, id := range ids {
				if id != ids[0] {
					t.Errorf("Request-IDs differ across retries: %v", ids)
					break
				}
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRetriesBounded(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 1, 3} {
		s := newAPI(t)
		c, _ := testClient(t, s, WithRetries(retries))
		s.Inject(fakeapi.OpCheckBNPL, fakeapi.Status(503), fakeapi.Status(503), fakeapi.Status(503), fakeapi.Status(503), fakeapi.Status(503))
		r, err := c.CheckBNPLEligibility(t.Context(), bnplRequest())
		var apiErr *APIError
		if r != nil || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("retries %d: = %v, %v; want the 503", retries, r, err)
		}
		wantHits(t, s, fakeapi.OpCheckBNPL, retries+1)
	}
}

func TestBackoffCapped(t *testing.T) {
	t.Parallel()
	c := &Client{clock: (&fakeClock{}).clock()}
	for attempt, want := range map[int]time.Duration{1: 200 * time.Millisecond, 5: 3200 * time.Millisecond, 6: 5 * time.Second, 60: 5 * time.Second} {
		if got := c.backoff(attempt, 0); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
	if got := c.backoff(1, 7*time.Second); got != 7*time.Second {
		t.Errorf("Retry-After ignored: %v", got)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Mon, 23 Nov 2026 10:00:05 GMT": 5 * time.Second,
		"Mon, 23 Nov 2026 09:00:00 GMT": 0,
	}
	for v, want := range cases {
		h := http.Header{}
		if v != "" {
			h.Set("Retry-After", v)
		}
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	c.clock.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	s.Inject(fakeapi.OpCheckBNPL, fakeapi.Status(503))
	_, err := c.CheckBNPLEligibility(ctx, bnplRequest())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	wantHits(t, s, fakeapi.OpCheckBNPL, 1)
}

func TestRetryAfterPastDeadlineIsNotAwaited(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, clk := testClient(t, s)
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(time.Hour))
	defer cancel()
	clk.t = time.Now().Add(time.Hour - time.Second) // one second of the deadline left; the server asks for two
	s.Inject(fakeapi.OpCheckBNPL, fakeapi.RateLimited("2"))
	_, err := c.CheckBNPLEligibility(ctx, bnplRequest())
	if !errors.Is(err, ErrRateLimited) || len(clk.slept()) != 0 {
		t.Fatalf("err = %v after waits %v; want the 429 at once", err, clk.slept())
	}
}

func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, clk := testClient(t, s, WithTimeout(50*time.Millisecond), WithRetries(1))
	s.Inject(fakeapi.OpCheckBNPL, hang(t), hang(t))
	_, err := c.CheckBNPLEligibility(t.Context(), bnplRequest())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	wantHits(t, s, fakeapi.OpCheckBNPL, 2)
	if waits := clk.slept(); len(waits) != 1 {
		t.Errorf("waits %v, want 1", waits)
	}
}
