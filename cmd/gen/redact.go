package main

import (
	"fmt"
	"regexp"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"
)

const redactPkg = "github.com/pinegen/pinelabs/pkg/redact"

// generateRedaction renders String, Format and LogValue for every object
// schema that holds an x-pinegen-sensitive property, directly or through its
// fields, so that %v, %+v, %#v and slog never print a card number or secret,
// whichever value a caller logs. JSON encoding is left alone: the methods
// work on a redacted copy.
func generateRedaction(m *goModel, pkg, specName string) ([]byte, error) {
	r := &redactor{m: m, holds: map[*openapi3.Schema]bool{}}
	f := newFile(pkg, specName, redactPkg, "redact")
	for _, name := range sortedKeys(m.doc.Components.Schemas) {
		s := m.doc.Components.Schemas[name].Value
		if !isObject(s) || !r.holdsSensitive(s) {
			continue
		}
		body, err := r.objectCopy(name, &scope{}, "v", s)
		if err != nil {
			return nil, err
		}
		typ := typeName(name)
		f.Add(r.methods(pkg, typ, body))
		f.Line()
	}
	return render(f, "redaction")
}

type redactor struct {
	m     *goModel
	holds map[*openapi3.Schema]bool
}

// holdsSensitive reports whether s is sensitive or reaches a sensitive
// property through properties, items or map values.
func (r *redactor) holdsSensitive(s *openapi3.Schema) bool {
	if v, ok := r.holds[s]; ok {
		return v
	}
	r.holds[s] = false // a cycle adds nothing
	found := sensitive(s)
	for _, p := range sortedKeys(s.Properties) {
		found = found || r.holdsSensitive(s.Properties[p].Value)
	}
	if s.Items != nil {
		found = found || r.holdsSensitive(s.Items.Value)
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		found = found || r.holdsSensitive(ap.Value)
	}
	r.holds[s] = found
	return found
}

func (r *redactor) methods(pkg, typ string, body []jen.Code) jen.Code {
	recv := jen.Id("v").Id(typ)
	return jen.Comment("redacted returns a copy of v whose sensitive fields hold descriptions of").Line().
		Comment("their values instead; v itself is not changed.").Line().
		Func().Params(recv).Id("redacted").Params().Id(typ).Block(append(body, jen.Return(jen.Id("v")))...).
		Line().Line().
		Comment("String returns v as JSON with its card numbers, CVVs, tokens and secrets").Line().
		Comment("replaced by descriptions (a card keeps its last four digits).").Line().
		Func().Params(recv).Id("String").Params().String().Block(
		jen.Return(jen.Qual(redactPkg, "JSON").Call(jen.Id("v").Dot("redacted").Call())),
	).
		Line().Line().
		Comment("Format prints v as String does for every verb, so no verb shows a secret.").Line().
		Func().Params(recv).Id("Format").Params(jen.Id("f").Qual("fmt", "State"), jen.Id("verb").Rune()).Block(
		jen.Qual(redactPkg, "Format").Call(jen.Id("f"), jen.Id("verb"), jen.Lit(pkg+"."+typ), jen.Id("v").Dot("String").Call()),
	).
		Line().Line().
		Comment("LogValue logs v as a group of its JSON fields, secrets replaced as in String.").Line().
		Func().Params(recv).Id("LogValue").Params().Qual("log/slog", "Value").Block(
		jen.Return(jen.Qual(redactPkg, "LogValue").Call(jen.Id("v").Dot("redacted").Call())),
	)
}

// objectCopy emits statements that redact, in place, the struct at obj, an
// addressable copy the caller owns; pointers, slices and maps it replaces
// are fresh, so the original value is never touched.
func (r *redactor) objectCopy(where string, sc *scope, obj string, s *openapi3.Schema) ([]jen.Code, error) {
	var out []jen.Code
	for _, prop := range sortedKeys(s.Properties) {
		ref := s.Properties[prop]
		if !r.holdsSensitive(ref.Value) {
			continue
		}
		f := r.m.field(s, prop)
		code, err := r.fieldCopy(where+"."+prop, sc, obj+"."+f.Name, f.Ptr, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, code...)
	}
	return out, nil
}

