package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// A Client calls the Pine Labs Online API with one merchant's credentials.
// It is safe for concurrent use; create one and share it.
type Client struct {
	clientID string
	// secret and tokens sit behind pointers so that even printing a copy
	// of the struct (fmt shows nested pointers as addresses) cannot show
	// them.
	secret    *string
	server    string // base URL ending in "/", as the generated client wants it
	http      *http.Client
	log       *slog.Logger
	timeout   time.Duration
	retries   int
	userAgent string
	tokens    *tokenCache
	clock     clock
}

// clock is the client's only source of time and randomness, so tests can
// run retries and token expiry without waiting.
type clock struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a duration in [0, d).
	jitter func(d time.Duration) time.Duration
}

func realClock() clock {
	return clock{
		now: time.Now,
		sleep: func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		jitter: func(d time.Duration) time.Duration {
			if d <= 0 {
				return 0
			}
			return rand.N(d)
		},
	}
}

// New returns a Client for the merchant with the given client ID and secret.
// It makes no request: the access token is fetched on the first call.
func New(clientID, clientSecret string, opts ...Option) (*Client, error) {
	var missing []string
	if strings.TrimSpace(clientID) == "" {
		missing = append(missing, "client ID")
	}
	if strings.TrimSpace(clientSecret) == "" {
		missing = append(missing, "client secret")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("pinelabs: New: empty %s", strings.Join(missing, " and "))
	}
	s := settings{baseURL: UAT, timeout: defaultTimeout, retries: defaultRetries}
	for _, o := range opts {
		o(&s)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("pinelabs: New: %w", err)
	}
	c := &Client{
		clientID: clientID,
		secret:   &clientSecret,
		tokens:   &tokenCache{},
		server:   strings.TrimSuffix(s.baseURL, "/") + "/",
		http:     s.httpClient,
		log:      s.logger,
		timeout:  s.timeout,
		retries:  s.retries,
		clock:    realClock(),
	}
	if c.http == nil {
		c.http = NewHTTPClient(s.timeout)
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	}
	c.userAgent = "pinegen-go/" + Version
	if s.userAgent != "" {
		c.userAgent += " " + s.userAgent
	}
	return c, nil
}

// NewHTTPClient returns a fresh *http.Client with the settings a Client uses
// when WithHTTPClient is not given: the standard transport's settings with
// TLS 1.2 as the minimum, more idle connections per host (every call goes to
// one host), responseHeaderTimeout as the time to wait for a response's
// headers, and no redirects, which a payment API never answers with and
// which would resend a request elsewhere. Start from it to wrap the
// transport.
func NewHTTPClient(responseHeaderTimeout time.Duration) *http.Client {
	var t *http.Transport
	if std, ok := http.DefaultTransport.(*http.Transport); ok {
		t = std.Clone()
	} else {
		t = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: 1 * time.Second,
		}
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tls.VersionTLS12
	t.MaxIdleConnsPerHost = 16
	t.ResponseHeaderTimeout = responseHeaderTimeout
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// String describes the client without its secret or token.
func (c *Client) String() string {
	if c == nil {
		return "pinelabs.Client(nil)"
	}
	return fmt.Sprintf("pinelabs.Client{base_url: %s, client_id: %s, client_secret: [redacted]}",
		strings.TrimSuffix(c.server, "/"), c.clientID)
}

// GoString is String, so %#v shows no secret either.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	io.WriteString(f, c.String())
}

// LogValue logs the client's base URL and client ID, never its secret.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("pinelabs.Client(nil)")
	}
	return slog.GroupValue(
		slog.String("base_url", strings.TrimSuffix(c.server, "/")),
		slog.String("client_id", c.clientID),
	)
}

var _ slog.LogValuer = (*Client)(nil)
