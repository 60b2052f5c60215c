package pinelabs_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/validation"
)

// TestXRules covers the x-pinegen rules, which kin-openapi cannot check, on
// JSON bodies as a merchant would send them.
func TestXRules(t *testing.T) {
	const card = `{"card_details":{"card_number":"4012001037141112","cvv":"123","expiry_month":"12","expiry_year":"2030"}}`
	const points = `{"points_card_details":{"card_number":"4012001037141112","card_last4":"1112","registered_mobile_number":"9876543210"}}`
	const device = `,"device_info":{"operating_system":"Linux","source_ip_address":"10.11.19.2","browser_ip_address":"203.0.113.42","browser_user_agent":"Chrome","device_model":"Samsung S21 Ultra","device_manufacturer":"Samsung"}`
	pay := func(method, option, extra string) string {
		return `{"payment_method":"` + method + `","payment_amount":{"value":100,"currency":"INR"},"payment_option":` + option + extra + `}`
	}
	bnpl := func(code string) string {
		return `{"bnpl_details":{"mobile":"9315829629","bnpl_pay_code":"` + code + `"}}`
	}
	token := func(fields string) string {
		return `{"card_token_details":{"token_txn_type":"NETWORK_TOKEN"` + fields + `}}`
	}
	payments := func(items ...string) string { return `{"payments":[` + strings.Join(items, ",") + `]}` }
	eligibility := func(code, extra string) string {
		return `{"mobile":"9876542032","pay_code":"` + code + `","amount":{"value":3400,"currency":"INR"}` + extra + `}`
	}

	cases := []struct {
		name string
		op   string
		body string
		path string // "" when the body is valid
		rule validation.Rule
	}{
		{"LAZYPAY needs no device", "createPayment", payments(pay("BNPL", bnpl("LAZYPAY"), "")), "", ""},
		{"SIMPL needs device_info", "createPayment", payments(pay("BNPL", bnpl("SIMPL"), "")), "payments[0].device_info", validation.RequiredWhen},
		{"SIMPL3 needs device_info", "createPayment", payments(pay("BNPL", bnpl("SIMPL3"), "")), "payments[0].device_info", validation.RequiredWhen},
		{"SIMPL with device_info", "createPayment", payments(pay("BNPL", bnpl("SIMPL"), device)), "", ""},
		{"eligibility SIMPL3 needs device_info", "checkBnplEligibility", eligibility("SIMPL3", ""), "device_info", validation.RequiredWhen},
		{"eligibility SIMPL3 with device_info", "checkBnplEligibility", eligibility("SIMPL3", device), "", ""},
		{"eligibility LAZYPAY", "checkBnplEligibility", eligibility("LAZYPAY", ""), "", ""},

		{"CARD with card details", "createPayment", payments(pay("CARD", card, "")), "", ""},
		{"CARD with a saved token", "createPayment", payments(pay("CARD", token(`,"token_id":"token-v1-1"`), "")), "", ""},
		{"CARD with points details", "createPayment", payments(pay("CARD", points, "")), "payments[0].payment_option", validation.Variant},
		{"POINTS with card details", "createPayment", payments(pay("POINTS", card, "")), "payments[0].payment_option", validation.Variant},
		{"BNPL with card details", "createPayment", payments(pay("BNPL", card, "")), "payments[0].payment_option", validation.Variant},
		{"CARD with card and token", "createPayment", payments(pay("CARD", `{"card_details":{"card_number":"4012001037141112","cvv":"123","expiry_month":"12","expiry_year":"2030"},"card_token_details":{"token_id":"t","token_txn_type":"NETWORK_TOKEN"}}`, "")), "payments[0].payment_option", validation.Variant},
		{"split, second leg wrong", "createPayment", payments(pay("CARD", card, ""), pay("POINTS", bnpl("LAZYPAY"), "")), "payments[1].payment_option", validation.Variant},
		// A missing holder is missing, not also a broken variant.
		{"CARD without payment_option", "createPayment", `{"payments":[{"payment_method":"CARD","payment_amount":{"value":100,"currency":"INR"}}]}`, "payments[0].payment_option", validation.Required},
		{"CARD with an empty payment_option", "createPayment", payments(pay("CARD", `{}`, "")), "payments[0].payment_option", validation.Required},

		{"token with token_id and token", "createPayment", payments(pay("CARD", token(`,"token_id":"t","token":"4122980000000008"`), "")), "payments[0].payment_option.card_token_details", validation.ExactlyOneOf},
		{"token with neither", "createPayment", payments(pay("CARD", token(``), "")), "payments[0].payment_option.card_token_details", validation.ExactlyOneOf},

		{"unique references", "createPayment", payments(
			strings.Replace(pay("CARD", card, ""), `{`, `{"merchant_payment_reference":"a",`, 1),
			strings.Replace(pay("POINTS", points, ""), `{`, `{"merchant_payment_reference":"b",`, 1)), "", ""},
		{"repeated reference", "createPayment", payments(
			strings.Replace(pay("CARD", card, ""), `{`, `{"merchant_payment_reference":"a",`, 1),
			strings.Replace(pay("POINTS", points, ""), `{`, `{"merchant_payment_reference":"a",`, 1)), "payments[1].merchant_payment_reference", validation.UniqueBy},
		{"references left out twice", "createPayment", payments(pay("CARD", card, ""), pay("POINTS", points, "")), "", ""},

		{"mobile number with its country code", "updateCustomer", `{"country_code":"91","mobile_number":"9876543210"}`, "", ""},
		{"neither mobile number nor country code", "updateCustomer", `{"first_name":"Kevin"}`, "", ""},
		{"mobile number alone", "updateCustomer", `{"mobile_number":"9876543210"}`, "country_code", validation.Together},
		{"country code alone", "updateCustomer", `{"country_code":"91","email_id":"kevin.bob@example.com"}`, "mobile_number", validation.Together},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := requestTypes[c.op]()
			if err := json.Unmarshal([]byte(c.body), v); err != nil {
				t.Fatal(err)
			}
			err := v.Validate()
			if c.path == "" {
				if err != nil {
					t.Fatalf("valid body rejected: %v", err)
				}
				return
			}
			var ve *validation.Error
			if !errors.As(err, &ve) || !ve.Has(c.path, c.rule) {
				t.Fatalf("want %s at %s, got %v", c.rule, c.path, err)
			}
			if len(ve.Fields) != 1 {
				t.Errorf("want exactly one failure, got %v", err)
			}
		})
	}
}

