package client

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

const testClientID = "a17ce30e-f88e-4f81-ada1-c3b4909ed232"

// Answers the API has been seen to give that the spec does not list: a 200
// that is not JSON, and a 401 without a code.
var (
	notJSON = fakeapi.After(fakeapi.Respond(200, "<html>ok</html>"))
	bare401 = fakeapi.Respond(401, `{"message":"Unauthorized"}`)
)

// newAPI starts the fake API with the credentials testClient sends.
func newAPI(t *testing.T) *fakeapi.Server {
	t.Helper()
	return fakeapi.New(t, fakeapi.Config{ClientID: testClientID, ClientSecret: testSecret})
}

// testClient returns a Client for s whose waits are instant and recorded.
func testClient(t *testing.T, s *fakeapi.Server, opts ...Option) (*Client, *fakeClock) {
	t.Helper()
	c, err := New(testClientID, testSecret, append([]Option{WithBaseURL(s.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	fc := &fakeClock{t: time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.UTC)}
	c.clock = fc.clock()
	return c, fc
}

// hang holds a request until the client gives up; the test's end releases
// any it did not.
func hang(t *testing.T) fakeapi.Fault {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return fakeapi.Stall(release)
}

// fakeClock is a clock that moves only when told to, and records every
// wait instead of waiting.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (f *fakeClock) clock() clock {
	return clock{
		now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.t
		},
		sleep: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.waits = append(f.waits, d)
			f.t = f.t.Add(d)
			f.mu.Unlock()
			return ctx.Err()
		},
		// The longest wait backoff allows, so tests can check the bound.
		jitter: func(d time.Duration) time.Duration { return d },
	}
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func (f *fakeClock) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// wantHits fails t unless s saw n requests of op.
func wantHits(t *testing.T, s *fakeapi.Server, op fakeapi.Op, n int) {
	t.Helper()
	if got := s.Hits(op); got != n {
		t.Errorf("%d %s requests, want %d", got, op, n)
	}
}
