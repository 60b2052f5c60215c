package leafcheck

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// recorder keeps what StandardLibraryOnly reports instead of failing the
// test that runs it.
type recorder struct {
	testing.TB
	errors []string
	fatal  string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func check(t *testing.T, dir string) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		StandardLibraryOnly(r, dir)
	}()
	<-done
	return r
}

func TestStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dir    string
		errors []string
		fatal  string // a prefix: the rest is the operating system's wording
	}{
		{dir: "testdata/leaf"},
		{dir: "testdata/shipsinternal", errors: []string{
			"shipsinternal.go imports github.com/pinegen/pinelabs/internal/sigvectors, which is not in the standard library",
		}},
		{dir: "testdata/testimports", errors: []string{
			"testimports_test.go imports github.com/pinegen/pinelabs/pkg/signature, which is not in the standard library",
			"testimports_test.go imports github.com/spf13/cobra, which is not in the standard library",
		}},
		{dir: "testdata/onlytests", fatal: "leafcheck: no non-test Go files in testdata/onlytests"},
		{dir: "testdata/missing", fatal: "leafcheck: open testdata/missing"},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			t.Parallel()
			r := check(t, c.dir)
			if !slices.Equal(r.errors, c.errors) || !strings.HasPrefix(r.fatal, c.fatal) || (c.fatal == "") != (r.fatal == "") {
				t.Errorf("errors %q, fatal %q;\nwant %q, %q", r.errors, r.fatal, c.errors, c.fatal)
			}
		})
	}
}

func TestImportPaths(t *testing.T) {
	t.Parallel()
	module, pkg, err := importPaths("testdata/leaf")
	if err != nil {
		t.Fatal(err)
	}
	if module != "github.com/pinegen/pinelabs" || pkg != "github.com/pinegen/pinelabs/internal/leafcheck/testdata/leaf" {
		t.Fatalf("importPaths = %q, %q", module, pkg)
	}
}

// The helper must pass its own check, since the packages it guards import
// it from their tests.
func TestSelf(t *testing.T) {
	t.Parallel()
	StandardLibraryOnly(t, ".")
}
