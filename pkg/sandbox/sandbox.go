// Package sandbox is a stateful simulator of the Pine Labs Online API for
// tests and local development: orders move through their whole lifecycle
// and are refunded, test cards decline, customers pass challenges and save
// cards, callbacks are signed and webhooks delivered.
//
// The API is served by the generated strict server (gen/pinelabs): the
// sandbox supplies the operations, never its own routing or encoding.
// Requests are checked with the generated Validate. State lives in a
// Store: in memory by default, or in SQLite (see OpenSQLite) so that it
// survives a restart.
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// Config says who may call the sandbox and how it signs.
type Config struct {
	// ClientID and ClientSecret are the credentials the token call
	// accepts. Both are required.
	ClientID, ClientSecret string
	// SecretKey is the merchant's secret key (signature.ParseKey reads
	// its hex form); callbacks are signed with it. Required.
	SecretKey signature.Key
	// TokenLifetime is how long an access token lasts; zero means an hour.
	TokenLifetime time.Duration
	// Store keeps the state; nil means a new MemoryStore. The sandbox
	// closes it on Close.
	Store Store
	// WebhookURL, when set, receives every change of an order's state
	// (a refund's included) and of a saved card's, signed with
	// WebhookSecret (as webhook.NewSigner takes it).
	WebhookURL, WebhookSecret string
	// WebhookClient sends webhooks; nil means a client with a 10-second
	// timeout.
	WebhookClient *http.Client
	// Logger receives what the sandbox does; nil discards it. No secret,
	// token or card number is ever logged.
	Logger *slog.Logger
}

// String shows the configuration with its secrets masked; GoString and
// LogValue do the same, so a Config in a log line or error gives nothing
// away.
func (c Config) String() string {
	return fmt.Sprintf("sandbox.Config{ClientID:%q ClientSecret:%s SecretKey:%v WebhookURL:%q WebhookSecret:%s TokenLifetime:%v}",
		c.ClientID, masked(c.ClientSecret), c.SecretKey, c.WebhookURL, masked(c.WebhookSecret), c.TokenLifetime)
}

func (c Config) GoString() string { return c.String() }

func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func masked(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// A Sandbox serves the simulated API, the customer's challenge pages and
// a dashboard. It is an http.Handler; serve it on any address, and give
// clients that address as their base URL.
type Sandbox struct {
	cfg     Config
	key     signature.Key
	store   Store
	log     *slog.Logger
	handler http.Handler
	seq     atomic.Int64

	hooks     *webhooks // nil without Config.WebhookURL
	closeOnce sync.Once
	closeErr  error
}

// New checks cfg and returns a sandbox ready to serve.
func New(cfg Config) (*Sandbox, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("sandbox: Config.ClientID is empty")
	case cfg.ClientSecret == "":
		return nil, errors.New("sandbox: Config.ClientSecret is empty")
	case cfg.SecretKey == signature.Key{}:
		return nil, errors.New("sandbox: Config.SecretKey is not set: callbacks cannot be signed without it")
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour
	}
	s := &Sandbox{cfg: cfg, key: cfg.SecretKey, store: cfg.Store, log: cfg.Logger}
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.seq.Store(time.Now().UnixNano())
	if cfg.WebhookURL != "" {
		var err error
		if s.hooks, err = newWebhooks(s, cfg); err != nil {
			return nil, err
		}
	}

	mux := http.NewServeMux()
	api := pinelabs.NewStrictHandlerWithOptions(&api{s}, nil, pinelabs.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "the body is not valid JSON for this operation: "+jsonProblem(err))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.Error("sandbox: answering", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "the sandbox failed to answer")
		},
	})
	pinelabs.HandlerWithOptions(api, pinelabs.StdHTTPServerOptions{
		BaseRouter:  mux,
		Middlewares: []pinelabs.MiddlewareFunc{s.authenticate},
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST", err.Error())
		},
	})
	mux.HandleFunc("GET "+challengePath+"{order_id}", s.challengePage)
	mux.HandleFunc("POST "+challengePath+"{order_id}", s.challengeAnswer)
	s.routeDashboard(mux)
	s.handler = withBaseURL(mux)
	if s.hooks != nil {
		s.hooks.start()
	}
	return s, nil
}

