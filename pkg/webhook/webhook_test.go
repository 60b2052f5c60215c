package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Random test material, not a real secret.
const (
	testSecret = "whsec_cmKQd3bUvHkAShg17Oejzhj0/21ZIx9bdnTCtGTBP48="
	testTS     = 1749900000
)

func testKey(t testing.TB) []byte {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(testSecret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(key []byte, id, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func deliveryHeader(id, ts, sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", sig)
	return h
}

func clockAt(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

func newTestVerifier(t testing.TB, opts ...Option) *Verifier {
	t.Helper()
	v, err := NewVerifier(testSecret, append([]Option{WithClock(clockAt(testTS))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const orderBody = `{"event_type":"ORDER_PROCESSED","data":{"order_id":"v1-250614-0001","status":"PROCESSED"}}`

func TestEventDecoding(t *testing.T) {
	v := newTestVerifier(t)
	key := testKey(t)
	ts := strconv.Itoa(testTS)
	cases := []struct {
		name, body string
		want       EventType
		known      bool
		data       string
		err        error
	}{
		{"known", orderBody, EventOrderProcessed, true, `{"order_id":"v1-250614-0001","status":"PROCESSED"}`, nil},
		{"unknown", `{"event_type":"SETTLEMENT_DONE","data":{"x":1}}`, "SETTLEMENT_DONE", false, `{"x":1}`, nil},
		{"camel", `{"eventType":"REFUND_PROCESSED","data":[]}`, EventRefundProcessed, true, `[]`, nil},
		{"both-equal", `{"eventType":"ORDER_FAILED","event_type":"ORDER_FAILED"}`, EventOrderFailed, true, ``, nil},
		{"no-type", `{"data":{}}`, "", false, `{}`, nil},
		{"both-differ", `{"eventType":"ORDER_FAILED","event_type":"ORDER_PROCESSED"}`, "", false, "", ErrMalformedBody},
		{"type-not-string", `{"event_type":7}`, "", false, "", ErrMalformedBody},
		{"null", `null`, "", false, "", ErrMalformedBody},
		{"array", `[{"event_type":"ORDER_FAILED"}]`, "", false, "", ErrMalformedBody},
		{"not-json", `event_type=ORDER_FAILED`, "", false, "", ErrMalformedBody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := deliveryHeader("msg_1", ts, "v1,"+sign(key, "msg_1", ts, []byte(c.body)))
			ev, err := v.Verify(h, []byte(c.body))
			if c.err != nil {
				if !errors.Is(err, c.err) || ev != nil {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type != c.want || ev.Type.Known() != c.known || string(ev.Data) != c.data || ev.ID != "msg_1" ||
				!ev.Timestamp.Equal(time.Unix(testTS, 0)) || string(ev.Body) != c.body {
				t.Fatalf("event = %+v", ev)
			}
		})
	}
}

func TestAllEventTypesKnown(t *testing.T) {
	all := []EventType{
		EventOrderAuthorized, EventOrderProcessed, EventOrderCancelled, EventOrderFailed,
		EventPaymentFailed, EventRefundProcessed, EventRefundFailed,
		EventCustomerActivated, EventCustomerDeleted, EventCustomerSuspended, EventCustomerCreationFailed,
		EventTokenActivated, EventTokenDeactivated, EventTokenSuspended, EventTokenProvisionFailed,
	}
	seen := map[EventType]bool{}
	for _, e := range all {
		if !e.Known() || seen[e] {
			t.Errorf("%s", e)
		}
		seen[e] = true
	}
	if EventType("order_authorized").Known() {
		t.Error("event types are case-sensitive")
	}
}

func TestTolerance(t *testing.T) {
	key := testKey(t)
	body := []byte(orderBody)
	at := func(sentAt int64, opts ...Option) error {
		ts := strconv.FormatInt(sentAt, 10)
		_, err := newTestVerifier(t, opts...).Verify(deliveryHeader("msg_t", ts, "v1,"+sign(key, "msg_t", ts, body)), body)
		return err
	}
	now := int64(testTS)
	five := int64(5 * 60)
	// Half a second past now: a whole-second timestamp can then sit just
	// outside the window at the old end.
	halfPast := WithClock(func() time.Time { return time.Unix(testTS, 5e8) })
	cases := []struct {
		name string
		sent int64
		opts []Option
		want error
	}{
		{"now", now, nil, nil},
		{"old-edge", now - five, nil, nil},
		{"old-past-edge", now - five - 1, nil, ErrTimestampTooOld},
		{"new-edge", now + five, nil, nil},
		{"new-past-edge", now + five + 1, nil, ErrTimestampTooNew},
		{"zero", 0, nil, ErrTimestampTooOld},
		{"far-future", 1 << 62, nil, ErrTimestampTooNew},
		{"custom-ok", now - 30, []Option{WithTolerance(30 * time.Second)}, nil},
		{"custom-old", now - 31, []Option{WithTolerance(30 * time.Second)}, ErrTimestampTooOld},
		{"custom-new", now + 31, []Option{WithTolerance(30 * time.Second)}, ErrTimestampTooNew},
		{"wide", now - 3600, []Option{WithTolerance(time.Hour)}, nil},
		{"zero-keeps-default", now - five - 1, []Option{WithTolerance(0)}, ErrTimestampTooOld},
		{"negative-keeps-default", now - five, []Option{WithTolerance(-time.Hour)}, nil},
		{"fraction-old-edge", now - five + 1, []Option{halfPast}, nil},
		{"fraction-old-past-edge", now - five, []Option{halfPast}, ErrTimestampTooOld},
		{"fraction-new-edge", now + five, []Option{halfPast}, nil},
		{"fraction-new-past-edge", now + five + 1, []Option{halfPast}, ErrTimestampTooNew},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := at(c.sent, c.opts...); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	v := newTestVerifier(t)
	key := testKey(t)
	body := []byte(orderBody)
	ts := strconv.Itoa(testTS)
	good := sign(key, "msg_h", ts, body)
	other := sign(key, "msg_other", ts, body)
	cases := []struct {
		name string
		h    http.Header
		want error
	}{
		{"single", deliveryHeader("msg_h", ts, "v1,"+good), nil},
		{"second-of-two", deliveryHeader("msg_h", ts, "v1,"+other+" v1,"+good), nil},
		{"first-of-two", deliveryHeader("msg_h", ts, "v1,"+good+" v1,"+other), nil},
		{"unknown-versions-skipped", deliveryHeader("msg_h", ts, "v2,"+other+" v1a,"+good+"  v1,"+good+" junk"), nil},
		{"two-header-lines", func() http.Header {
			h := deliveryHeader("msg_h", ts, "v1,"+other)
			h.Add("webhook-signature", "v1,"+good)
			return h
		}(), nil},
		{"only-unknown-version", deliveryHeader("msg_h", ts, "v2,"+good), ErrSignatureMismatch},
		{"wrong-id", deliveryHeader("msg_h", ts, "v1,"+other), ErrSignatureMismatch},
		{"unpadded", deliveryHeader("msg_h", ts, "v1,"+strings.TrimRight(good, "=")), ErrSignatureMismatch},
		{"not-base64", deliveryHeader("msg_h", ts, "v1,!!!!"), ErrSignatureMismatch},
		{"truncated", deliveryHeader("msg_h", ts, "v1,"+good[:20]), ErrSignatureMismatch},
		{"too-long", deliveryHeader("msg_h", ts, "v1,"+good+good), ErrSignatureMismatch},
		{"no-comma", deliveryHeader("msg_h", ts, "v1"+good), ErrSignatureMismatch},
		{"missing-id", deliveryHeader("", ts, "v1,"+good), ErrMissingHeader},
		{"missing-ts", deliveryHeader("msg_h", "", "v1,"+good), ErrMissingHeader},
		{"missing-sig", deliveryHeader("msg_h", ts, ""), ErrMissingHeader},
		{"blank-sig", deliveryHeader("msg_h", ts, "   "), ErrMissingHeader},
		{"signed-ts", deliveryHeader("msg_h", "+"+ts, "v1,"+good), ErrMalformedTimestamp},
		{"ms-ts", deliveryHeader("msg_h", ts+"000", "v1,"+good), ErrTimestampTooNew},
		{"float-ts", deliveryHeader("msg_h", ts+".5", "v1,"+good), ErrMalformedTimestamp},
		{"huge-ts", deliveryHeader("msg_h", "99999999999999999999999", "v1,"+good), ErrTimestampTooNew},
	}
	all := []error{ErrMissingHeader, ErrMalformedTimestamp, ErrTimestampTooOld,
		ErrTimestampTooNew, ErrSignatureMismatch, ErrMalformedBody}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(c.h, body)
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, s := range all {
				if errors.Is(err, s) != (s == c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
			}
		})
	}
}

func TestSecretErrors(t *testing.T) {
	for name, secret := range map[string]string{
		"empty":          "",
		"whsec-only":     "whsec_",
		"not-base64":     "whsec_s3cr3t-v@lue!!",
		"unpadded":       "c2VjcmV0cw",
		"url-alphabet":   "whsec_-_-_-_-_",
		"published-text": "abc1234",
	} {
		t.Run(name, func(t *testing.T) {
			v, err := NewVerifier(secret)
			if !errors.Is(err, ErrInvalidSecret) || v != nil {
				t.Fatalf("err = %v", err)
			}
			if s := strings.TrimPrefix(secret, "whsec_"); s != "" && strings.Contains(err.Error(), s) {
				t.Fatal("error text repeats the secret")
			}
			// The signer reads secrets with the same code, so it fails alike.
			s, serr := NewSigner(secret)
			if serr == nil || serr.Error() != err.Error() || !errors.Is(serr, ErrInvalidSecret) || s != nil {
				t.Fatalf("NewSigner err = %v, NewVerifier err = %v", serr, err)
			}
		})
	}
	if _, err := NewVerifier("", WithRawSecret()); !errors.Is(err, ErrInvalidSecret) {
		t.Fatalf("empty raw secret: %v", err)
	}
	if _, err := NewSigner("", WithRawSecret()); !errors.Is(err, ErrInvalidSecret) {
		t.Fatalf("empty raw secret, signer: %v", err)
	}
}

func TestRawSecretKeepsPrefix(t *testing.T) {
	// In raw mode the secret's bytes are the key as given, prefix and all.
	secret := "whsec_abc"
	body := []byte(orderBody)
	ts := strconv.Itoa(testTS)
	v, err := NewVerifier(secret, WithRawSecret(), WithClock(clockAt(testTS)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(deliveryHeader("m", ts, "v1,"+sign([]byte(secret), "m", ts, body)), body); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(deliveryHeader("m", ts, "v1,"+sign([]byte("abc"), "m", ts, body)), body); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatal(err)
	}
}

func TestHandler(t *testing.T) {
	key := testKey(t)
	ts := strconv.Itoa(testTS)
	v := newTestVerifier(t, WithMaxBodyBytes(1024))
	var got *Event
	var reread []byte
	calls := 0
	h := v.Handler(func(w http.ResponseWriter, r *http.Request, ev *Event) {
		calls++
		got = ev
		reread, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	req := func(method, body, sig string) *http.Request {
		r := httptest.NewRequest(method, "/webhooks/pinelabs", strings.NewReader(body))
		r.Header = deliveryHeader("msg_handler", ts, sig)
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	goodSig := "v1," + sign(key, "msg_handler", ts, []byte(orderBody))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req(http.MethodPost, orderBody, goodSig))
	if rec.Code != http.StatusNoContent || calls != 1 || got == nil || got.Type != EventOrderProcessed || got.ID != "msg_handler" {
		t.Fatalf("valid delivery: code %d calls %d event %+v", rec.Code, calls, got)
	}
	if string(reread) != orderBody {
		t.Fatalf("next read the body as %q, want it put back whole", reread)
	}

	bigBody := `{"event_type":"ORDER_PROCESSED","pad":"` + strings.Repeat("x", 1024) + `"}`
	cases := []struct {
		name string
		r    *http.Request
		code int
		msg  string
	}{
		{"get", req(http.MethodGet, "", goodSig), 405, "method not allowed\n"},
		{"tampered", req(http.MethodPost, strings.Replace(orderBody, "PROCESSED", "CANCELLED", 1), goodSig), 400, "invalid webhook signature\n"},
		{"unsigned", req(http.MethodPost, orderBody, ""), 400, "missing webhook headers\n"},
		{"stale", func() *http.Request {
			r := req(http.MethodPost, orderBody, goodSig)
			r.Header.Set("webhook-timestamp", "1000")
			return r
		}(), 400, "webhook timestamp out of range\n"},
		{"not-json", req(http.MethodPost, "hello", "v1,"+sign(key, "msg_handler", ts, []byte("hello"))), 400, "malformed webhook body\n"},
		{"too-large", req(http.MethodPost, bigBody, "v1,"+sign(key, "msg_handler", ts, []byte(bigBody))), 413, "webhook too large\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls = 0
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.r)
			if calls != 0 || rec.Code != c.code || rec.Body.String() != c.msg {
				t.Fatalf("calls %d, got %d %q, want %d %q", calls, rec.Code, rec.Body.String(), c.code, c.msg)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestHandlerBrokenBody(t *testing.T) {
	v := newTestVerifier(t)
	r := httptest.NewRequest(http.MethodPost, "/", errReader{})
	rec := httptest.NewRecorder()
	v.Handler(func(http.ResponseWriter, *http.Request, *Event) { t.Fatal("next ran") }).ServeHTTP(rec, r)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("code = %d", rec.Code)
	}
}

// TestTimestampBeyondTimeRange: a timestamp of decimal digits too
// large for time.Unix, or for int64 at all, is a time far in the future,
// whatever arithmetic would make of it. Each delivery is correctly signed,
// so the timestamp is the only thing wrong with it.
func TestTimestampBeyondTimeRange(t *testing.T) {
	v := newTestVerifier(t)
	key := testKey(t)
	body := []byte(orderBody)
	cases := []struct {
		name, ts string
		want     error
	}{
		{"max-int64", "9223372036854775807", ErrTimestampTooNew},
		{"past-time-unix-range", "9223371974719179008", ErrTimestampTooNew},
		{"max-int64-plus-one", "9223372036854775808", ErrTimestampTooNew},
		{"twenty-nines", "99999999999999999999", ErrTimestampTooNew},
		{"forty-digits", strings.Repeat("9", 40), ErrTimestampTooNew},
		{"far-future-in-range", "4611686018427387904", ErrTimestampTooNew},
		{"leading-zeros-now", strings.Repeat("0", 30) + strconv.Itoa(testTS), nil},
		{"leading-zeros-past", strings.Repeat("0", 30) + "1", ErrTimestampTooOld},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := v.Verify(deliveryHeader("msg_ts", c.ts, "v1,"+sign(key, "msg_ts", c.ts, body)), body)
			if c.want == nil {
				if err != nil || !ev.Timestamp.Equal(time.Unix(testTS, 0)) {
					t.Fatalf("err = %v, event = %+v", err, ev)
				}
				return
			}
			if !errors.Is(err, c.want) || ev != nil {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestNonCanonicalSignature: base64 text that decodes to the right
// MAC but is not the one standard encoding of it is refused, so a
// signature header has exactly one accepted spelling.
func TestNonCanonicalSignature(t *testing.T) {
	v := newTestVerifier(t)
	key := testKey(t)
	body := []byte(orderBody)
	ts := strconv.Itoa(testTS)
	good := sign(key, "msg_nc", ts, body)
	// The last character before "=" carries two padding bits; set them.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	last := strings.IndexByte(alphabet, good[42])
	paddingBits := good[:42] + string(alphabet[last|1]) + "="
	if last&3 != 0 {
		t.Fatal("standard encoding left padding bits set")
	}
	if raw, err := base64.StdEncoding.DecodeString(paddingBits); err != nil || base64.StdEncoding.EncodeToString(raw) != good {
		t.Fatal("test setup: the altered text should decode to the same MAC")
	}
	cases := []struct {
		name, header string
		want         error
	}{
		{"canonical", "v1," + good, nil},
		{"padding-bits-set", "v1," + paddingBits, ErrSignatureMismatch},
		{"all-padding-bits-set", "v1," + good[:42] + string(alphabet[last|3]) + "=", ErrSignatureMismatch},
		{"extra-padding", "v1," + good + "=", ErrSignatureMismatch},
		{"non-canonical-then-canonical", "v1," + paddingBits + " v1," + good, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(deliveryHeader("msg_nc", ts, c.header), body)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestHandlerTooLargeClosesConnection: after a 413 the server must not keep
// the connection for another request, since the rest of the oversized body
// is still unread on it.
func TestHandlerTooLargeClosesConnection(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	ts := strconv.Itoa(testTS)
	v := newTestVerifier(t, WithMaxBodyBytes(1024))
	srv := httptest.NewServer(v.Handler(func(w http.ResponseWriter, r *http.Request, ev *Event) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	post := func(body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = deliveryHeader("msg_413", ts, "v1,"+sign(key, "msg_413", ts, []byte(body)))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post(orderBody); resp.StatusCode != http.StatusNoContent || resp.Close {
		t.Fatalf("valid delivery: status %d, close %v", resp.StatusCode, resp.Close)
	}
	big := `{"event_type":"ORDER_PROCESSED","pad":"` + strings.Repeat("x", 4096) + `"}`
	if resp := post(big); resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Fatalf("oversized delivery: status %d, close %v; want 413 and the connection closed", resp.StatusCode, resp.Close)
	}
}

func newTestSigner(t testing.TB, secret string, opts ...Option) *Signer {
	t.Helper()
	s, err := NewSigner(secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSignerRoundTrip: what a Signer signs, a Verifier built from the same
// secret and options accepts, and a change to any one byte of the body
// makes it refuse.
func TestSignerRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, secret string
		opts         []Option
	}{
		{"whsec-base64", testSecret, nil},
		{"bare-base64", strings.TrimPrefix(testSecret, "whsec_"), nil},
		{"raw", "abc1234", []Option{WithRawSecret()}},
		// Raw mode keeps the prefix as part of the key, on both ends.
		{"raw-with-prefix", testSecret, []Option{WithRawSecret()}},
	}
	body := []byte(orderBody)
	sentAt := time.Unix(testTS, 999_999_999) // fractions are dropped
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newTestSigner(t, c.secret, c.opts...).Sign("msg_rt", sentAt, body)
			if len(h) != 3 || h.Get(HeaderID) != "msg_rt" || h.Get(HeaderTimestamp) != strconv.Itoa(testTS) {
				t.Fatalf("headers = %v", h)
			}
			v, err := NewVerifier(c.secret, append([]Option{WithClock(clockAt(testTS))}, c.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := v.Verify(h, body)
			if err != nil {
				t.Fatal(err)
			}
			if ev.ID != "msg_rt" || !ev.Timestamp.Equal(time.Unix(testTS, 0)) || ev.Type != EventOrderProcessed || string(ev.Body) != orderBody {
				t.Fatalf("event = %+v", ev)
			}
			for i := range body {
				bad := []byte(orderBody)
				bad[i] ^= 1
				if _, err := v.Verify(h, bad); !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("byte %d changed: err = %v", i, err)
				}
			}
			for name, change := range map[string]func(http.Header){
				"id":        func(h http.Header) { h.Set(HeaderID, "msg_other") },
				"timestamp": func(h http.Header) { h.Set(HeaderTimestamp, strconv.Itoa(testTS+1)) },
			} {
				changed := h.Clone()
				change(changed)
				if _, err := v.Verify(changed, body); !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("%s changed: err = %v", name, err)
				}
			}
		})
	}
}

// TestSignerRawSecretOption: WithRawSecret changes the key a signer uses,
// so a signer and a verifier that disagree about it do not interoperate.
func TestSignerRawSecretOption(t *testing.T) {
	t.Parallel()
	body := []byte(orderBody)
	h := newTestSigner(t, testSecret, WithRawSecret()).Sign("msg_raw", time.Unix(testTS, 0), body)
	if _, err := newTestVerifier(t).Verify(h, body); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("raw-signed, base64-verified: err = %v", err)
	}
}

// TestSignerIgnoresVerifierOptions: tolerance, clock and body cap are
// accepted and make no difference to what is signed.
func TestSignerIgnoresVerifierOptions(t *testing.T) {
	t.Parallel()
	body := []byte(orderBody)
	at := time.Unix(testTS, 0)
	want := newTestSigner(t, testSecret).Sign("msg_opts", at, body)
	got := newTestSigner(t, testSecret,
		WithTolerance(time.Second), WithClock(clockAt(1)), WithMaxBodyBytes(1)).Sign("msg_opts", at, body)
	if got.Get(HeaderSignature) != want.Get(HeaderSignature) {
		t.Fatal("verifier options changed the signature")
	}
}

// TestSignerTolerance: a signed delivery is still refused when its
// timestamp is outside the verifier's window.
func TestSignerTolerance(t *testing.T) {
	t.Parallel()
	s := newTestSigner(t, testSecret)
	v := newTestVerifier(t, WithTolerance(time.Minute))
	body := []byte(orderBody)
	now := time.Unix(testTS, 0)
	cases := []struct {
		name   string
		sentAt time.Time
		want   error
	}{
		{"now", now, nil},
		{"old-edge", now.Add(-time.Minute), nil},
		{"too-old", now.Add(-time.Minute - time.Second), ErrTimestampTooOld},
		{"new-edge", now.Add(time.Minute), nil},
		{"too-new", now.Add(time.Minute + time.Second), ErrTimestampTooNew},
		{"before-1970", time.Unix(-1, 0), ErrMalformedTimestamp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(s.Sign("msg_tol", c.sentAt, body), body)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestSignerConcurrent shares one Signer and one Verifier among goroutines
// (run with -race); each signature must be the one for its own delivery,
// which pooled state mixed up between calls would break.
func TestSignerConcurrent(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	s := newTestSigner(t, testSecret)
	v := newTestVerifier(t)
	ts := strconv.Itoa(testTS)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				id := "msg_" + strconv.Itoa(g) + "_" + strconv.Itoa(i)
				body := []byte(`{"event_type":"ORDER_PROCESSED","data":{"n":` + strconv.Itoa(i) + `,"pad":"` +
					strings.Repeat("x", g*i%97) + `"}}`)
				h := s.Sign(id, time.Unix(testTS, 0), body)
				if h.Get(HeaderSignature) != "v1,"+sign(key, id, ts, body) {
					errs <- errors.New(id + ": wrong signature")
					return
				}
				if ev, err := v.Verify(h, body); err != nil || ev.ID != id {
					errs <- errors.New(id + ": not verified")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
