package redact_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pinegen/pinelabs/pkg/redact"
)

func TestJSONBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"card number keeps last four",
			`{"card_details":{"card_number":"4012001037141112","cvv":"123","name":"Kevin"}}`,
			`{"card_details":{"card_number":"[redacted, 16 characters, ending 1112]","cvv":"[redacted, 3 characters]","name":"Kevin"}}`},
		{"secrets keep only their length",
			`{"access_token":"eyJhbGciOi","expires_in":3600,"client_secret":"s3cr3t","token":"tok","cryptogram":"AAAA"}`,
			`{"access_token":"[redacted, 10 characters]","expires_in":3600,"client_secret":"[redacted, 6 characters]","token":"[redacted, 3 characters]","cryptogram":"[redacted, 4 characters]"}`},
		{"keys compared without case",
			`{"CVV":"1234","Card_Number":"4012001037141112"}`,
			`{"CVV":"[redacted, 4 characters]","Card_Number":"[redacted, 16 characters, ending 1112]"}`},
		{"card number sent as a number",
			`{"card_number":4012001037141112}`,
			`{"card_number":"[redacted, 16 characters, ending 1112]"}`},
		{"card number under another key",
			`{"message":"card 4012001037141112 declined","n":4012001037141112,"id":"v1-4405071524-aa"}`,
			`{"message":"[redacted, 30 characters]","n":"[redacted, 16 characters, ending 1112]","id":"v1-4405071524-aa"}`},
		{"arrays, nulls and bools",
			`[{"cvv":"123","ok":true,"x":null},{"cvv":"4567","ok":false},[1,2]]`,
			`[{"cvv":"[redacted, 3 characters]","ok":true,"x":null},{"cvv":"[redacted, 4 characters]","ok":false},[1,2]]`},
		{"camelCase keys",
			`{"accessToken":"eyJhbGciOi","clientSecret":"s3cr3t","cardNumber":"4012001037141112","refreshToken":"r"}`,
			`{"accessToken":"[redacted, 10 characters]","clientSecret":"[redacted, 6 characters]","cardNumber":"[redacted, 16 characters, ending 1112]","refreshToken":"[redacted, 1 characters]"}`},
		{"keys with hyphens or prefixed cvv",
			`{"card_cvv":"123","Card-Number":"4012001037141112","ACCESS-TOKEN":"abc"}`,
			`{"card_cvv":"[redacted, 3 characters]","Card-Number":"[redacted, 16 characters, ending 1112]","ACCESS-TOKEN":"[redacted, 3 characters]"}`},
		{"keys folded as Unicode, long spellings still matched",
			`{"to\u212Aen":"abc","refresh__token__":"de"}`,
			`{"toKen":"[redacted, 3 characters]","refresh__token__":"[redacted, 2 characters]"}`},
		{"sensitive array: every element masked",
			`{"cvv":["123",456],"n":1}`,
			`{"cvv":["[redacted, 3 characters]","[redacted, 3 characters]"],"n":1}`},
		{"sensitive object: every value masked, keys kept",
			`{"token":{"value":"abcd","parts":["ef",{"g":"hij"}],"live":true,"x":null},"after":"kept"}`,
			`{"token":{"value":"[redacted, 4 characters]","parts":["[redacted, 2 characters]",{"g":"[redacted, 3 characters]"}],"live":true,"x":null},"after":"kept"}`},
		{"sensitivity ends with the value",
			`[{"cvv":[["1"]],"a":"2"},"3"]`,
			`[{"cvv":[["[redacted, 1 characters]"]],"a":"2"},"3"]`},
		{"card number nested under its key keeps last four",
			`{"card_number":{"pan":"4012001037141112"}}`,
			`{"card_number":{"pan":"[redacted, 16 characters, ending 1112]"}}`},
		{"token_id is not a secret",
			`{"token_id":"token-v1-0811030624-bb-RBDgpR"}`,
			`{"token_id":"token-v1-0811030624-bb-RBDgpR"}`},
		{"cut short inside a card number",
			`{"order_id":"v1","card_number":"40120010371`,
			`{"order_id":"v1","card_number":…`},
		{"cut short after a key",
			`{"payments":[{"cvv":"123"},{"cvv":`,
			`{"payments":[{"cvv":"[redacted, 3 characters]"},{"cvv":…`},
		{"not JSON at all",
			`<html>502 Bad Gateway 4012001037141112</html>`,
			`<html>502 Bad Gateway [redacted, 16 characters, ending 1112]</html>`},
		{"short numbers in text stay",
			`upstream timed out after 30000 ms`,
			`upstream timed out after 30000 ms`},
		{"trailing garbage", `{"a":1} junk`, `{"a":1}…`},
		{"empty", ``, ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := string(redact.JSONBody([]byte(c.in))); got != c.want {
				t.Errorf("JSONBody(%s)\n got %s\nwant %s", c.in, got, c.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	long := `{"message":"` + strings.Repeat("é", 300) + `"}`
	got := redact.Excerpt([]byte(long), 200)
	if len(got) > 200 || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("Excerpt: %d bytes, valid UTF-8 %v: %q", len(got), utf8.ValidString(got), got)
	}
	if got := redact.Excerpt([]byte(`{"cvv":"123"}`), 200); got != `{"cvv":"[redacted, 3 characters]"}` {
		t.Errorf("short Excerpt = %s", got)
	}
}

func FuzzJSONBody(f *testing.F) {
	f.Add([]byte(`{"card_number":"4012001037141112","cvv":"123"}`))
	f.Add([]byte(`[{"token":"x"},`))
	f.Add([]byte(`<html>4012001037141112`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := string(redact.JSONBody(b))
		if pan := cardIn(out); pan != "" {
			t.Errorf("card number %s survived: %s", pan, out)
		}
	})
}

// cardIn returns the first run of 13 to 19 digits in s that passes the Luhn
// check: what JSONBody must never let through.
func cardIn(s string) string {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			i++
			continue
		}
		if n := j - i; n >= 13 && n <= 19 {
			sum, double := 0, false
			for k := j - 1; k >= i; k-- {
				d := int(s[k] - '0')
				if double {
					if d *= 2; d > 9 {
						d -= 9
					}
				}
				sum += d
				double = !double
			}
			if sum%10 == 0 {
				return s[i:j]
			}
		}
		i = j
	}
	return ""
}

func TestText(t *testing.T) {
	t.Parallel()
	if got, want := redact.Text("[card 4012001037141112] declined, ref 1234"), "[card [redacted, 16 characters, ending 1112]] declined, ref 1234"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func BenchmarkJSONBody(b *testing.B) {
	body := []byte(`{"payments":[{"merchant_payment_reference":"008cf04b-a770-4777-854e-b1e6c1230609","payment_amount":{"currency":"INR","value":150000},"payment_method":"CARD","payment_option":{"card_details":{"card_number":"4012001037141112","cvv":"123","expiry_month":"12","expiry_year":"2030","name":"Kevin Bob"}}}]}`)
	b.ReportAllocs()
	for b.Loop() {
		redact.JSONBody(body)
	}
}
