// Package validation holds the error type and path bookkeeping that the
// generated Validate methods in gen/pinelabs report through.
//
// Callers only need Error, FieldError and the Rule constants. Path and
// Collector are for generated code: it builds paths on the stack and only
// turns them into strings when a rule fails, so validating a correct value
// allocates nothing.
package validation

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pinegen/pinelabs/pkg/redact"
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
	Together     Rule = "together"     // x-pinegen-together
)

// FieldError is one broken rule.
type FieldError struct {
	// Path is the field's JSON path, e.g. "payments[1].payment_amount.value".
	// Map keys are quoted, cut short and masked like values.
	Path string
	Rule Rule
	// Limit is the rule's bound as the spec states it: "50", "^[0-9]+$",
	// "CARD, POINTS, BNPL".
	Limit string
	// Got describes the offending value: its length ("51 characters"), the
	// number, or the quoted text, cut after 64 characters. Sensitive values,
	// and any value holding what looks like a card number, are masked.
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
// a rule fails. The zero Path is the root. It is for generated code.
type Path struct {
	parent *Path
	name   string
	index  int // -1 for a named field, -2 for a map key
}

// Field returns the path of the field name under p.
func (p *Path) Field(name string) Path { return Path{parent: p, name: name, index: -1} }

// Index returns the path of element i of the array at p.
func (p *Path) Index(i int) Path { return Path{parent: p, index: i} }

// Key returns the path of the map entry key under p.
func (p *Path) Key(key string) Path { return Path{parent: p, name: key, index: -2} }

// text renders p as FieldError.Path reads.
func (p *Path) text() string {
	if p.parent == nil && p.name == "" {
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
		// A key is data the caller sent, so it is shown as a value is.
		b.WriteByte('[')
		b.WriteString(quote(p.name))
		b.WriteByte(']')
	default:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.index))
		b.WriteByte(']')
	}
}

// Collector gathers the failures of one Validate call and turns them into
// an *Error. It is for generated code; the zero value is ready.
type Collector struct {
	fields []FieldError
}

// Err returns nil when nothing failed, or an *Error naming typ.
// For generated code.
func (c *Collector) Err(typ string) error {
	if len(c.fields) == 0 {
		return nil
	}
	return &Error{Type: typ, Fields: c.fields}
}

// Add records a failure whose description is already a string that holds
// nothing the caller sent. For generated code.
func (c *Collector) Add(p Path, rule Rule, limit, got string) {
	c.fields = append(c.fields, FieldError{Path: p.text(), Rule: rule, Limit: limit, Got: got})
}

// Length records a failure of a count: n runes, items, properties or
// present fields, as unit says. For generated code.
func (c *Collector) Length(p Path, rule Rule, limit string, n int, unit string) {
	if n == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	c.Add(p, rule, limit, strconv.Itoa(n)+" "+unit)
}

// Int records a failure of an integer value. For generated code.
func (c *Collector) Int(p Path, rule Rule, limit string, v int64) {
	got := strconv.FormatInt(v, 10)
	if holdsCard(got) {
		got = mask(got)
	}
	c.Add(p, rule, limit, got)
}

// Float records a failure of a number value. For generated code.
func (c *Collector) Float(p Path, rule Rule, limit string, v float64) {
	got := strconv.FormatFloat(v, 'g', -1, 64)
	// 4.012001037141112e+15 spells out a card number as surely as its digits do.
	if digits := strconv.FormatFloat(v, 'f', -1, 64); holdsCard(got) || holdsCard(digits) {
		got = mask(digits)
	}
	c.Add(p, rule, limit, got)
}

// Text records a failure of a string value, quoting it (cut short when long,
// masked when it holds a card number). For generated code.
func (c *Collector) Text(p Path, rule Rule, limit, v string) {
	c.Add(p, rule, limit, quote(v))
}

// Card records a failure of a card number without revealing it: its length
// and, when they are digits, its last four. For generated code.
func (c *Collector) Card(p Path, rule Rule, limit, v string) {
	c.Add(p, rule, limit, redact.Card(v))
}

// Secret records a failure of a CVV, token, cryptogram or secret by its
// length only. For generated code.
func (c *Collector) Secret(p Path, rule Rule, limit, v string) {
	c.Add(p, rule, limit, redact.Secret(v))
}

// Len is the number of failures so far. For generated code.
func (c *Collector) Len() int { return len(c.fields) }

// SortFrom orders the failures recorded since Len returned start by path,
// for loops over maps whose order is random. For generated code.
func (c *Collector) SortFrom(start int) {
	tail := c.fields[start:]
	sort.SliceStable(tail, func(i, j int) bool { return tail[i].Path < tail[j].Path })
}

// maxQuoted bounds how much of a bad value an error repeats.
const maxQuoted = 64

// quote quotes v for an error message, cutting it after 64 runes; a value
// that holds a card number is masked instead.
func quote(v string) string {
	if holdsCard(v) {
		return mask(v)
	}
	q := strconv.Quote(v)
	if utf8.RuneCountInString(v) > maxQuoted {
		i, n := 0, 0
		for i = range v {
			if n == maxQuoted {
				break
			}
			n++
		}
		q = strconv.Quote(v[:i]) + "…"
	}
	// Escapes such as \u2028 add digits of their own; they must not complete one.
	if holdsCard(q) {
		return mask(v)
	}
	return q
}

// mask describes a sensitive value by its length, and a card number's last
// four digits, the way the generated String methods do.
func mask(v string) string { return redact.Card(v) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// holdsCard reports whether s holds a run of 13 to 19 digits that passes
// the Luhn check, as every card number does. Digits separated by one space
// or dash, the way card numbers are typed, count as one run; any 13 to 19
// consecutive digits of a longer run count too, so a card number pasted
// next to other digits is still found.
func holdsCard(s string) bool {
	var last [19]byte // the run's latest digits, a ring indexed by n
	n := 0            // digits in the current run
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			last[n%len(last)] = c - '0'
			n++
			if n >= 13 && luhnEndsAt(&last, n) {
				return true
			}
		case (c == ' ' || c == '-') && n > 0 && i+1 < len(s) && isDigit(s[i+1]):
			// between two digit groups: the run goes on
		default:
			n = 0
		}
	}
	return false
}

// luhnEndsAt reports whether some 13 to 19 of the latest digits of a run of
// n passes the Luhn check: from the right, every second digit is doubled
// (less 9 when that exceeds 9) and the sum is a multiple of 10.
func luhnEndsAt(last *[19]byte, n int) bool {
	sum := 0
	for k := 1; k <= len(last) && k <= n; k++ {
		d := int(last[(n-k)%len(last)])
		if k%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		if k >= 13 && sum%10 == 0 {
			return true
		}
	}
	return false
}
