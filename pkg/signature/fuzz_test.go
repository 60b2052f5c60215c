package signature

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// fieldsFromBlob turns fuzz input into a field set: lines of name=value.
func fieldsFromBlob(blob string) Fields {
	var fs Fields
	for _, line := range strings.Split(blob, "\n") {
		name, value, _ := strings.Cut(line, "=")
		fs = append(fs, Field{Name: name, Value: value})
	}
	return fs
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte{0x0f}, "order_id=o1\nstatus=AUTHORIZED", "")
	f.Add([]byte("0123456789abcdef"), "error_code=\nerror_message=a b&c=d\norder_id=x\nstatus=FAILED", strings.Repeat("a", 64))
	f.Add([]byte("k"), "payment_status=A\nstatus=A\norder_id=1", "zz")
	f.Add([]byte("k"), "order_id=1\norder_id=1", "")
	f.Add([]byte("k"), "=v\nsignature=x", strings.Repeat("F", 64))
	f.Fuzz(func(t *testing.T, rawKey []byte, blob, sig string) {
		if len(rawKey) == 0 {
			return
		}
		k, err := ParseKey(hex.EncodeToString(rawKey))
		if err != nil {
			t.Fatalf("ParseKey of valid hex: %v", err)
		}
		fs := fieldsFromBlob(blob)
		_ = k.Verify(fs, sig) // must not panic

		signed, err := k.Sign(fs)
		if err != nil {
			if verr := k.Verify(fs, strings.Repeat("0", 64)); verr == nil {
				t.Fatal("Verify accepted a field set Sign refused")
			}
			return
		}
		if err := k.Verify(fs, signed); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if err := k.Verify(fs, strings.ToLower(signed)); err != nil {
			t.Fatalf("round trip, lowercase: %v", err)
		}
		if sig != signed && !strings.EqualFold(sig, signed) {
			if err := k.Verify(fs, sig); err == nil {
				t.Fatal("a different signature verified")
			}
		}
	})
}

func FuzzParseCallback(f *testing.F) {
	f.Add("POST", "application/x-www-form-urlencoded", "", "order_id=1&status=A&signature=00")
	f.Add("POST", "application/json", "", `{"order_id":"1","status":"A","signature":"00"}`)
	f.Add("GET", "", "order_id=1&status=A&signature=00", "")
	f.Add("POST", "application/json", "x=1", `{"a":[1,{"b":null}]}`)
	f.Add("PUT", "multipart/form-data; boundary=x", "", "--x--")
	k := mustKey(f, testKeyHex)
	f.Fuzz(func(t *testing.T, method, contentType, query, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") {
			method = http.MethodPost
		}
		r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body))
		r.Method = method
		r.URL.RawQuery = query
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		_, _ = ParseCallback(r, k) // must not panic

		// Round trip: the body read as name=value lines, signed, sent as a
		// form and, when it survives JSON, as JSON.
		fs := fieldsFromBlob(body)
		sig, err := k.Sign(fs)
		if err != nil {
			return
		}
		v := url.Values{}
		for _, fl := range fs {
			if fl.Name == FieldSignature {
				return
			}
			v.Set(fl.Name, fl.Value)
		}
		v.Set(FieldSignature, sig)
		order, _ := fs.Get(FieldOrderID)
		status, ok := fs.Get(FieldStatus)
		if !ok {
			status, _ = fs.Get(FieldPaymentStatus)
		}
		complete := order != "" && status != ""

		fr := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(v.Encode()))
		fr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		cb, err := ParseCallback(fr, k)
		if int64(len(v.Encode())) > MaxCallbackBytes {
			return
		}
		if complete && (err != nil || cb.OrderID != order || cb.Status != status) {
			t.Fatalf("form round trip: %v", err)
		}
		if !complete && err == nil {
			t.Fatal("incomplete callback accepted")
		}

		if !utf8.ValidString(body) {
			return
		}
		m := map[string]string{}
		for name := range v {
			m[name] = v.Get(name)
		}
		js, _ := json.Marshal(m)
		jr := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(string(js)))
		jr.Header.Set("Content-Type", "application/json")
		if _, err := ParseCallback(jr, k); complete && len(js) <= MaxCallbackBytes && err != nil {
			t.Fatalf("JSON round trip: %v", err)
		}
	})
}
