package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// The two documented base URLs.
const (
	UAT        = "https://pluraluat.v2.pinepg.in"
	Production = "https://api.pluralpay.in"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

const (
	defaultTimeout = 30 * time.Second
	defaultRetries = 3
)

// An Option configures a Client in New.
type Option func(*settings)

type settings struct {
	baseURL    string
	httpClient *http.Client
	logger     *slog.Logger
	timeout    time.Duration
	retries    int
	userAgent  string
	errs       []error
}

// WithBaseURL sets the API's base URL: UAT (the default), Production, or any
// other server that speaks the API, such as a sandbox or a test server.
func WithBaseURL(u string) Option {
	return func(s *settings) { s.baseURL = u }
}

// WithHTTPClient sends requests through c instead of the client's own
// *http.Client (TLS 1.2 or newer, connection timeouts, no redirects).
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) {
		if c == nil {
			s.errs = append(s.errs, errors.New("WithHTTPClient: nil *http.Client"))
			return
		}
		s.httpClient = c
	}
}

// WithLogger logs to l. At debug level every HTTP exchange is logged with
// its method, path, status, Request-ID, duration and redacted bodies. The
// default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		if l == nil {
			s.errs = append(s.errs, errors.New("WithLogger: nil *slog.Logger"))
			return
		}
		s.logger = l
	}
}

// WithTimeout bounds each attempt of a call, from sending the request to
// reading the whole response; retries get their own. The default is 30s.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d <= 0 {
			s.errs = append(s.errs, fmt.Errorf("WithTimeout: %v is not positive", d))
			return
		}
		s.timeout = d
	}
}

// WithRetries sets how many times a failed call is retried after its first
// attempt (default 3); 0 disables retries.
func WithRetries(max int) Option {
	return func(s *settings) {
		if max < 0 {
			s.errs = append(s.errs, fmt.Errorf("WithRetries: %d is negative", max))
			return
		}
		s.retries = max
	}
}

// WithUserAgent appends suffix, such as "shop/2.1", to the User-Agent
// header "pinegen-go/<version>".
func WithUserAgent(suffix string) Option {
	return func(s *settings) { s.userAgent = suffix }
}

func (s *settings) validate() error {
	u, err := url.Parse(s.baseURL)
	switch {
	case err != nil:
		s.errs = append(s.errs, fmt.Errorf("WithBaseURL: %w", err))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		s.errs = append(s.errs, fmt.Errorf("WithBaseURL: %q is not an absolute http(s) URL", s.baseURL))
	case u.User != nil:
		s.errs = append(s.errs, errors.New("WithBaseURL: the URL must not carry credentials"))
	}
	return errors.Join(s.errs...)
}
