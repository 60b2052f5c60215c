package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/redact"
)

const (
	// timestampLayout is Request-Timestamp's form: UTC, milliseconds.
	timestampLayout = "2006-01-02T15:04:05.000Z"
	baseDelay       = 200 * time.Millisecond
	maxDelay        = 5 * time.Second
	maxBody         = 8 << 20
	maxLoggedBody   = 4 << 10
)

// operation is one API operation as the retry loop runs it.
type operation[T any] struct {
	name string // the spec's operationId
	auth bool   // sends the bearer token
	// secretBody marks a 200 body that is a secret (the token response):
	// unless it is JSON, whose secret fields are masked by name, it is
	// never shown, not even in part.
	secretBody bool
	// mutating calls change state on the server: they are never repeated
	// while the server may have done the work.
	mutating bool
	request  any // what OutcomeUnknownError.Request reports
	// send makes one attempt through the generated client and returns the
	// decoded 200 body (nil when there was none).
	send func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*T, error)
	// reconcile looks up whether a mutating call took effect: the result
	// and true when it did, false when it certainly did not. Nil for a
	// mutating call that cannot be looked up.
	reconcile func(ctx context.Context) (*T, bool, error)
}

// headers are the generated params every operation takes.
type headers struct {
	requestID string
	timestamp time.Time
}

type failKind int

const (
	final          failKind = iota // not retried
	unauthorized                   // 401: refresh the token once and retry once
	notProcessed                   // the server did not act: retry freely
	maybeProcessed                 // the server may have acted: reconcile before retrying
	acted                          // a 2xx that could not be read: the server acted, so never retry a mutating call
	duplicate                      // the server saw this request before
)

type failure struct {
	err        error
	kind       failKind
	retryAfter time.Duration
	token      string // the token the attempt sent
}

// run makes a call: attempts, token refresh, backoff, reconciliation.
//
// A mutating call that may have taken effect is never answered with an
// error that reads as a refusal: once an attempt may have done the work, the
// call ends in success (the attempt's or a lookup's) or in an
// *OutcomeUnknownError. A lookup that finds nothing only permits a retry
// with the same references, which the server refuses if it did the work:
// lookups may lag writes.
func run[T any](ctx context.Context, c *Client, op *operation[T]) (*T, error) {
	requestID := uuid.NewString()
	refreshed := false
	uncertain := false // an attempt of a mutating call may have done the work
	// settle ends a call that may have taken effect: done if a lookup
	// confirms it, else unknown.
	settle := func(err error) (*T, error) {
		if op.reconcile != nil && ctx.Err() == nil {
			v, done, lerr := op.reconcile(ctx)
			if lerr == nil && done {
				c.log.LogAttrs(ctx, slog.LevelInfo, "pinelabs: call took effect though its response was lost",
					slog.String("operation", op.name), slog.String("request_id", requestID))
				return v, nil
			}
			if lerr != nil {
				err = errors.Join(err, fmt.Errorf("looking it up: %w", lerr))
			}
		}
		return nil, unknown(op, requestID, err)
	}
	// fail ends the call with err, unknown if the work may have been done.
	fail := func(err error) (*T, error) {
		if uncertain {
			return nil, unknown(op, requestID, err)
		}
		return nil, err
	}
	for attempt := 0; ; {
		v, f := attemptOnce(ctx, c, op, requestID)
		if f == nil {
			return v, nil
		}
		if op.mutating {
			switch f.kind {
			case maybeProcessed, acted:
				uncertain = true
			case duplicate:
				// On a retry, the request refused as seen before is this
				// call's own earlier attempt.
				uncertain = uncertain || attempt > 0
			}
		}
		if ctx.Err() != nil {
			return fail(f.err)
		}
		switch f.kind {
		case final, duplicate:
			if uncertain {
				return settle(f.err)
			}
			return nil, f.err
		case unauthorized:
			if refreshed || !op.auth {
				if uncertain {
					return settle(f.err)
				}
				return nil, f.err
			}
			refreshed = true
			c.invalidateToken(f.token)
			continue // the refreshed attempt is not one of the retries
		case acted:
			if op.mutating {
				return settle(f.err) // never repeated: the server did the work
			}
		case maybeProcessed:
			if op.mutating {
				if op.reconcile == nil {
					return nil, unknown(op, requestID, f.err)
				}
				v, done, err := op.reconcile(ctx)
				if err != nil {
					return nil, unknown(op, requestID, errors.Join(f.err, fmt.Errorf("looking it up: %w", err)))
				}
				if done {
					c.log.LogAttrs(ctx, slog.LevelInfo, "pinelabs: call took effect though its response was lost",
						slog.String("operation", op.name), slog.String("request_id", requestID))
					return v, nil
				}
			}
		}
		if attempt >= c.retries {
			return fail(f.err)
		}
		attempt++
		wait := c.backoff(attempt, f.retryAfter)
		if deadline, ok := ctx.Deadline(); ok && c.clock.now().Add(wait).After(deadline) {
			return fail(f.err) // the retry could not finish in time
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "pinelabs: retrying",
			slog.String("operation", op.name), slog.String("request_id", requestID),
			slog.Int("retry", attempt), slog.Duration("wait", wait), slog.String("after", redact.Text(f.err.Error())))
		if err := c.clock.sleep(ctx, wait); err != nil {
			return fail(fmt.Errorf("pinelabs %s: %w while waiting to retry after: %w", op.name, err, f.err))
		}
	}
}

