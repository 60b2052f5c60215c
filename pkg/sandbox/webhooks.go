package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/webhook"
)

// Webhooks work as an outbox. A change of an order's state appends a
// WebhookDelivery to the order in the same update that makes the change,
// so a delivery exists exactly when its change was stored, and survives a
// restart with a store that persists. One goroutine sends what is due.
//
// The deliveries of one order go out in the order the changes happened: a
// delivery waits while an earlier one of the same order is still being
// retried, so a receiver never sees ORDER_PROCESSED before the
// ORDER_AUTHORIZED it follows. Delivery is at least once: a receiver
// deduplicates on webhook-id, which stays the same on every attempt.

// The retry policy is Pine Labs': up to three retries within seconds (1s,
// 2s and 4s after the failures), after which the merchant is expected to
// poll the order. The dashboard shows a delivery given up.
const (
	retryBase        = time.Second
	retryCap         = 4 * time.Second
	retryMaxAttempts = 4
)

// webhookTimeout bounds an attempt when Config.WebhookClient is nil.
const webhookTimeout = 10 * time.Second

// maxErrorBody is how much of a refusal's body LastError quotes.
const maxErrorBody = 200

// webhooks sends the deliveries the store holds to Config.WebhookURL.
type webhooks struct {
	s      *Sandbox
	url    string
	signer *webhook.Signer
	client *http.Client
	// ownClient: the client is ours, so stop may close its idle
	// connections.
	ownClient bool

	wakeC  chan struct{} // capacity 1: a wake while one is pending is the same wake
	cancel context.CancelFunc
	done   chan struct{}

	mu sync.Mutex
	// pending holds the IDs of orders that may have outstanding
	// deliveries, so a pass reads those orders only. An ID is added when a
	// delivery is queued and removed only inside a store update that finds
	// nothing outstanding (see forgetIfSettled).
	pending map[string]bool
	retry   retryPolicy
}

type retryPolicy struct {
	base, cap   time.Duration
	maxAttempts int
}

// delay is the wait after the nth failed attempt.
func (p retryPolicy) delay(n int) time.Duration {
	d := p.base
	for i := 1; i < n && d < p.cap; i++ {
		d *= 2
	}
	return min(d, p.cap)
}

