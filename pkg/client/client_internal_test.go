package client

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/leafcheck"
)

const (
	testSecret = "sup3r-s3cret-value"
	testPAN    = "4012001037141112"
)

func TestNewRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, id, secret string
		opts             []Option
		want             string
	}{
		{"empty id", "", "s", nil, "empty client ID"},
		{"empty secret", "id", " ", nil, "empty client secret"},
		{"both empty", "", "", nil, "empty client ID and client secret"},
		{"relative base URL", "id", "s", []Option{WithBaseURL("/api")}, "not an absolute http(s) URL"},
		{"credentials in URL", "id", "s", []Option{WithBaseURL("https://u:p@example.com")}, "must not carry credentials"},
		{"nil http client", "id", "s", []Option{WithHTTPClient(nil)}, "nil *http.Client"},
		{"nil logger", "id", "s", []Option{WithLogger(nil)}, "nil *slog.Logger"},
		{"zero timeout", "id", "s", []Option{WithTimeout(0)}, "not positive"},
		{"negative retries", "id", "s", []Option{WithRetries(-1)}, "negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := New(c.id, c.secret, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New = %v, %v; want error containing %q", got, err, c.want)
			}
			if got != nil {
				t.Errorf("New returned a client with an error")
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := New("id", "secret", WithUserAgent("shop/2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if c.server != UAT+"/" || c.timeout != 30*time.Second || c.retries != 3 {
		t.Errorf("defaults: server %q timeout %v retries %d", c.server, c.timeout, c.retries)
	}
	if c.userAgent != "pinegen-go/"+Version+" shop/2.1" {
		t.Errorf("User-Agent %q", c.userAgent)
	}
	if c.http == http.DefaultClient {
		t.Fatal("uses http.DefaultClient")
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok || tr == http.DefaultTransport {
		t.Fatalf("transport %T is not a transport of its own", c.http.Transport)
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("TLS config %+v: want MinVersion TLS 1.2", tr.TLSClientConfig)
	}
	if tr.TLSHandshakeTimeout == 0 || tr.ResponseHeaderTimeout == 0 || tr.IdleConnTimeout == 0 {
		t.Errorf("transport lacks timeouts: %+v", tr)
	}
	if std := http.DefaultTransport.(*http.Transport); std.TLSClientConfig != nil && std.TLSClientConfig == tr.TLSClientConfig {
		t.Error("shares TLS config with http.DefaultTransport")
	}
	if c.http.CheckRedirect == nil {
		t.Error("follows redirects")
	}
	own := &http.Client{}
	c2, err := New("id", "secret", WithHTTPClient(own), WithBaseURL(Production+"/"), WithRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	if c2.http != own || c2.server != Production+"/" || c2.retries != 0 {
		t.Errorf("options not applied: %v %q %d", c2.http == own, c2.server, c2.retries)
	}
}

func TestClientNeverPrintsSecret(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s)
	if _, err := c.GetOrder(t.Context(), "v1-missing"); err == nil {
		t.Fatal("want not found")
	}
	tok, err := c.token(t.Context())
	if err != nil || tok == "" {
		t.Fatalf("token: %q %v", tok, err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("client", "c", c)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "c", c)
	outs := []string{
		fmt.Sprint(c), fmt.Sprintf("%v|%+v|%#v|%s|%q", c, c, c, c, c), c.String(), c.GoString(),
		fmt.Sprintf("%+v", *c), fmt.Sprintf("%+v", struct{ C *Client }{c}), logs.String(),
	}
	for _, out := range outs {
		for _, secret := range []string{testSecret, tok} {
			if strings.Contains(out, secret) {
				t.Errorf("output shows a secret: %s", out)
			}
		}
	}
	if !strings.Contains(c.String(), "a17ce30e-f88e-4f81-ada1-c3b4909ed232") {
		t.Errorf("String should name the client ID: %s", c)
	}
}

// TestLightImports keeps the SDK cheap to import: no OpenAPI loader, spec
// differ or JSON Schema engine, and never the sandbox or a command.
func TestLightImports(t *testing.T) {
	t.Parallel()
	leafcheck.NoDependencyOn(t, "github.com/getkin/kin-openapi", "github.com/oasdiff/", "github.com/santhosh-tekuri/jsonschema",
		"github.com/pinegen/pinelabs/pkg/sandbox", "github.com/pinegen/pinelabs/cmd/")
}

func TestINR(t *testing.T) {
	t.Parallel()
	if got := INR(150000); got.Value != 150000 || got.Currency != "INR" {
		t.Errorf("INR(150000) = %+v", got)
	}
}
