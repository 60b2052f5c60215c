// Command gen writes the Go code oapi-codegen does not: a Validate method for
// every request type of spec/pinelabs.yaml, enforcing the spec's constraints
// and its x-pinegen rules, and the signing helpers of every schema marked
// x-pinegen-signature. It runs from go generate after oapi-codegen.
//
// It reads the spec only (never the generated package), so it builds even
// when gen/ is stale or broken.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	specPath := flag.String("spec", "pinelabs.yaml", "OpenAPI document to read")
	out := flag.String("out", "", "directory of the generated package: validate.gen.go and signature.gen.go are written there")
	pkg := flag.String("package", "pinelabs", "package name of the generated code")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out is required")
		os.Exit(2)
	}
	if err := run(*specPath, *out, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(specPath, out, pkg string) error {
	doc, err := loadSpec(specPath)
	if err != nil {
		return err
	}
	files := map[string]func(*openapi3.T, string, string) ([]byte, error){
		"validate.gen.go":  generateValidation,
		"signature.gen.go": generateSignatures,
	}
	for _, name := range sortedKeys(files) {
		src, err := files[name](doc, pkg, filepath.Base(specPath))
		if err != nil {
			return err
		}
		if err := writeIfChanged(filepath.Join(out, name), src); err != nil {
			return err
		}
	}
	return nil
}

func loadSpec(path string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return doc, nil
}

// writeIfChanged leaves an identical file untouched so go generate does not
// disturb build caches or file times for nothing.
func writeIfChanged(path string, src []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, src) {
		return nil
	}
	return os.WriteFile(path, src, 0o644)
}
