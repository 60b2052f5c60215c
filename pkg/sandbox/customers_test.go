package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

const customersPath = "/api/v1/customer"

// newCustomer creates a customer by hand with the reference ref and the
// mobile 9876543210 (country code 91).
func (e *env) newCustomer(tok, ref string) *pinelabs.Customer {
	e.t.Helper()
	status, c, body := call[pinelabs.Customer](e, "POST", customersPath, tok, map[string]any{
		"merchant_customer_reference": ref, "first_name": "Kavita", "last_name": "Rao",
		"country_code": "91", "mobile_number": "9876543210", "email_id": "kavita@example.com",
		"merchant_metadata": map[string]string{"tier": "gold"},
	})
	if status != http.StatusOK {
		e.t.Fatalf("createCustomer: %d %v", status, body)
	}
	return c
}

func findPath(cc, mobile, ref string) string {
	q := url.Values{"country_code": {cc}, "mobile_number": {mobile}, "merchant_customer_reference": {ref}}
	return customersPath + "?" + q.Encode()
}

func TestCustomerGetFindUpdate(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	c := e.newCustomer(tok, "cust-ref-1")
	id := *c.CustomerID

	status, got, body := call[pinelabs.Customer](e, "GET", customersPath+"/"+id, tok, nil)
	if status != http.StatusOK || *got.CustomerID != id || *got.FirstName != "Kavita" || *got.Status != pinelabs.CustomerStatusINACTIVE {
		t.Fatalf("getCustomer: %d %v", status, body)
	}
	status, got, body = call[pinelabs.Customer](e, "GET", findPath("91", "9876543210", "cust-ref-1"), tok, nil)
	if status != http.StatusOK || *got.CustomerID != id {
		t.Fatalf("findCustomer: %d %v", status, body)
	}

	// Only the fields sent change; updated_at moves, created_at does not.
	status, up, body := call[pinelabs.Customer](e, "PATCH", customersPath+"/"+id, tok, map[string]any{
		"last_name": "Iyer", "country_code": "44", "mobile_number": "7700900123", "gstin": "",
	})
	if status != http.StatusOK {
		t.Fatalf("updateCustomer: %d %v", status, body)
	}
	if *up.LastName != "Iyer" || *up.MobileNumber != "7700900123" || *up.CountryCode != "44" || deref(up.GSTIN) != "" || up.GSTIN == nil {
		t.Errorf("the fields sent did not change: %v", body)
	}
	if *up.FirstName != "Kavita" || *up.EmailID != "kavita@example.com" || up.MerchantMetadata["tier"] != "gold" ||
		*up.MerchantCustomerReference != "cust-ref-1" || *up.Status != pinelabs.CustomerStatusINACTIVE {
		t.Errorf("a field not sent changed: %v", body)
	}
	if *up.CreatedAt != *c.CreatedAt || *up.UpdatedAt <= *c.UpdatedAt {
		t.Errorf("created_at %s → %s, updated_at %s → %s; want created_at kept and updated_at later", *c.CreatedAt, *up.CreatedAt, *c.UpdatedAt, *up.UpdatedAt)
	}
	// A second update right away moves updated_at again.
	_, up2, _ := call[pinelabs.Customer](e, "PATCH", customersPath+"/"+id, tok, map[string]any{"first_name": "Kavi"})
	if up2 == nil || *up2.UpdatedAt <= *up.UpdatedAt || *up2.LastName != "Iyer" {
		t.Errorf("second update: %+v", up2)
	}
	// getCustomer and findCustomer see the update; the old mobile finds
	// nothing.
	if _, got, _ := call[pinelabs.Customer](e, "GET", customersPath+"/"+id, tok, nil); got == nil || *got.FirstName != "Kavi" || *got.LastName != "Iyer" {
		t.Errorf("getCustomer after the updates: %+v", got)
	}
	if status, _, _ := call[pinelabs.Customer](e, "GET", findPath("44", "7700900123", "cust-ref-1"), tok, nil); status != http.StatusOK {
		t.Errorf("findCustomer by the new mobile: %d", status)
	}

	// A customer created with a mobile and no country code is found with 91.
	status, c2, _ := call[pinelabs.Customer](e, "POST", customersPath, tok, map[string]any{"merchant_customer_reference": "cust-ref-2", "mobile_number": "9123456780"})
	if status != http.StatusOK || c2.CountryCode != nil {
		t.Fatalf("createCustomer without country_code: %d %+v", status, c2)
	}
	if status, got, body := call[pinelabs.Customer](e, "GET", findPath("91", "9123456780", "cust-ref-2"), tok, nil); status != http.StatusOK || *got.CustomerID != *c2.CustomerID {
		t.Errorf("findCustomer with the default country code: %d %v", status, body)
	}

	e.wantChecked("getCustomer 200", "findCustomer 200", "updateCustomer 200")
}

func TestCustomerRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	id := *e.newCustomer(tok, "cust-refused").CustomerID
	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		status       int
		code, says   string
	}{
		{"get an unknown customer", "GET", customersPath + "/cust-v1-nobody", nil, 404, "CUSTOMER_NOT_FOUND", "cust-v1-nobody"},
		{"find with the wrong mobile", "GET", findPath("91", "9000000001", "cust-refused"), nil, 404, "CUSTOMER_NOT_FOUND", "9000000001"},
		{"find with the wrong country code", "GET", findPath("44", "9876543210", "cust-refused"), nil, 404, "CUSTOMER_NOT_FOUND", "44"},
		{"find with an unknown reference", "GET", findPath("91", "9876543210", "nobody"), nil, 404, "CUSTOMER_NOT_FOUND", "nobody"},
		{"find without mobile_number", "GET", customersPath + "?country_code=91&merchant_customer_reference=cust-refused", nil, 400, "INVALID_REQUEST", "mobile_number"},
		{"find without merchant_customer_reference", "GET", customersPath + "?country_code=91&mobile_number=9876543210", nil, 400, "INVALID_REQUEST", "merchant_customer_reference"},
		{"find without country_code", "GET", customersPath + "?mobile_number=9876543210&merchant_customer_reference=cust-refused", nil, 400, "INVALID_REQUEST", "country_code"},
		{"update an unknown customer", "PATCH", customersPath + "/cust-v1-nobody", map[string]any{"first_name": "A"}, 404, "CUSTOMER_NOT_FOUND", "cust-v1-nobody"},
		{"update a mobile without its country code", "PATCH", customersPath + "/" + id, map[string]any{"mobile_number": "9876543211"}, 400, "INVALID_REQUEST", "country_code"},
		{"update a country code without its mobile", "PATCH", customersPath + "/" + id, map[string]any{"country_code": "44"}, 400, "INVALID_REQUEST", "mobile_number"},
		{"update nothing", "PATCH", customersPath + "/" + id, map[string]any{}, 400, "INVALID_REQUEST", ""},
		{"update with a bad field", "PATCH", customersPath + "/" + id, map[string]any{"email_id": strings.Repeat("e", 51)}, 400, "INVALID_REQUEST", "email_id"},
		{"update with no body", "PATCH", customersPath + "/" + id, "", 400, "INVALID_REQUEST", ""},
		{"create with a used reference", "POST", customersPath, map[string]any{"merchant_customer_reference": "cust-refused"}, 422, "DUPLICATE_REQUEST", "merchant_customer_reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.raw(tc.method, tc.path, tok, tc.body)
			refused(t, tc.name, status, body, tc.status, tc.code, tc.says)
		})
	}
	// A refused update changed nothing.
	if _, c, _ := call[pinelabs.Customer](e, "GET", customersPath+"/"+id, tok, nil); c == nil || *c.MobileNumber != "9876543210" || *c.CountryCode != "91" || *c.UpdatedAt != *c.CreatedAt {
		t.Errorf("the customer after refused updates: %+v", c)
	}
	e.wantChecked("getCustomer 404", "findCustomer 400", "findCustomer 404", "updateCustomer 400", "updateCustomer 404", "createCustomer 422")
}

