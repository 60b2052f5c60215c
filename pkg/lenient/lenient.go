// Package lenient holds JSON types for values the Pine Labs Online API sends
// in more than one form, so that one odd field never fails a whole response.
package lenient

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Int is an integer that decodes from a JSON number (9) or from a JSON
// string of decimal digits with an optional minus sign ("9"), and always
// encodes as a number. JSON null leaves it unchanged, as for the built-in
// types; a pointer to Int stays nil.
type Int int64

// MarshalJSON encodes n as a JSON number.
func (n Int) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(n), 10), nil
}

// UnmarshalJSON accepts a JSON integer or a string holding one. Anything
// else (a fraction, an exponent, a string that is not a whole number, a
// value outside int64) is an error that wraps strconv.ErrSyntax or
// strconv.ErrRange.
func (n *Int) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	digits := string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &digits); err != nil {
			return fmt.Errorf("lenient.Int: %s is not a JSON string: %w", data, err)
		}
	}
	if !wholeNumber(digits) {
		return fmt.Errorf("lenient.Int: %s is not a whole number: %w", data, strconv.ErrSyntax)
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil { // only ErrRange is left once the digits are checked
		return fmt.Errorf("lenient.Int: %s is out of range for a 64-bit integer: %w", data, strconv.ErrRange)
	}
	*n = Int(v)
	return nil
}

// wholeNumber reports whether s is an optional minus sign followed by one or
// more ASCII digits: the form the spec's pattern allows, without the plus
// sign, spaces or underscores strconv would also take.
func wholeNumber(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
