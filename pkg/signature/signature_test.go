package signature

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// testKeyHex is random test material, not a real merchant secret.
const testKeyHex = "142a988d36f73a897e223905b301422f814e0dc0592bd4a7b4bf05f98c84fa1a"

func mustKey(t testing.TB, h string) Key {
	t.Helper()
	k, err := ParseKey(h)
	if err != nil {
		t.Fatalf("ParseKey: %v", err)
	}
	return k
}

func mustSign(t testing.TB, k Key, fs Fields) string {
	t.Helper()
	sig, err := k.Sign(fs)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return sig
}

func failureFields() Fields {
	return Fields{
		{FieldOrderID, "v1-250614-0002-Zq81Lm"},
		{FieldStatus, "FAILED"},
		{FieldErrorCode, "USER_AUTHENTICATION_FAILED"},
		{FieldErrorMessage, "Consumer Authentication required"},
	}
}

func TestParseKeyErrors(t *testing.T) {
	// Secrets chosen so that any slice of them leaking into the error
	// text is easy to spot.
	cases := []struct {
		name, secret, wantText string
	}{
		{"empty", "", "empty"},
		{"odd", "c0ffeec0ffeec0ffeec0ffeec0ffee1", "odd number of hex digits (31)"},
		{"odd-one", "c", "odd number"},
		{"non-hex-first", "zc0ffeec0ffeec0ffeec0ffeec0ffee0", "offset 0"},
		{"non-hex-second", "cz0ffeec0ffeec0ffeec0ffeec0ffee0", "offset 1"},
		{"non-hex-late", "c0ffeec0ffeec0ffeec0ffeec0ffeXYZ", "offset 29"},
		{"space", "c0ffee c0ffeec0ffeec0ffeec0ffee0", "offset 6"},
		{"0x-prefix", "0xc0ffeec0ffeec0ffeec0ffeec0ffee", "offset 1"},
		{"non-ascii", "c0ffeeé0ffeec0ffeec0ffeec0ffe", "offset 6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKey(c.secret)
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("err = %v, want ErrInvalidKey", err)
			}
			if k != (Key{}) {
				t.Fatal("non-zero Key returned with an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.wantText) {
				t.Errorf("error %q lacks %q", msg, c.wantText)
			}
			for _, piece := range []string{"c0ffee", "ffeec0", "XYZ", "0xc"} {
				if strings.Contains(c.secret, piece) && strings.Contains(msg, piece) {
					t.Errorf("error text repeats part of the secret")
				}
			}
		})
	}
}

func TestParseKeyAcceptsBothCases(t *testing.T) {
	fs := failureFields()
	a := mustSign(t, mustKey(t, "abcdef0123456789"), fs)
	b := mustSign(t, mustKey(t, "ABCDEF0123456789"), fs)
	c := mustSign(t, mustKey(t, "aBcDeF0123456789"), fs)
	if a != b || a != c {
		t.Fatal("hex case of the key changed the signature")
	}
}

func TestKeyIsRedacted(t *testing.T) {
	k := mustKey(t, "deadbeefdeadbeef")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		if s := fmt.Sprintf(verb, k); strings.Contains(strings.ToLower(s), "deadbeef") || strings.Contains(s, "\xde\xad") {
			t.Errorf("%s of a Key shows key material", verb)
		}
	}
}

func TestZeroKey(t *testing.T) {
	var k Key
	if _, err := k.Sign(failureFields()); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Sign: %v", err)
	}
	if err := k.Verify(failureFields(), strings.Repeat("0", 64)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Verify: %v", err)
	}
	if _, err := k.VerifyCallback(failureFields()); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("VerifyCallback: %v", err)
	}
}

func TestVerifyErrorsAreDistinct(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := failureFields()
	sig := mustSign(t, k, fs)
	flipped := []byte(sig)
	if flipped[10] == '0' {
		flipped[10] = '1'
	} else {
		flipped[10] = '0'
	}
	cases := []struct {
		name, sig string
		want      error
	}{
		{"valid-upper", sig, nil},
		{"valid-lower", strings.ToLower(sig), nil},
		{"valid-mixed", strings.ToLower(sig[:32]) + sig[32:], nil},
		{"missing", "", ErrMissingSignature},
		{"short", sig[:63], ErrMalformedSignature},
		{"long", sig + "0", ErrMalformedSignature},
		{"non-hex", sig[:63] + "G", ErrMalformedSignature},
		{"spaces", " " + sig[1:], ErrMalformedSignature},
		{"trailing-newline", sig[:63] + "\n", ErrMalformedSignature},
		{"base64-instead", "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=", ErrMalformedSignature},
		{"mismatch", string(flipped), ErrSignatureMismatch},
		{"other-key", mustSign(t, mustKey(t, "00"+testKeyHex[2:]), fs), ErrSignatureMismatch},
	}
	sentinels := []error{ErrMissingSignature, ErrMalformedSignature, ErrSignatureMismatch}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := k.Verify(fs, c.sig)
			if c.want == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			for _, s := range sentinels {
				if errors.Is(err, s) != (s == c.want) {
					t.Fatalf("err = %v; errors.Is(err, %v) = %v", err, s, !(s == c.want))
				}
			}
		})
	}
}

