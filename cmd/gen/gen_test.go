package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	rulesSpec   = "testdata/rules.yaml"
	rulesConfig = "testdata/oapi-codegen.yaml"
)

// goldens maps each generated file of the rules spec to its golden copy.
var goldens = []struct {
	file, golden string
	gen          func(*goModel, string, string) ([]byte, error)
}{
	{"validate.gen.go", "testdata/rules.validate.go.golden", generateValidation},
	{"signature.gen.go", "testdata/rules.signature.go.golden", generateSignatures},
	{"redact.gen.go", "testdata/rules.redact.go.golden", generateRedaction},
}

// loadTestModel reads a spec and the oapi-codegen configuration its types are
// generated with.
func loadTestModel(t *testing.T, specPath, configPath string) *goModel {
	t.Helper()
	doc, err := loadSpec(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return testModel(t, doc, configPath)
}

// testModel is doc as oapi-codegen renders it with the configuration at configPath.
func testModel(t *testing.T, doc *openapi3.T, configPath string) *goModel {
	t.Helper()
	cfg, err := loadConfig(configPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newModel(doc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGolden compares the generated validation of the rules spec with the
// checked-in file; run `go test ./cmd/gen -update` after a deliberate change.
func TestGolden(t *testing.T) {
	for _, g := range goldens {
		got, err := g.gen(loadTestModel(t, rulesSpec, rulesConfig), "rules", "rules.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(g.golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(g.golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("generated %s differs from %s; run go test ./cmd/gen -update and review the diff", g.file, g.golden)
		}
	}
}

func TestDeterministic(t *testing.T) {
	const spec, config = "../../spec/pinelabs.yaml", "../../spec/oapi-codegen.yaml"
	for _, g := range goldens {
		first, err := g.gen(loadTestModel(t, spec, config), "pinelabs", "pinelabs.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			again, err := g.gen(loadTestModel(t, spec, config), "pinelabs", "pinelabs.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatalf("two runs of %s over the same spec differ", g.file)
			}
		}
	}
}

// TestGoldenCompilesAndBehaves builds the golden output together with the
// types oapi-codegen makes from the same spec, in a throwaway package inside
// this module, and runs behaviour_test.go.in against it.
func TestGoldenCompilesAndBehaves(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a package")
	}
	doc, err := loadSpec(rulesSpec)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(rulesConfig)
	if err != nil {
		t.Fatal(err)
	}
	types, err := codegen.Generate(doc, cfg.UpdateDefaults())
	if err != nil {
		t.Fatal(err)
	}
	behaviour, err := os.ReadFile("testdata/behaviour_test.go.in")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("testdata", "compile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	files := map[string][]byte{"types.gen.go": []byte(types), "behaviour_test.go": behaviour}
	for _, g := range goldens {
		if files[g.file], err = os.ReadFile(g.golden); err != nil {
			t.Fatal(err)
		}
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"vet", "./" + dir}, {"test", "-count=1", "./" + dir}} {
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestRefusesWhatItCannotEnforce: a spec the generator cannot honour exactly
// must fail generation with an error naming the place, never weaken checks.
func TestRefusesWhatItCannotEnforce(t *testing.T) {
	cases := []struct {
		name, schema, want string
	}{
		{"required string that accepts empty", `
      required: [a]
      properties:
        a: {type: string}`, `Body.a: required string accepts ""`},
		{"required number that accepts zero", `
      required: [a]
      properties:
        a: {type: integer}`, "Body.a: required number accepts 0"},
		{"required boolean", `
      required: [a]
      properties:
        a: {type: boolean}`, "Body.a: cannot tell a missing required"},
		{"oneOf", `
      properties:
        a:
          oneOf: [{type: string}, {type: integer}]`, "Body.a: cmd/gen cannot enforce allOf/anyOf/oneOf/not"},
		{"string format", `
      properties:
        a: {type: string, format: email}`, "Body.a: cmd/gen cannot enforce format email"},
		{"unknown extension", `
      x-pinegen-requried-when: []
      properties:
        a: {type: string}`, "Body: unknown extension x-pinegen-requried-when"},
		{"variant names a required property", `
      required: [k, o]
      x-pinegen-variants: {discriminator: k, property: o, variants: {A: [x]}}
      properties:
        k: {type: string, enum: [A]}
        o:
          type: object
          minProperties: 1
          required: [x]
          properties:
            x: {type: string, minLength: 1}`, `"x" is not an optional property of o`},
		{"required-when path to nowhere", `
      x-pinegen-required-when: [{property: a, path: b.c, in: [X]}]
      properties:
        a: {type: string}
        b: {type: string}`, `path "b.c": "b" is not an object`},
		{"signature over an unknown scheme", `
      required: [signature]
      x-pinegen-signature: {field: signature, algorithm: HMAC-SHA512, key: hex, encoding: hex}
      properties:
        signature: {type: string, minLength: 1}`, `algorithm "HMAC-SHA512": only HMAC-SHA256 is implemented`},
		{"signature alias pkg/signature does not apply", `
      required: [signature]
      x-pinegen-signature: {field: signature, algorithm: HMAC-SHA256, key: hex, encoding: hex, aliases: {state: status}}
      properties:
        signature: {type: string, minLength: 1}
        state: {type: string}
        status: {type: string}`, "alias state -> status is not one pkg/signature applies"},
		{"signature verified as a callback without a status", `
      required: [signature]
      x-pinegen-signature: {field: signature, algorithm: HMAC-SHA256, key: hex, encoding: hex, verify: callback}
      properties:
        signature: {type: string, minLength: 1}
        order_id: {type: string}`, `verify callback: pkg/signature reads a callback's "status"`},
		{"signature verified some other way", `
      required: [signature]
      x-pinegen-signature: {field: signature, algorithm: HMAC-SHA256, key: hex, encoding: hex, verify: webhook}
      properties:
        signature: {type: string, minLength: 1}`, `verify "webhook": only fields and callback are implemented`},
		{"together with a required property", `
      required: [a]
      x-pinegen-together: [a, b]
      properties:
        a: {type: string, minLength: 1}
        b: {type: string}`, `x-pinegen-together: "a" is not an optional property`},
		{"together of one property", `
      x-pinegen-together: [a]
      properties:
        a: {type: string}`, "x-pinegen-together needs at least two properties"},
		{"together naming a property twice", `
      x-pinegen-together: [a, a]
      properties:
        a: {type: string}`, `x-pinegen-together names "a" twice`},
		{"together naming an unknown property", `
      x-pinegen-together: [a, c]
      properties:
        a: {type: string}`, `x-pinegen-together: "c" is not an optional property`},
		{"malformed extension", `
      x-pinegen-exactly-one-of: {a: 1}
      properties:
        a: {type: string}`, "Body: malformed x-pinegen-exactly-one-of"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /b:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Body'}
      responses:
        '200': {description: ok}
components:
  schemas:
    Body:
      type: object` + c.schema + "\n"
			doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(rulesConfig)
			if err != nil {
				t.Fatal(err)
			}
			m, err := newModel(doc, cfg)
			for _, g := range goldens {
				if err != nil {
					break
				}
				_, err = g.gen(m, "p", "t.yaml")
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestSimpleRun(t *testing.T) {
	cases := []struct {
		pattern string
		simple  bool
	}{
		{`^[0-9]+$`, true},
		{`^[A-Za-z0-9_-]+$`, true},
		{`^[A-Z]{3}$`, true},
		{`^[0-9]{2,4}$`, true},
		{`^x*$`, true},
		{`^(0[1-9]|1[0-2])$`, false},
		{`[0-9]+`, false},   // unanchored
		{`^[à-ü]+$`, false}, // not ASCII
		{`^(?i)a+$`, false}, // case folding
		{`^[0-9]+\n$`, false},
	}
	for _, c := range cases {
		if _, ok := simpleRun(c.pattern); ok != c.simple {
			t.Errorf("simpleRun(%q) = %v, want %v", c.pattern, ok, c.simple)
		}
	}
}
