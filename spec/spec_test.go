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
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/spec"
)

// operation ties an operationId to the generated Go types of its JSON request
// body and its 200 response body. A nil request means the call takes no body.
type operation struct {
	request  reflect.Type
	response reflect.Type
}

var operations = map[string]operation{
	"generateToken":        {reflect.TypeFor[pinelabs.TokenRequest](), reflect.TypeFor[pinelabs.TokenResponse]()},
	"checkPointBalance":    {reflect.TypeFor[pinelabs.PointBalanceRequest](), reflect.TypeFor[pinelabs.PointBalanceResponse]()},
	"createOrder":          {reflect.TypeFor[pinelabs.CreateOrderRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"getOrder":             {nil, reflect.TypeFor[pinelabs.OrderResponse]()},
	"createPayment":        {reflect.TypeFor[pinelabs.CreatePaymentRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"captureOrder":         {reflect.TypeFor[pinelabs.CaptureRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"cancelOrder":          {nil, reflect.TypeFor[pinelabs.OrderResponse]()},
	"checkBnplEligibility": {reflect.TypeFor[pinelabs.BnplEligibilityRequest](), reflect.TypeFor[pinelabs.BnplEligibilityResponse]()},
	"createCustomer":       {reflect.TypeFor[pinelabs.CreateCustomerRequest](), reflect.TypeFor[pinelabs.Customer]()},
}

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
	}
}

// TestGoTypesMatchSpec guards the table above: the Go type of each body is the
// one oapi-codegen generated from the schema the spec names for it.
func TestGoTypesMatchSpec(t *testing.T) {
	ops := operationsByID(loadSpec(t))
	for id, want := range operations {
		op := ops[id]
		if op == nil {
			continue
		}
		if want.request != nil {
			ref := op.RequestBody.Value.Content.Get("application/json").Schema.Ref
			if got := refName(ref); got != want.request.Name() {
				t.Errorf("%s request schema %s, table says %s", id, got, want.request.Name())
			}
		} else if op.RequestBody != nil {
			t.Errorf("%s has a request body but the table says none", id)
		}
		ref := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Ref
		if got := refName(ref); got != want.response.Name() {
			t.Errorf("%s response schema %s, table says %s", id, got, want.response.Name())
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
		return op.RequestBody.Value.Content.Get("application/json").Schema.Value, operations[ex.operation].request
	}
	resp := op.Responses.Status(ex.status)
	if resp == nil {
		t.Fatalf("%s: %s has no %d response", ex, ex.operation, ex.status)
	}
	typ := operations[ex.operation].response
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
		if !have[id]["response"] && id != "getOrder" { // the docs show no get-order sample
			t.Errorf("%s has no response example", id)
		}
		if op.request != nil && !have[id]["request"] {
			t.Errorf("%s has no request example", id)
		}
	}
	if !have["paymentCallback"]["callback"] {
		t.Error("no callback example")
	}
}

// invalidCase is one entry of examples/invalid/cases.json: a payload that
// breaks exactly one rule, and where kin-openapi must report it.
type invalidCase struct {
	File      string `json:"file"`
	Operation string `json:"operation"`
	Pointer   string `json:"pointer"`
	Rule      string `json:"rule"`
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
			schema, _ := schemaFor(t, doc, example{path: c.File, operation: c.Operation, kind: kind})
			_, value := readJSON(t, filepath.Join("examples/invalid", c.File))
			err := schema.VisitJSON(value, openapi3.VisitAsRequest(), openapi3.MultiErrors())
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

// TestResponsesDecodeLeniently: the API adds fields and enum values without
// notice, so the generated response types must decode them without failing.
func TestResponsesDecodeLeniently(t *testing.T) {
	body := []byte(`{"data":{"order_id":"v1-1","status":"ON_HOLD","brand_new_field":{"x":1},
		"payments":[{"id":"p1","status":"REVERSED","payment_method":"PAY_BY_FACE","payment_option":{"upi_data":{}}}]}}`)
	var resp pinelabs.OrderResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("lenient decode failed: %v", err)
	}
	if got := *resp.Data.Status; got != "ON_HOLD" || got.Valid() {
		t.Errorf("status = %q (valid %v), want the unknown value kept and reported not valid", got, got.Valid())
	}
	p := resp.Data.Payments[0]
	if *p.Status != "REVERSED" || *p.PaymentMethod != "PAY_BY_FACE" {
		t.Errorf("payment enums not kept: %+v", p)
	}
}
