package pinelabs_test

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pinegen/pinelabs/internal/optypes"
	"github.com/pinegen/pinelabs/pkg/validation"
	"github.com/pinegen/pinelabs/spec"
)

// validator is what every generated request type implements.
type validator interface{ Validate() error }

// requestTypes maps each operation with a JSON body to a constructor of its
// generated request type, from the one table in internal/optypes.
var requestTypes = func() map[string]func() validator {
	out := map[string]func() validator{}
	for id, op := range optypes.Operations {
		if op.Request != nil {
			out[id] = func() validator { return reflect.New(op.Request).Interface().(validator) }
		}
	}
	return out
}()

// xRules are the rules kin-openapi cannot see; the differential test leaves
// them out of the comparison and TestXRules covers them.
var xRules = map[validation.Rule]bool{
	validation.RequiredWhen: true, validation.Variant: true,
	validation.ExactlyOneOf: true, validation.UniqueBy: true,
	validation.Together: true,
}

func requestSchemas(t testing.TB) map[string]*openapi3.Schema {
	t.Helper()
	// The spec as written: oapi-codegen's embedded copy renames operations.
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*openapi3.Schema{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if _, ok := requestTypes[op.OperationID]; ok {
				out[op.OperationID] = op.RequestBody.Value.Content.Get("application/json").Schema.Value
			}
		}
	}
	if len(out) != len(requestTypes) {
		t.Fatalf("found %d request schemas, want %d", len(out), len(requestTypes))
	}
	return out
}

// sample is one docs request sample from spec/examples.
type sample struct {
	operation, file string
	body            []byte
}

func requestSamples(t testing.TB) []sample {
	t.Helper()
	files, err := filepath.Glob("../../spec/examples/*/request.*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no request samples: %v", err)
	}
	sort.Strings(files)
	var out []sample
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sample{operation: filepath.Base(filepath.Dir(f)), file: filepath.Base(f), body: body})
	}
	return out
}

// goVerdict decodes body as a client would and validates it, ignoring the x-rules.
func goVerdict(op string, body []byte) (accepted bool, why string) {
	v := requestTypes[op]()
	if err := json.Unmarshal(body, v); err != nil {
		return false, "decode: " + err.Error()
	}
	err := v.Validate()
	if err == nil {
		return true, ""
	}
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return false, "not a *validation.Error: " + err.Error()
	}
	var schemaRules []string
	for _, f := range ve.Fields {
		if !xRules[f.Rule] {
			schemaRules = append(schemaRules, f.Path+" "+string(f.Rule))
		}
	}
	return len(schemaRules) == 0, strings.Join(schemaRules, "; ")
}

// kinVerdict validates body against the schema with kin-openapi. The reason
// names pointers and keywords only, never values (they may be card data).
func kinVerdict(schema *openapi3.Schema, body []byte) (accepted bool, why string) {
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return false, "not JSON"
	}
	err := schema.VisitJSON(value, openapi3.VisitAsRequest(), openapi3.MultiErrors())
	if err == nil {
		return true, ""
	}
	var parts []string
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			parts = append(parts, "/"+strings.Join(se.JSONPointer(), "/")+" "+se.SchemaField)
			return
		}
		parts = append(parts, "other error")
	}
	walk(err)
	return false, strings.Join(parts, "; ")
}

