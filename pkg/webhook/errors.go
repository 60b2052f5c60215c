package webhook

import "errors"

// Every error Verify and NewVerifier return matches one of these sentinels
// with errors.Is, so callers can branch on the cause without parsing text.
// No error text ever contains the secret, a signature or the body.
var (
	// ErrInvalidSecret: the secret given to NewVerifier is empty, or is not
	// padded standard base64 (after an optional "whsec_" prefix) and
	// WithRawSecret was not given.
	ErrInvalidSecret = errors.New("webhook: invalid secret")
	// ErrMissingHeader: webhook-id, webhook-timestamp or webhook-signature
	// is absent or empty.
	ErrMissingHeader = errors.New("webhook: missing header")
	// ErrMalformedTimestamp: webhook-timestamp is not a decimal count of
	// seconds.
	ErrMalformedTimestamp = errors.New("webhook: malformed timestamp")
	// ErrTimestampTooOld: the delivery is older than the tolerance.
	ErrTimestampTooOld = errors.New("webhook: timestamp too old")
	// ErrTimestampTooNew: the delivery is dated further in the future than
	// the tolerance.
	ErrTimestampTooNew = errors.New("webhook: timestamp in the future")
	// ErrSignatureMismatch: no v1 entry of webhook-signature matches.
	ErrSignatureMismatch = errors.New("webhook: no matching signature")
	// ErrMalformedBody: the signature holds but the body is not a JSON
	// object, or its event type is not a string.
	ErrMalformedBody = errors.New("webhook: malformed body")
)

// detailError adds a non-secret detail (a header name, what was wrong) to a
// sentinel while keeping errors.Is working. It exists instead of fmt.Errorf
// so the package does not import fmt on its hot path.
type detailError struct {
	err    error
	detail string
}

func (e *detailError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *detailError) Unwrap() error { return e.err }

func withDetail(err error, detail string) error { return &detailError{err: err, detail: detail} }
