package pinelabs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pinegen/pinelabs/internal/optypes"
	"github.com/pinegen/pinelabs/spec"
)

// secretFiller builds a JSON value for a schema with every property set, and
// a distinct secret in every x-pinegen-sensitive string, remembering where it
// put each one.
type secretFiller struct {
	n       int
	secrets []secret
	// filled marks the sensitive properties reached, by parent schema.
	filled map[*openapi3.Schema]map[string]bool
}

type secret struct {
	path, value string
	// shown is the part that may appear when printed: a card's last four.
	shown string
}

func (f *secretFiller) fill(path string, ref *openapi3.SchemaRef, depth int) any {
	s := ref.Value
	switch {
	case len(s.OneOf) > 0:
		return f.fill(path, s.OneOf[0], depth)
	case len(s.AnyOf) > 0:
		return f.fill(path, s.AnyOf[0], depth)
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		if depth > 8 {
			return out
		}
		for name, p := range s.Properties {
			if isSensitive(p.Value) {
				if f.filled[s] == nil {
					f.filled[s] = map[string]bool{}
				}
				f.filled[s][name] = true
				out[name] = f.secret(path+"."+name, p.Value)
				continue
			}
			out[name] = f.fill(path+"."+name, p, depth+1)
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			out["key1"] = f.fill(path+".key1", ap, depth+1)
		}
		return out
	case s.Type.Is("array"):
		return []any{f.fill(path+"[0]", s.Items, depth+1)}
	case s.Type.Is("integer"):
		return 100
	case s.Type.Is("number"):
		return 1.5
	case s.Type.Is("boolean"):
		return true
	case len(s.Enum) > 0:
		return s.Enum[0]
	}
	return "text"
}

// secret is a value no other part of the document holds; digit-only fields
// get digits, since a card number keeps its last four when printed.
func (f *secretFiller) secret(path string, s *openapi3.Schema) string {
	f.n++
	v := fmt.Sprintf("Zq%02dsecret%02dXw", f.n, f.n)
	shown := ""
	if strings.HasPrefix(s.Pattern, "^[0-9]") {
		v = "73" + strings.Repeat(strconv.Itoa(f.n%10), 10) + fmt.Sprintf("%04d", 1000+f.n)
		shown = v[len(v)-4:]
	}
	f.secrets = append(f.secrets, secret{path: path, value: v, shown: shown})
	return v
}

func isSensitive(s *openapi3.Schema) bool {
	v, _ := s.Extensions["x-pinegen-sensitive"].(bool)
	return v
}

// sensitiveInSpec lists every sensitive property of every component schema,
// inline objects included.
func sensitiveInSpec(doc *openapi3.T) map[*openapi3.Schema]map[string]string {
	out := map[*openapi3.Schema]map[string]string{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.Schema)
	walk = func(where string, s *openapi3.Schema) {
		if seen[s] {
			return
		}
		seen[s] = true
		for name, p := range s.Properties {
			if isSensitive(p.Value) {
				if out[s] == nil {
					out[s] = map[string]string{}
				}
				out[s][name] = where + "." + name
			}
			walk(where+"."+name, p.Value)
		}
		if s.Items != nil {
			walk(where+"[]", s.Items.Value)
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			walk(where+"{}", ap.Value)
		}
	}
	for name, ref := range doc.Components.Schemas {
		walk(name, ref.Value)
	}
	return out
}

// roots are the request, response and callback schemas with their Go types.
func roots(t *testing.T, doc *openapi3.T) map[string]struct {
	ref *openapi3.SchemaRef
	typ reflect.Type
} {
	t.Helper()
	out := map[string]struct {
		ref *openapi3.SchemaRef
		typ reflect.Type
	}{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			types, ok := optypes.Operations[op.OperationID]
			if !ok {
				t.Fatalf("operation %s is missing from internal/optypes", op.OperationID)
			}
			if types.Request != nil {
				out[op.OperationID+" request"] = struct {
					ref *openapi3.SchemaRef
					typ reflect.Type
				}{op.RequestBody.Value.Content.Get("application/json").Schema, types.Request}
			}
			out[op.OperationID+" response"] = struct {
				ref *openapi3.SchemaRef
				typ reflect.Type
			}{op.Responses.Status(200).Value.Content.Get("application/json").Schema, types.Response}
		}
	}
	for name, typ := range optypes.Callbacks {
		out[name] = struct {
			ref *openapi3.SchemaRef
			typ reflect.Type
		}{doc.Components.Schemas[name], typ}
	}
	return out
}

// printed is every way a caller might print or log v.
func printed(v any) map[string]string {
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("logged", "value", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("logged", "value", v)
	out := map[string]string{"slog text": text.String(), "slog JSON": js.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	out["Errorf %v"] = fmt.Errorf("call failed: %v", v).Error()
	return out
}

// TestSensitiveFieldsNeverPrinted fills every sensitive field the spec marks,
// through every request, response and callback type that reaches it, and
// prints the values every way fmt and slog can: none shows a secret (a card
// number shows at most its last four digits). JSON encoding still carries them.
func TestSensitiveFieldsNeverPrinted(t *testing.T) {
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &secretFiller{filled: map[*openapi3.Schema]map[string]bool{}}
	for name, root := range roots(t, doc) {
		before := len(f.secrets)
		raw, err := json.Marshal(f.fill(name, root.ref, 0))
		if err != nil {
			t.Fatal(err)
		}
		secrets := f.secrets[before:]
		if len(secrets) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			p := reflect.New(root.typ)
			if err := json.Unmarshal(raw, p.Interface()); err != nil {
				t.Fatalf("decode into %s: %v", root.typ, err)
			}
			wire, err := json.Marshal(p.Interface())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if !bytes.Contains(wire, []byte(s.value)) {
					t.Errorf("%s: the JSON encoding lost the value at %s", root.typ, s.path)
				}
			}
			for form, v := range map[string]any{"value": p.Elem().Interface(), "pointer": p.Interface()} {
				for how, out := range printed(v) {
					for _, s := range secrets {
						hidden := strings.TrimSuffix(s.value, s.shown)
						if strings.Contains(out, hidden) {
							// The output holds a secret: name the field, never print it.
							t.Errorf("%s of a %s %s shows the secret at %s", how, form, root.typ, s.path)
						}
					}
				}
			}
		})
	}
	for s, props := range sensitiveInSpec(doc) {
		for name, where := range props {
			if !f.filled[s][name] {
				t.Errorf("sensitive %s is reached by no request, response or callback type; add its root to internal/optypes", where)
			}
		}
	}
	if len(f.secrets) == 0 {
		t.Fatal("the spec marks no sensitive field; x-pinegen-sensitive is missing")
	}
}
