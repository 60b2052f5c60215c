package signature

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Names of the callback fields this package gives meaning to.
const (
	FieldOrderID       = "order_id"
	FieldStatus        = "status"
	FieldPaymentStatus = "payment_status"
	FieldErrorCode     = "error_code"
	FieldErrorMessage  = "error_message"
	FieldSignature     = "signature"
)

// Field is one name/value pair of a callback.
type Field struct {
	Name, Value string
}

// Fields is a callback's field set in any order; it is a slice rather than a
// map so that a repeated name stays visible and can be refused.
//
// The canonical string that is signed is built from it like this:
//   - the field named "signature" is left out;
//   - a field named "payment_status" is signed as "status" (some Pine Labs
//     documents use that spelling); if both are present they must carry
//     the same value, which is then signed once, else ErrStatusConflict;
//   - any other repeated name is refused with ErrRepeatedField, and an
//     empty name with ErrEmptyFieldName;
//   - the rest are sorted by name in byte order and written as name=value,
//     joined by "&", with values exactly as given: not URL-encoded, not
//     trimmed, and an empty value still counts ("name=").
//
// Nothing is escaped, so without further rules two field sets could share
// a canonical string, and a captured signature would then vouch for
// either: the signature of order_id=O1 and status=AUTHORIZED also fits a
// lone order_id whose value is "O1&status=AUTHORIZED". These field sets
// are therefore refused, by Sign and Verify alike:
//   - an empty set, once signature is set aside (ErrNoFields);
//   - a name containing "&" or "=" (ErrAmbiguousField);
//   - a value containing "&N=", where N has no "&" or "=" and sorts after
//     the field's own name (ErrAmbiguousField): only there could the
//     sorted string be cut into a different field;
//   - a name or value that is not valid UTF-8 (ErrInvalidUTF8).
//
// With these rules the canonical string of an accepted set can be read
// back in exactly one way. Refusing every "&" in a value would be simpler,
// but error messages such as "Card & PIN mismatch" are ordinary traffic.
type Fields []Field

// Get returns the value of the first field called name.
func (fs Fields) Get(name string) (string, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// FieldsFromValues converts url.Values, such as r.Form, into Fields sorted by
// name. A name with more than one value is refused with ErrRepeatedField
// rather than picking one of them.
func FieldsFromValues(v url.Values) (Fields, error) {
	fs := make(Fields, 0, len(v))
	for name, vals := range v {
		if len(vals) != 1 {
			return nil, withDetail(ErrRepeatedField, fieldName(name))
		}
		fs = append(fs, Field{Name: name, Value: vals[0]})
	}
	slices.SortFunc(fs, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	return fs, nil
}

// pair is a field as the canonical string sees it: alias records that the
// name was rewritten from payment_status.
type pair struct {
	name, value string
	alias       bool
}

func (st *macState) addField(name, value string) {
	switch name {
	case FieldSignature:
		return
	case FieldPaymentStatus:
		st.pairs = append(st.pairs, pair{name: FieldStatus, value: value, alias: true})
	default:
		st.pairs = append(st.pairs, pair{name: name, value: value})
	}
}

func (st *macState) loadFields(fs Fields) {
	st.pairs = st.pairs[:0]
	for _, f := range fs {
		st.addField(f.Name, f.Value)
	}
}

func (st *macState) loadMap(m map[string]string) {
	st.pairs = st.pairs[:0]
	for name, value := range m {
		st.addField(name, value)
	}
}

// smallSort is how many fields are sorted by insertion through an index
// array on the stack; callbacks carry a handful.
const smallSort = 16

// canonicalize writes the canonical string of st.pairs into st.buf. It sorts
// indexes rather than the pairs themselves: moving a pair moves two string
// headers through GC write barriers, which cost more than the comparisons.
func (st *macState) canonicalize() error {
	ps := st.pairs
	if len(ps) == 0 {
		return ErrNoFields
	}
	var small [smallSort]int
	var order []int
	if len(ps) <= smallSort {
		order = small[:len(ps)]
	} else {
		order = make([]int, len(ps))
	}
	for i := range order {
		order[i] = i
	}
	if len(ps) <= smallSort {
		for i := 1; i < len(order); i++ {
			for j := i; j > 0 && ps[order[j]].name < ps[order[j-1]].name; j-- {
				order[j], order[j-1] = order[j-1], order[j]
			}
		}
	} else {
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(ps[a].name, ps[b].name) })
	}

	buf := st.buf[:0]
	for i := 0; i < len(order); {
		p := &ps[order[i]]
		if p.name == "" {
			return ErrEmptyFieldName
		}
		j := i + 1
		for j < len(order) && ps[order[j]].name == p.name {
			j++
		}
		switch {
		case j-i == 1:
		case j-i == 2 && p.alias != ps[order[i+1]].alias:
			if p.value != ps[order[i+1]].value {
				return ErrStatusConflict
			}
		default:
			if p.name == FieldStatus && (p.alias || ps[order[i+1]].alias) {
				return withDetail(ErrRepeatedField, fieldName(FieldPaymentStatus)+" or "+fieldName(FieldStatus))
			}
			return withDetail(ErrRepeatedField, fieldName(p.name))
		}
		if err := checkField(p.name, p.value); err != nil {
			return err
		}
		if len(buf) > 0 {
			buf = append(buf, '&')
		}
		buf = append(buf, p.name...)
		buf = append(buf, '=')
		buf = append(buf, p.value...)
		i = j
	}
	st.buf = buf
	// Names and values are joined by ASCII "=" and "&", which cannot end
	// or continue a multi-byte sequence, so the whole string is valid
	// UTF-8 exactly when each part is; one check of it is the cheaper.
	if !utf8.Valid(buf) {
		return invalidUTF8(ps)
	}
	return nil
}

