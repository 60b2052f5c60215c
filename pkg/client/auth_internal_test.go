package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestTokenFetchedLazilyAndCached(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	c, _ := s.client(t)
	if n := s.count("generateToken"); n != 0 {
		t.Fatalf("New made %d token calls", n)
	}
	for range 3 {
		if _, err := c.CheckBNPLEligibility(t.Context(), bnplRequest()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.count("generateToken"); n != 1 {
		t.Errorf("3 calls made %d token calls, want 1", n)
	}
}

func TestTokenRefreshAhead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body string
		// the token is still used this long after it was fetched ...
		fresh time.Duration
		// ... and replaced this long after
		stale time.Duration
	}{
		// 3600s: refreshed 60s before expiry.
		{"expires_in", `{"access_token":"tok-%d","expires_in":3600}`, 3539 * time.Second, 3541 * time.Second},
		// 5 minutes: 10%% (30s) before expiry.
		{"expires_at", `{"access_token":"tok-%d","expires_at":"2026-11-23T10:05:00.123Z"}`, 269 * time.Second, 271 * time.Second},
		{"expires_at with 6 digits", `{"access_token":"tok-%d","expires_at":"2026-11-23T10:05:00.123456Z"}`, 269 * time.Second, 271 * time.Second},
		{"both: the earlier wins", `{"access_token":"tok-%d","expires_in":3600,"expires_at":"2026-11-23T10:05:00.123Z"}`, 269 * time.Second, 271 * time.Second},
		// Already past by our clock, or unreadable: assume 5 minutes.
		{"expires_at in the past", `{"access_token":"tok-%d","expires_at":"2026-11-23T09:00:00.000Z"}`, 269 * time.Second, 271 * time.Second},
		{"expires_at unreadable", `{"access_token":"tok-%d","expires_at":"tomorrow"}`, 269 * time.Second, 271 * time.Second},
		// Neither: assume 5 minutes.
		{"no expiry", `{"access_token":"tok-%d"}`, 269 * time.Second, 271 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			body := tc.body
			s.tokenBody = func(n int) string { return fmt.Sprintf(body, n) }
			c, clk := s.client(t)
			first, err := c.token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			clk.advance(tc.fresh)
			if tok, _ := c.token(t.Context()); tok != first {
				t.Errorf("after %v: token replaced too early", tc.fresh)
			}
			clk.advance(tc.stale - tc.fresh)
			if tok, _ := c.token(t.Context()); tok == first {
				t.Errorf("after %v: token not replaced", tc.stale)
			}
			if n := s.count("generateToken"); n != 2 {
				t.Errorf("%d token calls, want 2", n)
			}
		})
	}
}

// TestTokenSingleFlight: a hundred callers arriving when the token is due
// for refresh cause exactly one token call.
func TestTokenSingleFlight(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	c, clk := s.client(t)
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-single-flight"))
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Hour) // the 3600s token is now expired
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			if _, err := c.GetOrder(t.Context(), *o.OrderID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := s.count("generateToken"); n != 2 {
		t.Errorf("%d token calls, want 2 (one at start, one at expiry)", n)
	}
	if n := s.count("getOrder"); n != 100 {
		t.Errorf("%d getOrder calls, want 100", n)
	}
}

func TestTokenRefreshedOnceOn401(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	c, _ := s.client(t)
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-401"))
	if err != nil {
		t.Fatal(err)
	}
	// The server revokes the token mid-session: one refresh, one retry.
	s.snapshot(func(s *apiServer) { s.revoked["tok-1-eyJhbGciOiJIUzI1NiJ9"] = true })
	if _, err := c.GetOrder(t.Context(), *o.OrderID); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := s.count("generateToken"); n != 2 {
		t.Errorf("%d token calls, want 2", n)
	}
	// A 401 that survives the refresh is returned, after one retry only.
	s.fail("getOrder", status401, status401, status401)
	_, err = c.GetOrder(t.Context(), *o.OrderID)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if n := s.count("generateToken"); n != 3 {
		t.Errorf("%d token calls, want 3", n)
	}
	if n := s.count("getOrder"); n != 4 {
		t.Errorf("%d getOrder calls, want 4 (2 per call: the 401 and its one retry)", n)
	}
}

func TestTokenBadCredentials(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	c, err := New("id", "wrong-secret-123", WithBaseURL(s.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrder(t.Context(), "v1-x")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Operation != "generateToken" || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want the token call's 401", err)
	}
	if n := s.count("getOrder"); n != 0 {
		t.Errorf("getOrder sent %d times without a token", n)
	}
}

func TestTokenWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	c, _ := s.client(t)
	ctx, cancel := contextCancelled(t)
	cancel()
	if _, err := c.GetOrder(ctx, "v1-x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestTokenBodyNeverShown: a token response that is not JSON may be the
// bare token; the error shows only its length.
func TestTokenBodyNeverShown(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.tokenBody = func(int) string { return `eyJhbGciOiJIUzI1NiJ9.bare-token` }
	c, _ := s.client(t, WithRetries(0))
	_, err := c.GetOrder(t.Context(), "v1-x")
	var d *DecodeError
	if !errors.As(err, &d) || d.Excerpt != "[redacted, 31 characters]" {
		t.Fatalf("err = %v", err)
	}
}
