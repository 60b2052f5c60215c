package pinelabs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/spec"
)

// fullCreateOrder is the docs' fullest create-order sample: customer, both
// addresses with every field, and metadata.
const fullCreateOrder = "../../spec/examples/createOrder/request.tokenization-004.json"

func loadFullCreateOrder(tb testing.TB) ([]byte, pinelabs.CreateOrderRequest) {
	tb.Helper()
	var order pinelabs.CreateOrderRequest
	body, err := os.ReadFile(fullCreateOrder)
	if err == nil {
		err = json.Unmarshal(body, &order)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return body, order
}

// BenchmarkValidateCreateOrder compares the generated Validate, alone and
// after decoding the body, with kin-openapi's request validation of the same
// body.
func BenchmarkValidateCreateOrder(b *testing.B) {
	body, order := loadFullCreateOrder(b)

	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := order.Validate(); err != nil {
				b.Fatal(err)
			}
		}
	})

	// openapi3filter decodes the JSON it checks, so the fair comparison for
	// it is decoding and validating, not validating an already decoded value.
	b.Run("decode-and-validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var o pinelabs.CreateOrderRequest
			if err := json.Unmarshal(body, &o); err != nil {
				b.Fatal(err)
			}
			if err := o.Validate(); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("openapi3filter", func(b *testing.B) {
		doc, err := spec.Load()
		if err != nil {
			b.Fatal(err)
		}
		doc.Servers = openapi3.Servers{{URL: "http://pinelabs.test"}}
		router, err := legacy.NewRouter(doc)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, "http://pinelabs.test/api/pay/v1/orders", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Request-ID", "c17ce30f-f88e-4f81-ada1-c3b4909ed235")
		req.Header.Set("Request-Timestamp", "2024-07-09T07:57:08.022Z")
		route, params, err := router.FindRoute(req)
		if err != nil {
			b.Fatal(err)
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			req.Body = io.NopCloser(bytes.NewReader(body))
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