// checkField refuses a field that would let the canonical string be read
// in more than one way (see Fields). name is the canonical name (status for
// payment_status), since that is what the sort order is over.
//
// Why a later name is the test: take two readings of one canonical string
// that agree up to some field F. The one that cuts sooner starts a field
// whose name sorts after F's, at an "&" that the other reading keeps inside
// F's value. Refusing such values leaves one reading.
func checkField(name, value string) error {
	// Two byte searches rather than strings.ContainsAny, which on short
	// names makes a call per byte and costs some 15% of Verify.
	if strings.ContainsRune(name, '&') || strings.ContainsRune(name, '=') {
		// The name is not repeated: it is exactly what went wrong and
		// may be a piece of someone's value.
		return withDetail(ErrAmbiguousField, `a field name contains "&" or "="`)
	}
	for rest := value; ; {
		i := strings.IndexByte(rest, '&')
		if i < 0 {
			return nil
		}
		rest = rest[i+1:]
		// Only up to the next "&" or "=", so the scan stays linear.
		j := 0
		for j < len(rest) && rest[j] != '&' && rest[j] != '=' {
			j++
		}
		if j > 0 && j < len(rest) && rest[j] == '=' && rest[:j] > name {
			return withDetail(ErrAmbiguousField, "value of field "+fieldName(name))
		}
		rest = rest[j:]
	}
}

// invalidUTF8 names the first field of ps that is not valid UTF-8.
func invalidUTF8(ps []pair) error {
	for _, p := range ps {
		switch {
		case !utf8.ValidString(p.name):
			return withDetail(ErrInvalidUTF8, "a field name")
		case !utf8.ValidString(p.value):
			return withDetail(ErrInvalidUTF8, "value of field "+fieldName(p.name))
		}
	}
	return ErrInvalidUTF8
}

// CanonicalString returns the exact string that is signed for fs, for
// debugging a mismatch against another implementation. Values are included
// verbatim, so do not log it if they are sensitive.
func CanonicalString(fs Fields) (string, error) {
	st := &macState{}
	st.loadFields(fs)
	if err := st.canonicalize(); err != nil {
		return "", err
	}
	return string(st.buf), nil
}
