package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

const componentPrefix = "#/components/schemas/"

// goName is the identifier oapi-codegen gives a schema or property name; using
// its own function keeps the two generators in step.
func goName(name string) string { return codegen.SchemaNameToTypeName(name) }

// fieldName honours x-go-name as oapi-codegen does.
func fieldName(jsonName string, s *openapi3.Schema) string {
	if n, ok := s.Extensions["x-go-name"].(string); ok && n != "" {
		return n
	}
	return goName(jsonName)
}

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
