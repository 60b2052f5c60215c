// Package conformance finds where a Pine Labs server and spec/pinelabs.yaml
// disagree: it checks exchanges, callbacks and order status changes and
// reports each disagreement once, with payment data masked.
package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/redact"
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/spec"
)

// A Finding is one place where the server and the spec disagree.
type Finding struct {
	Kind      Kind   `json:"kind"`
	Operation string `json:"operation"` // operationId, e.g. "createOrder"; CallbackOperation for callbacks
	Path      string `json:"path"`      // in the body, e.g. "data.payments[0].status"; "" for status and header findings
	Spec      string `json:"spec"`      // what the spec says
	Server    string `json:"server"`    // what the server sent, masked
	Excerpt   string `json:"excerpt"`   // the body around it, masked
}

// Kind says what sort of disagreement a Finding is.
type Kind string

const (
	// KindSchema: kin-openapi's response validation failed (status not
	// documented, wrong type, missing required property…), or a callback
	// breaks its schema.
	KindSchema Kind = "schema"
	// KindUnknownField: a property the spec does not name; validation lets
	// it through, since no response schema forbids unknown fields.
	KindUnknownField Kind = "unknown-field"
	// KindUnknownEnum: a value of an open enum outside x-extensible-enum.
	KindUnknownEnum Kind = "unknown-enum"
	// KindStringNumber: a JSON string where the spec says integer or
	// number, including lenient properties that accept digit strings.
	KindStringNumber Kind = "string-number"
	// KindSignature: a callback whose signature does not verify.
	KindSignature Kind = "signature"
	// KindTransition: an order status change the lifecycle does not allow.
	KindTransition Kind = "transition"
)

// kinds is the order in which reports list the kinds.
var kinds = []Kind{KindSchema, KindUnknownField, KindUnknownEnum, KindStringNumber, KindSignature, KindTransition}

// CallbackOperation is the operationId of the signed payment callback in
// the spec, the Operation of every finding Callback returns.
const CallbackOperation = "paymentResultCallback"

// Lengths that keep a finding readable in a table row.
const (
	maxServer  = 120
	maxExcerpt = 200
)

// A Checker holds exchanges to the spec. Its methods are safe for
// concurrent use.
type Checker struct {
	router   routers.Router
	callback *openapi3.Schema // PaymentCallback
	ops      []string         // every operationId, sorted
}

// NewChecker loads the spec. Servers are ignored: routes match on method
// and path alone, so a sandbox, a fake on a loopback port and production
// are all held to the same document.
func NewChecker() (*Checker, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("conformance: routing the spec: %w", err)
	}
	cb, err := callbackSchema(doc)
	if err != nil {
		return nil, err
	}
	var ops []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	slices.Sort(ops)
	return &Checker{router: router, callback: cb, ops: ops}, nil
}

// Operations lists every operationId of the spec, sorted.
func (c *Checker) Operations() []string { return slices.Clone(c.ops) }

// Operation names the operation req is a request of, by its method and
// path (its scheme and host are ignored); ok is false when the spec has
// none.
func (c *Checker) Operation(req *http.Request) (op string, ok bool) {
	route, _, err := c.router.FindRoute(pathOnly(req))
	if err != nil {
		return "", false
	}
	return route.Operation.OperationID, true
}

// pathOnly is req without its scheme and host, which the spec's servers
// would otherwise have to match: only the path picks the route.
func pathOnly(req *http.Request) *http.Request {
	req = req.WithContext(req.Context())
	req.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	req.Host = ""
	return req
}

