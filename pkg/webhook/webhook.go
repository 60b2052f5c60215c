package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// EventType names what a webhook reports. Types this package does not list
// still decode; check Known before relying on one.
type EventType string

// Event types documented by Pine Labs Online.
const (
	EventOrderAuthorized        EventType = "ORDER_AUTHORIZED"
	EventOrderProcessed         EventType = "ORDER_PROCESSED"
	EventOrderCancelled         EventType = "ORDER_CANCELLED"
	EventOrderFailed            EventType = "ORDER_FAILED"
	EventPaymentFailed          EventType = "PAYMENT_FAILED"
	EventRefundProcessed        EventType = "REFUND_PROCESSED"
	EventRefundFailed           EventType = "REFUND_FAILED"
	EventCustomerActivated      EventType = "CUSTOMER_ACTIVATED"
	EventCustomerDeleted        EventType = "CUSTOMER_DELETED"
	EventCustomerSuspended      EventType = "CUSTOMER_SUSPENDED"
	EventCustomerCreationFailed EventType = "CUSTOMER_CREATION_FAILED"
	EventTokenActivated         EventType = "TOKEN_ACTIVATED"
	EventTokenDeactivated       EventType = "TOKEN_DEACTIVATED"
	EventTokenSuspended         EventType = "TOKEN_SUSPENDED"
	EventTokenProvisionFailed   EventType = "TOKEN_PROVISION_FAILED"
)

// Known reports whether t is one of the documented event types.
func (t EventType) Known() bool {
	switch t {
	case EventOrderAuthorized, EventOrderProcessed, EventOrderCancelled, EventOrderFailed,
		EventPaymentFailed, EventRefundProcessed, EventRefundFailed,
		EventCustomerActivated, EventCustomerDeleted, EventCustomerSuspended, EventCustomerCreationFailed,
		EventTokenActivated, EventTokenDeactivated, EventTokenSuspended, EventTokenProvisionFailed:
		return true
	}
	return false
}

// Header names of a delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Defaults for a Verifier.
const (
	DefaultTolerance    = 5 * time.Minute
	DefaultMaxBodyBytes = 1 << 20
)

// Event is a verified webhook delivery.
type Event struct {
	// ID is the webhook-id header. Pine Labs sends the same ID again when
	// it retries a delivery, so it is the key to deduplicate on: handle an
	// ID once and acknowledge repeats without acting on them.
	ID string
	// Timestamp is the webhook-timestamp header, the time the delivery
	// was signed.
	Timestamp time.Time
	// Type is event_type (or eventType, which one sample uses); empty if
	// the body has neither, which is not treated as an error because the
	// signature already vouches for the body.
	Type EventType
	// Data is the "data" member, undecoded, since its shape depends on Type.
	Data json.RawMessage
	// Body is the whole body as received and verified.
	Body []byte
}

// Verifier checks webhook deliveries against the merchant's webhook
// secret. It is safe for concurrent use.
type Verifier struct {
	key       []byte
	rawSecret bool
	tolerance time.Duration
	now       func() time.Time
	maxBytes  int64
}

// Option adjusts a Verifier.
type Option func(*Verifier)

// WithRawSecret makes the verifier use the secret's bytes as given as the
// HMAC key, with no prefix stripped and no base64 decoding. The Pine Labs
// docs decode the secret as base64, but at least one public integration
// keys the HMAC with the secret text itself; use this if deliveries only
// verify that way.
func WithRawSecret() Option {
	return func(v *Verifier) { v.rawSecret = true }
}

// WithTolerance sets how far webhook-timestamp may be from the current time,
// in either direction, for a delivery to be accepted. The window bounds how
// long a captured delivery can be replayed. A value of zero or less keeps
// the default of DefaultTolerance: there is deliberately no way to switch
// the check off.
func WithTolerance(d time.Duration) Option {
	return func(v *Verifier) {
		if d > 0 {
			v.tolerance = d
		}
	}
}

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) {
		if now != nil {
			v.now = now
		}
	}
}

