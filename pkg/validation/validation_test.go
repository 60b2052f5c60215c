package validation

import (
	"errors"
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
		if got := p.String(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	var e Errors
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
	got := Quote(long)
	if !strings.HasSuffix(got, "…") || strings.Count(got, "ऑ") != 64 {
		t.Errorf("Quote kept %d runes: %q", strings.Count(got, "ऑ"), got)
	}
	if Quote("abc") != `"abc"` {
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
		if got := Mask(in); got != want {
			t.Errorf("Mask(%d chars) = %q, want %q", len(in), got, want)
		}
	}
}
