package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// The header names as http.Header stores them, so Verify indexes the map
// directly instead of canonicalising each name on every call as Get does.
var (
	canonicalID        = http.CanonicalHeaderKey(HeaderID)
	canonicalTimestamp = http.CanonicalHeaderKey(HeaderTimestamp)
	canonicalSignature = http.CanonicalHeaderKey(HeaderSignature)
)

// strict is the one base64 spelling accepted, for secrets and signatures
// alike. Encoding.Strict returns a new Encoding on every call, so it is
// made once.
var strict = base64.StdEncoding.Strict()

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
// secret. It is safe for concurrent use. Printed or logged, it shows only
// webhook.Verifier(redacted).
type Verifier struct {
	// macs holds *macState keyed with the secret. The key itself is kept
	// only by the pool's New function, so no formatting verb, not even
	// one that bypasses String, can reach it through a Verifier's fields.
	macs      *sync.Pool
	rawSecret bool
	tolerance time.Duration
	now       func() time.Time
	maxBytes  int64
}

// macState is what one signature check needs, pooled so that the check
// allocates nothing once warm: the keyed HMAC, whose Reset restores the
// precomputed pads instead of rehashing the key, the buffer the signed
// prefix is built in, and room for the sum and a decoded signature.
type macState struct {
	mac    hash.Hash
	prefix []byte
	sum    [sha256.Size]byte
	got    [sha256.Size + 1]byte // Decode wants room for DecodedLen(sigLen) bytes
	b64    [sigLen]byte          // an entry copied, since Decode takes a []byte
}

// newMACPool reads the secret as NewVerifier documents, for NewVerifier
// and NewSigner alike, and returns a pool of macState keyed with it.
func newMACPool(secret string, raw bool) (*sync.Pool, error) {
	if secret == "" {
		return nil, withDetail(ErrInvalidSecret, "empty")
	}
	key := []byte(secret)
	if !raw {
		// Padding is required: accepting unpadded text too would turn many
		// raw secrets (such as the docs' "abc1234") into a wrong key
		// silently instead of an error that points at WithRawSecret.
		var err error
		key, err = strict.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil {
			// base64's error gives an offset only, but say it ourselves so
			// the text cannot change under us.
			return nil, withDetail(ErrInvalidSecret, "not base64 (use WithRawSecret for a raw secret)")
		}
		if len(key) == 0 {
			return nil, withDetail(ErrInvalidSecret, "empty after decoding")
		}
	}
	return &sync.Pool{New: func() any {
		return &macState{mac: hmac.New(sha256.New, key)}
	}}, nil
}

// String keeps the secret out of logs when a Verifier ends up in a
// formatted message.
func (v Verifier) String() string { return "webhook.Verifier(redacted)" }

// GoString does the same for %#v.
func (v Verifier) GoString() string { return v.String() }

// LogValue does the same for log/slog, whose JSON handler would otherwise
// not call String.
func (v Verifier) LogValue() slog.Value { return slog.StringValue(v.String()) }

