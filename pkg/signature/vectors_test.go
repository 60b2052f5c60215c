package signature

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/sigvectors"
)

// The vectors were computed by testdata/make-vectors.sh with openssl, so
// these tests check the Go code against an independent implementation.

type callbackVector struct {
	name, key, canonical, hmac string
	fields                     Fields
}

type webhookVector struct {
	name, mode, secret, id, timestamp, body, signature string
}

func loadCallbackVectors(t *testing.T) []callbackVector {
	t.Helper()
	read, err := sigvectors.ReadCallbacks("testdata/callback-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]callbackVector, 0, len(read))
	for _, v := range read {
		cv := callbackVector{name: v.Name, key: v.Key, canonical: v.Canonical, hmac: v.HMAC}
		for _, f := range v.Fields {
			cv.fields = append(cv.fields, Field{Name: f.Name, Value: f.Value})
		}
		out = append(out, cv)
	}
	if len(out) < 10 {
		t.Fatalf("only %d callback vectors", len(out))
	}
	return out
}

func loadWebhookVectors(t *testing.T) []webhookVector {
	t.Helper()
	read, err := sigvectors.ReadWebhooks("testdata/webhook-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]webhookVector, 0, len(read))
	for _, v := range read {
		out = append(out, webhookVector{name: v.Name, mode: v.Mode, secret: v.Secret, id: v.ID, timestamp: v.Timestamp, body: v.Body, signature: v.Signature})
	}
	if len(out) < 4 {
		t.Fatalf("only %d webhook vectors", len(out))
	}
	return out
}

func TestCallbackVectors(t *testing.T) {
	for _, v := range loadCallbackVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			key, err := ParseKey(v.key)
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			canon, err := CanonicalString(v.fields)
			if err != nil {
				t.Fatalf("CanonicalString: %v", err)
			}
			if canon != v.canonical {
				t.Fatalf("canonical string:\n got %q\nwant %q", canon, v.canonical)
			}
			upper, lower := strings.ToUpper(v.hmac), strings.ToLower(v.hmac)
			got, err := key.Sign(v.fields)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if got != upper {
				t.Fatalf("Sign = %s, want %s", got, upper)
			}
			m := make(map[string]string)
			for _, f := range v.fields {
				m[f.Name] = f.Value
			}
			if got, err := key.SignMap(m); err != nil || got != upper {
				t.Fatalf("SignMap = %s, %v; want %s", got, err, upper)
			}
			for _, sig := range []string{upper, lower} {
				if err := key.Verify(v.fields, sig); err != nil {
					t.Errorf("Verify(%s): %v", sig, err)
				}
				if err := key.VerifyMap(m, sig); err != nil {
					t.Errorf("VerifyMap(%s): %v", sig, err)
				}
			}
		})
	}
}

func TestWebhookVectors(t *testing.T) {
	for _, v := range loadWebhookVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			sec, ok := parseSeconds(v.timestamp)
			if !ok {
				t.Fatal("bad timestamp in vector")
			}
			opts := []WebhookOption{WithClock(func() time.Time { return time.Unix(sec, 0).Add(42 * time.Second) })}
			if v.mode == "raw" {
				opts = append(opts, WithRawSecret())
			}
			wv, err := NewWebhookVerifier(v.secret, opts...)
			if err != nil {
				t.Fatalf("NewWebhookVerifier: %v", err)
			}
			h := http.Header{}
			h.Set(HeaderWebhookID, v.id)
			h.Set(HeaderWebhookTimestamp, v.timestamp)
			h.Set(HeaderWebhookSignature, v.signature)
			ev, err := wv.Verify(h, []byte(v.body))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ev.ID != v.id || ev.Timestamp.Unix() != sec || string(ev.Body) != v.body {
				t.Fatalf("event = %+v", ev)
			}
			// One flipped body byte must fail.
			bad := []byte(v.body)
			bad[len(bad)/2] ^= 1
			if _, err := wv.Verify(h, bad); !errors.Is(err, ErrWebhookSignatureMismatch) {
				t.Fatalf("tampered body: err = %v", err)
			}
		})
	}
}

// TestPublishedWebhookVector pins the vector from the Pine Labs docs on its
// own, so a change to the vector file cannot silently drop it.
func TestPublishedWebhookVector(t *testing.T) {
	wv, err := NewWebhookVerifier("abc1234", WithRawSecret(),
		WithClock(func() time.Time { return time.Unix(1728543028, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_2nEfCaUDn9fynC9Kz2upo1QSydl")
	h.Set("webhook-timestamp", "1728543028")
	h.Set("webhook-signature", "v1,Ns46HrH+Nfu9dZtBUVvSLyrOD5JH0SAGlNo3M5yobfQ=")
	ev, err := wv.Verify(h, []byte(`{"payload":"payload"}`))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if ev.Type != "" || ev.Type.Known() {
		t.Fatalf("Type = %q", ev.Type)
	}
	// The same secret read as base64 ("abc1234" is not valid base64 of a
	// whole number of bytes) must be refused, not silently misread.
	if _, err := NewWebhookVerifier("abc1234"); !errors.Is(err, ErrInvalidWebhookSecret) {
		t.Fatalf("base64 of abc1234: err = %v", err)
	}
	// Its base64 spelling with the whsec_ prefix gives the same key.
	wv2, err := NewWebhookVerifier("whsec_YWJjMTIzNA==",
		WithClock(func() time.Time { return time.Unix(1728543028, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wv2.Verify(h, []byte(`{"payload":"payload"}`)); err != nil {
		t.Fatalf("whsec_ base64 form: %v", err)
	}
}

// TestVectorFilesMatchScript reruns the generator so the checked-in files
// cannot drift from the commands that are said to have made them.
func TestVectorFilesMatchScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs openssl")
	}
	for _, tool := range []string{"bash", "openssl", "od", "base64", "paste", "sort", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	for kind, file := range map[string]string{"callbacks": "callback-vectors.txt", "webhooks": "webhook-vectors.txt"} {
		out, err := exec.Command("bash", "testdata/make-vectors.sh", kind).Output()
		if err != nil {
			t.Fatalf("make-vectors.sh %s: %v", kind, err)
		}
		want, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != string(want) {
			t.Errorf("testdata/%s differs from make-vectors.sh %s output; rerun the script", file, kind)
		}
	}
}
