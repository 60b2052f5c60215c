package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
)

// A Fault is one way a single request goes wrong. Queue faults with
// Server.Inject; each request of the operation takes the next one. Unless a
// constructor says otherwise, a fault strikes before the server does the work,
// so the server's state is unchanged; wrap it in After to strike after the
// work is done, when the caller cannot tell from the failure whether it was.
type Fault struct {
	kind       faultKind
	status     int
	retryAfter string
	body       string
	mediaType  string // Content-Type of a Respond body; empty means application/json
	release    <-chan struct{}
	after      bool
}

type faultKind int

const (
	faultNone faultKind = iota
	faultReset
	faultStatus
	faultStall
	faultRespond
	faultExpireToken
	faultTruncate
	faultUnknowns
)

// None lets a request through untouched: a placeholder in a queue.
func None() Fault { return Fault{} }

// Reset reads the request and resets the connection (TCP RST) without
// answering.
func Reset() Fault { return Fault{kind: faultReset} }

// DropResponse does the work and then resets the connection instead of
// answering: the lost response a retry must never turn into a second charge.
func DropResponse() Fault { return After(Reset()) }

// Status answers with the HTTP status code and the documented error body:
// code INTERNAL_ERROR for 5xx, API_RATE_LIMIT for 429, TIMED_OUT for 408.
func Status(code int) Fault { return Fault{kind: faultStatus, status: code} }

// RateLimited answers 429 API_RATE_LIMIT with the given Retry-After header
// (seconds or an HTTP date; empty sends none). A rate limiter refuses
// before any work, which is why a client may retry it without reconciling.
func RateLimited(retryAfter string) Fault {
	return Fault{kind: faultStatus, status: http.StatusTooManyRequests, retryAfter: retryAfter}
}

// Stall holds the request until release is closed. If the caller gives up
// or the server closes first, the work is not done; After(Stall(…)) does the
// work first and then holds the response. Pair it with a client timeout and
// release only in cleanup, so that the caller always gives up first; never
// measure how long that took.
func Stall(release <-chan struct{}) Fault { return Fault{kind: faultStall, release: release} }

// Respond answers with status and body verbatim (Content-Type
// application/json whatever the body is), in place of the work: a non-JSON
// body, a body cut short, an error the spec does not list.
func Respond(status int, body string) Fault {
	return Fault{kind: faultRespond, status: status, body: body}
}

// RespondAs is Respond with the given Content-Type: a proxy's text/plain
// or text/html error page.
func RespondAs(status int, contentType, body string) Fault {
	return Fault{kind: faultRespond, status: status, body: body, mediaType: contentType}
}

// ExpireToken revokes every token issued so far, so this request and any
// later one that carries an old token is answered 401 UNAUTHORIZED until
// the caller fetches a new token. It strikes on arrival, even inside After.
func ExpireToken() Fault { return Fault{kind: faultExpireToken} }

// Truncate does the work and sends its response with the full Content-Length
// but only half the body, then closes the connection.
func Truncate() Fault { return Fault{kind: faultTruncate, after: true} }

// Unknowns does the work and answers with its response altered the way the
// docs warn an API may change without notice: fields no spec names, at the
// top level and in every object (but merchant_metadata, which holds only
// strings), and values outside every documented enum
// for the order's status and type and each payment's status and method.
func Unknowns() Fault { return Fault{kind: faultUnknowns, after: true} }

// After makes f strike after the server has done the work: the state
// changes and the counters move, and then the caller sees f.
func After(f Fault) Fault {
	f.after = true
	return f
}

// String names the fault, for test logs.
func (f Fault) String() string {
	name := [...]string{"none", "reset", "status", "stall", "respond", "expire-token", "truncate", "unknowns"}[f.kind]
	if f.status != 0 {
		name += " " + strconv.Itoa(f.status)
	}
	if f.after {
		name = "after-work " + name
	}
	return name
}

// UnknownStatus, UnknownType, UnknownPaymentStatus and UnknownPaymentMethod
// are the values Unknowns puts in a response.
const (
	UnknownStatus        = "PARTIALLY_CAPTURED_V9"
	UnknownType          = "INSTALMENT"
	UnknownPaymentStatus = "UNDER_REVIEW"
	UnknownPaymentMethod = "CRYPTO_WALLET"
)

// UnknownField is the name of the field Unknowns adds to every object.
const UnknownField = "x_fakeapi_future_field"

// strike sends the fault's response in place of rec, the response the work
// produced (nil before the work). It reports whether it wrote anything.
func (f Fault) strike(w http.ResponseWriter, rec *httptest.ResponseRecorder) bool {
	switch f.kind {
	case faultReset:
		reset(w)
	case faultStatus:
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		code := map[int]string{
			http.StatusTooManyRequests:     "API_RATE_LIMIT",
			http.StatusInternalServerError: "INTERNAL_ERROR",
			http.StatusRequestTimeout:      "TIMED_OUT",
		}[f.status]
		if code == "" {
			code = "INTERNAL_ERROR"
		}
		writeJSON(w, f.status, errorBody(code, http.StatusText(f.status)))
	case faultRespond:
		ct := f.mediaType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(f.status)
		w.Write([]byte(f.body))
	case faultTruncate:
		body := rec.Body.Bytes()
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return false
		}
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			rec.Code, http.StatusText(rec.Code), len(body))
		buf.Write(body[:len(body)/2])
		buf.Flush()
		conn.Close()
	case faultUnknowns:
		var v any
		if json.Unmarshal(rec.Body.Bytes(), &v) != nil {
			return false
		}
		addUnknowns(v, "")
		var out bytes.Buffer
		json.NewEncoder(&out).Encode(v)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write(out.Bytes())
	default:
		return false
	}
	return true
}

// addUnknowns walks a decoded JSON value, adding UnknownField to each object
// and replacing the documented enums it knows by name.
func addUnknowns(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		if key == "merchant_metadata" {
			return // a string-to-string map, not an object with fields
		}
		defer func() { v[UnknownField] = map[string]any{"added": "2031-01-01", "values": []any{1, "two"}} }()
		for k, e := range v {
			if _, ok := e.(string); ok {
				switch {
				case k == "status" && key == "payments":
					v[k] = UnknownPaymentStatus
				case k == "status" && (key == "data" || key == ""):
					v[k] = UnknownStatus
				case k == "type" && key == "data":
					v[k] = UnknownType
				case k == "payment_method":
					v[k] = UnknownPaymentMethod
				}
				continue
			}
			addUnknowns(e, k)
		}
	case []any:
		for _, e := range v {
			addUnknowns(e, key)
		}
	}
}

// reset closes the request's connection with SO_LINGER 0, so the peer sees a
// reset rather than an orderly end of stream.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}