func newWebhooks(s *Sandbox, cfg Config) (*webhooks, error) {
	// Neither error quotes what url.Parse rejected or the credentials a
	// URL carries: Config.String prints the URL, and so would the log.
	u, err := url.Parse(cfg.WebhookURL)
	switch {
	case err != nil:
		return nil, errors.New("sandbox: Config.WebhookURL does not parse as a URL")
	case u.User != nil:
		return nil, errors.New("sandbox: Config.WebhookURL must not carry credentials")
	case !webURL(cfg.WebhookURL):
		return nil, fmt.Errorf("sandbox: Config.WebhookURL %q is not an absolute http(s) URL", cfg.WebhookURL)
	}
	signer, err := webhook.NewSigner(cfg.WebhookSecret)
	if err != nil {
		// The error never repeats the secret.
		return nil, fmt.Errorf("sandbox: Config.WebhookSecret: %w", err)
	}
	h := &webhooks{
		s:       s,
		url:     cfg.WebhookURL,
		signer:  signer,
		client:  cfg.WebhookClient,
		wakeC:   make(chan struct{}, 1),
		done:    make(chan struct{}),
		pending: map[string]bool{},
		retry:   retryPolicy{base: retryBase, cap: retryCap, maxAttempts: retryMaxAttempts},
	}
	if h.client == nil {
		h.ownClient = true
		h.client = &http.Client{
			Timeout:   webhookTimeout,
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			// A redirect is not a delivery: the endpoint must answer 2xx
			// itself, as a real sender expects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return h, nil
}

// start runs the sender until stop.
func (h *webhooks) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go h.run(ctx)
}

// stop cancels the attempt in flight, if any, and waits for the sender to
// end. A cancelled attempt is not recorded: it is due again when a
// sandbox opens the store next.
func (h *webhooks) stop() {
	h.cancel()
	<-h.done
	if h.ownClient {
		h.client.CloseIdleConnections()
	}
}

// wake tells the sender that an update has been stored, which may have
// queued deliveries.
func (h *webhooks) wake() {
	select {
	case h.wakeC <- struct{}{}:
	default:
	}
}

// eventTypes maps an order's new status to the event it is reported as.
// CREATED and PENDING have none: Pine Labs documents no event for an
// order made or a payment under way, only for outcomes. Nor do
// PARTIALLY_REFUNDED and FULLY_REFUNDED: a refund is reported by its own
// order's REFUND_PROCESSED.
var eventTypes = map[pinelabs.OrderStatus]webhook.EventType{
	pinelabs.OrderStatusAUTHORIZED: webhook.EventOrderAuthorized,
	pinelabs.OrderStatusPROCESSED:  webhook.EventOrderProcessed,
	pinelabs.OrderStatusCANCELLED:  webhook.EventOrderCancelled,
	pinelabs.OrderStatusFAILED:     webhook.EventOrderFailed,
	pinelabs.OrderStatusATTEMPTED:  webhook.EventPaymentFailed,
}

// refundEventTypes is eventTypes for an order of type REFUND.
var refundEventTypes = map[pinelabs.OrderStatus]webhook.EventType{
	pinelabs.OrderStatusPROCESSED: webhook.EventRefundProcessed,
	pinelabs.OrderStatusFAILED:    webhook.EventRefundFailed,
}

// tokenEventTypes maps a saved token's new status to its event. The docs
// name no TOKEN_DELETED: a deleted token is TOKEN_DEACTIVATED, its data
// saying DELETED.
var tokenEventTypes = map[pinelabs.TokenStatus]webhook.EventType{
	pinelabs.TokenStatusACTIVE:      webhook.EventTokenActivated,
	pinelabs.TokenStatusDEACTIVATED: webhook.EventTokenDeactivated,
	pinelabs.TokenStatusDELETED:     webhook.EventTokenDeactivated,
	pinelabs.TokenStatusSUSPENDED:   webhook.EventTokenSuspended,
}

// envelope is a delivery's body, the shape webhook.Verifier decodes: the
// order (a refund is one) or the saved token the event is about.
type envelope struct {
	EventType webhook.EventType `json:"event_type"`
	Data      any               `json:"data"`
}

// queue adds the delivery that o's new status calls for to o, which the
// caller's update is about to store. The body is encoded now, so that it
// reports the order as it was at this change even if it is sent later.
func (h *webhooks) queue(o *Order, now time.Time) {
	types := eventTypes
	if deref(o.Type) == pinelabs.OrderTypeREFUND {
		types = refundEventTypes
	}
	t, ok := types[o.Status()]
	if !ok {
		return
	}
	data := o.Order
	// The update stamps updated_at only after its change is made, which is
	// after this; the body reports the order as stored.
	data.UpdatedAt = ptr(timestamp(now))
	h.add(o, t, data, now)
}

// queueToken adds the delivery that the saved token t's new status calls
// for to o, the order that saved it, so that a token's events arrive in
// the order they happened, after the order's own.
func (h *webhooks) queueToken(o *Order, t *CustomerToken, now time.Time) {
	if typ, ok := tokenEventTypes[deref(t.Status)]; ok {
		h.add(o, typ, t.CustomerToken, now)
	}
}

func (h *webhooks) add(o *Order, t webhook.EventType, data any, now time.Time) {
	body, err := json.Marshal(envelope{EventType: t, Data: data})
	if err != nil {
		// As in Clone: a record that was read from the store encodes.
		panic("sandbox: a webhook body does not encode: " + err.Error())
	}
	o.Webhooks = append(o.Webhooks, WebhookDelivery{
		ID:          newID("wh_", 24),
		Type:        string(t),
		Body:        body,
		CreatedAt:   now,
		NextAttempt: now,
	})
	h.remember(o.ID())
}

// run sends deliveries until ctx ends: a pass over the pending orders
// after each wake and whenever the earliest retry falls due.
func (h *webhooks) run(ctx context.Context) {
	defer close(h.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	scanned := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wakeC:
		case <-timer.C:
		}
		// Deliveries left in the store by an earlier sandbox are found by
		// one scan; after that, queue keeps the pending set.
		if !scanned {
			scanned = h.scan(ctx)
		}
		next := h.pass(ctx)
		if ctx.Err() != nil {
			return
		}
		if !scanned {
			next = earlier(next, time.Now().Add(h.policy().base))
		}
		if next.IsZero() {
			timer.Stop()
		} else {
			timer.Reset(time.Until(next))
		}
	}
}

