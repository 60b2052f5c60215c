package signature

import (
	"net/url"
	"slices"
	"strings"
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
// Because values are not escaped, field sets that differ only in where an
// "&" or "=" falls can share a canonical string; VerifyCallback therefore
// insists that order_id and status are present after verification.
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
			return nil, withDetail(ErrRepeatedField, name)
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
				return withDetail(ErrRepeatedField, FieldPaymentStatus+" or "+FieldStatus)
			}
			return withDetail(ErrRepeatedField, p.name)
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
	return nil
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
