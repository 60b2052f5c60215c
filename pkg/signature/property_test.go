package signature

import (
	"testing"
)

// mutations returns replacements for byte c that are never c itself. None
// is c with its ASCII case flipped, because a case change of a hex digit in
// the signature legitimately still verifies.
func mutations(c byte) []byte {
	return []byte{c + 1, c - 1, c ^ 0x80, c ^ 0x01, '~', 0x00}
}

func withByte(s string, i int, b byte) string {
	bs := []byte(s)
	bs[i] = b
	return string(bs)
}

// TestEveryByteMatters: for a signed callback, changing any single byte of
// any field value, any field name or the signature must make verification
// fail.
func TestEveryByteMatters(t *testing.T) {
	k := mustKey(t, testKeyHex)
	base := Fields{
		{FieldOrderID, "v1-250614-0002-Zq81Lm"},
		{FieldStatus, "FAILED"},
		{FieldErrorCode, "USER_AUTHENTICATION_FAILED"},
		{FieldErrorMessage, "Consumer Authentication required: ₹ 1,100 & more"},
	}
	sig := mustSign(t, k, base)
	if err := k.Verify(base, sig); err != nil {
		t.Fatal(err)
	}
	checked := 0
	mutate := func(what string, fs Fields, s string) {
		t.Helper()
		checked++
		if err := k.Verify(fs, s); err == nil {
			t.Fatalf("%s: verification still succeeded", what)
		}
		if _, err := k.VerifyCallback(append(fs, Field{FieldSignature, s})); err == nil {
			t.Fatalf("%s: VerifyCallback still succeeded", what)
		}
	}
	for fi := range base {
		for i := 0; i < len(base[fi].Value); i++ {
			for _, b := range mutations(base[fi].Value[i]) {
				fs := append(Fields(nil), base...)
				fs[fi].Value = withByte(fs[fi].Value, i, b)
				mutate("value of "+base[fi].Name, fs, sig)
			}
		}
		for i := 0; i < len(base[fi].Name); i++ {
			for _, b := range mutations(base[fi].Name[i]) {
				fs := append(Fields(nil), base...)
				fs[fi].Name = withByte(fs[fi].Name, i, b)
				mutate("name "+base[fi].Name, fs, sig)
			}
		}
	}
	for i := 0; i < len(sig); i++ {
		for _, b := range mutations(sig[i]) {
			mutate("signature", base, withByte(sig, i, b))
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d mutations checked", checked)
	}
}
