package signature

import "errors"

// Every error this package returns matches one of these sentinels with
// errors.Is, so callers can branch on the cause without parsing text. No
// error text ever contains a secret, a signature or a field value, and it
// names a field only if the name is short and made of [a-z0-9_], so the
// text is safe to log or print as it stands.
var (
	// ErrInvalidKey: the secret given to ParseKey is empty, has an odd
	// number of hex digits or a non-hex character; also returned when a
	// zero Key is used.
	ErrInvalidKey = errors.New("signature: invalid secret key")

	// ErrMissingSignature: the callback carries no signature, or an empty one.
	ErrMissingSignature = errors.New("signature: missing signature")
	// ErrMalformedSignature: the signature is not 64 hex digits.
	ErrMalformedSignature = errors.New("signature: malformed signature (want 64 hex digits)")
	// ErrSignatureMismatch: the signature is well formed but was not made
	// with this key over these fields.
	ErrSignatureMismatch = errors.New("signature: signature does not match")

	// ErrRepeatedField: a field name occurs more than once. The canonical
	// string has no way to express a repeated name, so rather than guess
	// which value was signed the input is refused.
	ErrRepeatedField = errors.New("signature: repeated field")
	// ErrEmptyFieldName: a field has an empty name.
	ErrEmptyFieldName = errors.New("signature: empty field name")
	// ErrStatusConflict: both status and payment_status are present with
	// different values.
	ErrStatusConflict = errors.New("signature: status and payment_status differ")
	// ErrNoFields: nothing is left to sign once the signature field is
	// set aside. The reference routine refuses an empty string too, and a
	// signature over nothing would vouch for nothing.
	ErrNoFields = errors.New("signature: no fields to sign")
	// ErrAmbiguousField: a field name contains "&" or "=", or a value
	// contains "&NAME=" where NAME sorts after the field's own name; the
	// canonical string of such a field set can also be read as a
	// different field set. See Fields.
	ErrAmbiguousField = errors.New("signature: field makes the signed string ambiguous")
	// ErrInvalidUTF8: a field name or value is not valid UTF-8, or a JSON
	// callback escapes half of a surrogate pair. Pine Labs signs the UTF-8
	// bytes of its text, which are always valid, and encoding/json would
	// otherwise turn the bad bytes into U+FFFD without a word.
	ErrInvalidUTF8 = errors.New("signature: field is not valid UTF-8")

	// ErrIncompleteCallback: the signature holds but order_id or status is
	// missing or empty.
	ErrIncompleteCallback = errors.New("signature: callback lacks order_id or status")
	// ErrMalformedCallback: the request body or query string cannot be
	// decoded into fields.
	ErrMalformedCallback = errors.New("signature: malformed callback request")
	// ErrUnsupportedMediaType: a callback body with a Content-Type other
	// than form or JSON.
	ErrUnsupportedMediaType = errors.New("signature: unsupported callback content type")
	// ErrBodyTooLarge: a callback body is over MaxCallbackBytes.
	ErrBodyTooLarge = errors.New("signature: request body too large")
)

// detailError adds a non-secret detail (a field name, a position) to a
// sentinel while keeping errors.Is working. It exists instead of
// fmt.Errorf so the hot paths do not import or call fmt.
type detailError struct {
	err    error
	detail string
}

func (e *detailError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *detailError) Unwrap() error { return e.err }

func withDetail(err error, detail string) error { return &detailError{err: err, detail: detail} }

// maxShownNameLen is the longest field name an error repeats; nameNotShown
// stands in for any name that is longer or not plainly a name.
const (
	maxShownNameLen = 32
	nameNotShown    = "(name not shown)"
)

// fieldName is name as an error may show it: quoted if it is short and made
// of [a-z0-9_], like every name Pine Labs sends, else nameNotShown. Names
// reach errors from requests whose signature has not been checked yet, so
// one could carry a newline that forges a log line, or, where "&" or "="
// is in it, a piece of someone's value.
func fieldName(name string) string {
	if name == "" || len(name) > maxShownNameLen {
		return nameNotShown
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return nameNotShown
		}
	}
	return `"` + name + `"`
}
