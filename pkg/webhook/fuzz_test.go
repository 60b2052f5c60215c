package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzVerify(f *testing.F) {
	key := testKey(f)
	ts := strconv.Itoa(testTS)
	f.Add("msg_1", ts, "v1,"+sign(key, "msg_1", ts, []byte(orderBody)), []byte(orderBody))
	f.Add("msg_1", "17", "v1,AAAA v2,BBBB", []byte(`{"eventType":1}`))
	f.Add("", "", "", []byte(nil))
	f.Add("a.b", "1749900000", "v1,=== v1,", []byte("null"))
	v := newTestVerifier(f)
	signer := newTestSigner(f, testSecret)
	f.Fuzz(func(t *testing.T, id, tsHeader, sigHeader string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, tsHeader)
		h.Set(HeaderSignature, sigHeader)
		_, _ = v.Verify(h, body) // must not panic

		if id == "" || strings.ContainsAny(id, "\r\n") {
			return
		}
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sigHeader+" v1,"+sign(key, id, ts, body))
		ev, err := v.Verify(h, body)
		if err != nil {
			if errors.Is(err, ErrMalformedBody) {
				return
			}
			t.Fatalf("round trip: %v", err)
		}
		if ev.ID != id || string(ev.Body) != string(body) {
			t.Fatal("event does not match delivery")
		}
		if got := signer.Sign(id, time.Unix(testTS, 0), body).Get(HeaderSignature); got != "v1,"+sign(key, id, ts, body) {
			t.Fatalf("Sign wrote %q", got)
		}
	})
}

// FuzzNewVerifier checks the secret parser: it never panics, never repeats
// the secret in its error, and accepts exactly the non-empty padded
// standard base64 (after an optional whsec_ prefix) unless told the secret
// is raw. NewSigner, which shares the parser, must agree with it.
func FuzzNewVerifier(f *testing.F) {
	f.Add(testSecret, false)
	f.Add("abc1234", false)
	f.Add("abc1234", true)
	f.Add("whsec_", false)
	f.Add("whsec_YWJjMTIzNA==", false)
	f.Add("whsec_YWJjMTIzNA", false)
	f.Add("YWJjMTIzNB==", false)
	f.Fuzz(func(t *testing.T, secret string, raw bool) {
		var opts []Option
		if raw {
			opts = append(opts, WithRawSecret())
		}
		v, err := NewVerifier(secret, opts...)
		s, serr := NewSigner(secret, opts...)
		if (err == nil) != (serr == nil) || (err != nil && err.Error() != serr.Error()) {
			t.Fatalf("NewVerifier err = %v, NewSigner err = %v", err, serr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidSecret) || v != nil {
				t.Fatalf("err = %v", err)
			}
			// A fixed text cannot repeat the secret.
			switch err.Error() {
			case "webhook: invalid secret: empty",
				"webhook: invalid secret: not base64 (use WithRawSecret for a raw secret)",
				"webhook: invalid secret: empty after decoding":
			default:
				t.Fatalf("unexpected error text %q", err)
			}
		}
		var want []byte
		if raw {
			want = []byte(secret)
		} else if k, derr := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(secret, "whsec_")); derr == nil {
			want = k
		}
		if (err == nil) != (len(want) > 0) {
			t.Fatalf("secret %q (raw %v): err = %v", secret, raw, err)
		}
		if err == nil {
			// The key is reachable only through the MAC it keys.
			m := hmac.New(sha256.New, want)
			m.Write([]byte("id.1.body"))
			mac := m.Sum(nil)
			st := v.macs.Get().(*macState)
			if !hmac.Equal(st.sign("id", "1", []byte("body")), mac) {
				t.Fatalf("secret %q (raw %v): the verifier is keyed with something else", secret, raw)
			}
			if got := s.Sign("id", time.Unix(1, 0), []byte("body")).Get(HeaderSignature); got != "v1,"+base64.StdEncoding.EncodeToString(mac) {
				t.Fatalf("secret %q (raw %v): the signer is keyed with something else", secret, raw)
			}
		}
	})
}
