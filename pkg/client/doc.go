// Package client is the Go SDK for the Pine Labs Online (Plural) payment API:
// one method per operation, each validating its request before sending it,
// with the access token, headers, retries and error types handled for you.
//
// A Client fetches its access token on first use and refreshes it before it
// expires. Every call carries a fresh Request-ID, reused across the call's
// retries. Failed calls are retried (connection failures, 408, 429, 5xx)
// with exponential backoff and jitter, honouring Retry-After; a call that
// changes state (create order, create payment, capture, cancel, refund,
// create customer, delete a saved token) is never repeated while the server
// may already have done it: the client looks the result up by the
// merchant's reference first, and when it cannot tell, the error says so
// with ErrOutcomeUnknown.
//
// Nothing the client prints, logs or returns shows the client secret, the
// access token, a card number beyond its last four digits, a CVV or a
// cryptogram.
package client
