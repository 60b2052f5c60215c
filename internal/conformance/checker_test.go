package conformance

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pinegen/pinelabs/pkg/signature"
)

// testChecker loads the spec once for the whole test binary.
var testChecker = sync.OnceValues(NewChecker)

func checker(t *testing.T) *Checker {
	t.Helper()
	c, err := testChecker()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const testPAN = "4012001037141112" // a Luhn-valid test card number

// order is a getOrder body that conforms to the spec: a processed card
// payment and a points payment.
func order() map[string]any {
	return map[string]any{
		"data": map[string]any{
			"order_id":                  "v1-4405071524-aa-qlAtAf",
			"merchant_order_reference":  "112345",
			"type":                      "CHARGE",
			"status":                    "PROCESSED",
			"merchant_id":               "104359",
			"order_amount":              map[string]any{"value": 1100, "currency": "INR"},
			"pre_auth":                  false,
			"allowed_payment_methods":   []any{"CARD", "POINTS"},
			"integration_mode":          "SEAMLESS",
			"payment_retries_remaining": 9,
			"purchase_details": map[string]any{
				"merchant_metadata": map[string]any{"key1": "DD"},
			},
			"payments": []any{
				map[string]any{
					"id":             "v1-240902072711-aa-KAw3iP-cc-g",
					"status":         "PROCESSED",
					"payment_method": "CARD",
					"payment_amount": map[string]any{"value": 1000, "currency": "INR"},
					"payment_option": map[string]any{
						"card_data": map[string]any{"card_type": "CREDIT", "network_name": "VISA", "last4_digit": "1112"},
					},
					"acquirer_data": map[string]any{"approval_code": "030376", "rrn": "419335023601"},
				},
				map[string]any{
					"id":             "v1-240902072711-aa-KAw3iP-cc-h",
					"status":         "PROCESSED",
					"payment_method": "POINTS",
					"payment_amount": map[string]any{"value": 100, "currency": "INR"},
					"payment_option": map[string]any{
						"points_card_details": map[string]any{"card_number": "XXXX-1112", "card_last4": "1112"},
					},
				},
			},
			"created_at": "2024-07-15T05:44:51.174Z",
			"updated_at": "2024-07-15T05:44:51.174Z",
		},
	}
}

func getOrder(t *testing.T, status int, body []byte) []Finding {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/pay/v1/orders/v1-4405071524-aa-qlAtAf", nil)
	return checker(t).Response(req, status, http.Header{"Content-Type": {"application/json"}}, body)
}

func encodeBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func data(m map[string]any) map[string]any { return m["data"].(map[string]any) }

func payment(m map[string]any, i int) map[string]any {
	return data(m)["payments"].([]any)[i].(map[string]any)
}

func TestResponse(t *testing.T) {
	t.Parallel()
	type want struct {
		kind Kind
		path string
	}
	tests := []struct {
		name   string
		status int
		change func(m map[string]any)
		raw    string // the body, instead of order() changed by change
		want   []want
	}{
		{name: "conforming order", change: func(map[string]any) {}},
		{name: "lenient retries as a number is not a finding", change: func(m map[string]any) {
			data(m)["payment_retries_remaining"] = json.Number("0")
		}},
		{
			name:   "unknown field",
			change: func(m map[string]any) { data(m)["foo"] = "bar" },
			want:   []want{{KindUnknownField, "data.foo"}},
		},
		{
			name:   "unknown field deep in an array",
			change: func(m map[string]any) { payment(m, 1)["wallet"] = map[string]any{"x": 1} },
			want:   []want{{KindUnknownField, "data.payments[1].wallet"}},
		},
		{
			name:   "unknown order status",
			change: func(m map[string]any) { data(m)["status"] = "REVERSED" },
			want:   []want{{KindUnknownEnum, "data.status"}},
		},
		{
			name:   "unknown payment status in an array",
			change: func(m map[string]any) { payment(m, 0)["status"] = "REVERSED" },
			want:   []want{{KindUnknownEnum, "data.payments[0].status"}},
		},
		{
			name:   "unknown allowed payment method",
			change: func(m map[string]any) { data(m)["allowed_payment_methods"] = []any{"CARD", "EMI_LATER"} },
			want:   []want{{KindUnknownEnum, "data.allowed_payment_methods[1]"}},
		},
		{
			// Amount is not lenient: kin-openapi reports the wrong type,
			// and the walk's string-number at the same path gives way.
			name:   "amount as a string is one schema finding",
			change: func(m map[string]any) { data(m)["order_amount"].(map[string]any)["value"] = "1100" },
			want:   []want{{KindSchema, "data.order_amount.value"}},
		},
		{
			name:   "lenient retries as a string",
			change: func(m map[string]any) { data(m)["payment_retries_remaining"] = "9" },
			want:   []want{{KindStringNumber, "data.payment_retries_remaining"}},
		},
		{
			name:   "lenient retries that are not digits is one schema finding",
			change: func(m map[string]any) { data(m)["payment_retries_remaining"] = "nine" },
			want:   []want{{KindSchema, "data.payment_retries_remaining"}},
		},
		{
			name:   "wrong type of an open enum is a schema finding, not an unknown value",
			change: func(m map[string]any) { data(m)["status"] = 7 },
			want:   []want{{KindSchema, "data.status"}},
		},
		{
			name:   "missing required property",
			change: func(m map[string]any) { delete(data(m)["order_amount"].(map[string]any), "currency") },
			want:   []want{{KindSchema, "data.order_amount.currency"}},
		},
		{
			name: "several kinds at once",
			change: func(m map[string]any) {
				data(m)["foo"] = 1
				data(m)["type"] = "PAYOUT"
				data(m)["payment_retries_remaining"] = "3"
			},
			want: []want{{KindUnknownField, "data.foo"}, {KindUnknownEnum, "data.type"}, {KindStringNumber, "data.payment_retries_remaining"}},
		},
		{
			name:   "documented error",
			status: http.StatusNotFound,
			raw:    `{"code":"ORDER_NOT_FOUND","message":"no such order"}`,
		},
		{
			name:   "error with an unknown code",
			status: http.StatusNotFound,
			raw:    `{"code":"NO_ORDER","message":"no such order"}`,
			want:   []want{{KindUnknownEnum, "code"}},
		},
		{
			name:   "undocumented success status",
			status: http.StatusCreated,
			want:   []want{{KindSchema, ""}},
		},
		{
			name: "body that is not JSON",
			raw:  `<html>oops</html>`,
			want: []want{{KindSchema, ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status := tt.status
			if status == 0 {
				status = http.StatusOK
			}
			body := []byte(tt.raw)
			if tt.raw == "" {
				m := order()
				if tt.change != nil {
					tt.change(m)
				}
				body = encodeBody(t, m)
			}
			got := getOrder(t, status, body)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), dump(got))
			}
			for i, w := range tt.want {
				if got[i].Kind != w.kind || got[i].Path != w.path {
					t.Errorf("finding %d is %s at %q, want %s at %q:\n%s", i, got[i].Kind, got[i].Path, w.kind, w.path, dump(got))
				}
				if got[i].Operation != "getOrder" {
					t.Errorf("finding %d: operation %q, want getOrder", i, got[i].Operation)
				}
			}
		})
	}
}

