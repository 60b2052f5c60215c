package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The x-pinegen extensions this generator understands; the spec's
// info.description documents them for readers.
const (
	extRequiredWhen = "x-pinegen-required-when"
	extVariants     = "x-pinegen-variants"
	extExactlyOneOf = "x-pinegen-exactly-one-of"
	extUniqueBy     = "x-pinegen-unique-by"
	extTogether     = "x-pinegen-together"
	extSensitive    = "x-pinegen-sensitive"
	extSignature    = "x-pinegen-signature"
)

var knownExtensions = map[string]bool{
	extRequiredWhen: true, extVariants: true, extExactlyOneOf: true,
	extUniqueBy: true, extTogether: true, extSensitive: true, extSignature: true,
}

// requiredWhen: Property must be present when the string at Path is one of In.
type requiredWhen struct {
	Property string   `json:"property"`
	Path     string   `json:"path"`
	In       []string `json:"in"`
}

// variants: when Discriminator has a listed value, Property carries exactly
// one of the sub-properties listed for it and none listed only for others.
type variants struct {
	Discriminator string              `json:"discriminator"`
	Property      string              `json:"property"`
	Variants      map[string][]string `json:"variants"`
}

// rules are the x-pinegen rules attached to one object schema.
type rules struct {
	requiredWhen []requiredWhen
	variants     *variants
	exactlyOneOf []string
	together     []string // all of these properties or none
}

// decodeExt re-reads a generic extension value into a typed one, refusing
// unknown keys so a typo in the spec fails generation.
func decodeExt(where, name string, raw any, into any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", where, name, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("%s: malformed %s: %w", where, name, err)
	}
	return nil
}

// objectRules reads and checks the x-pinegen rules of the object schema s.
func objectRules(m *goModel, where string, s *openapi3.Schema) (rules, error) {
	var r rules
	for name := range s.Extensions {
		if strings.HasPrefix(name, "x-pinegen-") && !knownExtensions[name] {
			return r, fmt.Errorf("%s: unknown extension %s", where, name)
		}
	}
	if raw, ok := s.Extensions[extRequiredWhen]; ok {
		if err := decodeExt(where, extRequiredWhen, raw, &r.requiredWhen); err != nil {
			return r, err
		}
		for _, rw := range r.requiredWhen {
			prop := s.Properties[rw.Property]
			if prop == nil {
				return r, fmt.Errorf("%s: %s names unknown property %q", where, extRequiredWhen, rw.Property)
			}
			if isRequired(s, rw.Property) {
				return r, fmt.Errorf("%s: %s: %q is always required already", where, extRequiredWhen, rw.Property)
			}
			if !m.nilable(s, rw.Property) {
				return r, fmt.Errorf("%s: %s: %q is not a pointer in Go, so its absence cannot be seen", where, extRequiredWhen, rw.Property)
			}
			if len(rw.In) == 0 {
				return r, fmt.Errorf("%s: %s for %q lists no values", where, extRequiredWhen, rw.Property)
			}
			if _, err := walkPath(m, s, rw.Path); err != nil {
				return r, fmt.Errorf("%s: %s: %w", where, extRequiredWhen, err)
			}
		}
	}
	if raw, ok := s.Extensions[extVariants]; ok {
		r.variants = &variants{}
		if err := decodeExt(where, extVariants, raw, r.variants); err != nil {
			return r, err
		}
		v := r.variants
		disc := s.Properties[v.Discriminator]
		if disc == nil || !isType(disc.Value, "string") {
			return r, fmt.Errorf("%s: %s discriminator %q is not a string property", where, extVariants, v.Discriminator)
		}
		holder := s.Properties[v.Property]
		if holder == nil || !isObject(holder.Value) {
			return r, fmt.Errorf("%s: %s property %q is not an object property", where, extVariants, v.Property)
		}
		for value, subs := range v.Variants {
			if len(disc.Value.Enum) > 0 && !enumHas(disc.Value.Enum, value) {
				return r, fmt.Errorf("%s: %s: %q is not a value of %s", where, extVariants, value, v.Discriminator)
			}
			for _, sub := range subs {
				if holder.Value.Properties[sub] == nil || isRequired(holder.Value, sub) || !m.nilable(holder.Value, sub) {
					return r, fmt.Errorf("%s: %s: %q is not an optional property of %s that is nil when absent", where, extVariants, sub, v.Property)
				}
			}
		}
	}
	if raw, ok := s.Extensions[extExactlyOneOf]; ok {
		if err := decodeExt(where, extExactlyOneOf, raw, &r.exactlyOneOf); err != nil {
			return r, err
		}
		if len(r.exactlyOneOf) < 2 {
			return r, fmt.Errorf("%s: %s needs at least two properties", where, extExactlyOneOf)
		}
		for _, p := range r.exactlyOneOf {
			if s.Properties[p] == nil || isRequired(s, p) || !m.nilable(s, p) {
				return r, fmt.Errorf("%s: %s: %q is not an optional property that is nil when absent", where, extExactlyOneOf, p)
			}
		}
	}
	if raw, ok := s.Extensions[extTogether]; ok {
		if err := decodeExt(where, extTogether, raw, &r.together); err != nil {
			return r, err
		}
		if len(r.together) < 2 {
			return r, fmt.Errorf("%s: %s needs at least two properties", where, extTogether)
		}
		seen := map[string]bool{}
		for _, p := range r.together {
			if seen[p] {
				return r, fmt.Errorf("%s: %s names %q twice", where, extTogether, p)
			}
			seen[p] = true
			if s.Properties[p] == nil || isRequired(s, p) || !m.nilable(s, p) {
				return r, fmt.Errorf("%s: %s: %q is not an optional property that is nil when absent", where, extTogether, p)
			}
		}
	}
	return r, nil
}

