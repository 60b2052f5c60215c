package validation

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestPathString(t *testing.T) {
	var root Path
	payments := root.Field("payments")
	second := payments.Index(1)
	value := second.Field("value")
	meta := root.Field("merchant_metadata")
	key := meta.Key(`a"b`)
	cases := map[string]*Path{
		"":                          &root,
		"payments":                  &payments,
		"payments[1]":               &second,
		"payments[1].value":         &value,
		`merchant_metadata["a\"b"]`: &key,
	}
	for want, p := range cases {
		if got := p.text(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestCollector(t *testing.T) {
	var e Collector
	if e.Err("T") != nil {
		t.Fatal("no failures must give a nil error")
	}
	var root Path
	e.Length(root.Field("b"), MinLength, "6", 1, "characters")
	e.Int(root.Field("a"), Minimum, "100", 99)
	e.SortFrom(0)
	err := e.Err("CreateOrderRequest")
	var ve *Error
	if !errors.As(err, &ve) || len(ve.Fields) != 2 {
		t.Fatalf("got %v", err)
	}
	want := "invalid CreateOrderRequest: a: minimum 100, got 99; b: minLength 6, got 1 character"
	if err.Error() != want {
		t.Errorf("got %q\nwant %q", err.Error(), want)
	}
	if !ve.Has("b", MinLength) || ve.Has("b", MaxLength) {
		t.Error("Has disagrees with the fields")
	}
}

func TestQuoteShortensLongValues(t *testing.T) {
	long := strings.Repeat("ऑ", 100)
	got := quote(long)
	if !strings.HasSuffix(got, "…") || strings.Count(got, "ऑ") != 64 {
		t.Errorf("quote kept %d runes: %q", strings.Count(got, "ऑ"), got)
	}
	if quote("abc") != `"abc"` {
		t.Errorf("short values are quoted whole")
	}
}

func TestMaskNeverRepeatsTheValue(t *testing.T) {
	cases := map[string]string{
		"4012001037141112": "[redacted, 16 characters, ending 1112]",
		"123":              "[redacted, 3 characters]",
		"abcdefghijklmnop": "[redacted, 16 characters]",
		"":                 "[redacted, 0 characters]",
	}
	for in, want := range cases {
		if got := mask(in); got != want {
			t.Errorf("mask(%d chars) = %q, want %q", len(in), got, want)
		}
	}
}

// Test card numbers from the networks' published lists; all pass Luhn.
const (
	visa16 = "4012001037141112"
	amex15 = "378282246310005"
	visa13 = "4222222222222"
)

func TestQuoteMasksCardNumbers(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"card number alone", visa16, "[redacted, 16 characters, ending 1112]"},
		{"typed with spaces", "4012 0010 3714 1112", "[redacted, 19 characters, ending 1112]"},
		{"typed with dashes", "4012-0010-3714-1112", "[redacted, 19 characters, ending 1112]"},
		{"American Express grouping", "3782 822463 10005", "[redacted, 17 characters, ending 0005]"},
		{"13 digits", visa13, "[redacted, 13 characters, ending 2222]"},
		{"inside a note", "card " + visa16 + " please", "[redacted, 28 characters]"},
		{"after other digits", "ref 12345 " + visa16, "[redacted, 26 characters, ending 1112]"},
		{"glued to other digits", "99" + visa16 + "7", "[redacted, 19 characters, ending 1127]"},
		{"beyond the 64 characters quoted", strings.Repeat("x", 70) + visa16, "[redacted, 86 characters, ending 1112]"},
		{"cut by the 64-character limit", strings.Repeat("x", 56) + visa16, "[redacted, 72 characters, ending 1112]"},
		{"19 digits", "6221260000000000001", "[redacted, 19 characters, ending 0001]"},

		{"fails Luhn", "4012001037141113", `"4012001037141113"`},
		{"12 digits", "401200103714", `"401200103714"`},
		{"two spaces do not join groups", "4012  0010  3714  1112", `"4012  0010  3714  1112"`},
		{"letters between groups", "4012a0010b3714c1112", `"4012a0010b3714c1112"`},
		{"a phone number", "+91 98765 43210", `"+91 98765 43210"`},
		{"an order reference", "order-2024-0001", `"order-2024-0001"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := quote(c.in); got != c.want {
				t.Errorf("quote(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

// TestNumbersMaskCardNumbers: a card number typed into an amount is not
// repeated either.
func TestNumbersMaskCardNumbers(t *testing.T) {
	var root Path
	var c Collector
	c.Int(root.Field("value"), Maximum, "100000000", 4012001037141112)
	c.Float(root.Field("ratio"), Maximum, "1", 4012001037141112)
	c.Int(root.Field("small"), Minimum, "100", 99)
	var ve *Error
	if !errors.As(c.Err("T"), &ve) {
		t.Fatal("no error")
	}
	want := []string{"[redacted, 16 characters, ending 1112]", "[redacted, 16 characters, ending 1112]", "99"}
	for i, f := range ve.Fields {
		if f.Got != want[i] {
			t.Errorf("%s: got %q, want %q", f.Path, f.Got, want[i])
		}
	}
}

func TestMapKeysInPaths(t *testing.T) {
	var root Path
	meta := root.Field("merchant_metadata")
	cases := []struct {
		name, key, want string
	}{
		{"short key", "k", `merchant_metadata["k"]`},
		{"long key cut like a value", strings.Repeat("k", 10000), `merchant_metadata["` + strings.Repeat("k", 64) + `"…]`},
		{"card number as a key", visa16, `merchant_metadata[[redacted, 16 characters, ending 1112]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := meta.Key(c.key)
			if got := p.text(); got != c.want {
				t.Errorf("got %.100q (%d bytes), want %.100q", got, len(got), c.want)
			}
		})
	}
}

// cardRun matches digits joined by single spaces or dashes, as card numbers
// are typed. It is the test's own reading of the rule, independent of
// holdsCard.
var cardRun = regexp.MustCompile(`[0-9]+(?:[ -][0-9]+)*`)

// leakedCard returns a Luhn-valid run of 13 to 19 digits found in s, or "".
func leakedCard(s string) string {
	for _, run := range cardRun.FindAllString(s, -1) {
		digits := strings.NewReplacer(" ", "", "-", "").Replace(run)
		for i := range digits {
			for n := 13; n <= 19 && i+n <= len(digits); n++ {
				if luhn(digits[i : i+n]) {
					return digits[i : i+n]
				}
			}
		}
	}
	return ""
}

func luhn(digits string) bool {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func TestLeakedCardOracle(t *testing.T) {
	for _, s := range []string{visa16, amex15, visa13, "x 4012 0010 3714 1112 y"} {
		if leakedCard(s) == "" {
			t.Errorf("the oracle misses %q", s)
		}
	}
	if got := leakedCard("4012001037141113 and 401200103714"); got != "" {
		t.Errorf("the oracle sees a card in %q", got)
	}
}

// FuzzErrorsHideCardNumbers: whatever a caller sends, as a value or as a map
// key, the error never repeats a card number, never panics, and never grows
// with the input.
func FuzzErrorsHideCardNumbers(f *testing.F) {
	for _, s := range []string{visa16, "4012 0010 3714 1112", "4012-0010-3714-1112", amex15,
		"\u2028" + "401200103714111", strings.Repeat("9", 40), "k", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var root Path
		meta := root.Field("merchant_metadata")
		key := meta.Key(s)
		var c Collector
		c.Text(key, Pattern, "^[0-9]+$", s)
		c.Card(key, Pattern, "^[0-9]+$", s)
		c.Secret(key, Pattern, "^[0-9]+$", s)
		var ve *Error
		if !errors.As(c.Err("T"), &ve) {
			t.Fatal("no error")
		}
		msg := ve.Error()
		if card := leakedCard(msg); card != "" {
			t.Fatalf("error repeats the card number %s: %q", card, msg)
		}
		if len(msg) > 1200 {
			t.Fatalf("error of %d bytes for a value of %d", len(msg), len(s))
		}
	})
}
