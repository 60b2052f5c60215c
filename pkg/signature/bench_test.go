package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// BenchmarkVerifyCallback compares the package's verify path with the bare
// cost of one HMAC-SHA256 over the same canonical string, to keep the
// canonicalisation, hex decoding and pooling overhead honest.
func BenchmarkVerifyCallback(b *testing.B) {
	keyHex := "276a2bf0d2c0f10db6c1be1a7b461a18"
	fs := Fields{
		{FieldOrderID, "v1-250614-0002-Zq81Lm"},
		{FieldStatus, "FAILED"},
		{FieldErrorCode, "USER_AUTHENTICATION_FAILED"},
		{FieldErrorMessage, "Consumer Authentication required"},
	}
	k := mustKey(b, keyHex)
	sig := mustSign(b, k, fs)

	b.Run("pkg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := k.Verify(fs, sig); err != nil {
				b.Fatal(err)
			}
		}
	})

	// The baselines get the canonical string and the decoded signature for free.
	rawKey, _ := hex.DecodeString(keyHex)
	canon, err := CanonicalString(fs)
	if err != nil {
		b.Fatal(err)
	}
	msg := []byte(canon)
	want, _ := hex.DecodeString(sig)

	b.Run("bare-hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, rawKey)
			m.Write(msg)
			if !hmac.Equal(m.Sum(nil), want) {
				b.Fatal("mismatch")
			}
		}
	})

	// The strictest baseline: the keyed HMAC built once and Reset per call,
	// as pkg does internally, so only canonicalisation and hex decoding of
	// the signature separate the two.
	b.Run("bare-hmac-reused", func(b *testing.B) {
		m := hmac.New(sha256.New, rawKey)
		var sum [sha256.Size]byte
		b.ReportAllocs()
		for b.Loop() {
			m.Reset()
			m.Write(msg)
			if !hmac.Equal(m.Sum(sum[:0]), want) {
				b.Fatal("mismatch")
			}
		}
	})
}