// callbackSchema finds the form body of CallbackOperation among the
// operations' callbacks.
func callbackSchema(doc *openapi3.T) (*openapi3.Schema, error) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, cb := range op.Callbacks {
				if cb.Value == nil {
					continue
				}
				for _, cbItem := range cb.Value.Map() {
					for _, cbOp := range cbItem.Operations() {
						if cbOp.OperationID != CallbackOperation || cbOp.RequestBody == nil || cbOp.RequestBody.Value == nil {
							continue
						}
						if mt := cbOp.RequestBody.Value.Content.Get("application/x-www-form-urlencoded"); mt != nil && mt.Schema != nil {
							return mt.Schema.Value, nil
						}
					}
				}
			}
		}
	}
	return nil, fmt.Errorf("conformance: spec has no form body for callback %s", CallbackOperation)
}

// Response checks one exchange: req is the request as sent (its method and
// URL path pick the operation), status, header and body the response. It
// returns every finding once.
//
// When kin-openapi's validation and the walk of the body report the same
// path, validation wins: a string at an integer that is not lenient is a
// schema finding (the type is wrong), never also a string-number one. A
// string at a lenient integer validates, so it is a string-number finding.
func (c *Checker) Response(req *http.Request, status int, header http.Header, body []byte) []Finding {
	req = pathOnly(req)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return []Finding{{
			Kind:      KindSchema,
			Operation: req.Method + " " + redact.Text(req.URL.Path),
			Spec:      "no operation for this method and path",
			Server:    strconv.Itoa(status),
			Excerpt:   excerpt(body, maxExcerpt),
		}}
	}
	op := route.Operation.OperationID
	responses := route.Operation.Responses

	// The default response describes "any other error status": a success
	// or redirect the operation does not list is undocumented, whatever
	// kin-openapi makes of it. Its body is not checked against the error
	// schema, which would only restate the status finding field by field.
	if responses.Status(status) == nil && status < 400 {
		return []Finding{{
			Kind:      KindSchema,
			Operation: op,
			Spec:      "status one of " + strings.Join(documentedStatuses(responses), ", "),
			Server:    strconv.Itoa(status),
			Excerpt:   excerpt(body, maxExcerpt),
		}}
	}

	x := exchange{op: op}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&x.tree); err == nil {
		x.parsed = true
	}
	schema := responseSchema(responses, status, header)
	if x.parsed {
		x.mask(schema)
	}

	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: status,
		Header: header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	if in.Header == nil {
		in.Header = http.Header{}
	}
	for _, e := range leafErrors(openapi3filter.ValidateResponse(req.Context(), in)) {
		x.validationError(e, body)
	}
	if x.parsed && schema != nil {
		x.walk(x.tree, schema, nil)
	}
	return x.findings()
}