// An order's purchase_details.customer is linked to a customer the
// sandbox knows, or creates one, as the docs describe.
func TestOrderLinksItsCustomer(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	known := e.newCustomer(tok, "known-ref")
	str := func(s string) *string { return &s }

	for _, tc := range []struct {
		name     string
		customer *pinelabs.OrderCustomer
		// want: "known" for the known customer, "new" for a customer
		// created by the order, else the customer_id the order keeps,
		// with no customer behind it.
		want string
	}{
		{"known customer_id", &pinelabs.OrderCustomer{CustomerID: known.CustomerID, FirstName: str("Someone")}, "known"},
		{"known merchant_customer_reference", &pinelabs.OrderCustomer{MerchantCustomerReference: str("known-ref")}, "known"},
		{"unknown customer_id and a known reference", &pinelabs.OrderCustomer{CustomerID: str("123456"), MerchantCustomerReference: str("known-ref")}, "known"},
		{"new reference", &pinelabs.OrderCustomer{MerchantCustomerReference: str("new-ref"), FirstName: str("Arjun"), EmailID: str("arjun@example.com")}, "new"},
		{"mobile only", &pinelabs.OrderCustomer{MobileNumber: str("9811122233")}, "new"},
		{"the docs' unknown customer_id with a mobile", &pinelabs.OrderCustomer{CustomerID: str("123456"), MobileNumber: str("9876543210"), CountryCode: str("91")}, "new"},
		{"unknown customer_id alone", &pinelabs.OrderCustomer{CustomerID: str("123456"), EmailID: str("x@example.com")}, "123456"},
		{"e-mail only", &pinelabs.OrderCustomer{EmailID: str("y@example.com")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := e.customerOrder(1000, false, tc.customer)
			got := o.PurchaseDetails.Customer
			gotID := deref(got.CustomerID)
			// GET answers the same.
			if again := e.get(*o.OrderID).PurchaseDetails.Customer; deref(again.CustomerID) != gotID {
				t.Errorf("GET says customer_id %q, create said %q", deref(again.CustomerID), gotID)
			}
			status, c := http.StatusNotFound, (*pinelabs.Customer)(nil)
			if gotID != "" {
				status, c, _ = call[pinelabs.Customer](e, "GET", customersPath+"/"+url.PathEscape(gotID), tok, nil)
			}
			switch tc.want {
			case "known":
				if gotID != *known.CustomerID {
					t.Errorf("customer_id %q, want the known %s", gotID, *known.CustomerID)
				}
			case "new":
				if status != http.StatusOK || gotID == *known.CustomerID || !strings.HasPrefix(gotID, "cust-v1-") {
					t.Fatalf("customer_id %q (%d): want a new customer", gotID, status)
				}
				if deref(c.MerchantCustomerReference) != deref(tc.customer.MerchantCustomerReference) || deref(c.MobileNumber) != deref(tc.customer.MobileNumber) ||
					deref(c.FirstName) != deref(tc.customer.FirstName) || *c.Status != pinelabs.CustomerStatusINACTIVE {
					t.Errorf("the new customer %+v is not made from the order's details %+v", c, tc.customer)
				}
				if tc.customer.MobileNumber != nil && deref(c.CountryCode) != "91" {
					t.Errorf("the new customer's country_code is %q, want 91", deref(c.CountryCode))
				}
			default:
				if gotID != tc.want || status != http.StatusNotFound {
					t.Errorf("customer_id %q (GET %d), want %q kept, with no customer", gotID, status, tc.want)
				}
			}
			// The order keeps the rest of the customer as sent.
			if deref(got.EmailID) != deref(tc.customer.EmailID) || deref(got.FirstName) != deref(tc.customer.FirstName) {
				t.Errorf("the order's customer %+v lost details of %+v", got, tc.customer)
			}
		})
	}

	// The customer an order made is found by its reference, which a
	// customer created by hand may then not take.
	status, c, body := call[pinelabs.Customer](e, "GET", findPath("91", "9876543210", "known-ref"), tok, nil)
	if status != http.StatusOK || *c.CustomerID != *known.CustomerID {
		t.Errorf("findCustomer: %d %v", status, body)
	}
	status, body = e.raw("POST", customersPath, tok, map[string]any{"merchant_customer_reference": "new-ref"})
	refused(t, "createCustomer with the reference an order's customer took", status, body, 422, "DUPLICATE_REQUEST", "new-ref")

	// The order's history says what became of its customer.
	var notes []string
	e.sb.Store().View(context.Background(), func(tx sandbox.Tx) error {
		os, err := tx.Orders(-1)
		for _, o := range os {
			for _, ev := range o.Events {
				if ev.Kind == sandbox.EventNote {
					notes = append(notes, ev.What)
				}
			}
		}
		return err
	})
	for _, want := range []string{"created from the order's customer details", "whose merchant_customer_reference it gives", "customer_id 123456 is no customer of this sandbox"} {
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no order's history says %q: %q", want, notes)
		}
	}
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
