package signature

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// MaxCallbackBytes caps how much of a callback body ParseCallback reads. A
// genuine callback is a few hundred bytes; the cap keeps an unauthenticated
// client from making the server buffer an arbitrary amount before the
// signature can be checked.
const MaxCallbackBytes = 64 << 10

// Callback is a payment callback whose signature has been verified.
type Callback struct {
	OrderID string
	// Status comes from status, or from payment_status when status is absent.
	Status       string
	ErrorCode    string
	ErrorMessage string
	// Fields holds every field as received, including signature and any
	// field this package gives no meaning to.
	Fields Fields
}

// VerifyCallback verifies a callback's field set, taking the signature from
// its "signature" field, and returns the typed callback.
//
// The field rules of Verify apply (see Fields), so a field set folded into
// another's values is refused with ErrAmbiguousField. After the signature
// holds, order_id and status (or payment_status) must also be non-empty,
// else ErrIncompleteCallback: a callback without them says nothing about a
// payment, whoever signed it.
func (k Key) VerifyCallback(fs Fields) (*Callback, error) {
	sig, n := "", 0
	for _, f := range fs {
		if f.Name == FieldSignature {
			sig = f.Value
			n++
		}
	}
	if n > 1 {
		return nil, withDetail(ErrRepeatedField, fieldName(FieldSignature))
	}
	if err := k.Verify(fs, sig); err != nil {
		return nil, err
	}
	cb := &Callback{Fields: fs}
	cb.OrderID, _ = fs.Get(FieldOrderID)
	var ok bool
	if cb.Status, ok = fs.Get(FieldStatus); !ok {
		cb.Status, _ = fs.Get(FieldPaymentStatus)
	}
	cb.ErrorCode, _ = fs.Get(FieldErrorCode)
	cb.ErrorMessage, _ = fs.Get(FieldErrorMessage)
	if cb.OrderID == "" || cb.Status == "" {
		return nil, ErrIncompleteCallback
	}
	return cb, nil
}

// ParseCallback reads a callback's fields from r and verifies them with key.
//
// Where the fields are read from:
//   - GET and HEAD: the query string;
//   - otherwise, by Content-Type: application/x-www-form-urlencoded or
//     application/json (an object whose values are all strings) in the body,
//     at most MaxCallbackBytes; the query string is then ignored, so a
//     callback_url that carries the merchant's own parameters still verifies;
//   - a request with neither a Content-Type nor a body: the query string.
//
// Any other Content-Type gives ErrUnsupportedMediaType. A body that was read
// is put back into r.Body so a later handler can read it again.
func ParseCallback(r *http.Request, key Key) (*Callback, error) {
	return parseCallback(nil, r, key)
}

// parseCallback is ParseCallback with the ResponseWriter, if there is one,
// that http.MaxBytesReader tells to close the connection after an
// oversized body instead of reading the rest of it.
func parseCallback(w http.ResponseWriter, r *http.Request, key Key) (*Callback, error) {
	fs, err := callbackFields(w, r)
	if err != nil {
		return nil, err
	}
	return key.VerifyCallback(fs)
}

func callbackFields(w http.ResponseWriter, r *http.Request) (Fields, error) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return queryFields(r.URL.RawQuery)
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && (r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody) {
		return queryFields(r.URL.RawQuery)
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, ErrUnsupportedMediaType
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		body, err := readBody(w, r, MaxCallbackBytes)
		if err != nil {
			return nil, err
		}
		return queryFields(string(body))
	case "application/json":
		body, err := readBody(w, r, MaxCallbackBytes)
		if err != nil {
			return nil, err
		}
		return jsonFields(body)
	}
	return nil, ErrUnsupportedMediaType
}

// readBody reads at most max bytes of r.Body and puts them back. w may be
// nil.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if errors.As(err, new(*http.MaxBytesError)) {
		return nil, ErrBodyTooLarge
	}
	if err != nil {
		return nil, withDetail(ErrMalformedCallback, "reading body failed")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func queryFields(raw string) (Fields, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		// url's error quotes the offending text, which may be a value.
		return nil, withDetail(ErrMalformedCallback, "bad URL encoding")
	}
	return FieldsFromValues(v)
}