// scan adds every order with outstanding deliveries to the pending set,
// and reports whether it could read the store.
func (h *webhooks) scan(ctx context.Context) bool {
	var ids []string
	err := h.s.store.View(ctx, func(tx Tx) error {
		orders, err := tx.Orders(-1)
		for _, o := range orders {
			if outstanding(o) >= 0 {
				ids = append(ids, o.ID())
			}
		}
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			h.s.log.Error("sandbox: webhooks: reading the store for deliveries still due", "err", err)
		}
		return false
	}
	h.mu.Lock()
	for _, id := range ids {
		h.pending[id] = true
	}
	h.mu.Unlock()
	return true
}

// pass sends what is due and returns when the next delivery falls due;
// zero when nothing is outstanding.
func (h *webhooks) pass(ctx context.Context) time.Time {
	h.mu.Lock()
	ids := slices.Sorted(maps.Keys(h.pending))
	h.mu.Unlock()
	var next time.Time
	for _, id := range ids {
		next = earlier(next, h.deliver(ctx, id))
		if ctx.Err() != nil {
			return time.Time{}
		}
	}
	return next
}

// earlier returns the earlier of two times, where zero means never.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// deliver sends the order's outstanding deliveries, oldest first, until
// one fails or is not yet due; it returns when the order's next delivery
// is due, zero when none is outstanding.
func (h *webhooks) deliver(ctx context.Context, id string) time.Time {
	for {
		var d *WebhookDelivery
		err := h.s.store.View(ctx, func(tx Tx) error {
			o, err := tx.Order(id)
			if err != nil {
				return err
			}
			if i := outstanding(o); i >= 0 {
				d = ptr(o.Webhooks[i])
			}
			return nil
		})
		switch {
		case ctx.Err() != nil:
			return time.Time{}
		case err != nil && !errors.Is(err, ErrNotFound):
			h.s.log.Error("sandbox: webhooks: reading an order", "order_id", id, "err", err)
			return time.Now().Add(h.policy().base)
		case d == nil:
			// Nothing outstanding, or no such order (its update was rolled
			// back after queue).
			return h.forgetIfSettled(ctx, id)
		case d.NextAttempt.After(time.Now()):
			return d.NextAttempt
		}
		sendErr := h.send(ctx, d)
		if ctx.Err() != nil {
			return time.Time{}
		}
		if err := h.record(ctx, id, d.ID, sendErr); err != nil {
			h.s.log.Error("sandbox: webhooks: recording an attempt", "order_id", id, "webhook_id", d.ID, "err", err)
			return time.Now().Add(h.policy().base)
		}
	}
}

// outstanding returns the index of o's oldest delivery that is neither
// delivered nor given up, or -1.
func outstanding(o *Order) int {
	return slices.IndexFunc(o.Webhooks, func(d WebhookDelivery) bool { return d.Delivered.IsZero() && !d.GaveUp })
}

