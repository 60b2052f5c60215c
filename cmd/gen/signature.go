package main

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pinegen/pinelabs/pkg/signature"
)

const signaturePkg = "github.com/pinegen/pinelabs/pkg/signature"

// signedSchema is the x-pinegen-signature extension of one schema.
type signedSchema struct {
	Field     string            `json:"field"`
	Algorithm string            `json:"algorithm"`
	Key       string            `json:"key"`
	Encoding  string            `json:"encoding"`
	Canonical string            `json:"canonical"`
	Aliases   map[string]string `json:"aliases"`
	// Verify is how a received payload is checked: "fields" (the default)
	// verifies the signature over the field set; "callback" applies
	// pkg/signature's payment-callback rules as well (an order_id and a
	// status, or its alias, must be present).
	Verify string `json:"verify"`
}

// aliasesKnownToSignature lists the renamings pkg/signature applies when it
// builds the canonical string; the spec may only declare these.
var aliasesKnownToSignature = map[string]string{
	signature.FieldPaymentStatus: signature.FieldStatus,
}

// readSignature reads and checks the extension against what pkg/signature
// implements, so the spec cannot promise a scheme the code does not follow.
func readSignature(name string, s *openapi3.Schema) (*signedSchema, error) {
	raw, ok := s.Extensions[extSignature]
	if !ok {
		return nil, nil
	}
	var sig signedSchema
	if err := decodeExt(name, extSignature, raw, &sig); err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", name, extSignature, fmt.Sprintf(format, args...))
	}
	switch {
	case sig.Field != signature.FieldSignature:
		return nil, bad("field %q: pkg/signature always excludes %q", sig.Field, signature.FieldSignature)
	case sig.Algorithm != "HMAC-SHA256":
		return nil, bad("algorithm %q: only HMAC-SHA256 is implemented", sig.Algorithm)
	case sig.Key != "hex":
		return nil, bad("key %q: only a hex secret is implemented", sig.Key)
	case sig.Encoding != "hex":
		return nil, bad("encoding %q: only hex is implemented", sig.Encoding)
	}
	switch sig.Verify {
	case "", "fields":
	case "callback":
		for _, f := range []string{signature.FieldOrderID, signature.FieldStatus} {
			if s.Properties[f] == nil {
				return nil, bad("verify callback: pkg/signature reads a callback's %q, which the schema lacks", f)
			}
		}
	default:
		return nil, bad("verify %q: only fields and callback are implemented", sig.Verify)
	}
	if p := s.Properties[sig.Field]; p == nil || !isType(p.Value, "string") || !isRequired(s, sig.Field) {
		return nil, bad("%q must be a required string property", sig.Field)
	}
	for alias, canonical := range sig.Aliases {
		if aliasesKnownToSignature[alias] != canonical {
			return nil, bad("alias %s -> %s is not one pkg/signature applies", alias, canonical)
		}
		if s.Properties[alias] == nil || s.Properties[canonical] == nil {
			return nil, bad("alias %s -> %s names a missing property", alias, canonical)
		}
	}
	for _, prop := range sortedKeys(s.Properties) {
		if ps := s.Properties[prop].Value; !isType(ps, "string") {
			return nil, bad("property %q is not a string; a signed field set holds strings only", prop)
		}
	}
	return &sig, nil
}

// generateSignatures renders the helpers for every signed component schema:
// the field set the signature covers, Sign and VerifySignature.
func generateSignatures(m *goModel, pkg, specName string) ([]byte, error) {
	doc := m.doc
	f := newFile(pkg, specName, signaturePkg, "signature")
	for _, name := range sortedKeys(doc.Components.Schemas) {
		s := doc.Components.Schemas[name].Value
		sig, err := readSignature(name, s)
		if err != nil {
			return nil, err
		}
		if sig == nil {
			continue
		}
		for _, c := range signatureMethods(m, name, s, sig) {
			f.Add(c)
			f.Line()
		}
	}
	return render(f, "signatures")
}