func documentedStatuses(r *openapi3.Responses) []string {
	var out []string
	for code := range r.Map() {
		if code != "default" {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// responseSchema is the schema of the body the operation documents for
// status, in the response's media type or else JSON.
func responseSchema(r *openapi3.Responses, status int, header http.Header) *openapi3.Schema {
	ref := r.Status(status)
	if ref == nil {
		ref = r.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get(header.Get("Content-Type"))
	if mt == nil {
		mt = ref.Value.Content.Get("application/json")
	}
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// leafErrors flattens a validation error into the errors that each name
// one problem. A SchemaError is a leaf even when it has an Origin: for
// oneOf, the origin lists why each branch failed, which restates the one
// problem at the same path.
func leafErrors(err error) []error {
	// Type switches, not errors.As: a SchemaError unwraps to its origin,
	// and MultiError.As answers for any of its members.
	switch e := err.(type) {
	case nil:
		return nil
	case openapi3.MultiError:
		var out []error
		for _, m := range e {
			out = append(out, leafErrors(m)...)
		}
		return out
	case *openapi3filter.ResponseError:
		switch e.Err.(type) {
		case *openapi3.SchemaError, openapi3.MultiError:
			return leafErrors(e.Err)
		}
	}
	return []error{err}
}

// exchange gathers the findings of one response.
type exchange struct {
	op     string
	tree   any // the body as decoded, numbers as json.Number
	parsed bool
	// server is tree with every sensitive value described, for Server.
	// context is the same for Excerpt, except that values under keys
	// pkg/redact knows (card_number, cvv, token…) are left for
	// redact.JSONBody to describe: described twice, a card number would
	// be reported by the length of its description.
	server, context any

	// validated holds the paths kin-openapi reported, which take
	// precedence over the walk's value findings at the same path.
	validated map[string]bool
	list      []pending
}

// pending is a finding whose texts are filled in from the masked tree.
type pending struct {
	kind   Kind
	ptr    []string // nil for status and header findings
	spec   string
	server string // set when not taken from the value at ptr
}

var missingProperty = regexp.MustCompile(`^property ".*" is missing$`)

func (x *exchange) validationError(err error, body []byte) {
	se, ok := err.(*openapi3.SchemaError)
	if !ok {
		// Status, header, content type or a body that is not JSON: no
		// path to point at. Reasons name headers and media types, never
		// values, but a header name could be anything the server chose.
		reason := err.Error()
		if re, ok := err.(*openapi3filter.ResponseError); ok && re.Reason != "" {
			reason = re.Reason
		}
		x.add(pending{kind: KindSchema, spec: redact.Text(reason), server: excerpt(body, maxServer)})
		return
	}
	ptr := se.JSONPointer() // for a missing property, its own path
	if missingProperty.MatchString(se.Reason) {
		x.add(pending{kind: KindSchema, ptr: ptr, spec: "required property", server: "missing"})
		return
	}
	x.add(pending{kind: KindSchema, ptr: ptr, spec: schemaSays(se)})
}

// schemaSays puts what a failed keyword asks for in the words of the
// other findings; the reason kin-openapi gives does the rest.
func schemaSays(se *openapi3.SchemaError) string {
	if se.Schema != nil {
		switch se.SchemaField {
		case "type":
			if se.Schema.Type != nil {
				return strings.Join(se.Schema.Type.Slice(), " or ")
			}
		case "enum":
			return oneOf(se.Schema.Enum)
		case "oneOf", "anyOf":
			var alts []string
			for _, r := range slices.Concat(se.Schema.OneOf, se.Schema.AnyOf) {
				if r != nil && r.Value != nil && r.Value.Type != nil {
					alt := strings.Join(r.Value.Type.Slice(), " or ")
					if r.Value.Pattern != "" {
						alt += " matching " + r.Value.Pattern
					}
					alts = append(alts, alt)
				}
			}
			if len(alts) > 0 {
				return strings.Join(alts, " or ")
			}
		}
	}
	return se.Reason
}

func (x *exchange) add(p pending) {
	if p.kind == KindSchema && p.ptr != nil {
		if x.validated == nil {
			x.validated = map[string]bool{}
		}
		x.validated[pointerKey(p.ptr)] = true
	}
	x.list = append(x.list, p)
}

// walk reports what validation lets through: unknown properties, values
// outside open enums and numbers sent as strings.
func (x *exchange) walk(v any, s *openapi3.Schema, ptr []string) {
	if s == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		props, extra := objectShape(s)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := append(slices.Clip(ptr), k)
			switch ps, ok := props[k]; {
			case ok:
				x.walk(v[k], ps, child)
			case extra != nil:
				x.walk(v[k], extra, child)
			case len(props) > 0:
				x.list = append(x.list, pending{kind: KindUnknownField, ptr: child, spec: "no such property"})
			}
		}
	case []any:
		items := itemsOf(s)
		for i, e := range v {
			x.walk(e, items, append(slices.Clip(ptr), strconv.Itoa(i)))
		}
	case string:
		if t := numberType(s); t != "" {
			says := t
			if accepts(s, "string") {
				says += " (a digit string is accepted)"
			}
			x.list = append(x.list, pending{kind: KindStringNumber, ptr: ptr, spec: says})
			return
		}
		if known := extensibleEnum(s); known != nil && !slices.Contains(known, v) {
			x.list = append(x.list, pending{kind: KindUnknownEnum, ptr: ptr, spec: oneOf(anySlice(known)) + " (open enum)"})
		}
	}
}

// branches is s and the schemas it combines, depth first: what a value of
// s may be made of.
func branches(s *openapi3.Schema) []*openapi3.Schema {
	out := []*openapi3.Schema{s}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range group {
			if r != nil && r.Value != nil {
				out = append(out, branches(r.Value)...)
			}
		}
	}
	return out
}

// objectShape is the properties s and its branches name, and the schema
// of any other property when additionalProperties gives one.
func objectShape(s *openapi3.Schema) (map[string]*openapi3.Schema, *openapi3.Schema) {
	props := map[string]*openapi3.Schema{}
	var extra *openapi3.Schema
	for _, b := range branches(s) {
		for name, r := range b.Properties {
			if _, seen := props[name]; !seen && r != nil && r.Value != nil {
				props[name] = r.Value
			}
		}
		if extra == nil && b.AdditionalProperties.Schema != nil {
			extra = b.AdditionalProperties.Schema.Value
		}
	}
	return props, extra
}

func itemsOf(s *openapi3.Schema) *openapi3.Schema {
	for _, b := range branches(s) {
		if b.Items != nil && b.Items.Value != nil {
			return b.Items.Value
		}
	}
	return nil
}

// numberType is "integer" or "number" when s, or one of its branches, is
// numeric: lenient properties such as payment_retries_remaining are a
// oneOf of an integer and a digit string, decoded by lenient.Int.
func numberType(s *openapi3.Schema) string {
	for _, t := range []string{openapi3.TypeInteger, openapi3.TypeNumber} {
		if accepts(s, t) {
			return t
		}
	}
	if goType, _ := s.Extensions["x-go-type"].(string); goType == "lenient.Int" {
		return openapi3.TypeInteger
	}
	return ""
}

func accepts(s *openapi3.Schema, typ string) bool {
	for _, b := range branches(s) {
		if b.Type != nil && b.Type.Is(typ) {
			return true
		}
	}
	return false
}

// extensibleEnum is the x-extensible-enum list of an open string enum, or
// nil.
func extensibleEnum(s *openapi3.Schema) []string {
	raw, ok := s.Extensions["x-extensible-enum"].([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if str, ok := v.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func oneOf(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprint(v)
	}
	return "one of " + strings.Join(parts, ", ")
}

// findings fills in the texts of the pending findings and orders them by
// kind, then path. One path holds one deviation: the walk's value findings
// at a path validation reported are left out, and several keywords a value
// fails (maxLength and pattern) make one schema finding.
func (x *exchange) findings() []Finding {
	var out []Finding
	at := map[string]int{} // schema findings by path → index in out
	seen := map[Finding]bool{}
	for _, p := range x.list {
		key := pointerKey(p.ptr)
		if p.kind != KindSchema && x.validated[key] {
			continue
		}
		f := Finding{Kind: p.kind, Operation: x.op, Spec: p.spec, Server: p.server}
		if p.ptr != nil {
			if i, ok := at[key]; ok && p.kind == KindSchema {
				if !strings.Contains(out[i].Spec, p.spec) {
					out[i].Spec += "; " + p.spec
				}
				continue
			}
			f.Path = displayPath(x.tree, p.ptr)
			if f.Server == "" {
				if v, ok := lookup(x.server, p.ptr); ok {
					f.Server = excerpt(encode(v, ""), maxServer)
				} else {
					f.Server = "missing"
				}
			}
			f.Excerpt = x.excerptAt(p.ptr)
		} else if x.parsed {
			f.Excerpt = excerpt(encode(x.context, ""), maxExcerpt)
		}
		if seen[f] {
			continue
		}
		seen[f] = true
		if p.kind == KindSchema && p.ptr != nil {
			at[key] = len(out)
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := slices.Index(kinds, a.Kind) - slices.Index(kinds, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// excerptAt is the object or array holding the value at ptr, the value's
// own key first so that a cut keeps it.
func (x *exchange) excerptAt(ptr []string) string {
	if len(ptr) == 0 {
		return excerpt(encode(x.context, ""), maxExcerpt)
	}
	parent, ok := lookup(x.context, ptr[:len(ptr)-1])
	if !ok {
		return excerpt(encode(x.context, ""), maxExcerpt)
	}
	return excerpt(encode(parent, ptr[len(ptr)-1]), maxExcerpt)
}

func pointerKey(ptr []string) string { return strings.Join(ptr, "\x00") }

func lookup(v any, ptr []string) (any, bool) {
	for _, k := range ptr {
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[k]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// displayPath writes ptr as data.payments[0].status, indexing where the
// body has an array. A key that is not a plain name is quoted, and one
// holding a long digit run (a card number sent as a key) is masked.
func displayPath(tree any, ptr []string) string {
	var b strings.Builder
	v := tree
	for _, k := range ptr {
		arr, isArray := v.([]any)
		switch {
		case isArray:
			b.WriteString("[" + k + "]")
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(arr) {
				v = arr[i]
			} else {
				v = nil
			}
			continue
		case plainKey.MatchString(redact.Text(k)):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		default:
			b.WriteString("[" + strconv.Quote(redact.Text(k)) + "]")
		}
		if m, ok := v.(map[string]any); ok {
			v = m[k]
		} else {
			v = nil
		}
	}
	return b.String()
}

// encode writes v as compact JSON with keys sorted, first before the
// others, and keys that hold a long digit run masked.
func encode(v any, first string) []byte {
	var b bytes.Buffer
	writeJSON(&b, v, first)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any, first string) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, c string) int {
			switch {
			case a == c:
				return 0
			case a == first:
				return -1
			case c == first:
				return 1
			}
			return strings.Compare(a, c)
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, redact.Text(k))
			b.WriteByte(':')
			writeJSON(b, v[k], "")
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, "")
		}
		b.WriteByte(']')
	case string:
		writeString(b, v)
	case json.Number:
		b.WriteString(v.String())
	case bool:
		b.WriteString(strconv.FormatBool(v))
	default:
		b.WriteString("null")
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a Go string always encodes
	b.Write(enc)
}

func (x *exchange) mask(s *openapi3.Schema) {
	x.server = maskValue(x.tree, s, false, false)
	x.context = maskValue(x.tree, s, false, true)
}

// maskValue copies v with every value that could be payment data
// described instead: values of x-pinegen-sensitive schemas and of keys
// pkg/redact treats as sensitive, whatever they look like, and long digit
// runs anywhere (redact.Text). With leaveKeyed, values under keys pkg/redact
// treats as sensitive are copied as they are, for redact.JSONBody to
// describe.
func maskValue(v any, s *openapi3.Schema, sensitive, leaveKeyed bool) any {
	if s != nil && isSensitive(s) {
		sensitive = true
	}
	switch v := v.(type) {
	case map[string]any:
		var props map[string]*openapi3.Schema
		var extra *openapi3.Schema
		if s != nil {
			props, extra = objectShape(s)
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			keyed := sensitiveKey(k)
			if keyed && leaveKeyed {
				out[k] = e
				continue
			}
			cs, ok := props[k]
			if !ok {
				cs = extra
			}
			out[k] = maskValue(e, cs, sensitive || keyed, leaveKeyed)
		}
		return out
	case []any:
		var items *openapi3.Schema
		if s != nil {
			items = itemsOf(s)
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = maskValue(e, items, sensitive, leaveKeyed)
		}
		return out
	case string:
		if sensitive {
			return describe(v)
		}
		return redact.Text(v)
	case json.Number:
		if sensitive {
			return describe(v.String())
		}
		if masked := redact.Text(v.String()); masked != v.String() {
			return masked
		}
		return v
	}
	return v
}

// describe masks a sensitive value: a card number keeps its last four
// digits, as everywhere in pinegen; anything else only its length.
func describe(s string) string {
	if len(s) >= 12 && strings.Trim(s, "0123456789") == "" {
		return redact.Card(s)
	}
	return redact.Secret(s)
}

func isSensitive(s *openapi3.Schema) bool {
	for _, b := range branches(s) {
		if on, _ := b.Extensions["x-pinegen-sensitive"].(bool); on {
			return true
		}
	}
	return false
}

// sensitiveKeys caches sensitiveKey, which asks pkg/redact.
var sensitiveKeys sync.Map // string → bool

// sensitiveKey reports whether pkg/redact masks the value of a property
// named key (card_number, cvv, token…). The rule is redact's; asking it
// keeps one list of sensitive names.
func sensitiveKey(key string) bool {
	if v, ok := sensitiveKeys.Load(key); ok {
		return v.(bool)
	}
	probe, err := json.Marshal(map[string]string{key: "x"})
	if err != nil {
		return true
	}
	hidden := !bytes.Equal(redact.JSONBody(probe), probe)
	sensitiveKeys.Store(key, hidden)
	return hidden
}

// Callback checks a callback's fields as received (form values) with the
// merchant key: a signature that is missing or does not verify is a
// KindSignature finding; fields that break the callback's schema (which is
// as strict as a request's: status is a closed enum) are KindSchema ones.
func (c *Checker) Callback(key signature.Key, fields url.Values) []Finding {
	obj := make(map[string]any, len(fields))
	for k, vs := range fields {
		if len(vs) > 0 {
			obj[k] = vs[0]
		}
	}
	x := exchange{op: CallbackOperation, tree: obj, parsed: true}
	x.mask(c.callback)
	for _, masked := range []any{x.server, x.context} {
		m := masked.(map[string]any)
		if sig, ok := m[signature.FieldSignature].(string); ok {
			// Not a secret, but made with one: a table row has no use
			// for it.
			m[signature.FieldSignature] = redact.Secret(sig)
		}
	}

	if err := c.callback.VisitJSON(obj, openapi3.MultiErrors()); err != nil {
		for _, e := range leafErrors(err) {
			x.validationError(e, nil)
		}
	}
	// The signature field is pkg/signature's to judge: missing or
	// malformed, it is one signature finding, not also a schema one.
	x.list = slices.DeleteFunc(x.list, func(p pending) bool {
		return len(p.ptr) == 1 && p.ptr[0] == signature.FieldSignature
	})

	fs, err := signature.FieldsFromValues(fields)
	if err == nil {
		_, err = key.VerifyCallback(fs)
	}
	switch {
	case err == nil:
	case errors.Is(err, signature.ErrIncompleteCallback):
		// The signature holds; what is missing is a field pkg/signature
		// needs, reported where the schema has not already.
		for _, name := range []string{signature.FieldOrderID, signature.FieldStatus} {
			v, _ := fs.Get(name)
			if name == signature.FieldStatus && v == "" {
				v, _ = fs.Get(signature.FieldPaymentStatus)
			}
			if v == "" && !x.validated[name] {
				x.add(pending{kind: KindSchema, ptr: []string{name}, spec: "required, not empty", server: strconv.Quote(v)})
			}
		}
	default:
		// pkg/signature's errors never hold a secret, a signature or a
		// field value.
		x.add(pending{kind: KindSignature, spec: "HMAC-SHA256 of the other fields with the merchant key", server: err.Error()})
	}
	return x.findings()
}

// lifecycle is the order status changes the spec's lifecycle allows, from
// one observation of an order to the next. Staying put is always allowed
// and not listed. CANCELLED, FAILED and FULLY_REFUNDED are final.
//
//   - CREATED: a payment is linked (PENDING) or declined outright (FAILED).
//   - PENDING: the payment completes (AUTHORIZED for a pre-auth order,
//     PROCESSED otherwise), fails, or fails in a way that may be retried
//     (ATTEMPTED).
//   - ATTEMPTED: a retry goes the same ways, including another ATTEMPTED.
//   - AUTHORIZED: captured (PROCESSED) or cancelled.
//   - PROCESSED and PARTIALLY_REFUNDED: refunded in part or in full.
var lifecycle = map[pinelabs.OrderStatus][]pinelabs.OrderStatus{
	pinelabs.OrderStatusCREATED:           {pinelabs.OrderStatusPENDING, pinelabs.OrderStatusFAILED},
	pinelabs.OrderStatusPENDING:           {pinelabs.OrderStatusAUTHORIZED, pinelabs.OrderStatusPROCESSED, pinelabs.OrderStatusFAILED, pinelabs.OrderStatusATTEMPTED},
	pinelabs.OrderStatusATTEMPTED:         {pinelabs.OrderStatusATTEMPTED, pinelabs.OrderStatusAUTHORIZED, pinelabs.OrderStatusPROCESSED, pinelabs.OrderStatusFAILED},
	pinelabs.OrderStatusAUTHORIZED:        {pinelabs.OrderStatusPROCESSED, pinelabs.OrderStatusCANCELLED},
	pinelabs.OrderStatusPROCESSED:         {pinelabs.OrderStatusPARTIALLYREFUNDED, pinelabs.OrderStatusFULLYREFUNDED},
	pinelabs.OrderStatusPARTIALLYREFUNDED: {pinelabs.OrderStatusPARTIALLYREFUNDED, pinelabs.OrderStatusFULLYREFUNDED},
	pinelabs.OrderStatusCANCELLED:         nil,
	pinelabs.OrderStatusFAILED:            nil,
	pinelabs.OrderStatusFULLYREFUNDED:     nil,
}

// firstStatus is the status an order must have when an operation reports
// it for the first time, where the spec says: createOrder answers "the
// created order, in status CREATED". Other first sightings (a refund,
// which createRefund reports as an order of its own, or an order looked
// up by reference) may be in any status.
var firstStatus = map[string]pinelabs.OrderStatus{
	"createOrder": pinelabs.OrderStatusCREATED,
}

// Transition reports a status change of one order, seen by operation op,
// that the lifecycle does not allow. from is "" when op is the first to
// report the order; only firstStatus judges that. A change from or to a
// status the lifecycle does not know is not judged here: Response reports
// an unknown status as an unknown-enum finding, and one deviation is
// reported once.
func (c *Checker) Transition(op, orderID, from, to string) []Finding {
	_, toKnown := lifecycle[pinelabs.OrderStatus(to)]
	if from == to || !toKnown {
		return nil
	}
	var says string
	if from == "" {
		first, ok := firstStatus[op]
		if !ok || pinelabs.OrderStatus(to) == first {
			return nil
		}
		says = "a new order is " + string(first)
		from = "(new)"
	} else {
		next, fromKnown := lifecycle[pinelabs.OrderStatus(from)]
		if !fromKnown || slices.Contains(next, pinelabs.OrderStatus(to)) {
			return nil
		}
		says = "final status: no change"
		if len(next) > 0 {
			names := make([]string, len(next))
			for i, s := range next {
				names[i] = string(s)
			}
			says = "from " + from + " only to " + strings.Join(names, ", ")
		}
	}
	return []Finding{{
		Kind:      KindTransition,
		Operation: op,
		Spec:      says,
		Server:    from + " → " + to,
		Excerpt:   "order " + redact.Text(orderID) + ": " + from + " → " + to,
	}}
}

// excerpt is raw masked as redact.JSONBody masks it, every run of digits
// long enough to be a card number masked too (JSONBody leaves those that
// fail the Luhn check in JSON, and a cut could leave part of one), then
// cut to at most max bytes.
func excerpt(raw []byte, max int) string {
	s := redact.Text(string(redact.JSONBody(raw)))
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
