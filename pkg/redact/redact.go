// Package redact describes card numbers, CVVs, tokens and secrets without
// revealing them. The generated types of gen/pinelabs call it from their
// String, Format and LogValue methods, so printing or logging a request never
// shows the payment data it carries.
package redact

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Card describes a card number by its length and, when it is long enough to
// be one and ends in digits, its last four digits: the part of a card number
// that may be shown.
func Card(pan string) string {
	n := utf8.RuneCountInString(pan)
	desc := "[redacted, " + strconv.Itoa(n) + " characters"
	if n >= 12 && digits(pan[len(pan)-4:]) {
		desc += ", ending " + pan[len(pan)-4:]
	}
	return desc + "]"
}

// Secret describes a CVV, cryptogram, token or password by its length only.
func Secret(s string) string {
	return "[redacted, " + strconv.Itoa(utf8.RuneCountInString(s)) + " characters]"
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// JSON is the JSON encoding of v, which the caller has already redacted. It
// is what the generated String methods return: the wire form a developer
// knows, with secrets replaced by their descriptions.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// The generated types always encode; never fall back to printing
		// fields, which could hold what was meant to be hidden.
		return fmt.Sprintf("{%T: not printable: %v}", v, err)
	}
	return string(b)
}

// Format writes s, the redacted form of a value of type typ, for any fmt
// verb: %#v prefixes the type, %q quotes, every other verb writes s as it
// is, so no verb reaches the fields behind it.
func Format(f fmt.State, verb rune, typ, s string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, typ, s)
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(s))
	default:
		fmt.Fprint(f, s)
	}
}

// LogValue turns v, already redacted, into an slog group whose attributes
// are its JSON fields in name order, nested objects as nested groups, so the
// text and JSON handlers both print the fields a developer expects.
func LogValue(v any) slog.Value {
	b, err := json.Marshal(v)
	if err != nil {
		return slog.StringValue(fmt.Sprintf("%T: not printable: %v", v, err))
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return slog.StringValue(fmt.Sprintf("%T: not printable: %v", v, err))
	}
	return logValue(tree)
}

func logValue(tree any) slog.Value {
	obj, ok := tree.(map[string]any)
	if !ok {
		return slog.AnyValue(tree)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	attrs := make([]slog.Attr, len(keys))
	for i, k := range keys {
		attrs[i] = slog.Attr{Key: k, Value: logValue(obj[k])}
	}
	return slog.GroupValue(attrs...)
}