func TestSignIsUppercaseHex(t *testing.T) {
	sig := mustSign(t, mustKey(t, testKeyHex), failureFields())
	if len(sig) != 64 || strings.ToUpper(sig) != sig || strings.Trim(sig, "0123456789ABCDEF") != "" {
		t.Fatalf("signature %q is not 64 uppercase hex digits", sig)
	}
}

func TestFieldOrderDoesNotMatter(t *testing.T) {
	k := mustKey(t, testKeyHex)
	// 30 fields exercise the general sort as well as the small one.
	var fs Fields
	for i := range 30 {
		fs = append(fs, Field{fmt.Sprintf("f%02d_%c", i, 'a'+i%26), fmt.Sprint(i)})
	}
	want := mustSign(t, k, fs)
	canon, _ := CanonicalString(fs)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := append(Fields(nil), fs...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := mustSign(t, k, shuffled); got != want {
			t.Fatal("order of fields changed the signature")
		}
		if c, _ := CanonicalString(shuffled); c != canon {
			t.Fatal("order of fields changed the canonical string")
		}
		if err := k.Verify(shuffled, want); err != nil {
			t.Fatal(err)
		}
	}
	// The caller's slice is not reordered.
	orig := append(Fields(nil), fs...)
	orig[0], orig[29] = orig[29], orig[0]
	before := append(Fields(nil), orig...)
	_ = mustSign(t, k, orig)
	for i := range orig {
		if orig[i] != before[i] {
			t.Fatal("Sign reordered the caller's Fields")
		}
	}
}

func TestSignatureFieldIsExcluded(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := failureFields()
	sig := mustSign(t, k, fs)
	withSig := append(append(Fields(nil), fs...), Field{FieldSignature, "anything"})
	if got := mustSign(t, k, withSig); got != sig {
		t.Fatal("a signature field took part in the signature")
	}
	if err := k.Verify(withSig, sig); err != nil {
		t.Fatal(err)
	}
	c, _ := CanonicalString(withSig)
	if strings.Contains(c, "signature") {
		t.Fatalf("canonical string %q contains the signature field", c)
	}
}

func TestEmptyValueIsStillAField(t *testing.T) {
	k := mustKey(t, testKeyHex)
	with := Fields{{FieldOrderID, "o1"}, {FieldStatus, "FAILED"}, {FieldErrorCode, ""}}
	without := Fields{{FieldOrderID, "o1"}, {FieldStatus, "FAILED"}}
	c, _ := CanonicalString(with)
	if c != "error_code=&order_id=o1&status=FAILED" {
		t.Fatalf("canonical = %q", c)
	}
	if mustSign(t, k, with) == mustSign(t, k, without) {
		t.Fatal("an empty field was dropped from the canonical string")
	}
	if err := k.Verify(without, mustSign(t, k, with)); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("err = %v", err)
	}
}

func TestRepeatedFieldsAreRefused(t *testing.T) {
	k := mustKey(t, testKeyHex)
	sig := strings.Repeat("A", 64)
	cases := map[string]Fields{
		"same-value": {{FieldOrderID, "o1"}, {FieldOrderID, "o1"}, {FieldStatus, "X"}},
		"diff-value": {{FieldOrderID, "o1"}, {FieldStatus, "X"}, {FieldOrderID, "o2"}},
		"status-x2":  {{FieldOrderID, "o1"}, {FieldStatus, "X"}, {FieldStatus, "X"}},
		"alias-x2":   {{FieldOrderID, "o1"}, {FieldPaymentStatus, "X"}, {FieldPaymentStatus, "X"}},
		"three":      {{FieldOrderID, "o1"}, {FieldStatus, "X"}, {FieldPaymentStatus, "X"}, {FieldStatus, "X"}},
	}
	for name, fs := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := k.Sign(fs); !errors.Is(err, ErrRepeatedField) {
				t.Errorf("Sign: %v", err)
			}
			if err := k.Verify(fs, sig); !errors.Is(err, ErrRepeatedField) {
				t.Errorf("Verify: %v", err)
			}
			if _, err := CanonicalString(fs); !errors.Is(err, ErrRepeatedField) {
				t.Errorf("CanonicalString: %v", err)
			}
		})
	}
	// Repeated signature fields make the callback ambiguous too.
	fs := Fields{{FieldOrderID, "o1"}, {FieldStatus, "X"}}
	good := mustSign(t, k, fs)
	fs = append(fs, Field{FieldSignature, good}, Field{FieldSignature, good})
	if _, err := k.VerifyCallback(fs); !errors.Is(err, ErrRepeatedField) {
		t.Errorf("VerifyCallback with two signatures: %v", err)
	}
	// And url.Values with two values for one name.
	if _, err := FieldsFromValues(url.Values{"order_id": {"a", "b"}}); !errors.Is(err, ErrRepeatedField) {
		t.Errorf("FieldsFromValues: %v", err)
	}
	if _, err := FieldsFromValues(url.Values{"order_id": {}}); !errors.Is(err, ErrRepeatedField) {
		t.Errorf("FieldsFromValues with no value: %v", err)
	}
}