// TestDifferentialAgainstKinOpenAPI mutates every docs request sample around
// each constraint of its schema and requires the generated Validate and
// kin-openapi to accept and reject exactly the same documents.
func TestDifferentialAgainstKinOpenAPI(t *testing.T) {
	schemas := requestSchemas(t)
	total, rejected := 0, 0
	for _, s := range requestSamples(t) {
		schema := schemas[s.operation]
		var root any
		if err := json.Unmarshal(s.body, &root); err != nil {
			t.Fatal(err)
		}
		if ok, why := goVerdict(s.operation, s.body); !ok {
			t.Fatalf("%s/%s: the docs sample itself is rejected: %s", s.operation, s.file, why)
		}
		// The samples leave many optional fields out; a second pass over the
		// sample with every writable property filled in reaches those too.
		full := enrich(deepCopy(root), schema)
		fullBody, _ := json.Marshal(full)
		if ok, why := kinVerdict(schema, fullBody); !ok {
			t.Fatalf("%s/%s: the filled-in sample is invalid: %s", s.operation, s.file, why)
		}
		for _, m := range append(mutations(root, schema), mutations(full, schema)...) {
			total++
			kinOK, kinWhy := kinVerdict(schema, m.body)
			goOK, goWhy := goVerdict(s.operation, m.body)
			if !kinOK {
				rejected++
			}
			if kinOK != goOK {
				t.Errorf("%s/%s, %s: kin-openapi accepted=%v (%s), generated accepted=%v (%s)",
					s.operation, s.file, m.name, kinOK, kinWhy, goOK, goWhy)
			}
		}
	}
	t.Logf("%d mutated documents, %d rejected by the schema", total, rejected)
	if total < 5000 {
		t.Errorf("only %d cases; the mutator should produce at least 5000", total)
	}
	if rejected < total/4 || rejected > total*3/4 {
		t.Errorf("%d of %d rejected: the mix of valid and invalid cases is lopsided", rejected, total)
	}
}

// TestEachFailureReportedOnce runs the differential test's mutations through
// Validate and requires every failure to have one cause: no field breaks one
// rule twice, and a field reported missing is reported for nothing else.
func TestEachFailureReportedOnce(t *testing.T) {
	schemas := requestSchemas(t)
	for _, s := range requestSamples(t) {
		var root any
		if err := json.Unmarshal(s.body, &root); err != nil {
			t.Fatal(err)
		}
		full := enrich(deepCopy(root), schemas[s.operation])
		for _, m := range append(mutations(root, schemas[s.operation]), mutations(full, schemas[s.operation])...) {
			v := requestTypes[s.operation]()
			if json.Unmarshal(m.body, v) != nil {
				continue
			}
			var ve *validation.Error
			if !errors.As(v.Validate(), &ve) {
				continue
			}
			if why := reportedTwice(ve); why != "" {
				t.Errorf("%s/%s, %s: %s", s.operation, s.file, m.name, why)
			}
		}
	}
}

// reportedTwice says which field of ve has more than one failure for one
// cause, or "".
func reportedTwice(ve *validation.Error) string {
	seen := map[string]bool{}
	for _, f := range ve.Fields {
		key := f.Path + " " + string(f.Rule)
		if seen[key] {
			return key + " reported twice"
		}
		seen[key] = true
	}
	for _, f := range ve.Fields {
		if f.Rule != validation.Required && seen[f.Path+" "+string(validation.Required)] {
			return f.Path + " is missing, yet also reported as breaking " + string(f.Rule)
		}
	}
	return ""
}

// mutation is one changed copy of a sample.
type mutation struct {
	name string
	body []byte
}

// mutations walks the sample alongside its schema and, at every node, swaps
// in values at and around each constraint, removes and adds properties, and
// puts in values of the wrong type. JSON null is left out on purpose: Go
// decodes it as "absent", which the schema does not allow for non-nullable
// properties; and numbers are never written as 1e2 or 100.0, which Go will
// not decode into an integer although JSON Schema calls them integers.
func mutations(root any, schema *openapi3.Schema) []mutation {
	var out []mutation
	var walk func(path []any, v any, s *openapi3.Schema)
	emit := func(path []any, name string, replace any, remove bool) {
		doc := setAt(deepCopy(root), path, replace, remove)
		body, err := json.Marshal(doc)
		if err != nil {
			panic(err)
		}
		out = append(out, mutation{name: pathString(path) + ": " + name, body: body})
	}
	walk = func(path []any, v any, s *openapi3.Schema) {
		for _, c := range candidates(s) {
			emit(path, c.name, c.value, false)
		}
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				child := append(append([]any{}, path...), k)
				emit(child, "removed", nil, true)
				if ps := propertySchema(s, k); ps != nil {
					walk(child, v[k], ps)
				}
			}
			for _, k := range sortedProps(s) {
				if _, ok := v[k]; !ok {
					emit(append(append([]any{}, path...), k), "added", synth(s.Properties[k].Value), false)
				}
			}
		case []any:
			for i, item := range v {
				child := append(append([]any{}, path...), i)
				if len(v) > 1 {
					emit(path, fmt.Sprintf("without item %d", i), without(v, i), false)
				}
				if s.Items != nil {
					walk(child, item, s.Items.Value)
				}
			}
			if len(v) > 0 {
				emit(path, "first item twice", append(append([]any{}, v...), deepCopy(v[0])), false)
			}
		}
	}
	walk(nil, root, schema)
	return out
}

