package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// hmacOf signs a canonical string directly with testKeyHex, so a test can
// present the signature of a string that Sign itself would refuse to build.
func hmacOf(t testing.TB, canonical string) string {
	t.Helper()
	raw, err := hex.DecodeString(testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte(canonical))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

func TestEmptyFieldSetIsRefused(t *testing.T) {
	k := mustKey(t, testKeyHex)
	sig := hmacOf(t, "")
	onlySig := Fields{{FieldSignature, sig}}
	cases := []struct {
		name string
		fs   Fields
		// callback is fs with the signature field VerifyCallback reads it from.
		callback Fields
	}{
		{"nil", nil, onlySig},
		{"empty", Fields{}, onlySig},
		{"only-signature", onlySig, onlySig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := k.Verify(c.fs, sig); !errors.Is(err, ErrNoFields) {
				t.Errorf("Verify: err = %v, want ErrNoFields", err)
			}
			if _, err := k.Sign(c.fs); !errors.Is(err, ErrNoFields) {
				t.Errorf("Sign: err = %v, want ErrNoFields", err)
			}
			if _, err := CanonicalString(c.fs); !errors.Is(err, ErrNoFields) {
				t.Errorf("CanonicalString: err = %v, want ErrNoFields", err)
			}
			m := map[string]string{}
			for _, f := range c.fs {
				m[f.Name] = f.Value
			}
			if err := k.VerifyMap(m, sig); !errors.Is(err, ErrNoFields) {
				t.Errorf("VerifyMap: err = %v, want ErrNoFields", err)
			}
			if cb, err := k.VerifyCallback(c.callback); !errors.Is(err, ErrNoFields) || cb != nil {
				t.Errorf("VerifyCallback: err = %v, want ErrNoFields", err)
			}
		})
	}
}

