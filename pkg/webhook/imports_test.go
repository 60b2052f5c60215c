package webhook

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the package a leaf: a merchant's webhook
// endpoint must not pull in the generated client, pkg/signature or any
// third-party module just to check a delivery.
func TestStandardLibraryOnly(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		test := strings.HasSuffix(name, "_test.go")
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if test && (path == "github.com/pinegen/pinelabs/pkg/webhook" || strings.HasPrefix(path, "github.com/pinegen/pinelabs/internal/")) {
				continue // tests may use the package itself and internal helpers; they are not shipped
			}
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s, which is not in the standard library", name, path)
			}
		}
		if !test {
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no non-test Go files found")
	}
}
