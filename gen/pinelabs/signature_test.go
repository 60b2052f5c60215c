package pinelabs_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/sigvectors"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// callbackFrom fills the generated type from a vector's fields; ok is false
// when the vector has a field the callback schema does not.
func callbackFrom(fields []sigvectors.Field) (cb pinelabs.PaymentCallback, ok bool) {
	for _, f := range fields {
		v := f.Value
		switch f.Name {
		case "order_id":
			cb.OrderID = v
		case "status":
			s := pinelabs.OrderStatus(v)
			cb.Status = &s
		case "payment_status":
			cb.PaymentStatus = &v
		case "error_code":
			cb.ErrorCode = &v
		case "error_message":
			cb.ErrorMessage = &v
		default:
			return cb, false
		}
	}
	return cb, true
}

// TestCallbackSignatureVectors checks the generated helpers against HMACs
// computed by openssl, not by Go.
func TestCallbackSignatureVectors(t *testing.T) {
	vectors, err := sigvectors.ReadCallbacks("../../pkg/signature/testdata/callback-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, v := range vectors {
		cb, ok := callbackFrom(v.Fields)
		if !ok {
			continue
		}
		used++
		t.Run(v.Name, func(t *testing.T) {
			key, err := signature.ParseKey(v.Key)
			if err != nil {
				t.Fatal(err)
			}
			for _, sig := range []string{v.HMAC, strings.ToUpper(v.HMAC)} {
				cb.Signature = sig
				if err := cb.VerifySignature(key); err != nil {
					t.Errorf("openssl's signature rejected: %v", err)
				}
			}
			if err := cb.Sign(key); err != nil {
				t.Fatal(err)
			}
			if cb.Signature != strings.ToUpper(v.HMAC) {
				t.Errorf("Sign gave a different signature from openssl's")
			}
		})
	}
	if used < 5 {
		t.Errorf("only %d vectors fit the callback schema", used)
	}
}

// TestCallbackExamples signs each docs callback sample with a test key (the
// docs' own signatures are placeholders, see ERRATA), then checks that the
// generated VerifySignature, pkg/signature's HTTP parser and a tampered copy
// behave.
func TestCallbackExamples(t *testing.T) {
	key, err := signature.ParseKey("142a988d36f73a897e223905b301422f814e0dc0592bd4a7b4bf05f98c84fa1a")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../spec/examples/paymentCallback/callback.*.json")
	if len(files) == 0 {
		t.Fatal("no callback samples")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var cb pinelabs.PaymentCallback
			if err := json.Unmarshal(raw, &cb); err != nil {
				t.Fatal(err)
			}
			if err := cb.VerifySignature(key); !errors.Is(err, signature.ErrSignatureMismatch) {
				t.Errorf("the docs' placeholder signature: got %v, want a mismatch", err)
			}
			if err := cb.Sign(key); err != nil {
				t.Fatal(err)
			}
			if err := cb.VerifySignature(key); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}

			// The same fields posted as a form reach a merchant handler.
			form := url.Values{"signature": {cb.Signature}}
			for _, f := range cb.SignedFields() {
				form.Set(f.Name, f.Value)
			}
			var seen *signature.Callback
			h := signature.RequireSignedCallback(key, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen, _ = signature.CallbackFromContext(r.Context())
			}))
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || seen == nil || seen.OrderID != cb.OrderID {
				t.Fatalf("handler answered %d, callback %+v", rec.Code, seen)
			}

			tampered := cb
			tampered.OrderID += "x"
			if err := tampered.VerifySignature(key); !errors.Is(err, signature.ErrSignatureMismatch) {
				t.Errorf("tampered order_id: got %v", err)
			}
		})
	}
}

// TestVerifySignatureRefusesWhatVerifyCallbackRefuses holds the generated
// method to pkg/signature's callback rules: for every callback, both give
// the same verdict and the same sentinel error.
func TestVerifySignatureRefusesWhatVerifyCallbackRefuses(t *testing.T) {
	const secret = "276a2bf0d2c0f10db6c1be1a7b461a18"
	key, err := signature.ParseKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := hex.DecodeString(secret)
	// hmacOf signs a canonical string as it stands, even one pkg/signature
	// would refuse to build, the way a forger would.
	hmacOf := func(canonical string) string {
		m := hmac.New(sha256.New, raw)
		m.Write([]byte(canonical))
		return hex.EncodeToString(m.Sum(nil))
	}
	status := func(s string) *pinelabs.OrderStatus { v := pinelabs.OrderStatus(s); return &v }
	text := func(s string) *string { return &s }
	cases := []struct {
		name string
		cb   pinelabs.PaymentCallback
		want error
	}{
		{"valid", pinelabs.PaymentCallback{OrderID: "v1-O1", Status: status("AUTHORIZED"),
			Signature: hmacOf("order_id=v1-O1&status=AUTHORIZED")}, nil},
		{"status folded into order_id", pinelabs.PaymentCallback{OrderID: "v1-O1&status=AUTHORIZED",
			Signature: hmacOf("order_id=v1-O1&status=AUTHORIZED")}, signature.ErrAmbiguousField},
		{"empty callback", pinelabs.PaymentCallback{Signature: hmacOf("order_id=")}, signature.ErrIncompleteCallback},
		{"no status", pinelabs.PaymentCallback{OrderID: "v1-O1",
			Signature: hmacOf("order_id=v1-O1")}, signature.ErrIncompleteCallback},
		{"payment_status stands for status", pinelabs.PaymentCallback{OrderID: "v1-O1", PaymentStatus: text("FAILED"),
			Signature: hmacOf("order_id=v1-O1&status=FAILED")}, nil},
		{"status and payment_status differ", pinelabs.PaymentCallback{OrderID: "v1-O1", Status: status("AUTHORIZED"),
			PaymentStatus: text("FAILED"), Signature: hmacOf("order_id=v1-O1&status=AUTHORIZED")}, signature.ErrStatusConflict},
		{"tampered", pinelabs.PaymentCallback{OrderID: "v1-O2", Status: status("AUTHORIZED"),
			Signature: hmacOf("order_id=v1-O1&status=AUTHORIZED")}, signature.ErrSignatureMismatch},
		{"no signature", pinelabs.PaymentCallback{OrderID: "v1-O1", Status: status("AUTHORIZED")}, signature.ErrMissingSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fields := append(c.cb.SignedFields(), signature.Field{Name: signature.FieldSignature, Value: c.cb.Signature})
			_, byPackage := key.VerifyCallback(fields)
			byMethod := c.cb.VerifySignature(key)
			if !errors.Is(byPackage, c.want) || (c.want == nil) != (byPackage == nil) {
				t.Fatalf("VerifyCallback = %v, want %v", byPackage, c.want)
			}
			if !errors.Is(byMethod, c.want) || (c.want == nil) != (byMethod == nil) {
				t.Errorf("generated VerifySignature = %v, want %v as VerifyCallback gives", byMethod, c.want)
			}
		})
	}
}
