package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"go.yaml.in/yaml/v3"
)

const componentPrefix = "#/components/schemas/"

// goModel is the spec as oapi-codegen renders it in Go, configured exactly as
// go generate runs it: the generated code must name fields and choose
// pointers the way the types it works on were generated, so those rules are
// asked of oapi-codegen here, in one place, and never re-derived.
type goModel struct {
	doc   *openapi3.T
	props map[*openapi3.Schema]map[string]codegen.Property
}

// goField is how one property of an object schema appears in its Go struct.
type goField struct {
	Name string
	// Ptr is true when the field is a pointer: optional, nullable, readOnly
	// or writeOnly, unless x-go-type-skip-optional-pointer or the
	// container-type option says otherwise.
	Ptr bool
}

// codegenConfig is the oapi-codegen configuration file as its command reads it.
type codegenConfig struct {
	codegen.Configuration `yaml:",inline"`
	Output                string `yaml:"output,omitempty"`
}

// loadConfig reads an oapi-codegen configuration file.
func loadConfig(path string) (codegen.Configuration, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return codegen.Configuration{}, fmt.Errorf("oapi-codegen config: %w", err)
	}
	var c codegenConfig
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return codegen.Configuration{}, fmt.Errorf("oapi-codegen config %s: %w", path, err)
	}
	return c.Configuration, nil
}

// newModel runs oapi-codegen over a copy of doc with cfg (which sets its
// naming and pointer rules) and records how it renders every property of
// every component schema, inline objects included.
func newModel(doc *openapi3.T, cfg codegen.Configuration) (*goModel, error) {
	raw, err := doc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	scratch, err := openapi3.NewLoader().LoadFromData(raw) // Generate prunes and filters what it is given
	if err != nil {
		return nil, err
	}
	// oapi-codegen keeps its naming and pointer options in package state that
	// only Generate sets, so it renders the document once here (about half a
	// second) and the output is dropped; its templates are not needed for that.
	cfg.OutputOptions.UserTemplates = nil
	cfg = cfg.UpdateDefaults()
	if _, err := codegen.Generate(scratch, cfg); err != nil {
		return nil, fmt.Errorf("oapi-codegen: %w", err)
	}
	m := &goModel{doc: doc, props: map[*openapi3.Schema]map[string]codegen.Property{}}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		s, err := codegen.GenerateGoSchema(doc.Components.Schemas[name], []string{name})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m.index(s)
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		if err := m.covers(name, doc.Components.Schemas[name].Value, map[*openapi3.Schema]bool{}); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *goModel) index(s codegen.Schema) {
	if o := s.OAPISchema; o != nil && len(s.Properties) > 0 && m.props[o] == nil {
		byJSON := make(map[string]codegen.Property, len(s.Properties))
		for _, p := range s.Properties {
			byJSON[p.JsonFieldName] = p
		}
		m.props[o] = byJSON
	}
	for _, p := range s.Properties {
		m.index(p.Schema)
	}
	if s.ArrayType != nil {
		m.index(*s.ArrayType)
	}
	if s.AdditionalPropertiesType != nil {
		m.index(*s.AdditionalPropertiesType)
	}
}

// covers checks that oapi-codegen rendered every property the generators may
// ask about, so field never has to guess.
func (m *goModel) covers(where string, s *openapi3.Schema, seen map[*openapi3.Schema]bool) error {
	if seen[s] {
		return nil
	}
	seen[s] = true
	for _, p := range sortedKeys(s.Properties) {
		if _, ok := m.props[s][p]; !ok {
			return fmt.Errorf("%s.%s: oapi-codegen renders no struct field for this property (allOf, oneOf or x-go-type?); cmd/gen cannot follow it", where, p)
		}
		if err := m.covers(where+"."+p, s.Properties[p].Value, seen); err != nil {
			return err
		}
	}
	if s.Items != nil && s.Items.Value != nil {
		return m.covers(where+"[]", s.Items.Value, seen)
	}
	return nil
}

// field is the Go field of property prop of the object schema parent.
func (m *goModel) field(parent *openapi3.Schema, prop string) goField {
	p := m.props[parent][prop] // present: covers checked every property
	return goField{Name: p.GoFieldName(), Ptr: p.IsPointer()}
}

// nilable reports whether the Go field of prop is nil when the property is
// absent: a pointer, or a slice or map without one.
func (m *goModel) nilable(parent *openapi3.Schema, prop string) bool {
	s := parent.Properties[prop].Value
	return m.field(parent, prop).Ptr || isType(s, "array") || isMap(s)
}