type candidate struct {
	name  string
	value any
}

// candidates are replacement values for a node with schema s.
func candidates(s *openapi3.Schema) []candidate {
	var out []candidate
	add := func(name string, v any) { out = append(out, candidate{name, v}) }
	switch {
	case s.Type.Is("string"):
		fill := fillerFor(s)
		lengths := map[int]bool{0: true, 1: true}
		for _, b := range []int{int(s.MinLength), maxLen(s)} {
			for d := -1; d <= 1; d++ {
				if b+d >= 0 && b >= 0 {
					lengths[b+d] = true
				}
			}
		}
		for _, n := range sortedKeys(lengths) {
			add(fmt.Sprintf("%d × %q", n, fill), strings.Repeat(string(fill), n))
			add(fmt.Sprintf("%d × 'é'", n), strings.Repeat("é", n))
		}
		add("Devanagari", "ऑर्डर")
		add("emoji", "💳💳💳💳💳💳")
		add("trailing newline", strings.Repeat(string(fill), max(int(s.MinLength), 1))+"\n")
		add("space", " ")
		for _, e := range s.Enum {
			add(fmt.Sprintf("enum %v", e), e)
			add(fmt.Sprintf("lower-case %v", e), strings.ToLower(fmt.Sprint(e)))
		}
		if len(s.Enum) > 0 {
			add("unknown enum value", "UNKNOWN_VALUE")
		}
		add("number instead of string", json.Number("12345"))
		add("boolean instead of string", true)
	case s.Type.Is("integer"), s.Type.Is("number"):
		values := map[string]bool{"0": true, "-1": true, "1": true, "100000000000000000000": true}
		for _, b := range []*float64{s.Min, s.Max} {
			if b != nil {
				for d := -1.0; d <= 1; d++ {
					values[fmt.Sprintf("%.0f", *b+d)] = true
				}
				values[fmt.Sprintf("%.0f.5", *b)] = true
			}
		}
		for _, n := range sortedKeys(values) {
			add("number "+n, json.Number(n))
		}
		add("string instead of number", "1100")
	case s.Type.Is("boolean"):
		add("true", true)
		add("false", false)
		add("string instead of boolean", "true")
	case s.Type.Is("array"):
		add("empty array", []any{})
		add("object instead of array", map[string]any{})
		if s.Items != nil {
			item := synth(s.Items.Value)
			n := 2
			if s.MaxItems != nil {
				n = int(*s.MaxItems) + 1
			}
			many := make([]any, n)
			for i := range many {
				many[i] = deepCopy(item)
			}
			add(fmt.Sprintf("%d synthesized items", n), many)
		}
	case s.Type.Is("object") || s.Type == nil:
		add("empty object", map[string]any{})
		add("string instead of object", "x")
		if ap := s.AdditionalProperties.Schema; ap != nil && len(s.Properties) == 0 {
			for _, n := range []int{1, 10, 11} {
				m := map[string]any{}
				for i := range n {
					m[fmt.Sprintf("key%02d", i)] = "v"
				}
				add(fmt.Sprintf("%d entries", n), m)
			}
			for _, n := range []int{256, 257} {
				add(fmt.Sprintf("value of %d characters", n), map[string]any{"k": strings.Repeat("v", n)})
			}
			add("number value", map[string]any{"k": json.Number("1")})
		}
	}
	return out
}