// send makes one attempt at d: its body, signed afresh with the time it
// is sent and the delivery's own webhook-id. Only a 2xx answer succeeds.
func (h *webhooks) send(ctx context.Context, d *WebhookDelivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(d.Body))
	if err != nil {
		return err
	}
	for k, v := range h.signer.Sign(d.ID, time.Now(), d.Body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "pinelabs-sandbox")
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused, and to
	// say in LastError why the endpoint refused.
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := "the endpoint answered " + resp.Status
	if b = bytes.TrimSpace(b); len(b) > 0 {
		if len(b) > maxErrorBody {
			b = b[:maxErrorBody]
		}
		msg += ": " + strings.ToValidUTF8(string(b), "?")
	}
	return errors.New(msg)
}

// record stores the outcome of an attempt at the order's delivery
// deliveryID: delivered, due again after the backoff, or given up.
func (h *webhooks) record(ctx context.Context, id, deliveryID string, sendErr error) error {
	p := h.policy()
	var gaveUp, forgot bool
	var attempts int
	// The attempt has happened; recording it must not be lost to a stop
	// that lands just after it.
	err := h.s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		stored, err := tx.Order(id)
		if err != nil {
			return err
		}
		o := stored.Clone()
		i := slices.IndexFunc(o.Webhooks, func(d WebhookDelivery) bool { return d.ID == deliveryID })
		if i < 0 {
			return fmt.Errorf("delivery %s is not in order %s", deliveryID, id)
		}
		d := &o.Webhooks[i]
		now := time.Now()
		d.Attempts++
		attempts = d.Attempts
		switch {
		case sendErr == nil:
			d.Delivered, d.NextAttempt, d.LastError = now, time.Time{}, ""
		case d.Attempts >= p.maxAttempts:
			d.GaveUp, d.NextAttempt, d.LastError = true, time.Time{}, sendErr.Error()
			gaveUp = true
		default:
			d.NextAttempt, d.LastError = now.Add(p.delay(d.Attempts)), sendErr.Error()
		}
		if outstanding(o) < 0 {
			forgot = h.forget(id)
		}
		return tx.PutOrder(o)
	})
	if err != nil {
		if forgot {
			h.remember(id)
		}
		return err
	}
	logger := h.s.log.With("order_id", id, "webhook_id", deliveryID, "attempts", attempts)
	switch {
	case sendErr == nil:
		logger.Info("sandbox: webhook delivered")
	case gaveUp:
		logger.Warn("sandbox: webhook given up", "err", sendErr)
	default:
		logger.Warn("sandbox: webhook attempt failed; will retry", "err", sendErr)
	}
	return nil
}

// forgetIfSettled drops id from the pending set if, read within an update,
// the order has nothing outstanding. Updates are serialised, so every
// update that queued a delivery for id before this one has either
// committed, and is seen here, or rolled back; one that queues later adds
// id again. It returns when to look at the order again: zero, unless a
// delivery turned out to be outstanding after all.
func (h *webhooks) forgetIfSettled(ctx context.Context, id string) time.Time {
	var again time.Time
	err := h.s.store.Update(ctx, func(tx Tx) error {
		o, err := tx.Order(id)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case outstanding(o) >= 0:
			again = time.Now()
			return nil
		}
		h.forget(id)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		h.s.log.Error("sandbox: webhooks: reading an order", "order_id", id, "err", err)
		return time.Now().Add(h.policy().base)
	}
	return again
}

// forget drops id from the pending set and reports whether it was there.
func (h *webhooks) forget(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	was := h.pending[id]
	delete(h.pending, id)
	return was
}

func (h *webhooks) remember(id string) {
	h.mu.Lock()
	h.pending[id] = true
	h.mu.Unlock()
}

func (h *webhooks) policy() retryPolicy {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.retry
}

// setRetry changes the retry policy, for tests that cannot wait seconds.
func (h *webhooks) setRetry(p retryPolicy) {
	h.mu.Lock()
	h.retry = p
	h.mu.Unlock()
	h.wake()
}
