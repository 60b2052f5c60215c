package pinelabs_test

import (
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/leafcheck"
)

// TestLightImports keeps the generated models and client cheap to import:
// services that only call the API must not link an OpenAPI loader, a spec
// differ or a JSON Schema engine. Tools that need the spec load spec.YAML.
func TestLightImports(t *testing.T) {
	leafcheck.NoDependencyOn(t, "github.com/getkin/kin-openapi", "github.com/oasdiff/", "github.com/santhosh-tekuri/jsonschema")
}

// TestServerRoutesAreUnambiguous registers every operation of the generated
// server on a ServeMux, which panics on two patterns that could match the
// same request: /orders/reference/{ref} beside /orders/{order_id}/capture
// must stay apart by method.
func TestServerRoutesAreUnambiguous(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("routes collide: %v", r)
		}
	}()
	if pinelabs.Handler(nil) == nil {
		t.Fatal("no handler")
	}
}