// WithMaxBodyBytes sets the body cap of Handler (DefaultMaxBodyBytes
// otherwise).
func WithMaxBodyBytes(n int64) Option {
	return func(v *Verifier) {
		if n > 0 {
			v.maxBytes = n
		}
	}
}

// NewVerifier builds a verifier from the webhook secret shown in the
// dashboard. By default the secret is standard, padded base64 after an
// optional "whsec_" prefix is removed; see WithRawSecret for the
// alternative. The error never repeats the secret.
func NewVerifier(secret string, opts ...Option) (*Verifier, error) {
	v := &Verifier{
		tolerance: DefaultTolerance,
		now:       time.Now,
		maxBytes:  DefaultMaxBodyBytes,
	}
	for _, o := range opts {
		o(v)
	}
	if secret == "" {
		return nil, withDetail(ErrInvalidSecret, "empty")
	}
	if v.rawSecret {
		v.key = []byte(secret)
		return v, nil
	}
	b64 := strings.TrimPrefix(secret, "whsec_")
	// Padding is required: accepting unpadded text too would turn many raw
	// secrets (such as the docs' "abc1234") into a wrong key silently
	// instead of an error that points at WithRawSecret.
	key, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		// base64's error gives an offset only, but say it ourselves so the
		// text cannot change under us.
		return nil, withDetail(ErrInvalidSecret, "not base64 (use WithRawSecret for a raw secret)")
	}
	if len(key) == 0 {
		return nil, withDetail(ErrInvalidSecret, "empty after decoding")
	}
	v.key = key
	return v, nil
}

// Verify checks a delivery's headers and raw body and decodes the event.
// The body must be the bytes as received: re-encoded JSON will not verify.
//
// Checks run in this order, each with its own error: the three headers are
// present (ErrMissingHeader); the timestamp is decimal seconds
// (ErrMalformedTimestamp) within the tolerance of now (ErrTimestampTooOld,
// ErrTimestampTooNew; a count too large for int64 is too new); some
// "v1,<base64>" entry of webhook-signature, in padded standard base64 with
// no stray padding bits, matches (ErrSignatureMismatch; entries of other
// versions are skipped); the body is a JSON object whose event_type, if
// present, is a string (ErrMalformedBody). An event type this package does
// not know, or none at all, is not an error.
func (v *Verifier) Verify(h http.Header, body []byte) (*Event, error) {
	id := h.Get(HeaderID)
	ts := h.Get(HeaderTimestamp)
	sigs := h.Values(HeaderSignature)
	switch {
	case id == "":
		return nil, withDetail(ErrMissingHeader, HeaderID)
	case ts == "":
		return nil, withDetail(ErrMissingHeader, HeaderTimestamp)
	case len(sigs) == 0 || strings.TrimSpace(strings.Join(sigs, "")) == "":
		return nil, withDetail(ErrMissingHeader, HeaderSignature)
	}

	sec, ok := parseSeconds(ts)
	if !ok {
		return nil, ErrMalformedTimestamp
	}
	// The window is compared in whole seconds, as integers: time.Unix
	// overflows for seconds near the int64 limit and would date such a
	// delivery in the distant past. sent has no fraction, so it lies
	// before earliest exactly when its second is earlier, or the same
	// second with earliest a fraction into it.
	now := v.now()
	earliest, latest := now.Add(-v.tolerance), now.Add(v.tolerance)
	if sec < earliest.Unix() || sec == earliest.Unix() && earliest.Nanosecond() > 0 {
		return nil, ErrTimestampTooOld
	}
	if sec > latest.Unix() {
		return nil, ErrTimestampTooNew
	}
	sent := time.Unix(sec, 0)

	mac := hmac.New(sha256.New, v.key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	var sumBuf [sha256.Size]byte
	sum := mac.Sum(sumBuf[:0])

	matched := false
	// Only the one standard encoding of a MAC is accepted, so that a
	// signature has a single spelling: the exact length rules out missing
	// or extra padding, Strict refuses set padding bits, and strings.Fields
	// has already removed the CR and LF that the decoder would skip.
	var got [sha256.Size + 1]byte
	for _, hv := range sigs {
		for _, entry := range strings.Fields(hv) {
			version, b64, ok := strings.Cut(entry, ",")
			if !ok || version != "v1" || len(b64) != sigLen {
				continue
			}
			n, err := base64.StdEncoding.Strict().Decode(got[:], []byte(b64))
			if err != nil || n != sha256.Size {
				continue
			}
			if hmac.Equal(got[:n], sum) {
				matched = true
			}
		}
	}
	if !matched {
		return nil, ErrSignatureMismatch
	}

	ev, err := decodeEvent(body)
	if err != nil {
		return nil, err
	}
	ev.ID = id
	ev.Timestamp = sent
	return ev, nil
}

// sigLen is the length of a MAC in padded standard base64.
const sigLen = (sha256.Size + 2) / 3 * 4

// parseSeconds accepts only decimal digits: strconv alone would also take a
// sign, and the signed text must be exactly what was parsed. A count too
// large for int64 is later than any clock, so it saturates to the maximum
// and is then refused as in the future rather than as malformed.
func parseSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Digits only, so the one possible error is ErrRange.
		return math.MaxInt64, true
	}
	return n, true
}