// fieldCopy redacts the value at expr (a pointer to it when ptr) whose schema
// is ref.
func (r *redactor) fieldCopy(where string, sc *scope, expr string, ptr bool, ref *openapi3.SchemaRef) ([]jen.Code, error) {
	s := ref.Value
	val := expr
	if ptr {
		val = "(*" + expr + ")"
	}
	var body []jen.Code
	switch {
	case sensitive(s):
		if !isType(s, "string") || len(s.Enum) > 0 {
			return nil, fmt.Errorf("%s: x-pinegen-sensitive on a %v; only plain strings can be masked", where, s.Type)
		}
		if !ptr {
			return []jen.Code{jen.Id(expr).Op("=").Qual(redactPkg, maskFunc(s)).Call(jen.Id(expr))}, nil
		}
		masked := jen.Qual(redactPkg, maskFunc(s)).Call(jen.Op("*").Id(expr))
		x := sc.next("s")
		body = []jen.Code{jen.Id(x).Op(":=").Add(masked), jen.Id(expr).Op("=").Op("&").Id(x)}
	case isObject(s):
		_, named := componentName(ref.Ref)
		switch {
		case named && ptr:
			x := sc.next("x")
			body = []jen.Code{jen.Id(x).Op(":=").Id(expr).Dot("redacted").Call(), jen.Id(expr).Op("=").Op("&").Id(x)}
		case named:
			return []jen.Code{jen.Id(expr).Op("=").Id(expr).Dot("redacted").Call()}, nil
		case ptr:
			x := sc.next("x")
			inner, err := r.objectCopy(where, sc, x, s)
			if err != nil {
				return nil, err
			}
			body = append([]jen.Code{jen.Id(x).Op(":=").Op("*").Id(expr)}, inner...)
			body = append(body, jen.Id(expr).Op("=").Op("&").Id(x))
		default:
			return r.objectCopy(where, sc, expr, s)
		}
	case isType(s, "array"):
		x, i := sc.next("s"), sc.next("i")
		elem, err := r.fieldCopy(where+"[]", sc, x+"["+i+"]", false, s.Items)
		if err != nil {
			return nil, err
		}
		body = []jen.Code{
			jen.Id(x).Op(":=").Append(jen.Id(val+"[:0:0]"), jen.Id(val).Op("...")),
			jen.For(jen.Id(i).Op(":=").Range().Id(x)).Block(elem...),
			assign(expr, x, ptr),
		}
	case isMap(s):
		x, k, e := sc.next("m"), sc.next("k"), sc.next("e")
		elem, err := r.fieldCopy(where+"{}", sc, e, false, s.AdditionalProperties.Schema)
		if err != nil {
			return nil, err
		}
		body = []jen.Code{
			jen.Id(x).Op(":=").Qual("maps", "Clone").Call(jen.Id(val)),
			jen.For(jen.List(jen.Id(k), jen.Id(e)).Op(":=").Range().Id(x)).Block(
				append(elem, jen.Id(x).Index(jen.Id(k)).Op("=").Id(e))...,
			),
			assign(expr, x, ptr),
		}
	default:
		return nil, fmt.Errorf("%s: cannot redact a %v that holds sensitive data", where, s.Type)
	}
	return []jen.Code{jen.If(jen.Id(expr).Op("!=").Nil()).Block(body...)}, nil
}

func assign(expr, x string, ptr bool) jen.Code {
	if ptr {
		return jen.Id(expr).Op("=").Op("&").Id(x)
	}
	return jen.Id(expr).Op("=").Id(x)
}

// cardNumber matches the patterns of digits-only fields.
var cardNumber = regexp.MustCompile(`^\^\[0-9\](\+|\{\d+(,\d*)?\})\$$`)

// maskFunc picks how a sensitive string is described: a digits-only value of
// at least 12 characters is a card number and keeps its last four digits
// (what may be shown of a card); anything else keeps only its length.
func maskFunc(s *openapi3.Schema) string {
	if cardNumber.MatchString(s.Pattern) && s.MinLength >= 12 {
		return "Card"
	}
	return "Secret"
}
