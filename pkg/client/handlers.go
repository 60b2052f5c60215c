package client

// HTTP handlers for what Pine Labs sends the merchant: the signed callback
// the customer's browser brings back, and webhooks. Both verify first, on
// pkg/signature and pkg/webhook, and hand over typed values.

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/pkg/webhook"
)

// CallbackResult is a payment callback whose signature has been verified.
type CallbackResult struct {
	OrderID string
	// Status comes from status, or from payment_status when status is
	// absent. It is passed on as sent, even when it is not one of the
	// OrderStatus constants; GetOrder tells more.
	Status OrderStatus
	// ErrorCode and ErrorMessage say why the payment failed; empty on
	// success.
	ErrorCode    string
	ErrorMessage string
	// Fields holds every field as received, signature included.
	Fields signature.Fields
}

// CallbackHandler returns the handler for the order's callback_url. It
// verifies the callback's signature with key (from the query string or a
// form or JSON body, as signature.ParseCallback reads them) and calls next
// with the result. A callback that is unsigned, tampered with or
// incomplete never reaches next: it is answered 400 (413, 415 or 500 in
// the cases signature.RequireSignedCallback lists).
//
// next answers the customer's browser: typically a redirect to the
// merchant's order page. The callback proves what Pine Labs said, but a
// merchant that ships goods should still confirm with GetOrder or a
// webhook, since the browser may never arrive.
func CallbackHandler(key signature.Key, next func(w http.ResponseWriter, r *http.Request, res CallbackResult)) http.Handler {
	return signature.RequireSignedCallback(key, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RequireSignedCallback calls this only with a verified callback.
		cb, _ := signature.CallbackFromContext(r.Context())
		next(w, r, CallbackResult{
			OrderID:      cb.OrderID,
			Status:       OrderStatus(cb.Status),
			ErrorCode:    cb.ErrorCode,
			ErrorMessage: cb.ErrorMessage,
			Fields:       cb.Fields,
		})
	}))
}

// WebhookEvent is a verified webhook delivery.
type WebhookEvent struct {
	// ID is the same on every resend of a delivery: handle each ID once.
	ID        string
	Type      webhook.EventType
	Timestamp time.Time
	// Order is the order the event is about, decoded, for order, payment
	// and refund events (for a refund, the refund order); nil otherwise.
	Order *Order
	// Data is the event's data member as received, for every event type,
	// including ones this package does not know.
	Data json.RawMessage
}

// WebhookHandler returns the handler for the merchant's webhook URL. It
// verifies each delivery with v (see webhook.Verifier.Handler for what is
// refused and how it is answered), decodes the order inside order, payment
// and refund events, and calls next with the request's context. Event
// types without an order, and types added after this package, reach next
// with Order nil and the raw Data.
//
// Answers: 200 when next returns nil; 500 when it returns an error, so
// that Pine Labs delivers the event again; 400 for an order event whose
// data is not an order, which a resend would not fix either but which the
// signature says Pine Labs sent, so it should be looked into.
func WebhookHandler(v *webhook.Verifier, next func(ctx context.Context, ev WebhookEvent) error) http.Handler {
	return v.Handler(func(w http.ResponseWriter, r *http.Request, ev *webhook.Event) {
		out := WebhookEvent{ID: ev.ID, Type: ev.Type, Timestamp: ev.Timestamp, Data: ev.Data}
		if carriesOrder(ev.Type) {
			order, ok := decodeWebhookOrder(ev.Data)
			if !ok {
				http.Error(w, "malformed webhook order", http.StatusBadRequest)
				return
			}
			out.Order = order
		}
		if err := next(r.Context(), out); err != nil {
			// The error is the merchant's own; it is not the sender's to read.
			http.Error(w, "webhook not handled", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// carriesOrder reports whether events of type t carry the order as data
// (FACTS.md: "order and refund events carry the order as data"; a payment
// belongs to an order, which is what PAYMENT_FAILED reports).
func carriesOrder(t webhook.EventType) bool {
	switch t {
	case webhook.EventOrderAuthorized, webhook.EventOrderProcessed, webhook.EventOrderCancelled,
		webhook.EventOrderFailed, webhook.EventPaymentFailed,
		webhook.EventRefundProcessed, webhook.EventRefundFailed:
		return true
	}
	return false
}

// decodeWebhookOrder decodes data as an Order. Unknown fields and values
// are accepted as everywhere in responses; what is refused is data that is
// missing, not an object, or an object without an order ID.
func decodeWebhookOrder(data json.RawMessage) (*Order, bool) {
	var o Order
	if len(data) == 0 || data[0] != '{' {
		return nil, false
	}
	if err := json.Unmarshal(data, &o); err != nil || o.OrderID == nil || *o.OrderID == "" {
		return nil, false
	}
	return &o, true
}
