package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"strconv"
	"testing"
)

// BenchmarkVerify compares Verify with the bare cost of the HMAC-SHA256 it
// must compute, to keep header parsing, base64 decoding and event decoding
// honest.
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

	// The baseline gets the signed prefix and the decoded signature for free.
	prefix := []byte("msg_bench." + ts + ".")
	m := hmac.New(sha256.New, key)
	m.Write(prefix)
	m.Write(body)
	want := m.Sum(nil)
	b.Run("bare-hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write(prefix)
			m.Write(body)
			if !hmac.Equal(m.Sum(nil), want) {
				b.Fatal("mismatch")
			}
		}
	})
}