// TestAmbiguousFieldsAreRefused presents, for each case, the signature of
// a genuine field set together with a different field set that has the
// same canonical string: the fields of one folded into a value or a name
// of the other. The canonical string is written out so the test does not
// depend on CanonicalString, which refuses such sets.
func TestAmbiguousFieldsAreRefused(t *testing.T) {
	k := mustKey(t, testKeyHex)
	cases := []struct {
		name      string
		canonical string // of the genuine callback, which Pine Labs signed
		forged    Fields // read differently, same canonical string
	}{
		{"status-folded-into-order_id", "order_id=v1-O1&status=AUTHORIZED",
			Fields{{FieldOrderID, "v1-O1&status=AUTHORIZED"}}},
		{"tail-folded-into-error_code", "error_code=E1&error_message=Declined&order_id=v1-O1&status=FAILED",
			Fields{{FieldErrorCode, "E1&error_message=Declined&order_id=v1-O1&status=FAILED"}}},
		{"status-folded-into-error_message", "error_code=E1&error_message=Declined&order_id=v1-O1&status=FAILED",
			Fields{{FieldErrorCode, "E1"}, {FieldErrorMessage, "Declined&order_id=v1-O1"}, {FieldStatus, "FAILED"}}},
		{"later-field-folded-into-alias", "order_id=v1-O1&status=AUTHORIZED&x=1",
			Fields{{FieldOrderID, "v1-O1"}, {FieldPaymentStatus, "AUTHORIZED&x=1"}}},
		{"name-holds-order_id-and-status", "order_id=v1-O1&status=AUTHORIZED",
			Fields{{"order_id=v1-O1&status", "AUTHORIZED"}}},
		{"name-with-equals", "order_id=v1=O1&status=AUTHORIZED",
			Fields{{"order_id=v1", "O1"}, {FieldStatus, "AUTHORIZED"}}},
		{"name-with-ampersand", "b=1&c&d=2&order_id=v1-O1&status=AUTHORIZED",
			Fields{{"b", "1"}, {"c&d", "2"}, {FieldOrderID, "v1-O1"}, {FieldStatus, "AUTHORIZED"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := hmacOf(t, c.canonical)
			if err := k.Verify(c.forged, sig); !errors.Is(err, ErrAmbiguousField) {
				t.Errorf("Verify: err = %v, want ErrAmbiguousField", err)
			}
			withSig := append(append(Fields(nil), c.forged...), Field{FieldSignature, sig})
			if cb, err := k.VerifyCallback(withSig); !errors.Is(err, ErrAmbiguousField) || cb != nil {
				t.Errorf("VerifyCallback: err = %v, want ErrAmbiguousField", err)
			}
			if _, err := k.Sign(c.forged); !errors.Is(err, ErrAmbiguousField) {
				t.Errorf("Sign: err = %v, want ErrAmbiguousField", err)
			}
		})
	}
}

// TestUnambiguousSpecialCharactersStillVerify: "&" and "=" are refused only
// where they could be read as a field boundary, so error messages with an
// ampersand, and the test vectors with "&c=" in error_message, still work.
func TestUnambiguousSpecialCharactersStillVerify(t *testing.T) {
	k := mustKey(t, testKeyHex)
	cases := []struct {
		name, field, value string
	}{
		{"ampersand-in-prose", FieldErrorMessage, "Card & PIN mismatch"},
		{"earlier-name-after-ampersand", FieldErrorMessage, "a b&c=d%20e+f"},
		{"own-name-after-ampersand", FieldOrderID, "v1-O1&order_id=2"},
		{"ampersand-then-equals", FieldErrorMessage, "x&=y"},
		{"trailing-ampersand", FieldErrorMessage, "done&"},
		{"ampersands-without-equals", FieldErrorMessage, "a&b&&c"},
		{"equals-only", FieldStatus, "==x="},
		{"later-name-without-equals", FieldErrorMessage, "retry & status unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := Fields{{FieldOrderID, "v1-O1"}, {FieldStatus, "FAILED"}}
			for i := range fs {
				if fs[i].Name == c.field {
					fs[i].Value = c.value
				}
			}
			if _, ok := fs.Get(c.field); !ok {
				fs = append(fs, Field{c.field, c.value})
			}
			sig, err := k.Sign(fs)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if err := k.Verify(fs, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestInvalidUTF8FieldIsRefused(t *testing.T) {
	k := mustKey(t, testKeyHex)
	cases := []struct {
		name      string
		fs        Fields
		canonical string
	}{
		{"value-high-byte", Fields{{FieldOrderID, "v1-O1"}, {FieldStatus, "FAILED"}, {FieldErrorMessage, "bad \xff byte"}},
			"error_message=bad \xff byte&order_id=v1-O1&status=FAILED"},
		{"value-truncated-rune", Fields{{FieldOrderID, "v1-O1\xe2\x82"}, {FieldStatus, "FAILED"}},
			"order_id=v1-O1\xe2\x82&status=FAILED"},
		{"value-encoded-surrogate", Fields{{FieldOrderID, "v1-O1"}, {FieldStatus, "\xed\xa0\x80"}},
			"order_id=v1-O1&status=\xed\xa0\x80"},
		{"name", Fields{{FieldOrderID, "v1-O1"}, {FieldStatus, "FAILED"}, {"x\xc0", "1"}},
			"order_id=v1-O1&status=FAILED&x\xc0=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := k.Verify(c.fs, hmacOf(t, c.canonical)); !errors.Is(err, ErrInvalidUTF8) {
				t.Errorf("Verify: err = %v, want ErrInvalidUTF8", err)
			}
			if _, err := k.Sign(c.fs); !errors.Is(err, ErrInvalidUTF8) {
				t.Errorf("Sign: err = %v, want ErrInvalidUTF8", err)
			}
		})
	}
}

// normalized is what the canonical string says about fs: signature left
// out, payment_status read as status, sorted, repeats of an equal status
// merged.
func normalized(fs Fields) Fields {
	var out Fields
	for _, f := range fs {
		switch f.Name {
		case FieldSignature:
			continue
		case FieldPaymentStatus:
			f.Name = FieldStatus
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	return slices.Compact(out)
}

// FuzzCanonicalStringIsUnambiguous checks the property the field rules
// exist for: no two field sets that CanonicalString accepts share a
// canonical string. For an accepted set it tries every other way of cutting
// the canonical string into sorted name=value fields, and requires each
// one to be refused.
func FuzzCanonicalStringIsUnambiguous(f *testing.F) {
	for _, seed := range []string{
		"order_id=v1-O1&status=AUTHORIZED",
		"error_code=E1&error_message=Declined&order_id=v1-O1&status=FAILED",
		"error_message=a b&c=d\norder_id=o\nstatus=FAILED",
		"a=1&b=2&c=3\nd=4",
		"payment_status=A&zz=1\norder_id=o",
		"order_id=v1=O1\nstatus=A",
		"b=1\nc&d=2",
		"x=&y=\ny=1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, blob string) {
		fs := fieldsFromBlob(blob)
		canon, err := CanonicalString(fs)
		if err != nil {
			return
		}
		// Where another reading could start a field: an "&" followed by a
		// name (no "&" or "=") and "=".
		var cuts []int
		for i := 0; i < len(canon); i++ {
			if canon[i] != '&' {
				continue
			}
			j := i + 1
			for j < len(canon) && canon[j] != '&' && canon[j] != '=' {
				j++
			}
			if j > i+1 && j < len(canon) && canon[j] == '=' {
				cuts = append(cuts, i)
			}
		}
		if len(cuts) > 10 {
			return
		}
		want := normalized(fs)
		for mask := 0; mask < 1<<len(cuts); mask++ {
			var other Fields
			start := 0
			for bit, cut := range append(cuts, len(canon)) {
				if bit < len(cuts) && mask&(1<<bit) == 0 {
					continue
				}
				name, value, _ := strings.Cut(canon[start:cut], "=")
				other = append(other, Field{name, value})
				start = cut + 1
			}
			if slices.Equal(normalized(other), want) {
				continue
			}
			if c, err := CanonicalString(other); err == nil && c == canon {
				t.Fatalf("two accepted field sets share a canonical string: %q and %q", want, other)
			}
		}
	})
}

// TestErrorsNameOnlyPlainFieldNames: field names come from whoever sent the
// request, before its signature is checked, so an error repeats a name only
// when it is short and plainly a name. Anything else, such as a name with
// a newline that would forge a log line, is left out of the text.
func TestErrorsNameOnlyPlainFieldNames(t *testing.T) {
	k := mustKey(t, testKeyHex)
	const forged = "a\nERROR forged entry"
	long := strings.Repeat("n", maxShownNameLen+1)
	fitting := strings.Repeat("n", maxShownNameLen)
	sig := strings.Repeat("A", 64)
	verify := func(fs Fields) error { return k.Verify(fs, sig) }
	sign := func(fs Fields) error { _, err := k.Sign(fs); return err }
	parse := func(r *http.Request) error { _, err := ParseCallback(r, k); return err }
	cases := []struct {
		name string
		err  error
		want error
		// shown is the name the text must quote; "" means no name may
		// appear and the text says it is not shown.
		shown, hidden string
	}{
		{"json-ambiguous-value-forged-name",
			parse(postCallback("application/json", `{"a\nERROR forged entry":"x&zzz=1","signature":"`+sig+`"}`)),
			ErrAmbiguousField, "", forged},
		{"json-repeated-forged-name",
			parse(postCallback("application/json", `{"a\nERROR forged entry":"1","a\nERROR forged entry":"2"}`)),
			ErrRepeatedField, "", forged},
		{"form-repeated-forged-name",
			parse(postCallback(formCT, "a%0AERROR+forged+entry=1&a%0AERROR+forged+entry=2")),
			ErrRepeatedField, "", forged},
		{"query-repeated-forged-name",
			parse(httptest.NewRequest(http.MethodGet, "/cb?a%0AERROR+forged+entry=1&a%0AERROR+forged+entry=2", nil)),
			ErrRepeatedField, "", forged},
		{"verify-repeated-name-with-ampersand",
			verify(Fields{{"a&b", "1"}, {"a&b", "2"}}), ErrRepeatedField, "", "a&b"},
		{"sign-repeated-name-with-equals",
			sign(Fields{{"a=b", "1"}, {"a=b", "2"}}), ErrRepeatedField, "", "a=b"},
		{"verify-repeated-uppercase-name",
			verify(Fields{{"Order_ID", "1"}, {"Order_ID", "2"}}), ErrRepeatedField, "", "Order_ID"},
		{"verify-repeated-long-name",
			verify(Fields{{long, "1"}, {long, "2"}}), ErrRepeatedField, "", long},
		{"verify-ambiguous-value-forged-name",
			verify(Fields{{forged, "x&zzz=1"}}), ErrAmbiguousField, "", forged},
		{"verify-invalid-utf8-value-forged-name",
			verify(Fields{{forged, "\xff"}}), ErrInvalidUTF8, "", forged},
		{"values-repeated-forged-name",
			func() error { _, err := FieldsFromValues(url.Values{forged: {"1", "2"}}); return err }(),
			ErrRepeatedField, "", forged},
		{"verify-repeated-plain-name",
			verify(Fields{{FieldOrderID, "1"}, {FieldOrderID, "2"}}), ErrRepeatedField, FieldOrderID, ""},
		{"verify-repeated-name-of-greatest-length",
			verify(Fields{{fitting, "1"}, {fitting, "2"}}), ErrRepeatedField, fitting, ""},
		{"verify-ambiguous-value-plain-name",
			verify(Fields{{FieldOrderID, "v1-O1&status=AUTHORIZED"}}), ErrAmbiguousField, FieldOrderID, ""},
		{"verify-invalid-utf8-value-plain-name",
			verify(Fields{{"udf_1", "\xff"}}), ErrInvalidUTF8, "udf_1", ""},
		{"json-repeated-plain-name",
			parse(postCallback("application/json", `{"status":"A","status":"B"}`)), ErrRepeatedField, FieldStatus, ""},
		{"form-repeated-plain-name",
			parse(postCallback(formCT, "status=A&status=B")), ErrRepeatedField, FieldStatus, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !errors.Is(c.err, c.want) {
				t.Fatalf("err = %q, want %v", c.err, c.want)
			}
			msg := c.err.Error()
			if strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				t.Errorf("error %q has a control character", msg)
			}
			if c.shown != "" && !strings.Contains(msg, `"`+c.shown+`"`) {
				t.Errorf("error %q does not name %q", msg, c.shown)
			}
			if c.hidden != "" && (strings.Contains(msg, c.hidden) || !strings.Contains(msg, nameNotShown)) {
				t.Errorf("error %q repeats the name or does not say it is not shown", msg)
			}
		})
	}
}
