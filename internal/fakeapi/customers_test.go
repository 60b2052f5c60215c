package fakeapi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/fakeapi"
)

func TestCustomers(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{})
	ctx := context.Background()
	tok := token(t, s)
	do := func(method, path, body string) (int, string) {
		t.Helper()
		resp, b, err := call(t, ctx, s, method, path, tok, body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	const create = `{"first_name":"Kevin","last_name":"Bob","mobile_number":"9876543210","merchant_customer_reference":"cust-ref-1"}`
	code, b := do("POST", "/api/v1/customer", create)
	if code != 200 || !strings.Contains(b, `"status":"INACTIVE"`) {
		t.Fatalf("create: %d %s", code, b)
	}
	if code, b := do("POST", "/api/v1/customer", create); code != 422 || !strings.Contains(b, "DUPLICATE_REQUEST") {
		t.Errorf("create with a reference used before: %d %s", code, b)
	}
	id := b[strings.Index(b, `"customer_id":"`)+len(`"customer_id":"`):]
	id = id[:strings.IndexByte(id, '"')]
	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		contains                 string
	}{
		{"get", "GET", "/api/v1/customer/" + id, "", 200, `"first_name":"Kevin"`},
		{"get unknown", "GET", "/api/v1/customer/cust-none", "", 404, "CUSTOMER_NOT_FOUND"},
		// Created without a country code: the API's default, 91, finds it.
		{"find", "GET", "/api/v1/customer?country_code=91&mobile_number=9876543210&merchant_customer_reference=cust-ref-1", "", 200, `"customer_id":"` + id + `"`},
		{"find, another country", "GET", "/api/v1/customer?country_code=44&mobile_number=9876543210&merchant_customer_reference=cust-ref-1", "", 404, "CUSTOMER_NOT_FOUND"},
		{"find without a key", "GET", "/api/v1/customer?country_code=91&mobile_number=9876543210", "", 400, "INVALID_REQUEST"},
		{"update", "PATCH", "/api/v1/customer/" + id, `{"last_name":"Smith"}`, 200, `"last_name":"Smith"`},
		{"update keeps the rest", "GET", "/api/v1/customer/" + id, "", 200, `"first_name":"Kevin"`},
		{"update unknown", "PATCH", "/api/v1/customer/cust-none", `{"last_name":"Smith"}`, 404, "CUSTOMER_NOT_FOUND"},
	} {
		if code, b := do(tc.method, tc.path, tc.body); code != tc.code || !strings.Contains(b, tc.contains) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, code, b, tc.code, tc.contains)
		}
	}
	if got := s.Counts(); got.Customers != 1 || got.CustomerUpdates != 1 {
		t.Errorf("counts %+v", got)
	}
	if c, ok := s.Customer(id); !ok || *c.LastName != "Smith" {
		t.Errorf("stored %+v", c)
	}
}

func TestCustomerTokens(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{LookupLag: 1})
	ctx := context.Background()
	tok := token(t, s)
	do := func(method, path, body string) (int, []byte) {
		t.Helper()
		resp, b, err := call(t, ctx, s, method, path, tok, body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	ref := "visa"
	visa := s.PutCustomerToken("cust-1", pinelabs.CustomerToken{MerchantTokenReference: &ref})
	other := s.PutCustomerToken("cust-1", pinelabs.CustomerToken{})
	base := "/api/v1/customer/cust-1/tokens/"

	if code, b := do("GET", "/api/v1/customer/cust-1/tokens", ""); code != 200 || !bytes.Contains(b, []byte(`"total_tokens":2`)) ||
		bytes.Index(b, []byte(visa)) > bytes.Index(b, []byte(other)) {
		t.Errorf("list: %d %s", code, b)
	}
	if code, _ := do("GET", "/api/v1/customer/cust-none/tokens", ""); code != 404 {
		t.Errorf("list for an unknown customer: %d", code)
	}
	if code, b := do("GET", base+visa, ""); code != 200 || !bytes.Contains(b, []byte(`"status":"ACTIVE"`)) || !bytes.Contains(b, []byte(`"merchant_token_reference":"visa"`)) {
		t.Errorf("get: %d %s", code, b)
	}
	if code, b := do("GET", base+"token-none", ""); code != 404 || !bytes.Contains(b, []byte("TOKEN_NOT_FOUND")) {
		t.Errorf("get unknown: %d %s", code, b)
	}
	if code, b := do("POST", base+visa+"/delete", `{}`); code != 400 {
		t.Errorf("delete without a reference: %d %s", code, b)
	}
	if code, b := do("POST", base+visa+"/delete", `{"merchant_unique_reference":"del-1"}`); code != 200 || !bytes.Contains(b, []byte(`"status":"DELETED"`)) || !bytes.Contains(b, []byte(`"merchant_unique_reference":"del-1"`)) {
		t.Fatalf("delete: %d %s", code, b)
	}
	// One lagging read sees it as it was; then the truth.
	if _, b := do("GET", base+visa, ""); !bytes.Contains(b, []byte(`"status":"ACTIVE"`)) {
		t.Errorf("lagging read: %s", b)
	}
	if _, b := do("GET", base+visa, ""); !bytes.Contains(b, []byte(`"status":"DELETED"`)) {
		t.Errorf("read after the lag: %s", b)
	}
	for _, tc := range []struct{ body, errCode string }{
		{`{"merchant_unique_reference":"del-1"}`, "DUPLICATE_REQUEST"},
		{`{"merchant_unique_reference":"del-2"}`, "OPERATION_NOT_ALLOWED"},
	} {
		if code, b := do("POST", base+visa+"/delete", tc.body); code != 422 || !bytes.Contains(b, []byte(tc.errCode)) {
			t.Errorf("delete again with %s: %d %s, want 422 %s", tc.body, code, b, tc.errCode)
		}
	}
	if code, _ := do("POST", base+"token-none/delete", `{"merchant_unique_reference":"del-3"}`); code != 404 {
		t.Errorf("delete of an unknown token: %d", code)
	}
	if got := s.Counts(); got.TokenDeletions != 1 {
		t.Errorf("counts %+v, want one deletion", got)
	}
	if tk, _ := s.CustomerToken("cust-1", visa); *tk.Status != pinelabs.TokenStatusDELETED {
		t.Errorf("stored %+v", tk)
	}
}
