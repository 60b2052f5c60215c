package signature

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// signedValues returns fs plus its signature as url.Values.
func signedValues(t testing.TB, k Key, fs Fields) url.Values {
	t.Helper()
	v := url.Values{}
	for _, f := range fs {
		v.Set(f.Name, f.Value)
	}
	v.Set(FieldSignature, mustSign(t, k, fs))
	return v
}

const formCT = "application/x-www-form-urlencoded"

func formRequest(v url.Values) *http.Request { return postCallback(formCT, v.Encode()) }

func jsonRequest(t testing.TB, v url.Values) *http.Request {
	m := map[string]string{}
	for name := range v {
		m[name] = v.Get(name)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return postCallback("application/json; charset=utf-8", string(b))
}

func trickyFields() Fields {
	return Fields{
		{FieldOrderID, "v1-250614-0004"},
		{FieldStatus, "FAILED"},
		{FieldErrorCode, ""},
		{FieldErrorMessage, "a b&c=d%20e+f — भुगतान 💳"},
	}
}

func TestParseCallbackTransports(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := trickyFields()
	v := signedValues(t, k, fs)
	reqs := map[string]*http.Request{
		"form-post":          formRequest(v),
		"query-get":          httptest.NewRequest(http.MethodGet, "/pay/return?"+v.Encode(), nil),
		"query-post-no-body": httptest.NewRequest(http.MethodPost, "/pay/return?"+v.Encode(), nil),
		"json-post":          jsonRequest(t, v),
	}
	for name, r := range reqs {
		t.Run(name, func(t *testing.T) {
			cb, err := ParseCallback(r, k)
			if err != nil {
				t.Fatalf("ParseCallback: %v", err)
			}
			if cb.OrderID != fs[0].Value || cb.Status != "FAILED" || cb.ErrorCode != "" || cb.ErrorMessage != fs[3].Value {
				t.Fatalf("callback = %+v", cb)
			}
			if len(cb.Fields) != 5 {
				t.Fatalf("Fields = %v", cb.Fields)
			}
		})
	}
}

func TestParseCallbackPostIgnoresQuery(t *testing.T) {
	// The merchant's callback_url may carry its own parameters, which Pine
	// Labs does not sign.
	k := mustKey(t, testKeyHex)
	v := signedValues(t, k, trickyFields())
	r := formRequest(v)
	r.URL.RawQuery = "cart=42&order_id=forged"
	cb, err := ParseCallback(r, k)
	if err != nil {
		t.Fatal(err)
	}
	if cb.OrderID != "v1-250614-0004" {
		t.Fatalf("OrderID = %q", cb.OrderID)
	}
}

func TestParseCallbackRestoresBody(t *testing.T) {
	k := mustKey(t, testKeyHex)
	v := signedValues(t, k, trickyFields())
	r := formRequest(v)
	if _, err := ParseCallback(r, k); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	if string(b) != v.Encode() {
		t.Fatal("body not readable after ParseCallback")
	}
}

func TestParseCallbackRejects(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := trickyFields()
	good := signedValues(t, k, fs)

	tampered := signedValues(t, k, fs)
	tampered.Set(FieldStatus, "AUTHORIZED")
	unsigned := signedValues(t, k, fs)
	unsigned.Del(FieldSignature)
	malformedSig := signedValues(t, k, fs)
	malformedSig.Set(FieldSignature, "xyz")

	cases := []struct {
		name string
		r    *http.Request
		want error
	}{
		{"tampered", formRequest(tampered), ErrSignatureMismatch},
		{"unsigned", formRequest(unsigned), ErrMissingSignature},
		{"malformed-signature", formRequest(malformedSig), ErrMalformedSignature},
		{"repeated-form", postCallback(formCT, good.Encode()+"&status=FAILED"), ErrRepeatedField},
		{"repeated-query", httptest.NewRequest(http.MethodGet, "/cb?"+good.Encode()+"&order_id=x", nil), ErrRepeatedField},
		{"bad-escape", postCallback(formCT, good.Encode()+"&x=%zz"), ErrMalformedCallback},
		{"semicolon", postCallback(formCT, "a=1;b=2"), ErrMalformedCallback},
		{"json-number", postCallback("application/json", `{"order_id":"o","status":1}`), ErrMalformedCallback},
		{"json-null", postCallback("application/json", `{"order_id":"o","status":null}`), ErrMalformedCallback},
		{"json-nested", postCallback("application/json", `{"order_id":{"a":"b"}}`), ErrMalformedCallback},
		{"json-array", postCallback("application/json", `["order_id","o"]`), ErrMalformedCallback},
		{"json-trailing", postCallback("application/json", `{"order_id":"o"} {}`), ErrMalformedCallback},
		{"json-truncated", postCallback("application/json", `{"order_id":"o"`), ErrMalformedCallback},
		{"json-duplicate", postCallback("application/json", `{"status":"FAILED","order_id":"o","status":"AUTHORIZED"}`), ErrRepeatedField},
		{"json-empty", postCallback("application/json", ``), ErrMalformedCallback},
		{"xml", postCallback("application/xml", `<x/>`), ErrUnsupportedMediaType},
		{"no-type-with-body", postCallback("", good.Encode()), ErrUnsupportedMediaType},
		{"bad-media-type", postCallback("form;;=", good.Encode()), ErrUnsupportedMediaType},
		{"too-large", postCallback(formCT, good.Encode()+"&pad="+strings.Repeat("x", MaxCallbackBytes)), ErrBodyTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cb, err := ParseCallback(c.r, k)
			if !errors.Is(err, c.want) || cb != nil {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestRequireSignedCallback(t *testing.T) {
	k := mustKey(t, testKeyHex)
	fs := trickyFields()
	var got *Callback
	calls := 0
	h := RequireSignedCallback(k, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		got, _ = CallbackFromContext(r.Context())
		io.WriteString(w, "thanks")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, formRequest(signedValues(t, k, fs)))
	if rec.Code != http.StatusOK || rec.Body.String() != "thanks" || calls != 1 {
		t.Fatalf("valid callback: %d %q calls=%d", rec.Code, rec.Body.String(), calls)
	}
	if got == nil || got.OrderID != fs[0].Value || got.Status != "FAILED" {
		t.Fatalf("callback in context = %+v", got)
	}

	sig := mustSign(t, k, fs)
	tampered := signedValues(t, k, fs)
	tampered.Set(FieldErrorMessage, "ok")
	unsigned := signedValues(t, k, fs)
	unsigned.Del(FieldSignature)
	malformed := signedValues(t, k, fs)
	malformed.Set(FieldSignature, sig[:40])
	xml := postCallback("text/xml", "<x/>")
	big := postCallback(formCT, strings.Repeat("a", MaxCallbackBytes+1))

	cases := []struct {
		name string
		r    *http.Request
		code int
		body string
	}{
		{"tampered", formRequest(tampered), 400, "invalid callback signature\n"},
		{"unsigned", formRequest(unsigned), 400, "missing callback signature\n"},
		{"malformed", formRequest(malformed), 400, "malformed callback signature\n"},
		{"garbage", httptest.NewRequest(http.MethodGet, "/?a=%zz", nil), 400, "malformed callback\n"},
		{"xml", xml, 415, "unsupported callback content type\n"},
		{"too-large", big, 413, "callback too large\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls = 0
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.r)
			if calls != 0 {
				t.Fatal("next ran for a rejected callback")
			}
			if rec.Code != c.code || rec.Body.String() != c.body {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body.String(), c.code, c.body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Fatalf("Content-Type = %q", ct)
			}
			if strings.Contains(rec.Body.String(), sig[:16]) || strings.Contains(strings.ToLower(rec.Body.String()), testKeyHex[:16]) {
				t.Fatal("response leaks the signature or key")
			}
		})
	}

	t.Run("zero-key", func(t *testing.T) {
		rec := httptest.NewRecorder()
		RequireSignedCallback(Key{}, http.NotFoundHandler()).ServeHTTP(rec, formRequest(signedValues(t, k, fs)))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("code = %d", rec.Code)
		}
	})
}

func TestCallbackFromContextEmpty(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if cb, ok := CallbackFromContext(r.Context()); ok || cb != nil {
		t.Fatal("callback found in a plain context")
	}
}

// TestParseCallbackRefusesInvalidUTF8: encoding/json turns invalid UTF-8 and
// unpaired surrogate escapes into U+FFFD without an error, so each body is
// presented with the signature of its U+FFFD reading: it must still be
// refused. Escapes that do decode to text, U+FFFD itself included, verify.
func TestParseCallbackRefusesInvalidUTF8(t *testing.T) {
	k := mustKey(t, testKeyHex)
	const base = "order_id=v1-O1&status=FAILED"
	jsonBody := func(message, sig string) string {
		return `{"order_id":"v1-O1","status":"FAILED","error_message":"` + message + `","signature":"` + sig + `"}`
	}
	cases := []struct {
		name string
		// message is error_message as the body carries it; signed is the
		// value whose signature the body presents.
		message, signed string
		transport       string
		want            error
	}{
		{"json-invalid-byte", "bad \xff byte", "bad \uFFFD byte", "json", ErrInvalidUTF8},
		{"json-truncated-rune", "bad \xe2\x82", "bad \uFFFD", "json", ErrInvalidUTF8},
		{"json-lone-high-surrogate", `a\ud800b`, "a\uFFFDb", "json", ErrInvalidUTF8},
		{"json-lone-low-surrogate", `a\uDC00b`, "a\uFFFDb", "json", ErrInvalidUTF8},
		{"json-high-surrogate-then-letter", `a\ud800\u0041`, "a\uFFFDA", "json", ErrInvalidUTF8},
		{"json-high-surrogate-at-end", `a\ud800`, "a\uFFFD", "json", ErrInvalidUTF8},
		{"json-two-high-surrogates", `\ud83d\ud83d\udcb3`, "\uFFFD💳", "json", ErrInvalidUTF8},
		{"form-invalid-byte", "bad%FFbyte", "bad\xffbyte", "form", ErrInvalidUTF8},
		{"query-invalid-byte", "bad%FFbyte", "bad\xffbyte", "query", ErrInvalidUTF8},
		{"json-surrogate-pair", `pay \ud83d\udcb3`, "pay 💳", "json", nil},
		{"json-escaped-replacement-char", `a\ufffdb`, "a\uFFFDb", "json", nil},
		{"json-literal-replacement-char", "a\uFFFDb", "a\uFFFDb", "json", nil},
		{"json-escaped-backslash-before-u", `a\\ud800`, `a\ud800`, "json", nil},
		{"form-percent-encoded-text", "%E2%82%B9%20100", "₹ 100", "form", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := hmacOf(t, "error_message="+c.signed+"&"+base)
			var r *http.Request
			switch c.transport {
			case "json":
				r = postCallback("application/json", jsonBody(c.message, sig))
			case "form":
				r = postCallback(formCT, "order_id=v1-O1&status=FAILED&error_message="+c.message+"&signature="+sig)
			case "query":
				r = httptest.NewRequest(http.MethodGet, "/cb?order_id=v1-O1&status=FAILED&error_message="+c.message+"&signature="+sig, nil)
			}
			cb, err := ParseCallback(r, k)
			if c.want == nil {
				if err != nil {
					t.Fatalf("ParseCallback: %v", err)
				}
				if cb.ErrorMessage != c.signed {
					t.Fatalf("ErrorMessage = %q, want %q", cb.ErrorMessage, c.signed)
				}
				return
			}
			if !errors.Is(err, c.want) || cb != nil {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestParseCallbackRefusesFoldedFields sends, over each transport, the
// signature of order_id and status as two fields with both folded into
// one order_id value.
func TestParseCallbackRefusesFoldedFields(t *testing.T) {
	k := mustKey(t, testKeyHex)
	sig := hmacOf(t, "order_id=v1-O1&status=AUTHORIZED")
	folded := url.Values{FieldOrderID: {"v1-O1&status=AUTHORIZED"}, FieldSignature: {sig}}
	reqs := []struct {
		name string
		r    *http.Request
	}{
		{"form", formRequest(folded)},
		{"query", httptest.NewRequest(http.MethodGet, "/cb?"+folded.Encode(), nil)},
		{"json", jsonRequest(t, folded)},
	}
	for _, c := range reqs {
		t.Run(c.name, func(t *testing.T) {
			if cb, err := ParseCallback(c.r, k); !errors.Is(err, ErrAmbiguousField) || cb != nil {
				t.Fatalf("err = %v, want ErrAmbiguousField", err)
			}
		})
	}
}

func TestParseCallbackRefusesEmptyCallback(t *testing.T) {
	k := mustKey(t, testKeyHex)
	sig := hmacOf(t, "")
	cases := []struct {
		name string
		r    *http.Request
		want error
	}{
		{"form-only-signature", postCallback(formCT, "signature="+sig), ErrNoFields},
		{"query-only-signature", httptest.NewRequest(http.MethodGet, "/cb?signature="+sig, nil), ErrNoFields},
		{"json-only-signature", postCallback("application/json", `{"signature":"`+sig+`"}`), ErrNoFields},
		{"json-empty-object", postCallback("application/json", `{}`), ErrMissingSignature},
		{"query-empty", httptest.NewRequest(http.MethodGet, "/cb", nil), ErrMissingSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if cb, err := ParseCallback(c.r, k); !errors.Is(err, c.want) || cb != nil {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// postCallback is a callback POSTed with Content-Type ct, or none when ct is "".
func postCallback(ct, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	return r
}

// TestCallbackBodyLimit: a body of MaxCallbackBytes is read, one byte more
// is refused, and a server behind RequireSignedCallback then closes the
// connection rather than read the rest of an oversized body to keep it.
func TestCallbackBodyLimit(t *testing.T) {
	k := mustKey(t, testKeyHex)
	// fill returns a signed form body of n bytes, padded by a signed field.
	fill := func(n int) string {
		fs := append(trickyFields(), Field{"pad", ""})
		fs[len(fs)-1].Value = strings.Repeat("x", n-len(signedValues(t, k, fs).Encode()))
		return signedValues(t, k, fs).Encode()
	}
	srv := httptest.NewServer(RequireSignedCallback(k, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "thanks")
	})))
	defer srv.Close()
	cases := []struct {
		name      string
		body      string
		code      int
		wantClose bool
	}{
		{"at-limit", fill(MaxCallbackBytes), http.StatusOK, false},
		{"one-byte-over", fill(MaxCallbackBytes + 1), http.StatusRequestEntityTooLarge, true},
		{"far-over", fill(4 * MaxCallbackBytes), http.StatusRequestEntityTooLarge, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCallback(postCallback(formCT, c.body), k)
			if tooLarge := errors.Is(err, ErrBodyTooLarge); tooLarge != (c.code == http.StatusRequestEntityTooLarge) {
				t.Fatalf("ParseCallback: err = %v", err)
			}
			resp, err := srv.Client().Post(srv.URL, formCT, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.code || resp.Close != c.wantClose {
				t.Fatalf("got %d, Connection: close %v; want %d, %v", resp.StatusCode, resp.Close, c.code, c.wantClose)
			}
		})
	}
}