func signatureMethods(m *goModel, name string, s *openapi3.Schema, sig *signedSchema) []jen.Code {
	typ := typeName(name)
	var covered []string
	for _, prop := range sortedKeys(s.Properties) {
		if prop != sig.Field {
			covered = append(covered, prop)
		}
	}
	body := []jen.Code{jen.Id("fields").Op(":=").Make(jen.Qual(signaturePkg, "Fields"), jen.Lit(0), jen.Lit(len(covered)))}
	for _, prop := range covered {
		ps := s.Properties[prop].Value
		field := "v." + m.field(s, prop).Name
		ptr := m.field(s, prop).Ptr
		value := field
		if ptr {
			value = "*" + field
		}
		if len(ps.Enum) > 0 {
			value = "string(" + value + ")" // enums are named string types
		}
		add := jen.Id("fields").Op("=").Append(jen.Id("fields"), jen.Qual(signaturePkg, "Field").Values(jen.Dict{
			jen.Id("Name"):  jen.Lit(prop),
			jen.Id("Value"): jen.Id(value),
		}))
		if ptr {
			add = jen.If(jen.Id(field).Op("!=").Nil()).Block(add)
		}
		body = append(body, add)
	}
	body = append(body, jen.Return(jen.Id("fields")))

	recv := jen.Id("v").Op("*").Id(typ)
	sigField := "v." + m.field(s, sig.Field).Name
	return []jen.Code{
		jen.Comment(fmt.Sprintf("SignedFields returns the fields of v that its %s covers, each optional", sig.Field)).Line().
			Comment(fmt.Sprintf("one only when set: %s.", strings.Join(covered, ", "))).Line().
			Comment("Aliases and ordering are applied by pkg/signature.").Line().
			Func().Params(recv).Id("SignedFields").Params().Qual(signaturePkg, "Fields").Block(body...),
		verifyMethod(recv, sig, m.field(s, sig.Field).Name),
		jen.Comment(fmt.Sprintf("Sign sets v.%s from the other fields.", m.field(s, sig.Field).Name)).Line().
			Func().Params(recv).Id("Sign").Params(jen.Id("key").Qual(signaturePkg, "Key")).Error().Block(
			jen.List(jen.Id("sig"), jen.Err()).Op(":=").Id("key").Dot("Sign").Call(jen.Id("v").Dot("SignedFields").Call()),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Id(sigField).Op("=").Id("sig"),
			jen.Return(jen.Nil()),
		),
	}
}

// verifyMethod emits VerifySignature with the rules x-pinegen-signature's
// verify key names.
func verifyMethod(recv *jen.Statement, sig *signedSchema, sigField string) jen.Code {
	doc := jen.Comment(fmt.Sprintf("VerifySignature checks v.%s against the other fields, in constant time.", sigField))
	body := jen.Return(jen.Id("key").Dot("Verify").Call(jen.Id("v").Dot("SignedFields").Call(), jen.Id("v."+sigField)))
	if sig.Verify == "callback" {
		doc = doc.Line().
			Comment("It refuses what signature.Key.VerifyCallback refuses: a callback without an").Line().
			Comment("order_id or a status is an error even when its signature matches.")
		with := jen.Append(jen.Id("v").Dot("SignedFields").Call(), jen.Qual(signaturePkg, "Field").Values(jen.Dict{
			jen.Id("Name"):  jen.Qual(signaturePkg, "FieldSignature"),
			jen.Id("Value"): jen.Id("v." + sigField),
		}))
		body = jen.List(jen.Id("_"), jen.Err()).Op(":=").Id("key").Dot("VerifyCallback").Call(with).Line().Return(jen.Err())
	}
	return doc.Line().Func().Add(jen.Params(recv)).Id("VerifySignature").Params(jen.Id("key").Qual(signaturePkg, "Key")).Error().Block(body)
}