// fillerFor picks a character that a run of satisfies the pattern, so that
// length mutations test lengths rather than the pattern.
func fillerFor(s *openapi3.Schema) rune {
	if s.Pattern == "" {
		return 'a'
	}
	for _, r := range "0Aa-_x1" {
		n := max(int(s.MinLength), 1)
		if m := maxLen(s); m >= 0 && n > m {
			n = m
		}
		if patternMatches(s.Pattern, strings.Repeat(string(r), max(n, 1))) {
			return r
		}
	}
	return '0'
}

func maxLen(s *openapi3.Schema) int {
	if s.MaxLength == nil {
		return -1
	}
	return int(*s.MaxLength)
}

func patternMatches(pattern, v string) bool {
	return (&openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: pattern}).VisitJSON(v) == nil
}

// synth builds a value that satisfies s, for properties the samples lack.
func synth(s *openapi3.Schema) any {
	if s.Example != nil {
		return s.Example
	}
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is("string"):
		n := max(int(s.MinLength), 1)
		if m := maxLen(s); m >= 0 && n > m {
			n = m
		}
		if s.Pattern == `^(0[1-9]|1[0-2])$` {
			return "07"
		}
		fill := string(fillerFor(s))
		for k := n; s.Pattern != "" && k < n+8; k++ {
			if patternMatches(s.Pattern, strings.Repeat(fill, k)) {
				return strings.Repeat(fill, k)
			}
		}
		return strings.Repeat(fill, n)
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return json.Number(fmt.Sprintf("%.0f", *s.Min))
		}
		return json.Number("1")
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("array"):
		if s.Items == nil {
			return []any{}
		}
		return []any{synth(s.Items.Value)}
	default:
		m := map[string]any{}
		for _, k := range s.Required {
			m[k] = synth(s.Properties[k].Value)
		}
		if len(m) == 0 && s.MinProps > 0 {
			for _, k := range sortedProps(s) {
				m[k] = synth(s.Properties[k].Value)
				break
			}
		}
		return m
	}
}

// enrich adds every absent, writable property of v (recursively) with a
// synthesized valid value.
func enrich(v any, s *openapi3.Schema) any {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedProps(s) {
			ps := s.Properties[k].Value
			if ps.ReadOnly {
				continue
			}
			if _, ok := v[k]; !ok {
				v[k] = synth(ps)
			}
			v[k] = enrich(v[k], ps)
		}
	case []any:
		for i := range v {
			if s.Items != nil {
				v[i] = enrich(v[i], s.Items.Value)
			}
		}
	}
	return v
}

func propertySchema(s *openapi3.Schema, k string) *openapi3.Schema {
	if p := s.Properties[k]; p != nil {
		return p.Value
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		return ap.Value
	}
	return nil
}

func sortedProps(s *openapi3.Schema) []string {
	keys := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys[K cmp.Ordered](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}

func without(a []any, i int) []any {
	out := make([]any, 0, len(a)-1)
	for j, x := range a {
		if j != i {
			out = append(out, deepCopy(x))
		}
	}
	return out
}

// setAt replaces (or removes) the node at path in doc and returns doc.
func setAt(doc any, path []any, v any, remove bool) any {
	if len(path) == 0 {
		return v
	}
	parent := doc
	for _, p := range path[:len(path)-1] {
		switch k := p.(type) {
		case string:
			parent = parent.(map[string]any)[k]
		case int:
			parent = parent.([]any)[k]
		}
	}
	switch k := path[len(path)-1].(type) {
	case string:
		m := parent.(map[string]any)
		if remove {
			delete(m, k)
		} else {
			m[k] = v
		}
	case int:
		parent.([]any)[k] = v
	}
	return doc
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	if b.Len() == 0 {
		return "(root)"
	}
	return b.String()
}