func dump(fs []Finding) string {
	b, _ := json.MarshalIndent(fs, "", "  ")
	return string(b)
}

func TestResponseTexts(t *testing.T) {
	t.Parallel()
	m := order()
	data(m)["status"] = "REVERSED"
	data(m)["payment_retries_remaining"] = "9"
	got := getOrder(t, http.StatusOK, encodeBody(t, m))
	if len(got) != 2 {
		t.Fatalf("got %d findings:\n%s", len(got), dump(got))
	}
	byPath := map[string]Finding{}
	for _, f := range got {
		byPath[f.Path] = f
	}
	enum := byPath["data.status"]
	if enum.Spec != "one of CREATED, PENDING, AUTHORIZED, PROCESSED, CANCELLED, ATTEMPTED, FAILED, FULLY_REFUNDED, PARTIALLY_REFUNDED (open enum)" {
		t.Errorf("unknown-enum spec = %q", enum.Spec)
	}
	if enum.Server != `"REVERSED"` {
		t.Errorf("unknown-enum server = %q", enum.Server)
	}
	if !strings.HasPrefix(enum.Excerpt, `{"status":"REVERSED",`) {
		t.Errorf("excerpt does not start with the value's key: %q", enum.Excerpt)
	}
	num := byPath["data.payment_retries_remaining"]
	if num.Kind != KindStringNumber || num.Spec != "integer (a digit string is accepted)" || num.Server != `"9"` {
		t.Errorf("string-number finding = %+v", num)
	}
}