// jsonFields walks the tokens itself rather than unmarshalling into a map
// because a map would silently keep the last of two equal keys.
//
// The UTF-8 checks come first because encoding/json replaces invalid bytes
// and unpaired surrogate escapes with U+FFFD without an error, after which
// the fields would no longer be the ones received.
func jsonFields(body []byte) (Fields, error) {
	if !utf8.Valid(body) {
		return nil, withDetail(ErrInvalidUTF8, "JSON body")
	}
	if hasLoneSurrogate(body) {
		return nil, withDetail(ErrInvalidUTF8, `JSON \u escape of half a surrogate pair`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	malformed := withDetail(ErrMalformedCallback, "want a JSON object of strings")
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, malformed
	}
	var fs Fields
	seen := make(map[string]struct{})
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, malformed
		}
		name, _ := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return nil, malformed
		}
		value, ok := vt.(string)
		if !ok {
			return nil, malformed
		}
		if _, dup := seen[name]; dup {
			return nil, withDetail(ErrRepeatedField, fieldName(name))
		}
		seen[name] = struct{}{}
		fs = append(fs, Field{Name: name, Value: value})
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, malformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed
	}
	return fs, nil
}

// hasLoneSurrogate reports whether a JSON text has a \u escape of a
// surrogate that is not part of a high-low pair. It does not track where
// strings begin: outside one a backslash is a syntax error that the decoder
// reports anyway, and so is a malformed escape.
func hasLoneSurrogate(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '\\')
		if i < 0 || i+1 >= len(b) {
			return false
		}
		if b[i+1] != 'u' {
			b = b[i+2:] // skips an escaped backslash as a whole
			continue
		}
		r, ok := hex4(b[i+2:])
		if !ok {
			return false
		}
		b = b[i+6:]
		switch {
		case 0xDC00 <= r && r <= 0xDFFF:
			return true
		case 0xD800 <= r && r <= 0xDBFF:
			if len(b) < 2 || b[0] != '\\' || b[1] != 'u' {
				return true
			}
			low, ok := hex4(b[2:])
			if !ok {
				return false
			}
			if low < 0xDC00 || low > 0xDFFF {
				return true
			}
			b = b[6:]
		}
	}
}

// hex4 decodes the four hex digits that start b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

type callbackContextKey struct{}

// RequireSignedCallback returns a handler that lets a request reach next
// only if it is a callback signed with key. Anything else is answered
// before next runs, with a one-line plain-text reason that says nothing
// about the key or the expected signature: 400 for a missing, malformed or
// wrong signature or undecodable fields, 413 for a body over
// MaxCallbackBytes (the server then closes the connection rather than read
// the rest), 415 for an unsupported Content-Type, and 500 if key is
// the zero Key. next gets the verified callback from CallbackFromContext.
func RequireSignedCallback(key Key, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := parseCallback(w, r, key)
		if err != nil {
			code, msg := callbackErrorResponse(err)
			http.Error(w, msg, code)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callbackContextKey{}, cb)))
	})
}

// CallbackFromContext returns the callback RequireSignedCallback verified.
func CallbackFromContext(ctx context.Context) (*Callback, bool) {
	cb, ok := ctx.Value(callbackContextKey{}).(*Callback)
	return cb, ok && cb != nil
}

func callbackErrorResponse(err error) (int, string) {
	switch {
	case errors.Is(err, ErrMissingSignature):
		return http.StatusBadRequest, "missing callback signature"
	case errors.Is(err, ErrMalformedSignature):
		return http.StatusBadRequest, "malformed callback signature"
	case errors.Is(err, ErrSignatureMismatch):
		return http.StatusBadRequest, "invalid callback signature"
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge, "callback too large"
	case errors.Is(err, ErrUnsupportedMediaType):
		return http.StatusUnsupportedMediaType, "unsupported callback content type"
	case errors.Is(err, ErrInvalidKey):
		// The merchant's configuration is at fault, not the client.
		return http.StatusInternalServerError, "callback verification unavailable"
	}
	return http.StatusBadRequest, "malformed callback"
}