// typeName is the Go type oapi-codegen declares for a component schema.
func typeName(component string) string { return codegen.SchemaNameToTypeName(component) }

// requestTypes lists the component schemas used as JSON request bodies, the
// roots that get an exported Validate method, in sorted order.
func requestTypes(doc *openapi3.T) ([]string, error) {
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			name, ok := componentName(mt.Schema.Ref)
			if !ok {
				return nil, fmt.Errorf("%s %s: request body must $ref a component schema to have a Go type to validate", method, path)
			}
			seen[name] = true
		}
	}
	return sortedKeys(seen), nil
}

func componentName(ref string) (string, bool) {
	if !strings.HasPrefix(ref, componentPrefix) {
		return "", false
	}
	return strings.TrimPrefix(ref, componentPrefix), true
}

// reachable lists the named object and map schemas reachable from roots;
// each gets a validate method.
func reachable(doc *openapi3.T, roots []string) ([]string, error) {
	seen := map[string]bool{}
	var visit func(where string, ref *openapi3.SchemaRef) error
	visit = func(where string, ref *openapi3.SchemaRef) error {
		if ref == nil || ref.Value == nil {
			return fmt.Errorf("%s: unresolved schema", where)
		}
		if name, ok := componentName(ref.Ref); ok {
			if seen[name] {
				return nil
			}
			if isObject(ref.Value) || isMap(ref.Value) {
				seen[name] = true
			}
			where = name
		}
		s := ref.Value
		for _, p := range sortedKeys(s.Properties) {
			if err := visit(where+"."+p, s.Properties[p]); err != nil {
				return err
			}
		}
		if s.Items != nil {
			if err := visit(where+"[]", s.Items); err != nil {
				return err
			}
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			if err := visit(where+"{}", ap); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range roots {
		ref := doc.Components.Schemas[r]
		if ref == nil || ref.Value == nil || !(isObject(ref.Value) || isMap(ref.Value)) {
			return nil, fmt.Errorf("%s: a request body must be an object schema", r)
		}
		seen[r] = true
		if err := visit(r, ref); err != nil {
			return nil, err
		}
	}
	return sortedKeys(seen), nil
}

func isType(s *openapi3.Schema, t string) bool { return s.Type != nil && s.Type.Is(t) }

func isObject(s *openapi3.Schema) bool {
	return (isType(s, "object") || s.Type == nil) && len(s.Properties) > 0
}

func isMap(s *openapi3.Schema) bool {
	return isType(s, "object") && len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil
}

// checkSupported refuses keywords the generator cannot enforce, so a spec
// change can never silently weaken validation.
func checkSupported(where string, s *openapi3.Schema) error {
	var bad []string
	if len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Not != nil {
		bad = append(bad, "allOf/anyOf/oneOf/not")
	}
	if s.MultipleOf != nil {
		bad = append(bad, "multipleOf")
	}
	if s.UniqueItems {
		bad = append(bad, "uniqueItems")
	}
	if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
		bad = append(bad, "additionalProperties: false")
	}
	switch s.Format {
	case "", "int32", "int64", "float", "double":
	default:
		if isType(s, "string") {
			bad = append(bad, "format "+s.Format)
		}
	}
	if s.Type != nil && len(s.Type.Slice()) > 1 {
		bad = append(bad, "several types")
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: cmd/gen cannot enforce %s in a request schema", where, strings.Join(bad, ", "))
	}
	return nil
}

// emptyInvalid reports whether "" breaks s, which is how a required string
// field that was left out is told apart in Go.
func emptyInvalid(s *openapi3.Schema) bool {
	if s.MinLength > 0 {
		return true
	}
	if len(s.Enum) > 0 {
		for _, v := range s.Enum {
			if v == "" {
				return false
			}
		}
		return true
	}
	if s.Pattern != "" {
		if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString("") {
			return true
		}
	}
	return false
}

// zeroInvalid reports whether the number 0 breaks s.
func zeroInvalid(s *openapi3.Schema) bool {
	return (s.Min != nil && (*s.Min > 0 || (*s.Min == 0 && exclusive(s.ExclusiveMin)))) ||
		(s.Max != nil && (*s.Max < 0 || (*s.Max == 0 && exclusive(s.ExclusiveMax))))
}

func exclusive(b openapi3.ExclusiveBound) bool { return b.IsTrue() }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isRequired(s *openapi3.Schema, prop string) bool {
	for _, r := range s.Required {
		if r == prop {
			return true
		}
	}
	return false
}

func sensitive(s *openapi3.Schema) bool {
	v, _ := s.Extensions["x-pinegen-sensitive"].(bool)
	return v
}