// TestValidationError checks what a caller sees: one error listing every
// field by JSON path, reachable with errors.As, readable in a log line, with
// card data masked.
func TestValidationError(t *testing.T) {
	body := `{"payments":[
		{"payment_method":"CARD","payment_amount":{"value":1372,"currency":"INR"},
		 "payment_option":{"card_details":{"card_number":"40120010371411129","cvv":"12","expiry_month":"13","expiry_year":"2030"}}},
		{"payment_method":"POINTS","payment_amount":{"value":99,"currency":"INR"},
		 "payment_option":{"points_card_details":{"card_number":"4012001037141112","card_last4":"1112","registered_mobile_number":"98765"}}}]}`
	var req pinelabs.CreatePaymentRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	err := req.Validate()
	var ve *validation.Error
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *validation.Error", err)
	}
	want := []struct {
		path  string
		rule  validation.Rule
		limit string
		got   string
	}{
		{"payments[0].payment_option.card_details.cvv", validation.MinLength, "3", "2 characters"},
		{"payments[0].payment_option.card_details.expiry_month", validation.Pattern, "^(0[1-9]|1[0-2])$", `"13"`},
		{"payments[1].payment_amount.value", validation.Minimum, "100", "99"},
		{"payments[1].payment_option.points_card_details.registered_mobile_number", validation.MinLength, "9", "5 characters"},
	}
	if len(ve.Fields) != len(want) {
		t.Fatalf("got %d failures, want %d: %v", len(ve.Fields), len(want), err)
	}
	for i, w := range want {
		f := ve.Fields[i]
		if f.Path != w.path || f.Rule != w.rule || f.Limit != w.limit || f.Got != w.got {
			t.Errorf("failure %d = %+v, want %+v", i, f, w)
		}
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid CreatePaymentRequest: payments[0].payment_option.card_details.cvv: minLength 3, got 2 characters; ") {
		t.Errorf("message reads %q", msg)
	}
	if strings.Contains(msg, "\n") {
		t.Error("message spans lines")
	}

	// A card number or CVV that breaks a pattern is described, never repeated.
	req.Payments[0].PaymentOption.CardDetails.CardNumber = "4012 0010 3714 1112"
	req.Payments[0].PaymentOption.CardDetails.CVV = "1a3"
	msg = req.Validate().Error()
	for _, secret := range []string{"4012 0010", "0010 3714", "1a3"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error repeats sensitive data: %q", msg)
		}
	}
	if !strings.Contains(msg, "card_number: pattern ^[0-9]+$, got [redacted, 19 characters, ending 1112]") {
		t.Errorf("card number failure not described: %q", msg)
	}
}

