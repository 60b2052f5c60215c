package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// BenchmarkVerify compares Verify with bare HMAC-SHA256 over the same
// signed bytes, to keep header parsing, base64 decoding and event decoding
// honest. The baselines get the signed bytes and the decoded signature for
// free; bare-hmac+json adds the one json.Unmarshal that Verify must do, so
// pkg minus bare-hmac+json is the package's own overhead.
func BenchmarkVerify(b *testing.B) {
	key := testKey(b)
	ts := strconv.Itoa(testTS)
	body := []byte(orderBody)
	h := deliveryHeader("msg_bench", ts, "v2,ignored v1,"+sign(key, "msg_bench", ts, body))
	v := newTestVerifier(b)

	b.Run("pkg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(h, body); err != nil {
				b.Fatal(err)
			}
		}
	})

	signed := []byte("msg_bench." + ts + "." + orderBody)
	m := hmac.New(sha256.New, key)
	m.Write(signed)
	want := m.Sum(nil)

	b.Run("bare-hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write(signed)
			if !hmac.Equal(m.Sum(nil), want) {
				b.Fatal("mismatch")
			}
		}
	})

	// The keyed HMAC built once and Reset per call, as Verify's pool does.
	b.Run("bare-hmac-reused", func(b *testing.B) {
		m := hmac.New(sha256.New, key)
		var sum [sha256.Size]byte
		b.ReportAllocs()
		for b.Loop() {
			m.Reset()
			m.Write(signed)
			if !hmac.Equal(m.Sum(sum[:0]), want) {
				b.Fatal("mismatch")
			}
		}
	})

	b.Run("bare-hmac+json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write(signed)
			if !hmac.Equal(m.Sum(nil), want) {
				b.Fatal("mismatch")
			}
			var env envelope
			if err := json.Unmarshal(body, &env); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSign is the sending side of BenchmarkVerify: the MAC plus
// building the header map.
func BenchmarkSign(b *testing.B) {
	s := newTestSigner(b, testSecret)
	body := []byte(orderBody)
	at := time.Unix(testTS, 0)
	b.ReportAllocs()
	for b.Loop() {
		s.Sign("msg_bench", at, body)
	}
}
