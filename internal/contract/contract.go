// Package contract holds a server to the spec in tests: every response it
// gives to an operation of spec/pinelabs.yaml is validated with kin-openapi,
// and any mismatch fails the test.
package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/pinegen/pinelabs/spec"
)

// A Checker validates responses against the spec. Its methods are safe
// for concurrent use.
type Checker struct {
	router routers.Router

	mu      sync.Mutex
	checked map[string]int // "operationId status" → responses validated
}

// New returns a Checker. Its servers are ignored: routes match on the
// path alone, so a server on any loopback port is held to the spec.
func New(t testing.TB) *Checker {
	t.Helper()
	r, err := loadRouter()
	if err != nil {
		t.Fatal(err)
	}
	return &Checker{router: r, checked: map[string]int{}}
}

// loadRouter parses the spec once per test binary: parsing it for every
// test would cost each a good part of a second. The router is only read.
var loadRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	return legacy.NewRouter(doc)
})

// Handler serves h and validates each response to an API operation. A
// request to a path the spec has no operation for (a page, the dashboard)
// is passed through unchecked unless it is under /api/, where every path
// must be in the spec.
func (c *Checker) Handler(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := c.router.FindRoute(r)
		if err != nil {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				t.Errorf("contract: %s %s is not in the spec: %v", r.Method, r.URL.Path, err)
			}
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		res := rec.Result()
		body := rec.Body.Bytes()
		if err := c.validate(r.Context(), r, route, params, res, body); err != nil {
			t.Errorf("contract: %s %s answered %d, which the spec does not allow: %v\nbody: %s",
				r.Method, r.URL.Path, res.StatusCode, err, body)
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		w.Write(body)
	})
}

func (c *Checker) validate(ctx context.Context, r *http.Request, route *routers.Route, params map[string]string, res *http.Response, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: res.StatusCode,
		Header: res.Header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	err := openapi3filter.ValidateResponse(ctx, in)
	c.mu.Lock()
	c.checked[fmt.Sprintf("%s %d", route.Operation.OperationID, res.StatusCode)]++
	c.mu.Unlock()
	return err
}

// Checked reports how many responses were validated, by "operationId
// status", so a test can show that the ones it meant to check were.
func (c *Checker) Checked() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.checked))
	for k, v := range c.checked {
		out[k] = v
	}
	return out
}