func TestDocsSamplesValidate(t *testing.T) {
	for _, s := range requestSamples(t) {
		v := requestTypes[s.operation]()
		if err := json.Unmarshal(s.body, v); err != nil {
			t.Fatal(err)
		}
		if err := v.Validate(); err != nil {
			t.Errorf("%s/%s: %v", s.operation, s.file, err)
		}
	}
}

func TestValidAllocatesNothing(t *testing.T) {
	for _, s := range requestSamples(t) {
		v := requestTypes[s.operation]()
		if err := json.Unmarshal(s.body, v); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = v.Validate() }); n != 0 {
			t.Errorf("%s/%s: Validate of a valid value allocated %v times", s.operation, s.file, n)
		}
	}
}

// FuzzValidate decodes arbitrary JSON into every request type: Validate must
// never panic, and must say the same thing twice.
func FuzzValidate(f *testing.F) {
	for _, s := range requestSamples(f) {
		f.Add(s.body)
	}
	f.Add([]byte(`{"payments":[{},{"payment_option":{"bnpl_details":{"bnpl_pay_code":"SIMPL"}}}]}`))
	f.Add([]byte(`{"purchase_details":{"merchant_metadata":{"a":"b","c":"d"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newV := range requestTypes {
			v := newV()
			if json.Unmarshal(body, v) != nil {
				continue
			}
			first, second := v.Validate(), v.Validate()
			if (first == nil) != (second == nil) || (first != nil && first.Error() != second.Error()) {
				t.Fatalf("Validate is not deterministic: %v vs %v", first, second)
			}
		}
	})
}

// TestNestedTypesValidate: every type reachable from a request validates on
// its own, with paths relative to itself.
func TestNestedTypesValidate(t *testing.T) {
	pincode := "515"
	cases := []struct {
		v    validator
		path string
		rule validation.Rule
	}{
		{&pinelabs.Amount{Value: 99, Currency: "INR"}, "value", validation.Minimum},
		{&pinelabs.Address{Pincode: &pincode}, "pincode", validation.MinLength},
		{pinelabs.MerchantMetadata{"a": strings.Repeat("x", 257)}, `["a"]`, validation.MaxLength},
		{&pinelabs.PaymentOption{}, "", validation.MinProperties},
	}
	for _, c := range cases {
		var ve *validation.Error
		if err := c.v.Validate(); !errors.As(err, &ve) || !ve.Has(c.path, c.rule) {
			t.Errorf("%T: got %v, want %s at %q", c.v, err, c.rule, c.path)
		}
	}
}

// TestValidationErrorHidesCardNumbers: a card number typed into a field that
// is not marked sensitive, or used as a metadata key, is not repeated by the
// error; and a huge key does not make a huge path.
func TestValidationErrorHidesCardNumbers(t *testing.T) {
	const card = "4012001037141112" // the sandbox's Visa test card; passes Luhn
	notes := "pay with " + card
	order := pinelabs.CreateOrderRequest{
		MerchantOrderReference: "4012 0010 3714 1112", // spaces break the pattern
		OrderAmount:            pinelabs.Amount{Value: 4012001037141112, Currency: "INR"},
		Notes:                  &notes,
		PurchaseDetails: &pinelabs.PurchaseDetails{MerchantMetadata: pinelabs.MerchantMetadata{
			card:                       strings.Repeat("v", 257),
			strings.Repeat("k", 10000): strings.Repeat("v", 257),
		}},
	}
	err := order.Validate()
	var ve *validation.Error
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *validation.Error", err)
	}
	want := []string{
		"merchant_order_reference pattern",
		"order_amount.value maximum",
		`purchase_details.merchant_metadata["` + strings.Repeat("k", 64) + `"…] maxLength`,
		"purchase_details.merchant_metadata[[redacted, 16 characters, ending 1112]] maxLength",
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Path+" "+string(f.Rule))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	msg := err.Error()
	for _, leak := range []string{card, "4012 0010 3714 1112", "401200103714", "4.012001037141112e+15"} {
		if strings.Contains(msg, leak) {
			t.Errorf("error repeats %q: %.300s", leak, msg)
		}
	}
	if len(msg) > 1000 {
		t.Errorf("error of %d bytes: a long key must be cut like a value", len(msg))
	}
}
