package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

func TestTokenFetchedLazilyAndCached(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	if n := s.Hits(fakeapi.OpToken); n != 0 {
		t.Fatalf("New made %d token calls", n)
	}
	for range 3 {
		if _, err := c.CheckBNPLEligibility(t.Context(), bnplRequest()); err != nil {
			t.Fatal(err)
		}
	}
	wantHits(t, s, fakeapi.OpToken, 1)
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
			s := newAPI(t)
			s.Inject(fakeapi.OpToken, fakeapi.Respond(200, fmt.Sprintf(tc.body, 1)), fakeapi.Respond(200, fmt.Sprintf(tc.body, 2)))
			c, clk := testClient(t, s)
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
			wantHits(t, s, fakeapi.OpToken, 2)
		})
	}
}

// TestTokenSingleFlight: a hundred callers arriving when the token is due
// for refresh cause exactly one token call.
func TestTokenSingleFlight(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, clk := testClient(t, s)
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
	wantHits(t, s, fakeapi.OpToken, 2) // one at start, one at expiry
	wantHits(t, s, fakeapi.OpGetOrder, 100)
}

func TestTokenRefreshedOnceOn401(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-401"))
	if err != nil {
		t.Fatal(err)
	}
	// The server revokes the token mid-session: one refresh, one retry.
	s.RevokeTokens()
	if _, err := c.GetOrder(t.Context(), *o.OrderID); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	wantHits(t, s, fakeapi.OpToken, 2)
	// A 401 that survives the refresh is returned, after one retry only.
	s.Inject(fakeapi.OpGetOrder, bare401, bare401, bare401)
	_, err = c.GetOrder(t.Context(), *o.OrderID)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	wantHits(t, s, fakeapi.OpToken, 3)
	wantHits(t, s, fakeapi.OpGetOrder, 4) // 2 per call: the 401 and its one retry
}

func TestTokenBadCredentials(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, err := New("id", "wrong-secret-123", WithBaseURL(s.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrder(t.Context(), "v1-x")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Operation != "generateToken" || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want the token call's 401", err)
	}
	wantHits(t, s, fakeapi.OpGetOrder, 0) // nothing is sent without a token
}

func TestTokenWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
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
	s := newAPI(t)
	s.Inject(fakeapi.OpToken, fakeapi.Respond(200, `eyJhbGciOiJIUzI1NiJ9.bare-token`))
	c, _ := testClient(t, s, WithRetries(0))
	_, err := c.GetOrder(t.Context(), "v1-x")
	var d *DecodeError
	if !errors.As(err, &d) || d.Excerpt != "[redacted, 31 characters]" {
		t.Fatalf("err = %v", err)
	}
}