func TestResponseMasksPaymentData(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-TOPSECRET"
	tests := []struct {
		name   string
		paths  []string
		change func(m map[string]any)
		hidden []string
	}{
		{
			name:   "card number in an unknown field",
			paths:  []string{"data.foo"},
			change: func(m map[string]any) { data(m)["foo"] = testPAN },
			hidden: []string{testPAN},
		},
		{
			name:   "card number as a number in an unknown field",
			paths:  []string{"data.pan"},
			change: func(m map[string]any) { data(m)["pan"] = json.Number(testPAN) },
			hidden: []string{testPAN},
		},
		{
			name: "card number in an unknown object next to the finding",
			paths: []string{
				"data.payments[0].payment_option.card_data.card_number",
				"data.payments[0].payment_option.card_data.cvv",
				"data.payments[0].payment_option.card_data.issuer_country",
			},
			change: func(m map[string]any) {
				cd := payment(m, 0)["payment_option"].(map[string]any)["card_data"].(map[string]any)
				cd["issuer_country"] = "IN"
				cd["card_number"] = testPAN
				cd["cvv"] = "123"
			},
			hidden: []string{testPAN, `"123"`},
		},
		{
			// x-pinegen-sensitive: masked whatever the value looks like.
			name:  "sensitive field with an unknown sibling",
			paths: []string{"data.payments[1].payment_option.points_card_details.pin"},
			change: func(m map[string]any) {
				pc := payment(m, 1)["payment_option"].(map[string]any)["points_card_details"].(map[string]any)
				pc["card_number"] = secret
				pc["pin"] = "x"
			},
			hidden: []string{secret},
		},
		{
			name:  "sensitive field of the wrong type",
			paths: []string{"data.payments[1].payment_option.points_card_details.card_number"},
			change: func(m map[string]any) {
				pc := payment(m, 1)["payment_option"].(map[string]any)["points_card_details"].(map[string]any)
				pc["card_number"] = json.Number(testPAN)
			},
			hidden: []string{testPAN},
		},
		{
			name:   "card number as the key of an unknown field",
			paths:  []string{`data["[redacted, 16 characters, ending 1112]"]`},
			change: func(m map[string]any) { data(m)[testPAN] = true },
			hidden: []string{testPAN},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := order()
			tt.change(m)
			got := getOrder(t, http.StatusOK, encodeBody(t, m))
			var paths []string
			for _, f := range got {
				paths = append(paths, f.Path)
			}
			if !slices.Equal(paths, tt.paths) {
				t.Fatalf("want findings at %q, got:\n%s", tt.paths, dump(got))
			}
			out := dump(got)
			for _, h := range tt.hidden {
				if strings.Contains(out, h) {
					t.Errorf("%q shows in the findings:\n%s", h, out)
				}
			}
		})
	}
}

func TestResponseMasksTokens(t *testing.T) {
	t.Parallel()
	const token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl"
	req := httptest.NewRequest(http.MethodPost, "/api/auth/v1/token", nil)
	body := `{"access_token":"` + token + `","expires_in":"3600","refresh":"x"}`
	got := checker(t).Response(req, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(body))
	if len(got) != 2 {
		t.Fatalf("want a schema finding (expires_in) and an unknown field, got:\n%s", dump(got))
	}
	if out := dump(got); strings.Contains(out, token) {
		t.Errorf("the access token shows in the findings:\n%s", out)
	}
}

func TestResponseUnknownRoute(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "/api/pay/v1/nothing", nil)
	got := checker(t).Response(req, http.StatusOK, nil, []byte(`{}`))
	if len(got) != 1 || got[0].Kind != KindSchema || got[0].Operation != "GET /api/pay/v1/nothing" {
		t.Fatalf("got:\n%s", dump(got))
	}
}

// The spec's own examples are what the API sends: none of them may be
// reported.
func TestResponseSpecExamples(t *testing.T) {
	t.Parallel()
	routes := map[string]string{
		"createOrder":   "POST /api/pay/v1/orders",
		"createPayment": "POST /api/pay/v1/orders/v1-1/payments",
	}
	for op, route := range routes {
		files, err := filepath.Glob(filepath.Join("..", "..", "spec", "examples", op, "response-200.*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no examples (%v)", op, err)
		}
		method, path, _ := strings.Cut(route, " ")
		for _, file := range files {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(method, path, nil)
			if got := checker(t).Response(req, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, body); len(got) > 0 {
				t.Errorf("%s: %s", file, dump(got))
			}
		}
	}
}