// ServeHTTP serves the API, the challenge pages and the dashboard.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Store is where the sandbox keeps its state.
func (s *Sandbox) Store() Store { return s.store }

// Close stops webhook deliveries and closes the store. Deliveries still
// due are kept in the store and resume when a sandbox opens it again.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		if s.hooks != nil {
			s.hooks.stop()
		}
		s.closeErr = s.store.Close()
	})
	return s.closeErr
}

// tokenPattern is the one route that takes no access token.
const tokenPattern = "POST /api/auth/v1/token"

// authenticate lets a request through to an operation only with a valid,
// unexpired access token, except for the token call itself.
func (s *Sandbox) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Pattern == tokenPattern {
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "an Authorization: Bearer access token is required; get one from POST /api/auth/v1/token")
			return
		}
		var exp time.Time
		err := s.store.View(r.Context(), func(tx Tx) (err error) {
			exp, err = tx.TokenExpiry(tokenDigest(tok))
			return err
		})
		switch {
		case errors.Is(err, ErrNotFound):
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token is not one this sandbox issued")
			return
		case err != nil:
			s.log.Error("sandbox: reading a token", "err", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "the sandbox failed to read its store")
			return
		case !time.Now().Before(exp):
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token expired at "+exp.UTC().Format(time.RFC3339)+"; get a new one")
			return
		}
		next.ServeHTTP(w, r)
	})
}

type baseURLKey struct{}

// withBaseURL records the URL the request came in on, so challenge_url
// points where the caller can reach the sandbox.
func withBaseURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		ctx := context.WithValue(r.Context(), baseURLKey{}, scheme+"://"+r.Host)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func baseURL(ctx context.Context) string {
	u, _ := ctx.Value(baseURLKey{}).(string)
	return u
}

// An apiError is a refusal the API documents: an HTTP status with the
// error body's code and message.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func refuse(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *apiError {
	return refuse(http.StatusBadRequest, "INVALID_REQUEST", format, args...)
}

func notAllowed(format string, args ...any) *apiError {
	return refuse(http.StatusUnprocessableEntity, "OPERATION_NOT_ALLOWED", format, args...)
}

func duplicate(format string, args ...any) *apiError {
	return refuse(http.StatusUnprocessableEntity, "DUPLICATE_REQUEST", format, args...)
}

func orderNotFound(by, value string) *apiError {
	return refuse(http.StatusNotFound, "ORDER_NOT_FOUND", "no order has %s %q", by, value)
}

// failure has the shape of every operation's default response, so that
// each converts to it: XdefaultJSONResponse(s.failure(err)).
type failure struct {
	Body       pinelabs.ErrorResponse
	StatusCode int
}

// failure turns an error into the body and status to answer. Errors the
// API does not document are logged and answered as a plain 500.
func (s *Sandbox) failure(err error) failure {
	var e *apiError
	if !errors.As(err, &e) {
		s.log.Error("sandbox: internal error", "err", err)
		e = &apiError{http.StatusInternalServerError, "INTERNAL_ERROR", "the sandbox failed; see its log"}
	}
	return failure{Body: errorBody(e.code, e.message), StatusCode: e.status}
}

func errorBody(code, message string) pinelabs.ErrorResponse {
	return pinelabs.ErrorResponse{Code: &code, Message: &message}
}

// writeError answers a request refused before it reached an operation.
func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(errorBody(code, message))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// jsonProblem says what was wrong with a body without echoing it: a
// decode error may quote the input, which may hold a card number.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		// Not typ.Value: for a number it holds the number, which may be
		// a card's.
		if typ.Field != "" {
			return fmt.Sprintf("%s must be a JSON %s", typ.Field, jsonKind(typ.Type.Kind()))
		}
		return "the body must be a JSON object"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or cut short"
	}
	return "malformed"
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "number"
}

// tokenDigest is what the store keeps of an access token.
func tokenDigest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newID returns prefix followed by n random characters from [a-zA-Z0-9].
func newID(prefix string, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// nextSeq is a creation order that keeps rising across restarts.
func (s *Sandbox) nextSeq() int64 {
	now := time.Now().UnixNano()
	for {
		last := s.seq.Load()
		next := max(now, last+1)
		if s.seq.CompareAndSwap(last, next) {
			return next
		}
	}
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
