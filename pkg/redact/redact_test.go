package redact_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pinegen/pinelabs/pkg/redact"
)

func TestCardAndSecret(t *testing.T) {
	cases := []struct {
		name, in, card, secret string
	}{
		{"card number keeps last four", "4012001037141112", "[redacted, 16 characters, ending 1112]", "[redacted, 16 characters]"},
		{"short digits show no digits", "12345678901", "[redacted, 11 characters]", "[redacted, 11 characters]"},
		{"ends in letters", "4012001037141ABC", "[redacted, 16 characters]", "[redacted, 16 characters]"},
		{"empty", "", "[redacted, 0 characters]", "[redacted, 0 characters]"},
		{"counted in runes", "ääääääääääää1234", "[redacted, 16 characters, ending 1234]", "[redacted, 16 characters]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := redact.Card(c.in); got != c.card {
				t.Errorf("Card = %q, want %q", got, c.card)
			}
			if got := redact.Secret(c.in); got != c.secret {
				t.Errorf("Secret = %q, want %q", got, c.secret)
			}
		})
	}
}

type sample struct {
	Number string            `json:"number"`
	Nested map[string]string `json:"nested,omitempty"`
}

// formatted implements fmt.Formatter through redact.Format, as generated types do.
type formatted struct{ s string }

func (v formatted) Format(f fmt.State, verb rune) { redact.Format(f, verb, "pkg.T", v.s) }

func TestFormatEveryVerb(t *testing.T) {
	v := formatted{s: `{"a":"b"}`}
	cases := map[string]string{
		"%v": `{"a":"b"}`, "%+v": `{"a":"b"}`, "%s": `{"a":"b"}`, "%d": `{"a":"b"}`,
		"%#v": `pkg.T{"a":"b"}`, "%q": `"{\"a\":\"b\"}"`,
	}
	for verb, want := range cases {
		if got := fmt.Sprintf(verb, v); got != want {
			t.Errorf("%s = %s, want %s", verb, got, want)
		}
	}
}

func TestJSONAndLogValue(t *testing.T) {
	v := sample{Number: redact.Card("4012001037141112"), Nested: map[string]string{"b": "2", "a": "1"}}
	if got, want := redact.JSON(v), `{"number":"[redacted, 16 characters, ending 1112]","nested":{"a":"1","b":"2"}}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", redact.LogValue(v))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", redact.LogValue(v))
	if !strings.Contains(text.String(), `v.nested.a=1 v.nested.b=2 v.number="[redacted, 16 characters, ending 1112]"`) {
		t.Errorf("text handler: %s", text.String())
	}
	if !strings.Contains(js.String(), `"v":{"nested":{"a":"1","b":"2"},"number":"[redacted, 16 characters, ending 1112]"}`) {
		t.Errorf("JSON handler: %s", js.String())
	}
}

func TestUnencodableIsNotPrinted(t *testing.T) {
	v := map[string]any{"secret": "hunter2", "bad": func() {}}
	for _, out := range []string{redact.JSON(v), redact.LogValue(v).String()} {
		if strings.Contains(out, "hunter2") {
			t.Fatalf("fallback printed a field: %s", out)
		}
		if !strings.Contains(out, "not printable") {
			t.Errorf("fallback should say the value is not printable: %s", out)
		}
	}
}

// FuzzCard checks that a description depends on nothing but the length and,
// for a card number, its last four digits: any other content could leak.
func FuzzCard(f *testing.F) {
	for _, s := range []string{"4012001037141112", "", "1234", "ääää\xff1234567890123", "2 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(s)
		if got, want := redact.Secret(s), redact.Secret(strings.Repeat("x", n)); got != want {
			t.Fatalf("Secret depends on more than the length: %q vs %q", got, want)
		}
		last4 := ""
		if len(s) >= 4 {
			last4 = s[len(s)-4:]
		}
		if n >= 12 && strings.Trim(last4, "0123456789") == "" && len(last4) == 4 {
			if got, want := redact.Card(s), redact.Card(strings.Repeat("x", n-4)+last4); got != want {
				t.Fatalf("Card depends on more than length and last four: %q vs %q", got, want)
			}
		} else if got, want := redact.Card(s), redact.Secret(s); got != want {
			t.Fatalf("Card of a value that is no card number shows more than its length: %q", got)
		}
	})
}
