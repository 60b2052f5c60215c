package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"
)

const validationPkg = "github.com/pinegen/pinelabs/pkg/validation"

// rule returns validation.<name>, the Rule constant.
func rule(name string) jen.Code { return jen.Qual(validationPkg, name) }

// generateValidation renders the validation file for doc: Validate (and the
// validate it wraps, which takes the path so far) on every request body type
// and every named object or map type those reach, walked in sorted order.
func generateValidation(m *goModel, pkg, specName string) ([]byte, error) {
	doc := m.doc
	roots, err := requestTypes(doc)
	if err != nil {
		return nil, err
	}
	named, err := reachable(doc, roots)
	if err != nil {
		return nil, err
	}
	g := &validator{m: m, patterns: newPatterns()}
	for _, name := range named {
		if err := g.collectPatterns(name, doc.Components.Schemas[name].Value, map[*openapi3.Schema]bool{}); err != nil {
			return nil, err
		}
	}

	f := newFile(pkg, specName, validationPkg, "validation")
	for _, name := range named {
		f.Add(g.exported(name))
		f.Line()
		code, err := g.method(name)
		if err != nil {
			return nil, err
		}
		f.Add(code)
		f.Line()
	}
	for _, c := range g.patterns.code() {
		f.Add(c)
		f.Line()
	}
	return render(f, "validation")
}

type validator struct {
	m        *goModel
	patterns *patterns
}

