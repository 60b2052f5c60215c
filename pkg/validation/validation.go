// Package validation holds the error type and path bookkeeping that the
// generated Validate methods in gen/pinelabs report through.
//
// Generated code builds paths on the stack and only turns them into strings
// when a rule fails, so validating a correct value allocates nothing.
package validation

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rule names the constraint a field broke. The first group are JSON Schema
// keywords; the rest are the spec's x-pinegen extensions.
type Rule string

const (
	Required      Rule = "required"
	ReadOnly      Rule = "readOnly"
	MinLength     Rule = "minLength"
	MaxLength     Rule = "maxLength"
	Pattern       Rule = "pattern"
	Minimum       Rule = "minimum"
	Maximum       Rule = "maximum"
	Enum          Rule = "enum"
	MinItems      Rule = "minItems"
	MaxItems      Rule = "maxItems"
	MinProperties Rule = "minProperties"
	MaxProperties Rule = "maxProperties"

	RequiredWhen Rule = "requiredWhen" // x-pinegen-required-when
	Variant      Rule = "variant"      // x-pinegen-variants
	ExactlyOneOf Rule = "exactlyOneOf" // x-pinegen-exactly-one-of
	UniqueBy     Rule = "uniqueBy"     // x-pinegen-unique-by
)

// FieldError is one broken rule.
type FieldError struct {
	// Path is the field's JSON path, e.g. "payments[1].payment_amount.value".
	Path string
	Rule Rule
	// Limit is the rule's bound as the spec states it: "50", "^[0-9]+$",
	// "CARD, POINTS, BNPL".
	Limit string
	// Got describes the offending value: its length ("51 characters"), the
	// number, or the quoted text. Sensitive values are masked.
	Got string
}

func (f FieldError) String() string {
	var b strings.Builder
	f.write(&b)
	return b.String()
}

func (f FieldError) write(b *strings.Builder) {
	b.WriteString(f.Path)
	b.WriteString(": ")
	b.WriteString(string(f.Rule))
	if f.Limit != "" {
		b.WriteByte(' ')
		b.WriteString(f.Limit)
	}
	if f.Got != "" {
		b.WriteString(", got ")
		b.WriteString(f.Got)
	}
}

// Error lists every field of a value that broke a rule. Get it from any
// error with errors.As.
type Error struct {
	// Type is the Go type that was validated, e.g. "CreateOrderRequest".
	Type   string
	Fields []FieldError
}

// Error reads as one log line: the type, the count and each field.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid ")
	b.WriteString(e.Type)
	b.WriteString(": ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		f.write(&b)
	}
	return b.String()
}

// Has reports whether the field at path broke rule; handy in tests and in
// callers that map errors to form fields.
func (e *Error) Has(path string, rule Rule) bool {
	for _, f := range e.Fields {
		if f.Path == path && f.Rule == rule {
			return true
		}
	}
	return false
}

// Path is a field's place in a value, kept as a chain of stack frames until
// a rule fails. The zero Path is the root.
type Path struct {
	parent *Path
	name   string
	index  int // -1 for a named field
}

// Field returns the path of the field name under p.
func (p *Path) Field(name string) Path { return Path{parent: p, name: name, index: -1} }

// Index returns the path of element i of the array at p.
func (p *Path) Index(i int) Path { return Path{parent: p, index: i} }

// Key returns the path of the map entry key under p.
func (p *Path) Key(key string) Path { return Path{parent: p, name: key, index: -2} }

func (p *Path) String() string {
	if p == nil || (p.parent == nil && p.name == "" && p.index == 0) {
		return ""
	}
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p *Path) write(b *strings.Builder) {
	if p.parent == nil {
		b.WriteString(p.name)
		return
	}
	p.parent.write(b)
	switch p.index {
	case -1:
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.name)
	case -2:
		b.WriteString("[")
		b.WriteString(strconv.Quote(p.name))
		b.WriteString("]")
	default:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.index))
		b.WriteByte(']')
	}
}

// Errors collects failures while a value is walked. The zero value is ready.
type Errors struct {
	fields []FieldError
}

// Err returns nil when nothing failed, or an *Error naming typ.
func (e *Errors) Err(typ string) error {
	if len(e.fields) == 0 {
		return nil
	}
	return &Error{Type: typ, Fields: e.fields}
}

// Add records a failure whose description is already a string.
func (e *Errors) Add(p Path, rule Rule, limit, got string) {
	e.fields = append(e.fields, FieldError{Path: p.String(), Rule: rule, Limit: limit, Got: got})
}

// Length records a length rule failure; n is counted in runes or items.
func (e *Errors) Length(p Path, rule Rule, limit string, n int, unit string) {
	if n == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	e.Add(p, rule, limit, strconv.Itoa(n)+" "+unit)
}

// Int records a failure of an integer value.
func (e *Errors) Int(p Path, rule Rule, limit string, v int64) {
	e.Add(p, rule, limit, strconv.FormatInt(v, 10))
}

// Float records a failure of a number value.
func (e *Errors) Float(p Path, rule Rule, limit string, v float64) {
	e.Add(p, rule, limit, strconv.FormatFloat(v, 'g', -1, 64))
}

// String records a failure of a string value, quoting it (shortened when long).
func (e *Errors) String(p Path, rule Rule, limit, v string) {
	e.Add(p, rule, limit, Quote(v))
}

// Sensitive records a failure of a secret or card value without revealing it.
func (e *Errors) Sensitive(p Path, rule Rule, limit, v string) {
	e.Add(p, rule, limit, Mask(v))
}

// maxQuoted bounds how much of a bad value an error repeats.
const maxQuoted = 64

// Quote quotes v for an error message, cutting it after 64 runes.
func Quote(v string) string {
	if utf8.RuneCountInString(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	i, n := 0, 0
	for i = range v {
		if n == maxQuoted {
			break
		}
		n++
	}
	return strconv.Quote(v[:i]) + "…"
}

// Mask describes a sensitive value by its length only, adding the last four
// characters when they are digits and the value is long enough to be a card
// number (the part of a card number that may be shown).
func Mask(v string) string {
	n := utf8.RuneCountInString(v)
	desc := "[redacted, " + strconv.Itoa(n) + " characters"
	if n >= 12 && isDigits(v[len(v)-4:]) {
		desc += ", ending " + v[len(v)-4:]
	}
	return desc + "]"
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Len is the number of failures so far.
func (e *Errors) Len() int { return len(e.fields) }

// SortFrom orders the failures recorded since Len returned start by path,
// for loops over maps whose order is random.
func (e *Errors) SortFrom(start int) {
	tail := e.fields[start:]
	sort.SliceStable(tail, func(i, j int) bool { return tail[i].Path < tail[j].Path })
}
