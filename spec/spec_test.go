package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/optypes"
	"github.com/pinegen/pinelabs/pkg/validation"
	"github.com/pinegen/pinelabs/spec"
)

// operation ties an operationId to the generated Go types of its JSON request
// body and its 200 response body. A nil request means the call takes no body.
// operations pairs each operationId with its generated request and response
// types; the table itself lives in internal/optypes, shared with gen's tests.
var operations = optypes.Operations

// callbackSchema names the component that describes the redirect to callback_url.
const callbackSchema = "PaymentCallback"

func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return doc
}

// operationsByID indexes the spec's operations, top-level ones only.
func operationsByID(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops[op.OperationID] = op
		}
	}
	return ops
}

func TestSpecIsValidOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", doc.OpenAPI)
	}
	// Examples validation checks every `example:` in the spec against its schema.
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("spec does not validate: %v", err)
	}
	if len(doc.Servers) != 2 {
		t.Errorf("servers = %d, want UAT and production", len(doc.Servers))
	}
	if bearer := doc.Components.SecuritySchemes["bearerAuth"]; bearer == nil || bearer.Value.BearerFormat == "" {
		t.Error("the bearer security scheme must say its bearerFormat")
	}
}

func TestSpecCoversEveryOperation(t *testing.T) {
	doc := loadSpec(t)
	ops := operationsByID(doc)
	for id := range operations {
		if ops[id] == nil {
			t.Errorf("operation %s missing from the spec", id)
		}
	}
	for id, op := range ops {
		if _, ok := operations[id]; !ok {
			t.Errorf("operation %s has no entry in this test's table", id)
		}
		if strings.TrimSpace(op.Summary) == "" || strings.TrimSpace(op.Description) == "" {
			t.Errorf("operation %s needs a summary and a description", id)
		}
		names := map[string]bool{}
		for _, p := range op.Parameters {
			names[p.Value.Name] = p.Value.Required
		}
		if !names["Request-ID"] || !names["Request-Timestamp"] {
			t.Errorf("operation %s must require the Request-ID and Request-Timestamp headers", id)
		}
		bearer := op.Security == nil // nil: the document-wide bearer requirement applies
		if id == "generateToken" && bearer {
			t.Errorf("generateToken must not require a bearer token")
		}
		if id != "generateToken" && !bearer {
			t.Errorf("operation %s must use the bearer security", id)
		}
		for code, resp := range op.Responses.Map() {
			if code[0] == '2' {
				continue
			}
			ref := resp.Value.Content.Get("application/json").Schema.Ref
			if !strings.HasSuffix(ref, "/ErrorResponse") {
				t.Errorf("%s %s: error body is %q, want ErrorResponse", id, code, ref)
			}
		}
		// Any status the spec does not list still has the error shape, and
		// every call may be rate limited.
		for _, code := range []string{"default", "429"} {
			if op.Responses.Value(code) == nil {
				t.Errorf("operation %s documents no %s response", id, code)
			}
		}
		// A 401 from the token call means the credentials are wrong, not
		// that a token expired: it must not share the generic 401.
		if unauthorized := op.Responses.Value("401"); unauthorized != nil {
			want := "#/components/responses/Unauthorized"
			if id == "generateToken" {
				want = "#/components/responses/InvalidClientCredentials"
			}
			if unauthorized.Ref != want {
				t.Errorf("operation %s: 401 is %q, want %s", id, unauthorized.Ref, want)
			}
		}
	}
}

// TestGoTypesMatchSpec guards the table above: the Go type of each body is the
// one oapi-codegen generated from the schema the spec names for it (names
// compared without case: Go spells initialisms such as BNPL in capitals).
func TestGoTypesMatchSpec(t *testing.T) {
	ops := operationsByID(loadSpec(t))
	for id, want := range operations {
		op := ops[id]
		if op == nil {
			continue
		}
		if want.Request != nil {
			ref := op.RequestBody.Value.Content.Get("application/json").Schema.Ref
			if got := refName(ref); !strings.EqualFold(got, want.Request.Name()) {
				t.Errorf("%s request schema %s, table says %s", id, got, want.Request.Name())
			}
		} else if op.RequestBody != nil {
			t.Errorf("%s has a request body but the table says none", id)
		}
		ref := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Ref
		if got := refName(ref); !strings.EqualFold(got, want.Response.Name()) {
			t.Errorf("%s response schema %s, table says %s", id, got, want.Response.Name())
		}
	}
}