func decodeEvent(body []byte) (*Event, error) {
	var wire struct {
		EventType      *string         `json:"event_type"`
		EventTypeCamel *string         `json:"eventType"`
		Data           json.RawMessage `json:"data"`
	}
	// Unmarshal alone would accept "null" as an empty object.
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, withDetail(ErrMalformedBody, "not a JSON object")
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, withDetail(ErrMalformedBody, "not a JSON object")
	}
	var t string
	switch {
	case wire.EventType != nil && wire.EventTypeCamel != nil && *wire.EventType != *wire.EventTypeCamel:
		return nil, withDetail(ErrMalformedBody, "event_type and eventType differ")
	case wire.EventType != nil:
		t = *wire.EventType
	case wire.EventTypeCamel != nil:
		t = *wire.EventTypeCamel
	}
	return &Event{Type: EventType(t), Data: wire.Data, Body: body}, nil
}

// HandlerFunc receives a verified webhook event.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, ev *Event)

// Handler returns an http.Handler that accepts only POST, reads the body up
// to the size cap, verifies it and calls next with the event. Failures are
// answered before next runs with a short plain-text reason: 405 for another
// method, 413 for an oversized body, 400 for everything else. next should
// answer 2xx once it has recorded the event (keyed by ev.ID), since any
// other status makes Pine Labs retry.
func (v *Verifier) Handler(next HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := readBody(r, v.maxBytes)
		if err != nil {
			if errors.Is(err, errBodyTooLarge) {
				http.Error(w, "webhook too large", http.StatusRequestEntityTooLarge)
			} else {
				http.Error(w, "unreadable webhook body", http.StatusBadRequest)
			}
			return
		}
		ev, err := v.Verify(r.Header, body)
		if err != nil {
			http.Error(w, errorMessage(err), http.StatusBadRequest)
			return
		}
		next(w, r, ev)
	})
}

// errBodyTooLarge stays unexported: only Handler reads a body, and it
// answers 413 rather than returning the error.
var errBodyTooLarge = errors.New("webhook: request body too large")

// readBody reads at most max bytes of r.Body and puts them back, so next
// can read the body again.
func readBody(r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, errBodyTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func errorMessage(err error) string {
	switch {
	case errors.Is(err, ErrMissingHeader):
		return "missing webhook headers"
	case errors.Is(err, ErrMalformedTimestamp),
		errors.Is(err, ErrTimestampTooOld),
		errors.Is(err, ErrTimestampTooNew):
		return "webhook timestamp out of range"
	case errors.Is(err, ErrSignatureMismatch):
		return "invalid webhook signature"
	}
	return "malformed webhook body"
}
