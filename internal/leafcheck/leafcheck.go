// Package leafcheck is a test helper that keeps a package's imports light:
// a leaf imports only the standard library, and a package users import pulls
// in no heavy tool dependency.
package leafcheck

import (
	"bufio"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// StandardLibraryOnly reports through t every import in the Go files of dir
// that the package may not have. A non-test file may import only the
// standard library. A test file, which is not shipped, may also import the
// package itself (as an external _test package does) and this module's
// internal/ packages, this one among them. Build constraints are ignored,
// so files for other platforms are checked too.
func StandardLibraryOnly(t testing.TB, dir string) {
	t.Helper()
	module, pkg, err := importPaths(dir)
	if err != nil {
		t.Fatalf("leafcheck: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("leafcheck: %v", err)
	}
	shipped := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("leafcheck: %v", err)
		}
		test := strings.HasSuffix(name, "_test.go")
		if !test {
			shipped++
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatalf("leafcheck: %s: import %s: %v", name, imp.Path.Value, err)
			}
			if test && (p == pkg || strings.HasPrefix(p, module+"/internal/")) {
				continue
			}
			if !standard(p, module) {
				t.Errorf("%s imports %s, which is not in the standard library", name, p)
			}
		}
	}
	if shipped == 0 {
		t.Fatalf("leafcheck: no non-test Go files in %s", dir)
	}
}

// standard reports whether p is in the standard library, whose paths the go
// command recognises by a first element without a dot. A module may have
// such a path too, so its own packages are ruled out by name.
func standard(p, module string) bool {
	if p == module || strings.HasPrefix(p, module+"/") {
		return false
	}
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// importPaths finds the go.mod at or above dir and returns its module path
// and the import path of the package in dir.
func importPaths(dir string) (module, pkg string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for root := abs; ; root = filepath.Dir(root) {
		module, err := modulePath(filepath.Join(root, "go.mod"))
		if errors.Is(err, fs.ErrNotExist) {
			if filepath.Dir(root) == root {
				return "", "", fmt.Errorf("no go.mod at or above %s", abs)
			}
			continue
		}
		if err != nil {
			return "", "", err
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return "", "", err
		}
		return module, path.Join(module, filepath.ToSlash(rel)), nil
	}
}

// modulePath reads the module directive of a go.mod file.
func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "module" {
			continue
		}
		if p, err := strconv.Unquote(fields[1]); err == nil {
			return p, nil
		}
		return fields[1], nil
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s has no module directive", gomod)
}

// NoDependencyOn reports through t every package that the package in the
// current directory depends on, directly or not, whose import path starts
// with one of prefixes. It runs go list, so it is skipped with -short.
func NoDependencyOn(t testing.TB, prefixes ...string) {
	t.Helper()
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
	for _, d := range deps {
		for _, p := range prefixes {
			if strings.HasPrefix(d, p) {
				t.Errorf("depends on %s", d)
			}
		}
	}
}
