package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// BenchmarkOrderRoundTrip is the load test's pair of requests, create an
// order and read one back, through the handler without a network, so the
// sandbox's own cost per request shows apart from net/http's.
func BenchmarkOrderRoundTrip(b *testing.B) {
	key, _ := signature.ParseKey(testKeyHex)
	sb, err := sandbox.New(sandbox.Config{ClientID: testClientID, ClientSecret: testClientSecret, SecretKey: key})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	do := func(method, path, token string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Request-ID", "bench")
		req.Header.Set("Request-Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return rec
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(do("POST", "/api/auth/v1/token", "", []byte(`{"client_id":"`+testClientID+`","client_secret":"`+testClientSecret+`","grant_type":"client_credentials"}`)).Body.Bytes(), &tok)
	order := func(ref string) []byte {
		return []byte(`{"merchant_order_reference":"` + ref + `","order_amount":{"value":1100,"currency":"INR"},"pre_auth":false,"notes":"order1","purchase_details":{"customer":{"email_id":"kevin.bob@example.com","first_name":"Kevin","last_name":"Bob","mobile_number":"9876543210","country_code":"91"}}}`)
	}
	var created struct {
		Data struct {
			OrderID string `json:"order_id"`
		} `json:"data"`
	}
	json.Unmarshal(do("POST", "/api/pay/v1/orders", tok.AccessToken, order("seed")).Body.Bytes(), &created)
	get := "/api/pay/v1/orders/" + created.Data.OrderID
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		do("POST", "/api/pay/v1/orders", tok.AccessToken, order("bench-"+strconv.Itoa(i)))
		do("GET", get, tok.AccessToken, nil)
	}
}