func unknown[T any](op *operation[T], requestID string, err error) error {
	return &OutcomeUnknownError{Operation: op.name, RequestID: requestID, Request: op.request, Err: err}
}

// backoff is the wait before retry number attempt (from 1): what the server
// asked for in Retry-After, or else exponential backoff with full jitter.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	d := maxDelay
	if attempt < 16 {
		d = min(baseDelay<<(attempt-1), maxDelay)
	}
	return c.clock.jitter(d)
}

// attemptOnce sends the request once and sorts any failure by what it says
// about the server having acted.
func attemptOnce[T any](ctx context.Context, c *Client, op *operation[T], requestID string) (*T, *failure) {
	x := &exchange{c: c, op: op.name, requestID: requestID, secretBody: op.secretBody}
	if op.auth {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, &failure{err: fmt.Errorf("pinelabs %s: getting an access token: %w", op.name, err), kind: final}
		}
		x.token = tok
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// One ClientWithResponses per attempt: it is two small structs, and
	// it lets this exchange see the response body the generated parser
	// reads and, on a decode failure, discards.
	api := &pinelabs.ClientWithResponses{ClientInterface: &pinelabs.Client{Server: c.server, Client: x}}
	v, err := op.send(actx, api, headers{requestID: requestID, timestamp: c.clock.now().UTC()})
	switch {
	case x.status == 0: // no response: err is set
		f := &failure{err: fmt.Errorf("pinelabs %s: %w", op.name, err), kind: maybeProcessed, token: x.token}
		switch {
		case !x.tried: // the generated client refused the input; nothing was sent
			f.kind = final
		case !x.sent:
			f.kind = notProcessed
		}
		return nil, f
	case x.status >= 200 && x.status < 300:
		if err == nil && v != nil {
			return v, nil
		}
		if err == nil {
			err = fmt.Errorf("no JSON body (Content-Type %q)", x.header.Get("Content-Type"))
		}
		return nil, &failure{err: &DecodeError{
			Operation: op.name, StatusCode: x.status, RequestID: requestID,
			Excerpt: x.excerpt(x.body, excerptLen), Err: err,
		}, kind: acted, token: x.token}
	}
	apiErr := newAPIError(op.name, requestID, x.status, x.body, op.secretBody)
	f := &failure{err: apiErr, kind: final, token: x.token}
	switch {
	case x.status == http.StatusUnauthorized:
		f.kind = unauthorized
	case x.status == http.StatusTooManyRequests:
		f.kind = notProcessed
		f.retryAfter = retryAfter(x.header, c.clock.now())
	case x.status == http.StatusRequestTimeout || x.status >= 500:
		f.kind = maybeProcessed
		f.retryAfter = retryAfter(x.header, c.clock.now())
	case apiErr.Code == "DUPLICATE_REQUEST":
		f.kind = duplicate
	}
	return nil, f
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// exchange is the generated client's HTTP doer for one attempt: it sets the
// headers every call needs, keeps the response body and logs the exchange.
type exchange struct {
	c          *Client
	op         string
	requestID  string
	token      string
	secretBody bool

	tried  bool // Do was called
	sent   bool // the request may have reached the server
	status int  // set once the whole response was read
	header http.Header
	body   []byte
}

func (x *exchange) Do(req *http.Request) (*http.Response, error) {
	c := x.c
	x.tried = true
	h := req.Header
	if x.token != "" {
		h.Set("Authorization", "Bearer "+x.token)
	}
	// The generated client sets these from params too, but formats the
	// timestamp as RFC 3339 with the value's own precision; the API wants
	// UTC with milliseconds.
	h.Set("Request-ID", x.requestID)
	h.Set("Request-Timestamp", c.clock.now().UTC().Format(timestampLayout))
	h.Set("Accept", "application/json")
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("User-Agent", c.userAgent)

	ctx := req.Context()
	debug := c.log.Enabled(ctx, slog.LevelDebug)
	var reqBody []byte
	if debug && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	start := c.clock.now()
	resp, err := c.http.Do(req)
	status := 0
	var body []byte
	if err == nil {
		status = resp.StatusCode
		body, err = readBody(resp)
	}
	x.sent = err == nil || !unsent(err)
	if debug {
		c.logExchange(ctx, x, req, status, c.clock.now().Sub(start), reqBody, body, err)
	}
	if err != nil {
		return nil, err
	}
	x.status, x.header, x.body = status, resp.Header, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// excerpt is the part of a response body that may be shown.
func (x *exchange) excerpt(body []byte, max int) string {
	if x.secretBody && !json.Valid(body) {
		return redact.Secret(string(body))
	}
	return redact.Excerpt(body, max)
}

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the %d response: %w", resp.StatusCode, err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("the %d response is larger than %d bytes", resp.StatusCode, maxBody)
	}
	return b, nil
}

// unsent reports whether err shows the request never left: the connection
// was never made, so the server cannot have acted on it.
func unsent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

func (c *Client) logExchange(ctx context.Context, x *exchange, req *http.Request, status int, d time.Duration, reqBody, respBody []byte, err error) {
	attrs := []slog.Attr{
		slog.String("operation", x.op),
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.String("request_id", x.requestID),
		slog.Duration("duration", d),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if len(reqBody) > 0 {
		attrs = append(attrs, slog.String("request_body", redact.Excerpt(reqBody, maxLoggedBody)))
	}
	if len(respBody) > 0 {
		attrs = append(attrs, slog.String("response_body", x.excerpt(respBody, maxLoggedBody)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.Text(err.Error())))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "pinelabs http", attrs...)
}
