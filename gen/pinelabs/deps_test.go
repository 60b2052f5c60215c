package pinelabs_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// TestLightImports keeps the generated models and client cheap to import:
// services that only call the API must not link an OpenAPI loader, a spec
// differ or a JSON Schema engine. Tools that need the spec load spec.YAML.
func TestLightImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed %d packages; expected the package and its dependencies", len(deps))
	}
	heavy := []string{"github.com/getkin/kin-openapi", "github.com/oasdiff/", "github.com/santhosh-tekuri/jsonschema"}
	for _, d := range deps {
		for _, h := range heavy {
			if strings.HasPrefix(d, h) {
				t.Errorf("gen/pinelabs depends on %s", d)
			}
		}
	}
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
