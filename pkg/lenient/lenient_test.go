package lenient_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/pkg/lenient"
)

func TestIntUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    lenient.Int
		wantErr error  // wrapped by the error, when one is expected
		inErr   string // the error names this
	}{
		{name: "number", in: `9`, want: 9},
		{name: "zero", in: `0`, want: 0},
		{name: "numeric string", in: `"9"`, want: 9},
		{name: "negative number", in: `-3`, want: -3},
		{name: "negative string", in: `"-3"`, want: -3},
		{name: "leading zeros in a string", in: `"007"`, want: 7},
		{name: "largest int64", in: `9223372036854775807`, want: 1<<63 - 1},
		{name: "smallest int64 as a string", in: `"-9223372036854775808"`, want: -1 << 63},
		{name: "non-numeric string", in: `"nine"`, wantErr: strconv.ErrSyntax, inErr: `"nine" is not a whole number`},
		{name: "empty string", in: `""`, wantErr: strconv.ErrSyntax, inErr: `"" is not a whole number`},
		{name: "string with a plus sign", in: `"+9"`, wantErr: strconv.ErrSyntax, inErr: "not a whole number"},
		{name: "string with spaces", in: `" 9"`, wantErr: strconv.ErrSyntax, inErr: "not a whole number"},
		{name: "fraction", in: `9.5`, wantErr: strconv.ErrSyntax, inErr: "9.5 is not a whole number"},
		{name: "exponent", in: `1e3`, wantErr: strconv.ErrSyntax, inErr: "1e3 is not a whole number"},
		{name: "boolean", in: `true`, wantErr: strconv.ErrSyntax, inErr: "true is not a whole number"},
		{name: "overflow", in: `9223372036854775808`, wantErr: strconv.ErrRange, inErr: "9223372036854775808 is out of range"},
		{name: "overflow as a string", in: `"-9223372036854775809"`, wantErr: strconv.ErrRange, inErr: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got lenient.Int
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Unmarshal(%s): %v", tt.in, err)
				}
				if got != tt.want {
					t.Errorf("Unmarshal(%s) = %d, want %d", tt.in, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Unmarshal(%s) = %d, want an error", tt.in, got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Unmarshal(%s) error %q does not wrap %v", tt.in, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.inErr) {
				t.Errorf("Unmarshal(%s) error %q does not say %q", tt.in, err, tt.inErr)
			}
		})
	}
}

func TestIntNull(t *testing.T) {
	t.Parallel()
	n := lenient.Int(5)
	if err := json.Unmarshal([]byte(`null`), &n); err != nil || n != 5 {
		t.Errorf("null into a set Int: %d, %v; want it left at 5", n, err)
	}
	var p struct {
		N *lenient.Int `json:"n"`
	}
	if err := json.Unmarshal([]byte(`{"n":null}`), &p); err != nil || p.N != nil {
		t.Errorf("null into *Int: %v, %v; want nil", p.N, err)
	}
}

// TestIntInStruct: a bad value fails only with an error that names it, and a
// string form decodes in place, as in an order.
func TestIntInStruct(t *testing.T) {
	t.Parallel()
	var order struct {
		Retries *lenient.Int `json:"payment_retries_remaining"`
	}
	if err := json.Unmarshal([]byte(`{"payment_retries_remaining":"9"}`), &order); err != nil {
		t.Fatal(err)
	}
	if order.Retries == nil || *order.Retries != 9 {
		t.Fatalf("got %v, want 9", order.Retries)
	}
	out, err := json.Marshal(order)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"payment_retries_remaining":9}` {
		t.Errorf("re-encoded as %s, want a number", out)
	}
}

func TestIntMarshal(t *testing.T) {
	t.Parallel()
	for _, n := range []lenient.Int{0, 9, -3, 1<<63 - 1, -1 << 63} {
		out, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.FormatInt(int64(n), 10); string(out) != want {
			t.Errorf("Marshal(%d) = %s, want %s", n, out, want)
		}
	}
}

// FuzzIntUnmarshal: no input panics; whatever decodes re-encodes as a number
// that decodes to the same value, and the string form of that number too.
func FuzzIntUnmarshal(f *testing.F) {
	for _, seed := range []string{`9`, `"9"`, `-3`, `"-3"`, `"nine"`, `9.5`, `1e3`, `null`, `""`, `"\u0039"`, `9223372036854775808`, `"-"`, `true`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var n lenient.Int
		if err := n.UnmarshalJSON(data); err != nil {
			return
		}
		out, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range [][]byte{out, []byte(`"` + string(out) + `"`)} {
			var back lenient.Int
			if err := json.Unmarshal(form, &back); err != nil {
				t.Fatalf("%s does not decode: %v", form, err)
			}
			if back != n {
				t.Fatalf("%s decoded to %d, re-encoded %s decodes to %d", data, n, form, back)
			}
		}
	})
}
