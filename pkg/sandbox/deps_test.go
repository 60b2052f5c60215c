package sandbox_test

import (
	"testing"

	"github.com/pinegen/pinelabs/internal/leafcheck"
)

// TestImports keeps the sandbox honest: it answers from its own state on
// the generated server, never by calling itself through the client, and
// links neither an OpenAPI library nor SQLite (which is sqlitestore's).
func TestImports(t *testing.T) {
	t.Parallel()
	leafcheck.NoDependencyOn(t, "github.com/pinegen/pinelabs/pkg/client", "github.com/pinegen/pinelabs/cmd/",
		"github.com/getkin/kin-openapi", "modernc.org/sqlite")
}