func TestEmptyFieldName(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := Fields{{"", "x"}, {FieldOrderID, "o1"}, {FieldStatus, "X"}}
	if _, err := k.Sign(fs); !errors.Is(err, ErrEmptyFieldName) {
		t.Fatalf("Sign: %v", err)
	}
	if err := k.Verify(fs, strings.Repeat("0", 64)); !errors.Is(err, ErrEmptyFieldName) {
		t.Fatalf("Verify: %v", err)
	}
}

func TestPaymentStatusAlias(t *testing.T) {
	k := mustKey(t, testKeyHex)
	viaStatus := Fields{{FieldOrderID, "o1"}, {FieldStatus, "AUTHORIZED"}}
	viaAlias := Fields{{FieldOrderID, "o1"}, {FieldPaymentStatus, "AUTHORIZED"}}
	both := Fields{{FieldOrderID, "o1"}, {FieldPaymentStatus, "AUTHORIZED"}, {FieldStatus, "AUTHORIZED"}}
	sig := mustSign(t, k, viaStatus)
	for name, fs := range map[string]Fields{"alias": viaAlias, "both-equal": both} {
		if got := mustSign(t, k, fs); got != sig {
			t.Errorf("%s: signature differs from the status spelling", name)
		}
		if c, _ := CanonicalString(fs); c != "order_id=o1&status=AUTHORIZED" {
			t.Errorf("%s: canonical = %q", name, c)
		}
		cb, err := k.VerifyCallback(append(fs, Field{FieldSignature, sig}))
		if err != nil {
			t.Fatalf("%s: VerifyCallback: %v", name, err)
		}
		if cb.Status != "AUTHORIZED" {
			t.Errorf("%s: Status = %q", name, cb.Status)
		}
	}
	conflict := Fields{{FieldOrderID, "o1"}, {FieldPaymentStatus, "AUTHORIZED"}, {FieldStatus, "FAILED"}}
	if _, err := k.Sign(conflict); !errors.Is(err, ErrStatusConflict) {
		t.Errorf("Sign: %v", err)
	}
	if err := k.Verify(conflict, sig); !errors.Is(err, ErrStatusConflict) {
		t.Errorf("Verify: %v", err)
	}
	if err := k.VerifyMap(map[string]string{"order_id": "o1", "payment_status": "A", "status": "B"}, sig); !errors.Is(err, ErrStatusConflict) {
		t.Errorf("VerifyMap: %v", err)
	}
}

func TestVerifyCallbackTyped(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := failureFields()
	fs = append(fs, Field{"extra", "kept"})
	sig := mustSign(t, k, fs)
	fs = append(fs, Field{FieldSignature, strings.ToLower(sig)})
	cb, err := k.VerifyCallback(fs)
	if err != nil {
		t.Fatal(err)
	}
	if cb.OrderID != "v1-250614-0002-Zq81Lm" || cb.Status != "FAILED" ||
		cb.ErrorCode != "USER_AUTHENTICATION_FAILED" || cb.ErrorMessage != "Consumer Authentication required" {
		t.Fatalf("callback = %+v", cb)
	}
	if v, _ := cb.Fields.Get("extra"); v != "kept" {
		t.Fatal("unknown field not kept")
	}
	if v, _ := cb.Fields.Get(FieldSignature); v != strings.ToLower(sig) {
		t.Fatal("signature field not kept as received")
	}

	if _, err := k.VerifyCallback(failureFields()); !errors.Is(err, ErrMissingSignature) {
		t.Fatalf("no signature: %v", err)
	}
}

// TestVerifyCallbackNeedsOrderAndStatus: correctly signed field sets that
// lack order_id or status are not callbacks. (A real callback folded into
// fewer fields is refused earlier; see TestAmbiguousFieldsAreRefused.)
func TestVerifyCallbackNeedsOrderAndStatus(t *testing.T) {
	k := mustKey(t, testKeyHex)
	for _, fs := range []Fields{
		{{FieldOrderID, "o1"}},
		{{FieldStatus, "AUTHORIZED"}},
		{{FieldOrderID, ""}, {FieldStatus, "AUTHORIZED"}},
	} {
		s := mustSign(t, k, fs)
		if _, err := k.VerifyCallback(append(fs, Field{FieldSignature, s})); !errors.Is(err, ErrIncompleteCallback) {
			t.Errorf("%v: err = %v", fs, err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	k := mustKey(t, testKeyHex)
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 200 {
				fs := Fields{{FieldOrderID, fmt.Sprintf("o-%d-%d", g, i)}, {FieldStatus, "AUTHORIZED"}}
				sig, e := k.Sign(fs)
				if e == nil {
					e = k.Verify(fs, sig)
				}
				if e == nil && k.Verify(Fields{{FieldOrderID, "other"}, {FieldStatus, "AUTHORIZED"}}, sig) == nil {
					e = errors.New("signature verified for other fields")
				}
				if e != nil && err == nil {
					err = e
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