// Option adjusts a Verifier. NewSigner takes the same options, so that one
// list can configure both ends, but only WithRawSecret changes a Signer.
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
	macs, err := newMACPool(secret, v.rawSecret)
	if err != nil {
		return nil, err
	}
	v.macs = macs
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
	id := first(h[canonicalID])
	ts := first(h[canonicalTimestamp])
	sigs := h[canonicalSignature]
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
	// The future bound is compared as integers first, since time.Unix
	// overflows for seconds near the int64 limit and would date such a
	// delivery in the distant past; any sec that passes is in range.
	now := v.now()
	if sec > now.Add(v.tolerance).Unix() {
		return nil, ErrTimestampTooNew
	}
	sent := time.Unix(sec, 0)
	if sent.Before(now.Add(-v.tolerance)) {
		return nil, ErrTimestampTooOld
	}

	st := v.macs.Get().(*macState)
	defer v.macs.Put(st)
	sum := st.sign(id, ts, body)
	matched := false
	// Only the one standard encoding of a MAC is accepted, so that a
	// signature has a single spelling: the exact length rules out missing
	// or extra padding, strict refuses set padding bits, and the split on
	// white space has already removed the CR and LF that the decoder would
	// skip. Every entry is checked, so the time taken does not tell which
	// one matched.
	for _, hv := range sigs {
		for entry := range strings.FieldsSeq(hv) {
			version, b64, ok := strings.Cut(entry, ",")
			if !ok || version != "v1" || len(b64) != sigLen {
				continue
			}
			n, err := strict.Decode(st.got[:], st.b64[:copy(st.b64[:], b64)])
			if err != nil || n != sha256.Size {
				continue
			}
			if hmac.Equal(st.got[:n], sum) {
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

// sign returns the MAC of id.ts.body, the bytes a delivery's signature
// covers. The result is st's own storage, valid until st goes back to the
// pool.
func (st *macState) sign(id, ts string, body []byte) []byte {
	st.prefix = append(append(append(append(st.prefix[:0], id...), '.'), ts...), '.')
	st.mac.Reset()
	st.mac.Write(st.prefix)
	st.mac.Write(body)
	return st.mac.Sum(st.sum[:0])
}

// first is what http.Header.Get returns for a key's values.
func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
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

// envelope is the part of a body that every event type shares.
type envelope struct {
	EventType      *string         `json:"event_type"`
	EventTypeCamel *string         `json:"eventType"`
	Data           json.RawMessage `json:"data"`
}

func decodeEvent(body []byte) (*Event, error) {
	var wire envelope
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
		body, err := readBody(w, r, v.maxBytes)
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
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

// readBody reads at most max bytes of r.Body and puts them back, so next
// can read the body again. Given w, MaxBytesReader also has the server
// close the connection after the 413, since the rest of the body is unread.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return nil, err
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

// Signer signs webhook deliveries as Pine Labs does, for simulators and
// tests of a merchant's endpoint: a Verifier built from the same secret
// and options accepts what it signs. It is safe for concurrent use.
// Printed or logged, it shows only webhook.Signer(redacted).
type Signer struct {
	// macs holds *macState keyed with the secret, as in Verifier, so the
	// key is out of reach of formatting here too.
	macs *sync.Pool
}

// String keeps the secret out of logs when a Signer ends up in a
// formatted message.
func (s Signer) String() string { return "webhook.Signer(redacted)" }

// GoString does the same for %#v.
func (s Signer) GoString() string { return s.String() }

// LogValue does the same for log/slog.
func (s Signer) LogValue() slog.Value { return slog.StringValue(s.String()) }

// NewSigner builds a signer from a webhook secret, read exactly as
// NewVerifier reads it. Of the options only WithRawSecret has an effect;
// the others concern checking a delivery and are ignored, so the option
// list of a Verifier can be passed unchanged. The error never repeats the
// secret.
func NewSigner(secret string, opts ...Option) (*Signer, error) {
	// The options are written against a Verifier; a scratch one collects
	// them.
	var cfg Verifier
	for _, o := range opts {
		o(&cfg)
	}
	macs, err := newMACPool(secret, cfg.rawSecret)
	if err != nil {
		return nil, err
	}
	return &Signer{macs: macs}, nil
}

// Sign returns the three headers of a delivery of body: webhook-id set to
// id, webhook-timestamp to ts in whole Unix seconds, and webhook-signature
// to one v1 entry. Send body byte for byte as signed. id must be a
// non-empty header value, and ts not before 1970, for a Verifier to accept
// the delivery. A retry should keep its id and be signed again with the
// time it is sent, so that the receiver's tolerance does not refuse it.
func (s *Signer) Sign(id string, ts time.Time, body []byte) http.Header {
	sec := strconv.FormatInt(ts.Unix(), 10)
	st := s.macs.Get().(*macState)
	defer s.macs.Put(st)
	var sig [len("v1,") + sigLen]byte
	copy(sig[:], "v1,")
	base64.StdEncoding.Encode(sig[len("v1,"):], st.sign(id, sec, body))
	return http.Header{
		canonicalID:        {id},
		canonicalTimestamp: {sec},
		canonicalSignature: {string(sig[:])},
	}
}
