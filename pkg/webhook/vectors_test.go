package webhook

import (
	"errors"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/sigvectors"
)

// The vectors were computed by internal/sigvectors/make-vectors.sh with
// openssl, so these tests check the Go code against an independent
// implementation.
const (
	vectorFile   = "testdata/webhook-vectors.txt"
	vectorScript = "../../internal/sigvectors/make-vectors.sh"
)

func TestVectors(t *testing.T) {
	vectors, err := sigvectors.ReadWebhooks(vectorFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 4 {
		t.Fatalf("only %d webhook vectors", len(vectors))
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			sec, ok := parseSeconds(v.Timestamp)
			if !ok {
				t.Fatal("bad timestamp in vector")
			}
			opts := []Option{WithClock(func() time.Time { return time.Unix(sec, 0).Add(42 * time.Second) })}
			if v.Mode == "raw" {
				opts = append(opts, WithRawSecret())
			}
			wv, err := NewVerifier(v.Secret, opts...)
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			h := http.Header{}
			h.Set(HeaderID, v.ID)
			h.Set(HeaderTimestamp, v.Timestamp)
			h.Set(HeaderSignature, v.Signature)
			ev, err := wv.Verify(h, []byte(v.Body))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ev.ID != v.ID || ev.Timestamp.Unix() != sec || string(ev.Body) != v.Body {
				t.Fatalf("event = %+v", ev)
			}
			// One flipped body byte must fail.
			bad := []byte(v.Body)
			bad[len(bad)/2] ^= 1
			if _, err := wv.Verify(h, bad); !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("tampered body: err = %v", err)
			}
			// The signer, given the same secret and options, must write
			// the headers openssl's signature came in.
			s, err := NewSigner(v.Secret, opts...)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			if got := s.Sign(v.ID, time.Unix(sec, 0), []byte(v.Body)); !maps.EqualFunc(got, h, slices.Equal) {
				t.Fatalf("Sign = %v, want %v", got, h)
			}
		})
	}
}

// TestPublishedVector pins the vector from the Pine Labs docs on its own,
// so a change to the vector file cannot silently drop it.
func TestPublishedVector(t *testing.T) {
	wv, err := NewVerifier("abc1234", WithRawSecret(),
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
	if _, err := NewVerifier("abc1234"); !errors.Is(err, ErrInvalidSecret) {
		t.Fatalf("base64 of abc1234: err = %v", err)
	}
	// Its base64 spelling with the whsec_ prefix gives the same key.
	wv2, err := NewVerifier("whsec_YWJjMTIzNA==",
		WithClock(func() time.Time { return time.Unix(1728543028, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wv2.Verify(h, []byte(`{"payload":"payload"}`)); err != nil {
		t.Fatalf("whsec_ base64 form: %v", err)
	}
}

// TestVectorFileMatchesScript reruns the generator so the checked-in file
// cannot drift from the commands that are said to have made it.
func TestVectorFileMatchesScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs openssl")
	}
	for _, tool := range []string{"bash", "openssl", "od", "base64", "tr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	out, err := exec.Command("bash", vectorScript, "webhooks").Output()
	if err != nil {
		t.Fatalf("make-vectors.sh webhooks: %v", err)
	}
	want, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(want) {
		t.Errorf("%s differs from make-vectors.sh webhooks output; rerun the script", vectorFile)
	}
}