// uniqueBy reads x-pinegen-unique-by of an array schema: the item property
// whose values must not repeat, or "".
func uniqueBy(where string, s *openapi3.Schema) (string, error) {
	raw, ok := s.Extensions[extUniqueBy]
	if !ok {
		return "", nil
	}
	prop, _ := raw.(string)
	if s.Items == nil || s.Items.Value == nil || !isObject(s.Items.Value) {
		return "", fmt.Errorf("%s: %s needs an array of objects", where, extUniqueBy)
	}
	p := s.Items.Value.Properties[prop]
	if p == nil || !isType(p.Value, "string") {
		return "", fmt.Errorf("%s: %s names %q, not a string property of the items", where, extUniqueBy, raw)
	}
	return prop, nil
}

// pathStep is one property on a dotted path through nested objects.
type pathStep struct {
	json   string
	field  string
	schema *openapi3.Schema
	ptr    bool
}

// walkPath resolves "a.b.c" from the object s to the string property at its end.
func walkPath(m *goModel, s *openapi3.Schema, dotted string) ([]pathStep, error) {
	var steps []pathStep
	cur := s
	parts := strings.Split(dotted, ".")
	for i, part := range parts {
		ref := cur.Properties[part]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("path %q: no property %q", dotted, part)
		}
		v := ref.Value
		f := m.field(cur, part)
		steps = append(steps, pathStep{json: part, field: f.Name, schema: v, ptr: f.Ptr})
		if i < len(parts)-1 && !isObject(v) {
			return nil, fmt.Errorf("path %q: %q is not an object", dotted, part)
		}
		cur = v
	}
	if !isType(cur, "string") {
		return nil, fmt.Errorf("path %q does not end at a string", dotted)
	}
	return steps, nil
}

func enumHas(enum []any, v string) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
	}
	return false
}

func enumStrings(enum []any) []string {
	out := make([]string, 0, len(enum))
	for _, e := range enum {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func sortedVariantValues(v *variants) []string {
	keys := make([]string, 0, len(v.Variants))
	for k := range v.Variants {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
