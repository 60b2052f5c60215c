package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/redact"
)

// An APIError is a response the API answered with an error status. Compare
// it with the Err… values using errors.Is, or read it with errors.As.
type APIError struct {
	StatusCode int
	Code       string // the API's code, such as PAYMENT_DECLINED; empty when the body had none
	Message    string // the API's message, card numbers masked; for a body that was not an error object, a redacted excerpt of it
	Details    *pinelabs.AdditionalErrorDetails
	RequestID  string // the Request-ID the call was sent with
	Operation  string // the operationId, such as createOrder

	// decoded is true when the body was the API's error object, which tells
	// a real "not found" from a server that does not know the path.
	decoded bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("pinelabs ")
	b.WriteString(e.Operation)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteByte(' ')
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if d := e.Details; d != nil && d.Reason != nil && *d.Reason != "" {
		b.WriteString(" (")
		b.WriteString(maskText(*d.Reason))
		b.WriteByte(')')
	}
	if e.RequestID != "" {
		b.WriteString(" (request-id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether target is one of the Err… values that e's code (or,
// for some, its HTTP status) stands for.
func (e *APIError) Is(target error) bool {
	s, ok := target.(*sentinel)
	if !ok {
		return false
	}
	for _, code := range s.codes {
		if e.Code == code {
			return true
		}
	}
	return s.status != 0 && e.StatusCode == s.status
}

// sentinel is an error value that APIErrors match by code or status.
type sentinel struct {
	msg    string
	status int // 0: match by code only
	codes  []string
}

func (s *sentinel) Error() string { return s.msg }

// Errors that APIError values match with errors.Is, by the codes the API
// documents (and, where one status always means the same, by HTTP status).
var (
	ErrUnauthorized         error = &sentinel{"pinelabs: unauthorized", 401, []string{"UNAUTHORIZED"}}
	ErrRateLimited          error = &sentinel{"pinelabs: rate limited", 429, []string{"API_RATE_LIMIT", "PAYMENT_RATE_LIMIT"}}
	ErrDuplicateRequest     error = &sentinel{"pinelabs: duplicate request", 0, []string{"DUPLICATE_REQUEST"}}
	ErrPaymentDeclined      error = &sentinel{"pinelabs: payment declined", 0, []string{"PAYMENT_DECLINED"}}
	ErrOrderNotFound        error = &sentinel{"pinelabs: order not found", 404, []string{"ORDER_NOT_FOUND"}}
	ErrInvalidRequest       error = &sentinel{"pinelabs: invalid request", 400, []string{"INVALID_REQUEST"}}
	ErrInsufficientFunds    error = &sentinel{"pinelabs: insufficient funds", 0, []string{"INSUFFICIENT_FUNDS"}}
	ErrCardExpired          error = &sentinel{"pinelabs: card expired", 0, []string{"CARD_EXPIRED"}}
	ErrAuthenticationFailed error = &sentinel{"pinelabs: customer authentication failed", 0, []string{"USER_AUTHENTICATION_FAILED"}}
	ErrAmountLimitExceeded  error = &sentinel{"pinelabs: amount limit exceeded", 0, []string{"AMOUNT_LIMIT_EXCEEDED"}}
	ErrNotFound             error = &sentinel{"pinelabs: not found", 404, nil} // any 404: no such order, customer or saved token
)

// ErrOutcomeUnknown is matched (errors.Is) by an *OutcomeUnknownError: a
// call that changes state failed in a way that leaves open whether the
// server did the work, and looking it up did not tell.
var ErrOutcomeUnknown = errors.New("pinelabs: outcome unknown")

// An OutcomeUnknownError is returned when a call that changes state (an
// order, payment, capture, cancel or refund; a customer created; a saved
// token deleted) may or may not have taken effect. Reconcile later, using
// the references in Request: GetOrder or GetOrderByReference for orders and
// refunds, FindCustomer for a customer, GetCustomerToken for a token. Do
// not simply repeat the call.
type OutcomeUnknownError struct {
	// Operation is the operationId of the call, such as createPayment.
	Operation string
	// RequestID is the Request-ID every attempt was sent with; quote it
	// to Pine Labs when reconciling.
	RequestID string
	// Request is what was sent: the request body (its String is redacted)
	// or, for a call without one, the order ID.
	Request any
	Err     error // why the call failed and, joined, why the lookup did
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("pinelabs %s: outcome unknown (request-id %s): %v", e.Operation, e.RequestID, e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// A DecodeError is a successful response the client could not read: its
// body was cut short, was not JSON, or did not match the API's shape.
type DecodeError struct {
	// Operation is the operationId of the call, such as createOrder.
	Operation string
	// StatusCode is the response's 2xx status: the server may well have
	// done the work even though its answer could not be read.
	StatusCode int
	// RequestID is the Request-ID the call was sent with.
	RequestID string
	Excerpt   string // up to 200 bytes of the body, redacted
	// Err is why the body could not be read: a JSON or read error, or a
	// missing JSON body.
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("pinelabs %s: reading %d response (request-id %s): %v; body: %s",
		e.Operation, e.StatusCode, e.RequestID, e.Err, e.Excerpt)
}

func (e *DecodeError) Unwrap() error { return e.Err }

const excerptLen = 200

// maskText masks what looks like a card number in free text from the
// server, which may echo the request.
func maskText(s string) string {
	return redact.Text(s)
}

// newAPIError reads an error response. A body that is not the API's error
// object is kept as a redacted excerpt, unless the call sent a secret
// (secret): a server may echo the request in plain text, where no redactor
// can find the secret, so only the body's length is kept.
func newAPIError(op, requestID string, status int, body []byte, secret bool) *APIError {
	e := &APIError{StatusCode: status, Operation: op, RequestID: requestID}
	var r pinelabs.ErrorResponse
	if json.Unmarshal(body, &r) == nil && (r.Code != nil || r.Message != nil) {
		e.decoded = true
		if r.Code != nil {
			e.Code = *r.Code
		}
		if r.Message != nil {
			e.Message = maskText(*r.Message)
		}
		e.Details = r.AdditionalErrorDetails
		return e
	}
	switch {
	case len(body) > 0 && secret && !json.Valid(body):
		e.Message = fmt.Sprintf("%s (a %d-byte body that is not JSON, not shown)", http.StatusText(status), len(body))
	case len(body) > 0:
		e.Message = redact.Excerpt(body, excerptLen)
	default:
		e.Message = http.StatusText(status)
	}
	return e
}