func TestCallback(t *testing.T) {
	t.Parallel()
	key, err := signature.ParseKey("9A7282D0556544C59AFE8EC92F5C85F6")
	if err != nil {
		t.Fatal(err)
	}
	other, err := signature.ParseKey("00112233445566778899AABBCCDDEEFF")
	if err != nil {
		t.Fatal(err)
	}
	signed := func(k signature.Key, v url.Values) url.Values {
		fs, err := signature.FieldsFromValues(v)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := k.Sign(fs)
		if err != nil {
			t.Fatal(err)
		}
		v.Set("signature", sig)
		return v
	}
	tests := []struct {
		name   string
		fields url.Values
		want   []Kind
	}{
		{name: "signed", fields: signed(key, url.Values{"order_id": {"v1-1"}, "status": {"PROCESSED"}})},
		{
			name:   "signed with another key",
			fields: signed(other, url.Values{"order_id": {"v1-1"}, "status": {"PROCESSED"}}),
			want:   []Kind{KindSignature},
		},
		{
			name:   "missing signature",
			fields: url.Values{"order_id": {"v1-1"}, "status": {"PROCESSED"}},
			want:   []Kind{KindSignature},
		},
		{
			name:   "malformed signature",
			fields: url.Values{"order_id": {"v1-1"}, "status": {"PROCESSED"}, "signature": {"zz"}},
			want:   []Kind{KindSignature},
		},
		{
			name:   "signed, status outside the callback's closed enum",
			fields: signed(key, url.Values{"order_id": {"v1-1"}, "status": {"REVERSED"}}),
			want:   []Kind{KindSchema},
		},
		{
			name:   "signed, without an order_id",
			fields: signed(key, url.Values{"status": {"PROCESSED"}}),
			want:   []Kind{KindSchema},
		},
		{
			name:   "card number in an error message",
			fields: signed(other, url.Values{"order_id": {"v1-1"}, "status": {"FAILED"}, "error_message": {"card " + testPAN + " declined"}, "pan": {testPAN}}),
			want:   []Kind{KindSignature},
		},
		{
			name:   "signed, without a status",
			fields: signed(key, url.Values{"order_id": {"v1-1"}}),
			want:   []Kind{KindSchema},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := checker(t).Callback(key, tt.fields)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %v:\n%s", len(got), tt.want, dump(got))
			}
			for i, k := range tt.want {
				if got[i].Kind != k || got[i].Operation != CallbackOperation {
					t.Errorf("finding %d: %s %s, want %s %s", i, got[i].Kind, got[i].Operation, k, CallbackOperation)
				}
			}
			if out := dump(got); strings.Contains(out, testPAN) {
				t.Errorf("the card number shows in the findings:\n%s", out)
			}
			if sig := tt.fields.Get("signature"); len(sig) == 64 {
				if out := dump(got); strings.Contains(out, sig) {
					t.Errorf("the signature shows in the findings:\n%s", out)
				}
			}
		})
	}
}