func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

// example is one sample body under examples/.
type example struct {
	path      string // relative to examples/
	operation string
	kind      string // request, response or callback
	status    int
}

func (e example) String() string { return e.path }

// loadExamples lists examples/<operationId>/<kind>[-<status>].<slug>.json.
func loadExamples(t *testing.T) []example {
	t.Helper()
	var out []example
	err := filepath.WalkDir("examples", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "invalid" {
			return fs.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".json" {
			return nil
		}
		rel, _ := filepath.Rel("examples", path)
		dir, file := filepath.Split(rel)
		ex := example{path: rel, operation: filepath.Clean(dir)}
		kind, _, ok := strings.Cut(file, ".")
		if !ok {
			return fmt.Errorf("%s: name must be <kind>.<slug>.json", rel)
		}
		switch {
		case kind == "request" || kind == "callback":
			ex.kind = kind
		case strings.HasPrefix(kind, "response-"):
			ex.kind = "response"
			ex.status, err = strconv.Atoi(strings.TrimPrefix(kind, "response-"))
			if err != nil {
				return fmt.Errorf("%s: bad status in name", rel)
			}
		default:
			return fmt.Errorf("%s: unknown kind %q", rel, kind)
		}
		out = append(out, ex)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func readJSON(t *testing.T, path string) (raw []byte, value any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	return raw, value
}

// schemaFor returns the spec's schema for an example, and the Go type it decodes into.
func schemaFor(t *testing.T, doc *openapi3.T, ex example) (*openapi3.Schema, reflect.Type) {
	t.Helper()
	if ex.kind == "callback" {
		return doc.Components.Schemas[callbackSchema].Value, reflect.TypeFor[pinelabs.PaymentCallback]()
	}
	op := operationsByID(doc)[ex.operation]
	if op == nil {
		t.Fatalf("%s: no operation %q in the spec", ex, ex.operation)
	}
	if ex.kind == "request" {
		if op.RequestBody == nil {
			t.Fatalf("%s: %s takes no body", ex, ex.operation)
		}
		return op.RequestBody.Value.Content.Get("application/json").Schema.Value, operations[ex.operation].Request
	}
	resp := op.Responses.Status(ex.status)
	if resp == nil {
		t.Fatalf("%s: %s has no %d response", ex, ex.operation, ex.status)
	}
	typ := operations[ex.operation].Response
	if ex.status != 200 {
		typ = reflect.TypeFor[pinelabs.ErrorResponse]()
	}
	return resp.Value.Content.Get("application/json").Schema.Value, typ
}

func TestExamplesMatchSchema(t *testing.T) {
	doc := loadSpec(t)
	examples := loadExamples(t)
	if len(examples) == 0 {
		t.Fatal("no examples found")
	}
	for _, ex := range examples {
		t.Run(ex.path, func(t *testing.T) {
			schema, _ := schemaFor(t, doc, ex)
			_, value := readJSON(t, filepath.Join("examples", ex.path))
			visit := openapi3.VisitAsRequest()
			if ex.kind == "response" {
				visit = openapi3.VisitAsResponse()
			}
			if err := schema.VisitJSON(value, visit, openapi3.MultiErrors()); err != nil {
				t.Errorf("does not match the spec:\n%v", err)
			}
		})
	}
}

// TestExamplesRoundTrip decodes each example into its generated Go type,
// refusing fields the type lacks, and checks re-encoding gives the same JSON.
func TestExamplesRoundTrip(t *testing.T) {
	doc := loadSpec(t)
	for _, ex := range loadExamples(t) {
		t.Run(ex.path, func(t *testing.T) {
			_, typ := schemaFor(t, doc, ex)
			raw, want := readJSON(t, filepath.Join("examples", ex.path))
			v := reflect.New(typ)
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v.Interface()); err != nil {
				t.Fatalf("decode into %s: %v", typ, err)
			}
			out, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			var got any
			dec = json.NewDecoder(bytes.NewReader(out))
			dec.UseNumber()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			// Only paths are printed: samples hold (test) card numbers.
			if diff := diffPaths("", got, want); len(diff) > 0 {
				t.Errorf("%s re-encodes differently at %v", typ, diff)
			}
		})
	}
}

// diffPaths lists the JSON paths where got and want differ. An empty array
// counts as absent: the generated types hold slices without a pointer, where
// nil already means absent, so `[]` re-encodes as no field at all.
func diffPaths(at string, got, want any) []string {
	if isEmptyArray(want) && got == nil {
		return nil
	}
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		var out []string
		keys := map[string]bool{}
		for k := range gm {
			keys[k] = true
		}
		for k := range wm {
			keys[k] = true
		}
		for k := range keys {
			out = append(out, diffPaths(at+"/"+k, gm[k], wm[k])...)
		}
		sort.Strings(out)
		return out
	}
	ga, gok := got.([]any)
	wa, wok := want.([]any)
	if gok && wok && len(ga) == len(wa) {
		var out []string
		for i := range ga {
			out = append(out, diffPaths(at+"/"+strconv.Itoa(i), ga[i], wa[i])...)
		}
		return out
	}
	if reflect.DeepEqual(got, want) {
		return nil
	}
	return []string{at}
}

func isEmptyArray(v any) bool {
	a, ok := v.([]any)
	return ok && len(a) == 0
}

func TestEveryOperationHasExamples(t *testing.T) {
	have := map[string]map[string]bool{}
	for _, ex := range loadExamples(t) {
		if have[ex.operation] == nil {
			have[ex.operation] = map[string]bool{}
		}
		have[ex.operation][ex.kind] = true
	}
	for id, op := range operations {
		if !have[id]["response"] && id != "getOrder" && id != "getOrderByReference" { // the docs show no get-order sample
			t.Errorf("%s has no response example", id)
		}
		if op.Request != nil && !have[id]["request"] {
			t.Errorf("%s has no request example", id)
		}
	}
	if !have["paymentCallback"]["callback"] {
		t.Error("no callback example")
	}
}

// invalidCase is one entry of examples/invalid/cases.json: a payload that
// breaks exactly one rule, and where kin-openapi must report it. A rule named
// after an x-pinegen extension is one kin-openapi cannot see: the payload
// must pass kin-openapi and fail the generated Validate at that field.
type invalidCase struct {
	File      string `json:"file"`
	Operation string `json:"operation"`
	Pointer   string `json:"pointer"`
	Rule      string `json:"rule"`
}

// xRuleFailures maps each x-pinegen rule a case may name to the failure the
// generated Validate reports for it.
var xRuleFailures = map[string]validation.Rule{
	"x-pinegen-required-when":  validation.RequiredWhen,
	"x-pinegen-variants":       validation.Variant,
	"x-pinegen-exactly-one-of": validation.ExactlyOneOf,
	"x-pinegen-unique-by":      validation.UniqueBy,
	"x-pinegen-together":       validation.Together,
}

// validationPath turns a JSON pointer into the path validation.Error uses:
// /payments/0/device_info is payments[0].device_info, and / the root.
func validationPath(pointer string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		switch _, err := strconv.Atoi(seg); {
		case seg == "":
		case err == nil:
			b.WriteString("[" + seg + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
		}
	}
	return b.String()
}

func TestInvalidPayloadsAreRejected(t *testing.T) {
	doc := loadSpec(t)
	raw, err := os.ReadFile("examples/invalid/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []invalidCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 25 {
		t.Errorf("%d invalid cases, want at least 25", len(cases))
	}
	files, _ := filepath.Glob("examples/invalid/*/*.json")
	if len(files) != len(cases) {
		t.Errorf("%d invalid payload files but %d cases: every file needs a case", len(files), len(cases))
	}
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			kind := "request"
			if c.Operation == "paymentCallback" {
				kind = "callback"
			}
			schema, typ := schemaFor(t, doc, example{path: c.File, operation: c.Operation, kind: kind})
			raw, value := readJSON(t, filepath.Join("examples/invalid", c.File))
			err := schema.VisitJSON(value, openapi3.VisitAsRequest(), openapi3.MultiErrors())
			if want, ok := xRuleFailures[c.Rule]; ok {
				if err != nil {
					t.Fatalf("kin-openapi rejects it, so it breaks more than %s (which kin-openapi cannot see):\n%v", c.Rule, err)
				}
				v, ok := reflect.New(typ).Interface().(interface{ Validate() error })
				if !ok {
					t.Fatalf("%s has no Validate method", typ)
				}
				if err := json.Unmarshal(raw, v); err != nil {
					t.Fatal(err)
				}
				var ve *validation.Error
				if err := v.Validate(); !errors.As(err, &ve) || !ve.Has(validationPath(c.Pointer), want) {
					t.Errorf("Validate: %v, want %s at %s", err, want, validationPath(c.Pointer))
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, but it breaks %s at %s", c.Rule, c.Pointer)
			}
			var found []string
			for _, se := range schemaErrors(err) {
				p := "/" + strings.Join(se.JSONPointer(), "/")
				if p == c.Pointer && (c.Rule == "" || se.SchemaField == c.Rule) {
					return
				}
				found = append(found, p+" ("+se.SchemaField+")")
			}
			t.Errorf("rejected, but not for %s at %s; errors at %v", c.Rule, c.Pointer, found)
		})
	}
}

func schemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		for _, e := range multi {
			out = append(out, schemaErrors(e)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		out = append(out, se)
	}
	return out
}

// lenientOrder holds what the API may send that no sample shows: an unknown
// field, unknown enum values, a string where a count was documented, the
// table's bnpl_details and the reference's spelling of address_type.
const lenientOrder = `{"data":{"order_id":"v1-1","status":"ON_HOLD","type":"TOP_UP","integration_mode":"SDK",
	"brand_new_field":{"x":1},"payment_retries_remaining":"7","allowed_payment_methods":["CARD","PAY_BY_FACE"],
	"purchase_details":{"customer":{"billing_address":{"address_type":"Work"},"shipping_address":{"adddress_type":"Home"}}},
	"payments":[
		{"id":"p1","status":"REVERSED","payment_method":"PAY_BY_FACE","payment_option":{"upi_data":{}}},
		{"id":"p2","payment_method":"Netbanking","payment_option":{"card_data":{"card_type":"CHARGE_CARD","token_txn_type":"WALLET_TOKEN"}}},
		{"id":"p3","payment_method":"BNPL","payment_option":{"bnpl_details":{"mobile":"9315829629","bnpl_pay_code":"ZESTMONEY"}}}]}}`

// TestResponsesDecodeLeniently: the API adds fields and enum values without
// notice, so the generated response types must decode them without failing,
// keep the values, and say which ones are not documented.
func TestResponsesDecodeLeniently(t *testing.T) {
	var resp pinelabs.OrderResponse
	if err := json.Unmarshal([]byte(lenientOrder), &resp); err != nil {
		t.Fatalf("lenient decode failed: %v", err)
	}
	o := resp.Data
	if got := *o.Status; got != "ON_HOLD" || got.Valid() {
		t.Errorf("status = %q (valid %v), want the unknown value kept and reported not valid", got, got.Valid())
	}
	if *o.Type != "TOP_UP" || *o.IntegrationMode != "SDK" || o.AllowedPaymentMethods[1] != "PAY_BY_FACE" {
		t.Errorf("order enums not kept: %v %v %v", *o.Type, *o.IntegrationMode, o.AllowedPaymentMethods)
	}
	if o.PaymentRetriesRemaining == nil || *o.PaymentRetriesRemaining != 7 {
		t.Errorf("payment_retries_remaining %q decoded to %v, want 7", "7", o.PaymentRetriesRemaining)
	}
	c := o.PurchaseDetails.Customer
	if got := c.BillingAddress.AddressTypeAlt; got == nil || *got != "Work" {
		t.Errorf("address_type (two d's) decoded to %v, want Work in AddressTypeAlt", got)
	}
	if got := c.ShippingAddress.AddressType; got == nil || *got != "Home" {
		t.Errorf("adddress_type (three d's) decoded to %v, want Home in AddressType", got)
	}
	p := o.Payments
	if *p[0].Status != "REVERSED" || *p[0].PaymentMethod != "PAY_BY_FACE" || p[0].PaymentMethod.Valid() {
		t.Errorf("payment enums not kept: %+v", p[0])
	}
	if !strings.EqualFold(string(*p[1].PaymentMethod), string(pinelabs.PaymentMethodNETBANKING)) {
		t.Errorf("Netbanking decoded to %q", *p[1].PaymentMethod)
	}
	if cd := p[1].PaymentOption.CardData; *cd.CardType != "CHARGE_CARD" || *cd.TokenTxnType != "WALLET_TOKEN" {
		t.Errorf("card data enums not kept: %+v", cd)
	}
	if b := p[2].PaymentOption.BNPLDetails; b == nil || *b.BNPLPayCode != "ZESTMONEY" || *b.Mobile != "9315829629" {
		t.Errorf("bnpl_details decoded to %+v, want the provider and mobile", b)
	}

	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"payment_retries_remaining":7`)) {
		t.Errorf("payment_retries_remaining re-encoded as %s, want the number 7", out)
	}
}

// TestResponseSchemasAreOpen makes the leniency claim of info.description
// true of the schema, not only of the Go types: the response above, with
// its unknown values, is valid, and so is a count sent either way.
func TestResponseSchemasAreOpen(t *testing.T) {
	doc := loadSpec(t)
	schema := operationsByID(doc)["getOrder"].Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	check := func(name, body string, wantValid bool) {
		t.Run(name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatal(err)
			}
			err := schema.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors())
			if wantValid && err != nil {
				t.Errorf("rejected:\n%v", err)
			}
			if !wantValid && err == nil {
				t.Error("accepted")
			}
		})
	}
	check("unknown fields and values", lenientOrder, true)
	check("retries as a number", `{"data":{"payment_retries_remaining":9}}`, true)
	check("retries as a string of digits", `{"data":{"payment_retries_remaining":"9"}}`, true)
	check("retries as words", `{"data":{"payment_retries_remaining":"nine"}}`, false)
	check("retries as a fraction", `{"data":{"payment_retries_remaining":9.5}}`, false)

	var resp pinelabs.OrderResponse
	err := json.Unmarshal([]byte(`{"data":{"payment_retries_remaining":"nine"}}`), &resp)
	if err == nil || !strings.Contains(err.Error(), `"nine"`) {
		t.Errorf("decoding a count of \"nine\": %v, want an error naming the value", err)
	}
}

// reachableFrom collects the schemas reachable from roots through $ref,
// properties, items, map values and oneOf/anyOf/allOf.
func reachableFrom(roots []*openapi3.SchemaRef) map[*openapi3.Schema]bool {
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		for _, group := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
			for _, sub := range group {
				walk(sub)
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return seen
}

// sides splits the spec's body schemas into what is sent (request bodies,
// and the signed callback, which the sandbox sends and merchants check
// strictly) and what is read (every response body).
func sides(doc *openapi3.T) (sent, read []*openapi3.SchemaRef) {
	for _, op := range operationsByID(doc) {
		if op.RequestBody != nil {
			sent = append(sent, op.RequestBody.Value.Content.Get("application/json").Schema)
		}
		for _, resp := range op.Responses.Map() {
			if mt := resp.Value.Content.Get("application/json"); mt != nil {
				read = append(read, mt.Schema)
			}
		}
	}
	sent = append(sent, doc.Components.Schemas[callbackSchema])
	return sent, read
}

func extensibleEnum(s *openapi3.Schema) ([]string, bool) {
	raw, ok := s.Extensions["x-extensible-enum"]
	if !ok {
		return nil, false
	}
	list, _ := raw.([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out, true
}

// TestEnumsClosedInRequestsOpenInResponses: what pinegen sends is checked
// against closed enums; a property only responses carry is open (no enum)
// and lists its known values in x-extensible-enum, which must include every
// constant of the Go enum type it names with x-go-type.
func TestEnumsClosedInRequestsOpenInResponses(t *testing.T) {
	doc := loadSpec(t)
	sentRoots, readRoots := sides(doc)
	sent, read := reachableFrom(sentRoots), reachableFrom(readRoots)
	names := map[*openapi3.Schema]string{}
	walkSchemas(doc, func(where string, s *openapi3.Schema, _ bool) { names[s] = where })
	for s, where := range names {
		known, open := extensibleEnum(s)
		if open && sent[s] {
			t.Errorf("%s: x-extensible-enum on a schema requests use; requests keep a closed enum", where)
		}
		if open && len(s.Enum) > 0 {
			t.Errorf("%s: both enum and x-extensible-enum; an open schema has no enum", where)
		}
		if len(s.Enum) > 0 && read[s] && !sent[s] {
			t.Errorf("%s: enum on a schema only responses use; make it open with x-extensible-enum", where)
		}
		if !open {
			continue
		}
		if goType, ok := s.Extensions["x-go-type"].(string); ok {
			target := componentForGoType(doc, goType)
			if target == nil || len(target.Value.Enum) == 0 {
				t.Errorf("%s: x-go-type %s names no enum component", where, goType)
				continue
			}
			for _, v := range target.Value.Enum {
				if !slices.Contains(known, fmt.Sprint(v)) {
					t.Errorf("%s: x-extensible-enum lacks %v, a constant of %s", where, v, goType)
				}
			}
		}
	}
}

// TestEveryComponentIsUsed stands in for Redocly's no-unused-components
// (turned off in redocly.yaml): a component must be named by a $ref or, for
// the closed enums that give open response properties their Go constants,
// by an x-go-type, which Redocly does not follow.
func TestEveryComponentIsUsed(t *testing.T) {
	var root any
	if err := yaml.Unmarshal(spec.YAML, &root); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					used[strings.ToLower(s)] = true
				}
				if s, ok := x.(string); ok && k == "x-go-type" { // Go may spell initialisms in capitals
					used[strings.ToLower("#/components/schemas/"+s)] = true
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(root)
	components := root.(map[string]any)["components"].(map[string]any)
	for _, kind := range []string{"schemas", "parameters", "responses"} {
		group, _ := components[kind].(map[string]any)
		for _, name := range sortedNames(group) {
			if ref := "#/components/" + kind + "/" + name; !used[strings.ToLower(ref)] {
				t.Errorf("%s is never used", ref)
			}
		}
	}
}

// schemaWalker visits every schema the document writes out: component
// schemas, and inside them every property, array item and map value,
// inline objects included. A $ref is visited once, at its component.
type schemaWalker struct {
	seen map[*openapi3.Schema]bool
	// visit is called for every schema written in place (not a $ref), with
	// where it is and whether it is a property of an object.
	visit func(where string, s *openapi3.Schema, property bool)
}

func (w *schemaWalker) component(name string, ref *openapi3.SchemaRef) {
	w.walk("#/components/schemas/"+name, &openapi3.SchemaRef{Value: ref.Value}, false)
}

func (w *schemaWalker) walk(where string, ref *openapi3.SchemaRef, property bool) {
	if ref == nil || ref.Value == nil || ref.Ref != "" {
		return // a component: visited under its own name
	}
	s := ref.Value
	if w.seen[s] {
		return
	}
	w.seen[s] = true
	w.visit(where, s, property)
	for _, name := range sortedNames(s.Properties) {
		w.walk(where+"/properties/"+name, s.Properties[name], true)
	}
	w.walk(where+"/items", s.Items, false)
	w.walk(where+"/additionalProperties", s.AdditionalProperties.Schema, false)
	for i, sub := range s.OneOf {
		w.walk(where+"/oneOf/"+strconv.Itoa(i), sub, false)
	}
	for i, sub := range s.AnyOf {
		w.walk(where+"/anyOf/"+strconv.Itoa(i), sub, false)
	}
}

func walkSchemas(doc *openapi3.T, visit func(where string, s *openapi3.Schema, property bool)) {
	w := &schemaWalker{seen: map[*openapi3.Schema]bool{}, visit: visit}
	for _, name := range sortedNames(doc.Components.Schemas) {
		w.component(name, doc.Components.Schemas[name])
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestEverythingIsDescribed: descriptions become the Go doc comments of the
// generated types and fields, so every component schema, every property
// written in place (a $ref property shows its component's description) and
// every parameter must have one.
func TestEverythingIsDescribed(t *testing.T) {
	doc := loadSpec(t)
	var missing []string
	walkSchemas(doc, func(where string, s *openapi3.Schema, property bool) {
		component := !strings.Contains(strings.TrimPrefix(where, "#/components/schemas/"), "/")
		if (component || property) && strings.TrimSpace(s.Description) == "" {
			missing = append(missing, where)
		}
	})
	params := map[string]*openapi3.ParameterRef{}
	for name, p := range doc.Components.Parameters {
		params["#/components/parameters/"+name] = p
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for i, p := range op.Parameters {
				if p.Ref == "" {
					params[fmt.Sprintf("%s %s parameter %d", method, path, i)] = p
				}
			}
		}
	}
	for _, where := range sortedNames(params) {
		if strings.TrimSpace(params[where].Value.Description) == "" {
			missing = append(missing, where)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d schemas, properties or parameters have no description:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

// constraintBlock renders the rules a schema written in place imposes, or ""
// when it imposes too little to be worth naming: nothing beyond its type, or
// one bare bound such as minLength: 1 ("not empty") or a lone maxLength.
// Everything else (a pattern, a string format, an enum or its open
// x-extensible-enum list, an x-go-type, two bounds) is a rule that belongs in
// one component that every property using it references.
func constraintBlock(s *openapi3.Schema) string {
	var parts []string
	bounds := 0
	add := func(k string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", k, v)) }
	bound := func(k string, v any) { bounds++; add(k, v) }
	if s.Type != nil {
		add("type", strings.Join(s.Type.Slice(), ","))
	}
	switch s.Format {
	case "", "int32", "int64", "float", "double": // Go widths, not rules
	default:
		add("format", s.Format)
	}
	if s.Pattern != "" {
		add("pattern", s.Pattern)
	}
	if len(s.Enum) > 0 {
		add("enum", s.Enum)
	}
	if v, ok := s.Extensions["x-extensible-enum"]; ok {
		add("x-extensible-enum", v)
	}
	if v, ok := s.Extensions["x-go-type"]; ok {
		add("x-go-type", v)
	}
	if s.MinLength > 0 {
		bound("minLength", s.MinLength)
	}
	if s.MaxLength != nil {
		bound("maxLength", *s.MaxLength)
	}
	if s.Min != nil {
		bound("minimum", *s.Min)
	}
	if s.Max != nil {
		bound("maximum", *s.Max)
	}
	if s.MinItems > 0 {
		bound("minItems", s.MinItems)
	}
	if s.MaxItems != nil {
		bound("maxItems", *s.MaxItems)
	}
	if s.MinProps > 0 {
		bound("minProperties", s.MinProps)
	}
	if s.MaxProps != nil {
		bound("maxProperties", *s.MaxProps)
	}
	typed := 0
	if s.Type != nil {
		typed = 1
	}
	if len(parts)-typed == 0 || (len(parts)-typed == 1 && bounds == 1) {
		return ""
	}
	return strings.Join(parts, " ")
}

// TestNoConstraintBlockWrittenTwice: a rule (the card number's digits and
// length, the expiry patterns, the timestamp format, a customer's name
// limits) is written once, in a component, so it cannot drift between the
// places that use it. Two components may hold equal limits (an e-mail
// address and a name are both 1 to 50 characters): they are separate rules
// that happen to agree today.
func TestNoConstraintBlockWrittenTwice(t *testing.T) {
	doc := loadSpec(t)
	where := map[string][]string{}
	walkSchemas(doc, func(at string, s *openapi3.Schema, property bool) {
		if !property {
			return
		}
		if block := constraintBlock(s); block != "" {
			where[block] = append(where[block], at)
		}
	})
	for _, block := range sortedNames(where) {
		if places := where[block]; len(places) > 1 {
			t.Errorf("the same rules (%s) are written at\n  %s\nmove them to one component and $ref it", block, strings.Join(places, "\n  "))
		}
	}
}

// componentForGoType finds the component oapi-codegen names goType; the two
// differ only where Go spells an initialism in capitals (BNPLPayCode).
func componentForGoType(doc *openapi3.T, goType string) *openapi3.SchemaRef {
	for name, ref := range doc.Components.Schemas {
		if strings.EqualFold(name, goType) {
			return ref
		}
	}
	return nil
}