func (g *validator) collectPatterns(where string, s *openapi3.Schema, seen map[*openapi3.Schema]bool) error {
	if seen[s] {
		return nil
	}
	seen[s] = true
	if s.Pattern != "" {
		if _, err := g.patterns.add(s.Pattern); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	for _, p := range sortedKeys(s.Properties) {
		if err := g.collectPatterns(where+"."+p, s.Properties[p].Value, seen); err != nil {
			return err
		}
	}
	if s.Items != nil {
		if err := g.collectPatterns(where+"[]", s.Items.Value, seen); err != nil {
			return err
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		return g.collectPatterns(where+"{}", ap.Value, seen)
	}
	return nil
}

// exported emits the Validate method callers use.
func (g *validator) exported(name string) jen.Code {
	typ := typeName(name)
	recv := jen.Id("v").Op("*").Id(typ)
	if isMap(g.m.doc.Components.Schemas[name].Value) {
		recv = jen.Id("v").Id(typ)
	}
	return jen.Comment(fmt.Sprintf("Validate reports every rule of the %s schema that v breaks, as a", name)).Line().
		Comment("*validation.Error listing each field. A valid value costs no allocation.").Line().
		Func().Params(recv).Id("Validate").Params().Error().Block(
		jen.Var().Id("root").Qual(validationPkg, "Path"),
		jen.Var().Id("e").Qual(validationPkg, "Collector"),
		jen.Id("v").Dot("validate").Call(jen.Op("&").Id("root"), jen.Op("&").Id("e")),
		jen.Return(jen.Id("e").Dot("Err").Call(jen.Lit(typ))),
	)
}

// scope tracks generated variable names so nested blocks never collide.
type scope struct{ n int }

func (s *scope) next(prefix string) string {
	s.n++
	return prefix + strconv.Itoa(s.n)
}

// method emits validate for one named object or map schema.
func (g *validator) method(name string) (jen.Code, error) {
	s := g.m.doc.Components.Schemas[name].Value
	typ := typeName(name)
	sc := &scope{}
	var body []jen.Code
	var err error
	recv := jen.Id("v").Op("*").Id(typ)
	if isMap(s) {
		recv = jen.Id("v").Id(typ)
		body, err = g.mapChecks(name, sc, "v", "(*p)", s)
	} else {
		body, err = g.objectChecks(name, sc, "v", "p", "(*p)", s, false)
	}
	if err != nil {
		return nil, err
	}
	return jen.Func().Params(recv).Id("validate").Params(
		jen.Id("p").Op("*").Qual(validationPkg, "Path"),
		jen.Id("e").Op("*").Qual(validationPkg, "Collector"),
	).Block(body...), nil
}

// objectChecks validates the struct at obj (a pointer or addressable value);
// path is an expression usable as a *Path receiver, pathVal the Path value.
// nonZero says the enclosing code has already reported the zero struct as
// missing, so a lone property cannot be absent either.
func (g *validator) objectChecks(where string, sc *scope, obj, path, pathVal string, s *openapi3.Schema, nonZero bool) ([]jen.Code, error) {
	if err := checkSupported(where, s); err != nil {
		return nil, err
	}
	r, err := objectRules(g.m, where, s)
	if err != nil {
		return nil, err
	}
	var out []jen.Code
	for _, prop := range sortedKeys(s.Properties) {
		var then func(pv string) jen.Code
		if v := r.variants; v != nil && v.Property == prop {
			// Only a holder that is there can carry the wrong variant; a
			// missing one is reported as missing and nothing else.
			then = func(pv string) jen.Code { return g.variant(sc, obj, pv, s, v) }
		}
		code, err := g.property(where+"."+prop, sc, obj, path, s, prop, nonZero && len(s.Properties) == 1, then)
		if err != nil {
			return nil, err
		}
		out = append(out, code...)
	}
	if s.MinProps > 0 || s.MaxProps != nil {
		count, err := g.propertyCount(where, sc, obj, pathVal, s)
		if err != nil {
			return nil, err
		}
		out = append(out, count)
	}
	out = append(out, g.requiredWhen(sc, obj, path, s, r.requiredWhen)...)
	if r.exactlyOneOf != nil {
		out = append(out, g.exactlyOne(sc, obj, pathVal, s, r.exactlyOneOf))
	}
	if r.together != nil {
		out = append(out, g.together(sc, obj, path, s, r.together))
	}
	return out, nil
}

// countBounds emits the lower and upper bound checks of a count (items,
// properties) that n evaluates.
func countBounds(n func() jen.Code, pv string, min uint64, max *uint64, minRule, maxRule, unit string) []jen.Code {
	var out []jen.Code
	check := func(op string, limit uint64, r string) {
		out = append(out, jen.If(jen.Add(n()).Op(op).Lit(int(limit))).Block(
			jen.Id("e").Dot("Length").Call(jen.Id(pv), rule(r), jen.Lit(strconv.FormatUint(limit, 10)), n(), jen.Lit(unit)),
		))
	}
	if min > 0 {
		check("<", min, minRule)
	}
	if max != nil {
		check(">", *max, maxRule)
	}
	return out
}

// propertyCount emits minProperties/maxProperties for a struct: fields that
// are nil when absent count when set, the others always.
func (g *validator) propertyCount(where string, sc *scope, obj, pathVal string, s *openapi3.Schema) (jen.Code, error) {
	n := sc.next("n")
	always := 0
	var body []jen.Code
	for _, prop := range sortedKeys(s.Properties) {
		if !g.m.nilable(s, prop) {
			if !isRequired(s, prop) {
				return nil, fmt.Errorf("%s.%s: optional field is not a pointer, so minProperties/maxProperties cannot tell whether it was sent", where, prop)
			}
			always++
			continue
		}
		body = append(body, jen.If(jen.Id(obj+"."+g.m.field(s, prop).Name).Op("!=").Nil()).Block(jen.Id(n).Op("++")))
	}
	body = append([]jen.Code{jen.Id(n).Op(":=").Lit(always)}, body...)
	body = append(body, countBounds(func() jen.Code { return jen.Id(n) }, pathVal, s.MinProps, s.MaxProps, "MinProperties", "MaxProperties", "properties")...)
	return jen.Block(body...), nil
}

// property emits the checks of one property of the object at obj. present
// says the enclosing code has established that the property is there (not
// nil, not its zero value); then, when set, adds checks that apply only
// when the value is there, given the property's path variable.
func (g *validator) property(where string, sc *scope, obj, parentPath string, parent *openapi3.Schema, prop string, present bool, then func(pv string) jen.Code) ([]jen.Code, error) {
	ref := parent.Properties[prop]
	s := ref.Value
	f := g.m.field(parent, prop)
	field := obj + "." + f.Name
	nilable := g.m.nilable(parent, prop)
	required := isRequired(parent, prop) && !s.Nullable
	pv := sc.next("p")
	newPath := jen.Id(pv).Op(":=").Id(parentPath).Dot("Field").Call(jen.Lit(prop))

	if s.ReadOnly {
		if !nilable {
			return nil, fmt.Errorf("%s: read-only field is not a pointer, so a request that sends it cannot be told apart", where)
		}
		report := []jen.Code{newPath, jen.Id("e").Dot("Add").Call(jen.Id(pv), rule("ReadOnly"), jen.Lit("not sent in requests"), jen.Lit(""))}
		if present {
			return []jen.Code{jen.Block(report...)}, nil
		}
		return []jen.Code{jen.If(jen.Id(field).Op("!=").Nil()).Block(report...)}, nil
	}

	// A required field that is not a pointer is missing when it holds its
	// zero value; once that is reported, the value checks know it is not zero.
	var missing jen.Code
	if required && !nilable {
		var err error
		if missing, err = g.missingCheck(where, s, field); err != nil {
			return nil, err
		}
		if present {
			missing = nil
		}
	}
	nonZero := !nilable && (present || missing != nil)

	val := field
	switch {
	case f.Ptr && (isType(s, "array") || isMap(s)):
		val = "(*" + field + ")" // indexed or ranged below, so it needs the parentheses
	case f.Ptr && !isObject(s):
		val = "*" + field
	}
	checks, err := g.valueChecks(where, sc, ref, val, field, f.Ptr, pv, nonZero)
	if err != nil {
		return nil, err
	}
	if then != nil {
		checks = append(checks, then(pv))
	}
	withPath := func(checks []jen.Code) []jen.Code {
		if len(checks) == 0 {
			return nil
		}
		return []jen.Code{jen.Block(append([]jen.Code{newPath}, checks...)...)}
	}

	if nilable {
		absent := jen.Id(field).Op("==").Nil()
		switch {
		case present:
			return withPath(checks), nil
		case required && len(checks) == 0:
			return []jen.Code{jen.If(absent).Block(newPath, g.required(pv))}, nil
		case required:
			return []jen.Code{jen.Block(newPath, jen.If(absent).Block(g.required(pv)).Else().Block(checks...))}, nil
		case len(checks) == 0:
			return nil, nil
		}
		return []jen.Code{jen.If(jen.Id(field).Op("!=").Nil()).Block(append([]jen.Code{newPath}, checks...)...)}, nil
	}
	if !required {
		if len(checks) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: optional field is not a pointer, so an absent value cannot be told from a zero one to skip its checks", where)
	}
	if missing == nil { // the value checks already reject the zero value, or it cannot occur
		return withPath(checks), nil
	}
	if len(checks) == 0 {
		return []jen.Code{jen.Block(newPath, jen.If(missing).Block(g.required(pv)))}, nil
	}
	return []jen.Code{jen.Block(newPath, jen.If(missing).Block(g.required(pv)).Else().Block(checks...))}, nil
}

func (g *validator) required(pv string) jen.Code {
	return jen.Id("e").Dot("Add").Call(jen.Id(pv), rule("Required"), jen.Lit(""), jen.Lit(""))
}

// missingCheck is the Go condition meaning a required field that is not a
// pointer was absent from the JSON, or nil when its value checks already say
// so. Go decodes an absent field to its zero value, so the zero value must
// itself be invalid for the check to be exact; the generator refuses a spec
// where it is not, rather than accept missing fields.
func (g *validator) missingCheck(where string, s *openapi3.Schema, field string) (jen.Code, error) {
	switch {
	case isObject(s):
		if !g.zeroIsInvalid(s) {
			return nil, fmt.Errorf("%s: required object whose empty value is valid, so a missing one looks valid in Go; give it minProperties or a required field", where)
		}
		return jen.Id(g.zeroExpr(s, field)), nil
	case isType(s, "string"):
		if !emptyInvalid(s) {
			return nil, fmt.Errorf("%s: required string accepts \"\", so a missing value looks valid in Go; give it minLength, a pattern or an enum", where)
		}
		return jen.Id(field).Op("==").Lit(""), nil
	case isType(s, "integer"), isType(s, "number"):
		if !zeroInvalid(s) {
			return nil, fmt.Errorf("%s: required number accepts 0, so a missing value looks valid in Go; bound it or make it optional", where)
		}
		return nil, nil // the range check reports it
	default:
		return nil, fmt.Errorf("%s: cannot tell a missing required %v from its zero value in Go; make it optional", where, s.Type)
	}
}

// zeroIsInvalid reports whether the zero value of the struct for s breaks a
// rule, so that it can stand for "missing".
func (g *validator) zeroIsInvalid(s *openapi3.Schema) bool {
	required := 0
	for _, prop := range sortedKeys(s.Properties) {
		ps := s.Properties[prop].Value
		if !isRequired(s, prop) || ps.Nullable {
			continue
		}
		required++
		switch {
		case g.m.nilable(s, prop),
			isObject(ps) && g.zeroIsInvalid(ps),
			isType(ps, "string") && emptyInvalid(ps),
			(isType(ps, "integer") || isType(ps, "number")) && zeroInvalid(ps):
			return true
		}
	}
	return s.MinProps > uint64(required)
}

// zeroExpr is true when every field of the struct at expr is its zero value.
func (g *validator) zeroExpr(s *openapi3.Schema, expr string) string {
	var parts []string
	for _, prop := range sortedKeys(s.Properties) {
		ps := s.Properties[prop].Value
		f := expr + "." + g.m.field(s, prop).Name
		switch {
		case g.m.nilable(s, prop):
			parts = append(parts, f+" == nil")
		case isObject(ps):
			parts = append(parts, "("+g.zeroExpr(ps, f)+")")
		case isType(ps, "string"):
			parts = append(parts, f+` == ""`)
		case isType(ps, "boolean"):
			parts = append(parts, "!"+f)
		default:
			parts = append(parts, f+" == 0")
		}
	}
	return strings.Join(parts, " && ")
}

// valueChecks emits the checks of the value val (already dereferenced for
// scalars) whose schema is ref; field is the addressable field expression.
// nonZero says the enclosing code has already reported the zero value.
func (g *validator) valueChecks(where string, sc *scope, ref *openapi3.SchemaRef, val, field string, ptr bool, pv string, nonZero bool) ([]jen.Code, error) {
	s := ref.Value
	if err := checkSupported(where, s); err != nil {
		return nil, err
	}
	_, named := componentName(ref.Ref)
	switch {
	case isObject(s) && named, isMap(s) && named:
		return []jen.Code{jen.Id(field).Dot("validate").Call(jen.Op("&").Id(pv), jen.Id("e"))}, nil
	case isObject(s):
		x := sc.next("x")
		bind := jen.Id(x).Op(":=").Op("&").Id(field)
		if ptr {
			bind = jen.Id(x).Op(":=").Id(field)
		}
		inner, err := g.objectChecks(where, sc, x, pv, pv, s, nonZero)
		if err != nil || len(inner) == 0 {
			return nil, err
		}
		return append([]jen.Code{bind}, inner...), nil
	case isMap(s):
		return g.mapChecks(where, sc, val, pv, s)
	case isType(s, "array"):
		return g.arrayChecks(where, sc, val, pv, s)
	case isType(s, "string"):
		return g.stringChecks(sc, val, pv, s, nonZero)
	case isType(s, "integer"):
		return numberChecks(val, pv, s, "Int", "int64"), nil
	case isType(s, "number"):
		return numberChecks(val, pv, s, "Float", "float64"), nil
	}
	return nil, nil
}

// stringChecks emits the checks of the string val; nonEmpty says the
// enclosing code has already reported "" as missing.
func (g *validator) stringChecks(sc *scope, val, pv string, s *openapi3.Schema, nonEmpty bool) ([]jen.Code, error) {
	var out []jen.Code
	str := val
	if len(s.Enum) > 0 {
		str = "string(" + val + ")" // enums are named string types
	}
	record := "Text"
	if sensitive(s) {
		record = maskFunc(s) // Card or Secret, as the redaction methods describe it
	}
	out = append(out, lengthChecks(sc, str, pv, s, nonEmpty)...)
	if s.Pattern != "" {
		match, err := g.patterns.add(s.Pattern)
		if err != nil {
			return nil, err
		}
		out = append(out, jen.If(jen.Op("!").Add(match(str))).Block(
			jen.Id("e").Dot(record).Call(jen.Id(pv), rule("Pattern"), jen.Lit(s.Pattern), jen.Id(str)),
		))
	}
	if len(s.Enum) > 0 {
		values := enumStrings(s.Enum)
		cases := make([]jen.Code, len(values))
		for i, v := range values {
			cases[i] = jen.Lit(v)
		}
		out = append(out, jen.Switch(jen.Id(val)).Block(
			jen.Case(cases...),
			jen.Default().Block(jen.Id("e").Dot(record).Call(jen.Id(pv), rule("Enum"), jen.Lit(strings.Join(values, ", ")), jen.Id(str))),
		))
	}
	return out, nil
}

// lengthChecks counts runes, as JSON Schema does, only where the byte
// length leaves the answer open: a string of l bytes holds between l/4
// (rounded up) and l runes, so l <= maxLength passes maxLength, and
// l > 4*(minLength-1) passes minLength, without counting. Only "" has fewer
// than one rune, so minLength 1 needs no count at all, and no check when
// nonEmpty says the enclosing code has already ruled "" out.
func lengthChecks(sc *scope, str, pv string, s *openapi3.Schema, nonEmpty bool) []jen.Code {
	minLen, maxLen := s.MinLength, s.MaxLength
	if nonEmpty && minLen == 1 {
		minLen = 0
	}
	if minLen == 0 && maxLen == nil {
		return nil
	}
	n := sc.next("n")
	length := func(r string, limit uint64, got jen.Code) jen.Code {
		return jen.Id("e").Dot("Length").Call(jen.Id(pv), rule(r), jen.Lit(strconv.FormatUint(limit, 10)), got, jen.Lit("characters"))
	}
	byteLen := jen.Len(jen.Id(str))
	count := jen.Id(n).Op(":=").Qual("unicode/utf8", "RuneCountInString").Call(jen.Id(str))
	var tooLong jen.Code // counted check of maxLength, once n is known
	if maxLen != nil {
		tooLong = jen.If(jen.Id(n).Op(">").Lit(int(*maxLen))).Block(length("MaxLength", *maxLen, jen.Id(n)))
	}
	openMax := func() *jen.Statement { return jen.Add(byteLen).Op(">").Lit(int(*maxLen)) }

	switch {
	case minLen == 0:
		return []jen.Code{jen.If(openMax()).Block(count, tooLong)}
	case minLen == 1:
		empty := jen.If(jen.Add(byteLen).Op("==").Lit(0)).Block(length("MinLength", 1, jen.Lit(0)))
		if maxLen == nil {
			return []jen.Code{empty}
		}
		return []jen.Code{empty.Else().If(openMax()).Block(count, tooLong)}
	}
	tooShort := jen.If(jen.Id(n).Op("<").Lit(int(minLen))).Block(length("MinLength", minLen, jen.Id(n)))
	openMin := jen.Add(byteLen).Op("<=").Lit(int(4 * (minLen - 1)))
	switch {
	case maxLen == nil:
		return []jen.Code{jen.If(openMin).Block(count, tooShort)}
	case 4*(minLen-1) >= *maxLen:
		// Every length leaves one of the two open: count unconditionally.
		return []jen.Code{count, tooShort.Else().Add(tooLong)}
	}
	return []jen.Code{jen.If(openMax().Op("||").Add(openMin)).Block(count, tooShort.Else().Add(tooLong))}
}

func numberChecks(val, pv string, s *openapi3.Schema, record, conv string) []jen.Code {
	var out []jen.Code
	bound := func(limit *float64, excl bool, fails, failsExcl, name string) {
		if limit == nil {
			return
		}
		op, text := fails, strconv.FormatFloat(*limit, 'f', -1, 64)
		if excl {
			op, text = failsExcl, "exclusive "+text
		}
		out = append(out, jen.If(jen.Id(val).Op(op).Lit(numLit(*limit, conv))).Block(
			jen.Id("e").Dot(record).Call(jen.Id(pv), rule(name), jen.Lit(text), jen.Id(conv).Call(jen.Id(val))),
		))
	}
	bound(s.Min, exclusive(s.ExclusiveMin), "<", "<=", "Minimum")
	bound(s.Max, exclusive(s.ExclusiveMax), ">", ">=", "Maximum")
	return out
}

// numLit renders a bound as an untyped constant that fits the field's type.
func numLit(v float64, conv string) any {
	if conv == "int64" && v == float64(int64(v)) {
		return int(v)
	}
	return v
}

func (g *validator) arrayChecks(where string, sc *scope, val, pv string, s *openapi3.Schema) ([]jen.Code, error) {
	out := countBounds(func() jen.Code { return jen.Len(jen.Id(val)) }, pv, s.MinItems, s.MaxItems, "MinItems", "MaxItems", "items")
	i := sc.next("i")
	ip := sc.next("p")
	elem := val + "[" + i + "]"
	items, err := g.valueChecks(where+"[]", sc, s.Items, elem, elem, false, ip, false)
	if err != nil {
		return nil, err
	}
	if len(items) > 0 {
		body := append([]jen.Code{jen.Id(ip).Op(":=").Id(pv).Dot("Index").Call(jen.Id(i))}, items...)
		out = append(out, jen.For(jen.Id(i).Op(":=").Range().Id(val)).Block(body...))
	}
	key, err := uniqueBy(where, s)
	if err != nil {
		return nil, err
	}
	if key != "" {
		out = append(out, g.uniqueBy(sc, val, pv, s.Items.Value, key))
	}
	return out, nil
}

func (g *validator) mapChecks(where string, sc *scope, val, pv string, s *openapi3.Schema) ([]jen.Code, error) {
	out := countBounds(func() jen.Code { return jen.Len(jen.Id(val)) }, pv, s.MinProps, s.MaxProps, "MinProperties", "MaxProperties", "properties")
	k, v, kp, start := sc.next("k"), sc.next("v"), sc.next("p"), sc.next("start")
	values, err := g.valueChecks(where+"{}", sc, s.AdditionalProperties.Schema, v, v, false, kp, false)
	if err != nil {
		return nil, err
	}
	if len(values) > 0 {
		body := append([]jen.Code{jen.Id(kp).Op(":=").Id(pv).Dot("Key").Call(jen.Id(k))}, values...)
		out = append(out,
			jen.Id(start).Op(":=").Id("e").Dot("Len").Call(),
			jen.For(jen.List(jen.Id(k), jen.Id(v)).Op(":=").Range().Id(val)).Block(body...),
			jen.Comment("Map order is random; sort what the loop found so errors read the same every time."),
			jen.Id("e").Dot("SortFrom").Call(jen.Id(start)),
		)
	}
	return out, nil
}

// requiredWhen emits x-pinegen-required-when: each property is required when
// the string at its path holds one of the listed values.
func (g *validator) requiredWhen(sc *scope, obj, path string, s *openapi3.Schema, rws []requiredWhen) []jen.Code {
	var out []jen.Code
	for _, rw := range rws {
		steps, _ := walkPath(g.m, s, rw.Path) // checked in objectRules
		var guards []string
		expr := obj
		for i, st := range steps {
			expr += "." + st.field
			if st.ptr {
				guards = append(guards, expr+" != nil")
				if i == len(steps)-1 {
					expr = "*" + expr
				}
			}
		}
		var alts []string
		for _, v := range rw.In {
			alts = append(alts, expr+" == "+strconv.Quote(v))
		}
		cond := strings.Join(append(guards, "("+strings.Join(alts, " || ")+")"), " && ")
		target := obj + "." + g.m.field(s, rw.Property).Name
		pv := sc.next("p")
		limit := fmt.Sprintf("when %s is %s", rw.Path, strings.Join(rw.In, " or "))
		out = append(out, jen.If(jen.Id(target).Op("==").Nil().Op("&&").Parens(jen.Id(cond))).Block(
			jen.Id(pv).Op(":=").Id(path).Dot("Field").Call(jen.Lit(rw.Property)),
			jen.Id("e").Dot("Add").Call(jen.Id(pv), rule("RequiredWhen"), jen.Lit(limit), jen.Lit("")),
		))
	}
	return out
}

// variant emits x-pinegen-variants as a switch on the discriminator, for
// the holder's checks: it runs only when the holder is there, and reports
// at holderPath, the holder's path variable.
func (g *validator) variant(sc *scope, obj, holderPath string, s *openapi3.Schema, v *variants) jen.Code {
	disc := g.m.field(s, v.Discriminator)
	discExpr := obj + "." + disc.Name
	holder := s.Properties[v.Property].Value
	holderExpr := obj + "." + g.m.field(s, v.Property).Name
	sub := func(name string) string { return holderExpr + "." + g.m.field(holder, name).Name }
	present := func(name string) string { return sub(name) + " != nil" }

	all := map[string]bool{}
	for _, subs := range v.Variants {
		for _, sub := range subs {
			all[sub] = true
		}
	}
	var cases []jen.Code
	for _, value := range sortedVariantValues(v) {
		allowed := map[string]bool{}
		mine := v.Variants[value]
		for _, name := range mine {
			allowed[name] = true
		}
		var foreign []string
		for _, name := range sortedKeys(all) {
			if !allowed[name] {
				foreign = append(foreign, present(name))
			}
		}
		// Exactly one of its own, and none of the others'.
		var body []jen.Code
		var bad *jen.Statement
		if len(mine) == 1 {
			bad = jen.Id(sub(mine[0])).Op("==").Nil()
		} else {
			n := sc.next("n")
			body = append(body, jen.Id(n).Op(":=").Lit(0))
			for _, name := range mine {
				body = append(body, jen.If(jen.Id(present(name))).Block(jen.Id(n).Op("++")))
			}
			bad = jen.Id(n).Op("!=").Lit(1)
		}
		if len(foreign) > 0 {
			bad = bad.Op("||").Id(strings.Join(foreign, " || "))
		}
		limit := fmt.Sprintf("%s %s takes exactly one of %s", v.Discriminator, value, strings.Join(v.Variants[value], ", "))
		body = append(body, jen.If(bad).Block(
			jen.Id("e").Dot("Add").Call(jen.Id(holderPath), rule("Variant"), jen.Lit(limit), jen.Lit("")),
		))
		cases = append(cases, jen.Case(jen.Lit(value)).Block(body...))
	}
	if disc.Ptr {
		return jen.If(jen.Id(discExpr).Op("!=").Nil()).Block(jen.Switch(jen.Op("*").Id(discExpr)).Block(cases...))
	}
	return jen.Switch(jen.Id(discExpr)).Block(cases...)
}

// exactlyOne emits x-pinegen-exactly-one-of on the object at obj.
func (g *validator) exactlyOne(sc *scope, obj, pathVal string, s *openapi3.Schema, props []string) jen.Code {
	n := sc.next("n")
	body := []jen.Code{jen.Id(n).Op(":=").Lit(0)}
	for _, p := range props {
		body = append(body, jen.If(jen.Id(obj+"."+g.m.field(s, p).Name).Op("!=").Nil()).Block(jen.Id(n).Op("++")))
	}
	body = append(body, jen.If(jen.Id(n).Op("!=").Lit(1)).Block(
		jen.Id("e").Dot("Length").Call(jen.Id(pathVal), rule("ExactlyOneOf"), jen.Lit(strings.Join(props, ", ")), jen.Id(n), jen.Lit("present")),
	))
	return jen.Block(body...)
}

// together emits x-pinegen-together on the object at obj: when some of the
// properties are present and some are not, each missing one is reported at
// its own path, naming the others it must come with.
func (g *validator) together(sc *scope, obj, path string, s *openapi3.Schema, props []string) jen.Code {
	n := sc.next("n")
	body := []jen.Code{jen.Id(n).Op(":=").Lit(0)}
	for _, p := range props {
		body = append(body, jen.If(jen.Id(obj+"."+g.m.field(s, p).Name).Op("!=").Nil()).Block(jen.Id(n).Op("++")))
	}
	var missing []jen.Code
	for _, p := range props {
		var others []string
		for _, o := range props {
			if o != p {
				others = append(others, o)
			}
		}
		pv := sc.next("p")
		missing = append(missing, jen.If(jen.Id(obj+"."+g.m.field(s, p).Name).Op("==").Nil()).Block(
			jen.Id(pv).Op(":=").Id(path).Dot("Field").Call(jen.Lit(p)),
			jen.Id("e").Dot("Add").Call(jen.Id(pv), rule("Together"), jen.Lit("with "+strings.Join(others, ", ")), jen.Lit("")),
		))
	}
	body = append(body, jen.If(jen.Id(n).Op("!=").Lit(0).Op("&&").Id(n).Op("!=").Lit(len(props))).Block(missing...))
	return jen.Block(body...)
}

// uniqueBy emits x-pinegen-unique-by: pairwise comparison, which allocates
// nothing and is quick for the short arrays a payment request carries.
func (g *validator) uniqueBy(sc *scope, val, pv string, item *openapi3.Schema, key string) jen.Code {
	f := g.m.field(item, key).Name
	ptr := g.m.field(item, key).Ptr
	i, j, ip, kp := sc.next("i"), sc.next("j"), sc.next("p"), sc.next("p")
	a, b := val+"["+i+"]."+f, val+"["+j+"]."+f
	// An absent key is no duplicate: it is reported as missing, if at all.
	same := a + " == " + b
	skip := jen.If(jen.Id(a).Op("==").Lit("")).Block(jen.Continue())
	if ptr {
		same = b + " != nil && *" + a + " == *" + b
		skip = jen.If(jen.Id(a).Op("==").Nil()).Block(jen.Continue())
	}
	aVal := a
	if ptr {
		aVal = "*" + a
	}
	return jen.For(jen.Id(i).Op(":=").Lit(1), jen.Id(i).Op("<").Len(jen.Id(val)), jen.Id(i).Op("++")).Block(
		skip,
		jen.For(jen.Id(j).Op(":=").Lit(0), jen.Id(j).Op("<").Id(i), jen.Id(j).Op("++")).Block(
			jen.If(jen.Id(same)).Block(
				jen.Id(ip).Op(":=").Id(pv).Dot("Index").Call(jen.Id(i)),
				jen.Id(kp).Op(":=").Id(ip).Dot("Field").Call(jen.Lit(key)),
				jen.Id("e").Dot("Text").Call(jen.Id(kp), rule("UniqueBy"), jen.Lit("within the array"), jen.Id("string").Call(jen.Id(aVal))),
				jen.Break(),
			),
		),
	)
}