func TestTransition(t *testing.T) {
	t.Parallel()
	allowed := [][2]string{
		{"CREATED", "PENDING"}, {"CREATED", "FAILED"},
		{"PENDING", "AUTHORIZED"}, {"PENDING", "PROCESSED"}, {"PENDING", "FAILED"}, {"PENDING", "ATTEMPTED"},
		{"ATTEMPTED", "ATTEMPTED"}, {"ATTEMPTED", "AUTHORIZED"}, {"ATTEMPTED", "PROCESSED"}, {"ATTEMPTED", "FAILED"},
		{"AUTHORIZED", "PROCESSED"}, {"AUTHORIZED", "CANCELLED"},
		{"PROCESSED", "PARTIALLY_REFUNDED"}, {"PROCESSED", "FULLY_REFUNDED"},
		{"PARTIALLY_REFUNDED", "PARTIALLY_REFUNDED"}, {"PARTIALLY_REFUNDED", "FULLY_REFUNDED"},
		{"CANCELLED", "CANCELLED"}, {"FAILED", "FAILED"}, {"CREATED", "CREATED"},
		{"", "CREATED"},         // the first sighting
		{"", "PROCESSED"},       // first seen by getOrder: any status
		{"PENDING", "REVERSED"}, // an unknown status is an unknown-enum finding
	}
	c := checker(t)
	for _, tr := range allowed {
		if got := c.Transition("getOrder", "v1-1", tr[0], tr[1]); len(got) != 0 {
			t.Errorf("%s → %s: %s", tr[0], tr[1], dump(got))
		}
	}
	refused := [][2]string{
		{"PROCESSED", "CREATED"}, {"CREATED", "PROCESSED"}, {"FAILED", "PENDING"},
		{"CANCELLED", "PROCESSED"}, {"FULLY_REFUNDED", "PARTIALLY_REFUNDED"}, {"AUTHORIZED", "FAILED"},
	}
	for _, tr := range refused {
		got := c.Transition("getOrder", "v1-1", tr[0], tr[1])
		if len(got) != 1 || got[0].Kind != KindTransition || got[0].Operation != "getOrder" {
			t.Errorf("%s → %s: want one transition finding, got %s", tr[0], tr[1], dump(got))
		}
	}
	if got := c.Transition("createRefund", "v1-2", "", "PROCESSED"); len(got) != 0 {
		t.Errorf("a refund may start PROCESSED: %s", dump(got))
	}
	if got := c.Transition("createOrder", "v1-1", "", "CREATED"); len(got) != 0 {
		t.Errorf("createOrder's new order in CREATED: %s", dump(got))
	}
	if got := c.Transition("createOrder", "v1-1", "", "PENDING"); len(got) != 1 || got[0].Spec != "a new order is CREATED" {
		t.Errorf("createOrder's new order in PENDING: want one finding, got %s", dump(got))
	}
	got := c.Transition("getOrder", "v1-1", "PROCESSED", "CREATED")
	want := Finding{
		Kind: KindTransition, Operation: "getOrder",
		Spec:    "from PROCESSED only to PARTIALLY_REFUNDED, FULLY_REFUNDED",
		Server:  "PROCESSED → CREATED",
		Excerpt: "order v1-1: PROCESSED → CREATED",
	}
	if got[0] != want {
		t.Errorf("got %+v\nwant %+v", got[0], want)
	}
}

// A request as a client built it names a scheme and host; the route is
// found by its path all the same, and the caller's request is left alone.
func TestResponseClientRequest(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequest(http.MethodGet, "https://pluraluat.v2.pinepg.in/api/pay/v1/orders/v1-1?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := order()
	data(m)["foo"] = 1
	got := checker(t).Response(req, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, encodeBody(t, m))
	if len(got) != 1 || got[0].Operation != "getOrder" || got[0].Path != "data.foo" {
		t.Fatalf("got:\n%s", dump(got))
	}
	if req.URL.Host != "pluraluat.v2.pinepg.in" {
		t.Errorf("Response changed the caller's request: %s", req.URL)
	}
}

// longDigits is what redact.Text masks: a run of digits as long as the
// shortest card number.
var longDigits = regexp.MustCompile(`[0-9]{12,}`)

// Whatever the server sends, Response neither panics nor repeats a run of
// digits that could be a card number.
func FuzzResponse(f *testing.F) {
	m := order()
	data(m)["foo"] = testPAN
	data(m)["a"+testPAN] = json.Number(testPAN)
	seed, _ := json.Marshal(m)
	f.Add(seed, 200)
	f.Add([]byte(`{"data":{"payment_retries_remaining":"4012001037141112","status":4012001037141112}}`), 200)
	f.Add([]byte(`<html>4012001037141112</html>`), 500)
	f.Add([]byte(`{"code":"X","message":"card 4012001037141112 declined"}`), 422)
	c, err := testChecker()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 100 || status > 599 {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/api/pay/v1/orders/v1-1", nil)
		for _, fd := range c.Response(req, status, http.Header{"Content-Type": {"application/json"}}, body) {
			for _, s := range []string{fd.Operation, fd.Path, fd.Spec, fd.Server, fd.Excerpt} {
				if longDigits.MatchString(s) {
					t.Fatalf("a long digit run shows in %+v", fd)
				}
			}
		}
	})
}
