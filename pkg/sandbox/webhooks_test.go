package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/contract"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/pkg/webhook"
)

var webhookTestSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("sandbox webhook test key"))

const webhookTestKeyHex = "6a1f0c2e9b7d4c3a5e8f1b2d3c4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60"

// fastRetry keeps the retry tests from waiting seconds; nothing asserts
// on how long anything takes.
var fastRetry = retryPolicy{base: time.Millisecond, cap: 4 * time.Millisecond, maxAttempts: 1000}

// A receiver is a merchant's webhook endpoint: it verifies every delivery
// with webhook.NewVerifier and answers what answer says.
type receiver struct {
	t        *testing.T
	srv      *httptest.Server
	verifier *webhook.Verifier

	mu     sync.Mutex
	n      int
	answer func(n int, r *http.Request) int // for the nth request, from 1
	got    []received
}

// received is one verified request and what the receiver answered.
type received struct {
	ID, Timestamp string
	Type          webhook.EventType
	Order         pinelabs.Order
	Body          []byte
	Status        int
}

func answerOK(int, *http.Request) int { return http.StatusOK }

func newReceiver(t *testing.T, answer func(n int, r *http.Request) int) *receiver {
	t.Helper()
	v, err := webhook.NewVerifier(webhookTestSecret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{t: t, verifier: v, answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the sender went away
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rc.t.Errorf("Content-Type = %q, want application/json", ct)
	}
	ev, err := rc.verifier.Verify(r.Header, body)
	if err != nil {
		rc.t.Errorf("a delivery does not verify: %v", err)
		http.Error(w, "invalid webhook", http.StatusBadRequest)
		return
	}
	var o pinelabs.Order
	if err := json.Unmarshal(ev.Data, &o); err != nil {
		rc.t.Errorf("data is not an order: %v", err)
	}
	rc.mu.Lock()
	rc.n++
	n, answer := rc.n, rc.answer
	rc.mu.Unlock()
	status := answer(n, r)
	rc.mu.Lock()
	rc.got = append(rc.got, received{ID: ev.ID, Timestamp: r.Header.Get(webhook.HeaderTimestamp), Type: ev.Type, Order: o, Body: body, Status: status})
	rc.mu.Unlock()
	if status/100 != 2 {
		http.Error(w, "down for maintenance", status)
		return
	}
	w.WriteHeader(status)
}

func (rc *receiver) setAnswer(answer func(n int, r *http.Request) int) {
	rc.mu.Lock()
	rc.answer = answer
	rc.mu.Unlock()
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func webhookConfig(t *testing.T, webhookURL string) Config {
	t.Helper()
	key, err := signature.ParseKey(webhookTestKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		ClientID: "client-id", ClientSecret: "client-secret", SecretKey: key,
		WebhookURL: webhookURL, WebhookSecret: webhookTestSecret,
	}
}

// newWebhookSandbox starts a sandbox that sends its webhooks to rc, with
// store (nil for a new one) and retry policy p; Close runs at cleanup.
func newWebhookSandbox(t *testing.T, rc *receiver, store Store, p retryPolicy) *Sandbox {
	t.Helper()
	cfg := webhookConfig(t, rc.srv.URL+"/pinelabs/webhook")
	cfg.Store = store
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	sb.hooks.setRetry(p)
	return sb
}

// serveSandbox serves sb, every API response held to the spec, and returns
// a client of it and the HTTP client that reaches it.
func serveSandbox(t *testing.T, sb *Sandbox) (*client.Client, *http.Client) {
	t.Helper()
	api := httptest.NewServer(contract.New(t).Handler(t, sb))
	t.Cleanup(api.Close)
	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL), client.WithHTTPClient(api.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c, api.Client()
}

// authorizeOrder takes a pre-auth card order through the customer's approved
// challenge, and returns it AUTHORIZED.
func authorizeOrder(t *testing.T, c *client.Client, hc *http.Client, ref string) *pinelabs.Order {
	t.Helper()
	ctx := t.Context()
	o, err := c.CreateOrder(ctx, &client.CreateOrderRequest{
		MerchantOrderReference: ref,
		OrderAmount:            client.INR(110000),
		PreAuth:                ptr(true),
		CallbackURL:            ptr("https://merchant.example/pinelabs/callback"),
	})
	if err != nil {
		t.Fatal(err)
	}
	o, err = c.CreatePayment(ctx, *o.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{{
		PaymentMethod: client.MethodCard,
		PaymentAmount: *o.OrderAmount,
		PaymentOption: client.PaymentOption{CardDetails: &client.CardDetails{
			CardNumber: "4012001037141112", CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030",
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.PostForm(*o.ChallengeURL, url.Values{"action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approving the challenge: %s", resp.Status)
	}
	o, err = c.GetOrder(ctx, *o.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if *o.Status != pinelabs.OrderStatusAUTHORIZED {
		t.Fatalf("after the challenge the order is %s, want AUTHORIZED", *o.Status)
	}
	return o
}

// storedDeliveries reads the order's webhook deliveries from the store.
func storedDeliveries(t *testing.T, store Store, orderID string) []WebhookDelivery {
	t.Helper()
	var ds []WebhookDelivery
	err := store.View(context.Background(), func(tx Tx) error {
		o, err := tx.Order(orderID)
		if err == nil {
			ds = o.Webhooks
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// waitUntil polls cond until it holds. The deadline only turns a hang
// into a failure; nothing depends on how soon cond holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}

// describe shows a delivery without its body, for failure messages.
func describe(ds []WebhookDelivery) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n\t%s %s attempts=%d delivered=%t next=%t gave_up=%t last_error=%q",
			d.ID, d.Type, d.Attempts, !d.Delivered.IsZero(), !d.NextAttempt.IsZero(), d.GaveUp, d.LastError)
	}
	return b.String()
}

func allSettled(ds []WebhookDelivery) bool {
	for _, d := range ds {
		if d.Delivered.IsZero() && !d.GaveUp {
			return false
		}
	}
	return len(ds) > 0
}

func TestWebhooksOrderLifecycle(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, answerOK)
	sb := newWebhookSandbox(t, rc, nil, fastRetry)
	c, hc := serveSandbox(t, sb)

	authorized := authorizeOrder(t, c, hc, "wh-lifecycle")
	id := *authorized.OrderID
	processed, err := c.CaptureOrder(t.Context(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "both deliveries are made", func() bool {
		ds := storedDeliveries(t, sb.Store(), id)
		return len(ds) == 2 && allSettled(ds)
	})

	got := rc.received()
	if len(got) != 2 {
		t.Fatalf("the receiver got %d deliveries, want 2 (no event for CREATED or PENDING)", len(got))
	}
	want := []struct {
		typ   webhook.EventType
		order *pinelabs.Order
	}{{webhook.EventOrderAuthorized, authorized}, {webhook.EventOrderProcessed, processed}}
	for i, w := range want {
		g := got[i]
		if g.Type != w.typ {
			t.Errorf("delivery %d is %s, want %s", i, g.Type, w.typ)
		}
		// The data is the order as the API reported it right after the
		// change, updated_at included.
		if !reflect.DeepEqual(g.Order, *w.order) {
			gj, _ := json.Marshal(g.Order)
			wj, _ := json.Marshal(w.order)
			t.Errorf("delivery %d data:\n got %s\nwant %s", i, gj, wj)
		}
		if bytes.Contains(g.Body, []byte("4012001037141112")) || !bytes.Contains(g.Body, []byte(`"1112"`)) {
			t.Errorf("delivery %d must carry the card's last four digits only: %s", i, g.Body)
		}
	}
	if got[0].ID == got[1].ID {
		t.Errorf("two events share webhook-id %s", got[0].ID)
	}
	for i, d := range storedDeliveries(t, sb.Store(), id) {
		if d.ID != got[i].ID || d.Type != string(want[i].typ) || d.Attempts != 1 || d.Delivered.IsZero() || !d.NextAttempt.IsZero() || d.LastError != "" || d.GaveUp {
			t.Errorf("stored delivery %d:%s", i, describe([]WebhookDelivery{d}))
		}
	}
}

func TestWebhooksKeepOrderPerOrder(t *testing.T) {
	t.Parallel()
	down := func(int, *http.Request) int { return http.StatusInternalServerError }
	rc := newReceiver(t, down)
	sb := newWebhookSandbox(t, rc, nil, fastRetry)
	c, hc := serveSandbox(t, sb)

	id := *authorizeOrder(t, c, hc, "wh-order").OrderID
	waitUntil(t, "ORDER_AUTHORIZED has failed", func() bool { return storedDeliveries(t, sb.Store(), id)[0].Attempts > 0 })
	if _, err := c.CaptureOrder(t.Context(), id, nil); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "ORDER_AUTHORIZED has failed again", func() bool { return storedDeliveries(t, sb.Store(), id)[0].Attempts > 2 })
	if ds := storedDeliveries(t, sb.Store(), id); len(ds) != 2 || ds[1].Attempts != 0 {
		t.Fatalf("stored deliveries:%s\nwant ORDER_PROCESSED held back while ORDER_AUTHORIZED is retried", describe(ds))
	}
	rc.setAnswer(answerOK)
	waitUntil(t, "both are delivered", func() bool { return allSettled(storedDeliveries(t, sb.Store(), id)) })

	var types []webhook.EventType
	for _, g := range rc.received() {
		types = append(types, g.Type)
	}
	if n := len(types); n < 2 || types[n-2] != webhook.EventOrderAuthorized || types[n-1] != webhook.EventOrderProcessed ||
		slices.Contains(types[:n-1], webhook.EventOrderProcessed) {
		t.Errorf("the receiver got %v, want ORDER_AUTHORIZED until it succeeds, then ORDER_PROCESSED", types)
	}
}

func TestWebhooksRetryKeepsID(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, func(n int, _ *http.Request) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	sb := newWebhookSandbox(t, rc, nil, fastRetry)
	c, hc := serveSandbox(t, sb)

	id := *authorizeOrder(t, c, hc, "wh-retry").OrderID
	waitUntil(t, "the delivery is made", func() bool { return allSettled(storedDeliveries(t, sb.Store(), id)) })

	got := rc.received()
	if len(got) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(got))
	}
	for i, g := range got {
		if g.ID != got[0].ID || g.Type != webhook.EventOrderAuthorized || !bytes.Equal(g.Body, got[0].Body) {
			t.Errorf("attempt %d is %s %s, want the same delivery as the first, %s %s", i+1, g.ID, g.Type, got[0].ID, got[0].Type)
		}
	}
	ds := storedDeliveries(t, sb.Store(), id)
	if d := ds[0]; len(ds) != 1 || d.ID != got[0].ID || d.Attempts != 3 || d.Delivered.IsZero() || d.LastError != "" || d.GaveUp {
		t.Errorf("stored deliveries:%s\nwant one delivered after 3 attempts", describe(ds))
	}
}

func TestWebhooksGiveUp(t *testing.T) {
	t.Parallel()
	down := func(int, *http.Request) int { return http.StatusServiceUnavailable }
	rc := newReceiver(t, down)
	p := fastRetry
	p.maxAttempts = 4
	sb := newWebhookSandbox(t, rc, nil, p)
	c, hc := serveSandbox(t, sb)

	id := *authorizeOrder(t, c, hc, "wh-give-up").OrderID
	waitUntil(t, "the delivery is given up", func() bool { return allSettled(storedDeliveries(t, sb.Store(), id)) })
	ds := storedDeliveries(t, sb.Store(), id)
	if d := ds[0]; len(ds) != 1 || !d.GaveUp || d.Attempts != 4 || !d.Delivered.IsZero() || !d.NextAttempt.IsZero() ||
		!strings.Contains(d.LastError, "503") || !strings.Contains(d.LastError, "down for maintenance") {
		t.Fatalf("stored deliveries:%s\nwant one given up after 4 attempts", describe(ds))
	}

	// A delivery given up holds back none after it, and is not tried
	// again.
	rc.setAnswer(answerOK)
	if _, err := c.CancelOrder(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the cancellation is delivered", func() bool { return allSettled(storedDeliveries(t, sb.Store(), id)) })
	got := rc.received()
	if len(got) != 5 || got[4].Type != webhook.EventOrderCancelled || got[4].Status != http.StatusOK {
		t.Fatalf("the receiver got %d requests, the last %s; want 4 failed attempts and ORDER_CANCELLED", len(got), got[len(got)-1].Type)
	}
	for _, g := range got[:4] {
		if g.ID != ds[0].ID {
			t.Errorf("an attempt of the given-up delivery has webhook-id %s, want %s", g.ID, ds[0].ID)
		}
	}
}

// Not parallel: it counts goroutines.
func TestWebhooksCloseCancelsAttempt(t *testing.T) {
	before := runtime.NumGoroutine()

	arrived, release := make(chan struct{}, 1), make(chan struct{})
	rc := newReceiver(t, func(_ int, r *http.Request) int {
		arrived <- struct{}{}
		// Only the sender going away ends the wait, or the test's end, so
		// that a failure does not hang the receiver's Close.
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return http.StatusServiceUnavailable
	})
	t.Cleanup(func() { close(release) })
	store := NewMemoryStore()
	id := seedDelivery(t, store)
	cfg := webhookConfig(t, rc.srv.URL)
	cfg.Store = store
	// A client with no timeout of its own: only Close can end the attempt.
	cfg.WebhookClient = &http.Client{Transport: &http.Transport{}}
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	<-arrived

	closed := make(chan error, 1)
	go func() { closed <- sb.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close is waiting for the receiver to answer")
	}
	select {
	case <-sb.hooks.done:
	default:
		t.Fatal("Close returned before the sender ended")
	}
	// The cancelled attempt is not held against the delivery.
	if ds := storedDeliveries(t, store, id); ds[0].Attempts != 0 || ds[0].LastError != "" || ds[0].NextAttempt.IsZero() {
		t.Errorf("after Close:%s\nwant the delivery due and unattempted", describe(ds))
	}

	rc.srv.Close()
	waitUntil(t, "the goroutines started by the test end", func() bool { return runtime.NumGoroutine() <= before })
}

// seedDelivery stores an order with one delivery due, as a sandbox closed
// before sending it leaves it.
func seedDelivery(t *testing.T, store Store) string {
	t.Helper()
	now := time.Now()
	o := &Order{Order: pinelabs.Order{
		OrderID: ptr("v1-seeded-aa-000001"), MerchantOrderReference: ptr("wh-seeded"), Status: ptr(pinelabs.OrderStatusPROCESSED),
	}}
	body, _ := json.Marshal(envelope{EventType: webhook.EventOrderProcessed, Data: o.Order})
	o.Webhooks = []WebhookDelivery{{ID: "wh_seeded", Type: string(webhook.EventOrderProcessed), Body: body, CreatedAt: now, NextAttempt: now}}
	if err := store.Update(context.Background(), func(tx Tx) error { return tx.PutOrder(o) }); err != nil {
		t.Fatal(err)
	}
	return o.ID()
}

func TestWebhooksResumeAfterRestart(t *testing.T) {
	t.Parallel()
	down := func(int, *http.Request) int { return http.StatusBadGateway }
	rc := newReceiver(t, down)
	store := NewMemoryStore()

	first := newWebhookSandbox(t, rc, store, fastRetry)
	c, hc := serveSandbox(t, first)
	id := *authorizeOrder(t, c, hc, "wh-restart").OrderID
	waitUntil(t, "two attempts have failed", func() bool { return storedDeliveries(t, store, id)[0].Attempts >= 2 })
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	failed := storedDeliveries(t, store, id)[0].Attempts

	rc.setAnswer(answerOK)
	second := newWebhookSandbox(t, rc, store, fastRetry)
	waitUntil(t, "the second sandbox delivers", func() bool { return allSettled(storedDeliveries(t, second.Store(), id)) })

	ds := storedDeliveries(t, store, id)
	if d := ds[0]; len(ds) != 1 || d.Delivered.IsZero() || d.Attempts != failed+1 {
		t.Errorf("stored deliveries:%s\nwant one delivered at attempt %d", describe(ds), failed+1)
	}
	got := rc.received()
	for _, g := range got {
		if g.ID != ds[0].ID || g.Type != webhook.EventOrderAuthorized {
			t.Errorf("the receiver got %s %s, want only attempts of %s", g.ID, g.Type, ds[0].ID)
		}
	}
	if last := got[len(got)-1]; last.Status != http.StatusOK {
		t.Errorf("the last request was answered %d, want 200", last.Status)
	}
}

func TestWebhookEventTypes(t *testing.T) {
	t.Parallel()
	h, err := newWebhooks(&Sandbox{}, webhookConfig(t, "https://merchant.example/webhook"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status pinelabs.OrderStatus
		want   webhook.EventType // empty: no event
	}{
		{pinelabs.OrderStatusCREATED, ""},
		{pinelabs.OrderStatusPENDING, ""},
		{pinelabs.OrderStatusAUTHORIZED, webhook.EventOrderAuthorized},
		{pinelabs.OrderStatusPROCESSED, webhook.EventOrderProcessed},
		{pinelabs.OrderStatusCANCELLED, webhook.EventOrderCancelled},
		{pinelabs.OrderStatusFAILED, webhook.EventOrderFailed},
		{pinelabs.OrderStatusATTEMPTED, webhook.EventPaymentFailed},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			now := time.Now()
			o := &Order{Order: pinelabs.Order{OrderID: ptr("v1-x"), Status: ptr(tc.status)}}
			h.queue(o, now)
			if tc.want == "" {
				if len(o.Webhooks) != 0 {
					t.Fatalf("queued:%s\nwant nothing", describe(o.Webhooks))
				}
				return
			}
			if len(o.Webhooks) != 1 {
				t.Fatalf("queued %d deliveries, want 1", len(o.Webhooks))
			}
			d := o.Webhooks[0]
			var body struct {
				EventType webhook.EventType `json:"event_type"`
				Data      pinelabs.Order    `json:"data"`
			}
			if err := json.Unmarshal(d.Body, &body); err != nil {
				t.Fatal(err)
			}
			if d.Type != string(tc.want) || body.EventType != tc.want || deref(body.Data.Status) != tc.status || d.ID == "" || !d.NextAttempt.Equal(now) || d.Attempts != 0 {
				t.Errorf("queued:%s\nwith body %s", describe(o.Webhooks), d.Body)
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	p := retryPolicy{base: retryBase, cap: retryCap, maxAttempts: retryMaxAttempts}
	for attempts, want := range map[int]time.Duration{
		1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 4 * time.Second, 1000: 4 * time.Second,
	} {
		if got := p.delay(attempts); got != want {
			t.Errorf("after %d failed attempts the wait is %v, want %v", attempts, got, want)
		}
	}
}

func TestNewWebhooksRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, secret string
		// hidden must not appear in the error.
		hidden string
	}{
		{name: "relative URL", url: "/pinelabs/webhook", secret: webhookTestSecret},
		{name: "no host", url: "https:///webhook", secret: webhookTestSecret},
		{name: "not http", url: "ftp://merchant.example/webhook", secret: webhookTestSecret},
		{name: "unparsable URL", url: "https://merchant.example/%zz-p4ss", secret: webhookTestSecret, hidden: "p4ss"},
		{name: "credentials in URL", url: "https://merchant:p4ss@merchant.example/webhook", secret: webhookTestSecret, hidden: "p4ss"},
		{name: "secret empty", url: "https://merchant.example/webhook", secret: ""},
		{name: "secret not base64", url: "https://merchant.example/webhook", secret: "whsec_s3cret!", hidden: "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := webhookConfig(t, tc.url)
			cfg.WebhookSecret = tc.secret
			sb, err := New(cfg)
			if err == nil {
				sb.Close()
				t.Fatal("New accepted the configuration")
			}
			if tc.hidden != "" && strings.Contains(err.Error(), tc.hidden) {
				t.Errorf("the error repeats a secret: %v", err)
			}
			if tc.secret == "" && !errors.Is(err, webhook.ErrInvalidSecret) {
				t.Errorf("err = %v, want webhook.ErrInvalidSecret", err)
			}
		})
	}
}
