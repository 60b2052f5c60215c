package signature

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/internal/sigvectors"
)

// The vectors were computed by internal/sigvectors/make-vectors.sh with
// openssl, so these tests check the Go code against an independent
// implementation.
const (
	vectorFile   = "testdata/callback-vectors.txt"
	vectorScript = "../../internal/sigvectors/make-vectors.sh"
)

type callbackVector struct {
	name, key, canonical, hmac string
	fields                     Fields
}

func loadCallbackVectors(t *testing.T) []callbackVector {
	t.Helper()
	read, err := sigvectors.ReadCallbacks(vectorFile)
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

// TestVectorFileMatchesScript reruns the generator so the checked-in file
// cannot drift from the commands that are said to have made it. The
// webhook vectors the script also prints are checked by pkg/webhook.
func TestVectorFileMatchesScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs openssl")
	}
	for _, tool := range []string{"bash", "openssl", "od", "base64", "paste", "sort", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	out, err := exec.Command("bash", vectorScript, "callbacks").Output()
	if err != nil {
		t.Fatalf("make-vectors.sh callbacks: %v", err)
	}
	want, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(want) {
		t.Errorf("%s differs from make-vectors.sh callbacks output; rerun the script", vectorFile)
	}
}
