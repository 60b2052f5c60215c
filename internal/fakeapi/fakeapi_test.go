package fakeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

// call sends one request with a fresh connection, so a fault on one call
// cannot leak into the next through a pooled connection.
func call(t *testing.T, ctx context.Context, s *fakeapi.Server, method, path, token, body string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Request-ID", "rid-"+path)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func token(t *testing.T, s *fakeapi.Server) string {
	t.Helper()
	resp, b, err := call(t, context.Background(), s, "POST", "/api/auth/v1/token", "",
		`{"client_id":"client-id","client_secret":"client-secret","grant_type":"client_credentials"}`)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: %v %v %s", err, resp, b)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	json.Unmarshal(b, &tr)
	if tr.AccessToken == "" || tr.ExpiresIn != 3600 {
		t.Fatalf("token response %s", b)
	}
	return tr.AccessToken
}

const orderBody = `{"merchant_order_reference":"ref-1","order_amount":{"value":1100,"currency":"INR"},"pre_auth":true}`

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{})
	ctx := context.Background()

	if resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders", "", orderBody); resp.StatusCode != 401 || !bytes.Contains(b, []byte(`"UNAUTHORIZED"`)) {
		t.Fatalf("no bearer: %d %s", resp.StatusCode, b)
	}
	tok := token(t, s)
	resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders", tok, orderBody)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var or struct {
		Data struct{ OrderID, Status string }
	}
	json.Unmarshal(bytes.ReplaceAll(b, []byte("order_id"), []byte("OrderID")), &or)
	id := or.Data.OrderID
	if resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders", tok, orderBody); resp.StatusCode != 422 || !bytes.Contains(b, []byte("DUPLICATE_REQUEST")) {
		t.Fatalf("duplicate: %d %s", resp.StatusCode, b)
	}
	if resp, _, _ := call(t, ctx, s, "GET", "/api/pay/v1/orders/reference/ref-1", tok, ""); resp.StatusCode != 200 {
		t.Fatalf("by reference: %d", resp.StatusCode)
	}
	if resp, _, _ := call(t, ctx, s, "GET", "/api/pay/v1/orders/nope", tok, ""); resp.StatusCode != 404 {
		t.Fatalf("missing: %d", resp.StatusCode)
	}
	pay := `{"payments":[{"merchant_payment_reference":"p1","payment_method":"CARD","payment_amount":{"value":1100,"currency":"INR"},"payment_option":{"card_details":{"card_number":"4012001037141112","cvv":"123","expiry_month":"12","expiry_year":"2030"}}}]}`
	if resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders/"+id+"/payments", tok, pay); resp.StatusCode != 200 || bytes.Contains(b, []byte("4012001037")) {
		t.Fatalf("payment: %d %s", resp.StatusCode, b)
	}
	if resp, _, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders/"+id+"/payments", tok, pay); resp.StatusCode != 422 {
		t.Fatalf("duplicate payment: %d", resp.StatusCode)
	}
	capture := `{"merchant_capture_reference":"c1","capture_amount":{"value":1100,"currency":"INR"}}`
	if resp, _, _ := call(t, ctx, s, "PUT", "/api/pay/v1/orders/"+id+"/capture", tok, capture); resp.StatusCode != 200 {
		t.Fatalf("capture: %d", resp.StatusCode)
	}
	o, _ := s.Order(id)
	if *o.Status != "PROCESSED" || *o.Payments[0].CaptureData[0].MerchantCaptureReference != "c1" {
		t.Fatalf("after capture: %v", o)
	}
	if resp, _, _ := call(t, ctx, s, "PUT", "/api/pay/v1/orders/"+id+"/cancel", tok, ""); resp.StatusCode != 422 {
		t.Fatalf("cancel after capture: %d", resp.StatusCode)
	}
	want := fakeapi.Counts{Tokens: 1, Orders: 1, Payments: 1, Captures: 1}
	if got := s.Counts(); got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	if got := s.PathHits()["POST /api/pay/v1/orders"]; got != 3 {
		t.Fatalf("POST /api/pay/v1/orders hits = %d, want 3", got)
	}
	if r := s.Requests(fakeapi.OpGetOrder); len(r) != 1 || r[0].RequestID != "rid-/api/pay/v1/orders/nope" {
		t.Fatalf("requests %+v", r)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fault     fakeapi.Fault
		wantErr   bool // transport or body-read error
		status    int
		contains  string
		orders    int
		header    string
		headerVal string
	}{
		{name: "reset", fault: fakeapi.Reset(), wantErr: true, orders: 0},
		{name: "drop response", fault: fakeapi.DropResponse(), wantErr: true, orders: 1},
		{name: "503", fault: fakeapi.Status(503), status: 503, orders: 0},
		{name: "500 after work", fault: fakeapi.After(fakeapi.Status(500)), status: 500, contains: "INTERNAL_ERROR", orders: 1},
		{name: "429", fault: fakeapi.RateLimited("2"), status: 429, contains: "API_RATE_LIMIT", header: "Retry-After", headerVal: "2"},
		{name: "truncate", fault: fakeapi.Truncate(), wantErr: true, orders: 1},
		{name: "non-JSON", fault: fakeapi.Respond(502, "<html>bad gateway</html>"), status: 502, contains: "<html>"},
		{name: "expire token", fault: fakeapi.ExpireToken(), status: 401, contains: "UNAUTHORIZED"},
		{name: "unknowns", fault: fakeapi.Unknowns(), status: 200, contains: fakeapi.UnknownStatus, orders: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fakeapi.New(t, fakeapi.Config{})
			tok := token(t, s)
			s.Inject(fakeapi.OpCreateOrder, tc.fault)
			resp, b, err := call(t, context.Background(), s, "POST", "/api/pay/v1/orders", tok, orderBody)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got %d %s, want an error", resp.StatusCode, b)
				}
			} else if err != nil || resp.StatusCode != tc.status || !bytes.Contains(b, []byte(tc.contains)) {
				t.Fatalf("got %v %v %s", err, resp, b)
			}
			if tc.header != "" && resp.Header.Get(tc.header) != tc.headerVal {
				t.Errorf("%s = %q", tc.header, resp.Header.Get(tc.header))
			}
			if got := s.Counts().Orders; got != tc.orders {
				t.Errorf("orders = %d, want %d", got, tc.orders)
			}
			// The queue is spent: the next request behaves, unless the
			// first one already created the order.
			if tc.orders == 0 && tc.name != "expire token" {
				if resp, b, err := call(t, context.Background(), s, "POST", "/api/pay/v1/orders", tok, orderBody); err != nil || resp.StatusCode != 200 {
					t.Fatalf("after fault: %v %v %s", err, resp, b)
				}
			}
		})
	}
}

func TestStallAbandonedDoesNoWork(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{})
	tok := token(t, s)
	release := make(chan struct{})
	defer close(release)
	s.Inject(fakeapi.OpCreateOrder, fakeapi.Stall(release))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the fake holds the request.
		for s.Hits(fakeapi.OpCreateOrder) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, _, err := call(t, ctx, s, "POST", "/api/pay/v1/orders", tok, orderBody); err == nil {
		t.Fatal("stalled call succeeded")
	}
	// Close waits for the abandoned handler, which must not have done the work.
	s.Close()
	if got := s.Counts().Orders; got != 0 {
		t.Fatalf("orders = %d, want 0", got)
	}
}

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{ClientID: "id", ClientSecret: "secret", ExpiresAt: true, TokenLifetime: time.Minute})
	resp, b, _ := call(t, context.Background(), s, "POST", "/api/auth/v1/token", "",
		`{"client_id":"id","client_secret":"secret","grant_type":"client_credentials"}`)
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"expires_at":"`)) || bytes.Contains(b, []byte("expires_in")) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	resp, b, _ = call(t, context.Background(), s, "POST", "/api/auth/v1/token", "",
		`{"client_id":"id","client_secret":"wrong","grant_type":"client_credentials"}`)
	if resp.StatusCode != 401 || s.Counts().Tokens != 1 || s.Hits(fakeapi.OpToken) != 2 {
		t.Fatalf("bad secret: %d %s, counts %+v", resp.StatusCode, b, s.Counts())
	}
}

// Start needs no testing.TB (Examples have none) and leaves Close to the
// caller.
func TestStartClose(t *testing.T) {
	t.Parallel()
	s := fakeapi.Start(fakeapi.Config{})
	token(t, s)
	s.Close()
	s.Close() // idempotent
	if _, _, err := call(t, context.Background(), s, "POST", "/api/auth/v1/token", "", "{}"); err == nil {
		t.Fatal("a closed fake still answers")
	}
}

func TestConfigChallenge(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{Challenge: true})
	ctx := context.Background()
	tok := token(t, s)
	resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders", tok, orderBody)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	id, _ := s.OrderByReference("ref-1")
	pay := `{"payments":[{"payment_method":"CARD","payment_amount":{"value":1100,"currency":"INR"},"payment_option":{"card_details":{"card_number":"4012001037141112"}}}]}`
	resp, b, _ = call(t, ctx, s, "POST", "/api/pay/v1/orders/"+id+"/payments", tok, pay)
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"status":"PENDING"`)) || !bytes.Contains(b, []byte(`"challenge_url":"https://`)) {
		t.Fatalf("pay: %d %s", resp.StatusCode, b)
	}
	resp, b, _ = call(t, ctx, s, "GET", "/api/pay/v1/orders/"+id, tok, "")
	if resp.StatusCode != 200 || bytes.Contains(b, []byte("PENDING")) || !bytes.Contains(b, []byte(`"status":"AUTHORIZED"`)) {
		t.Fatalf("read after the challenge: %d %s", resp.StatusCode, b)
	}
}

func TestConfigPointsAndPayLater(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{RedeemablePaisa: 3201, DeclinedMobiles: []string{"9000000000"}})
	ctx := context.Background()
	tok := token(t, s)
	for _, tc := range []struct{ name, path, body, want string }{
		{"redeemable", "/payment-option", `{}`, `"redeemable_amount":{"currency":"INR","value":3201}`},
		{"eligible", "/api/payment-option/eligibility/bnpl", `{"mobile":"9876543210"}`, `"txn_eligibility":true`},
		{"declined", "/api/payment-option/eligibility/bnpl", `{"mobile":"9000000000"}`, `"txn_eligibility":false`},
	} {
		resp, b, _ := call(t, ctx, s, "POST", tc.path, tok, tc.body)
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(tc.want)) {
			t.Errorf("%s: %d %s, want %s", tc.name, resp.StatusCode, b, tc.want)
		}
	}
}

func TestConfigLookupLag(t *testing.T) {
	t.Parallel()
	s := fakeapi.New(t, fakeapi.Config{LookupLag: 2})
	ctx := context.Background()
	tok := token(t, s)
	status := func(path string) (int, string) {
		t.Helper()
		resp, b, err := call(t, ctx, s, "GET", path, tok, "")
		if err != nil {
			t.Fatal(err)
		}
		var or struct {
			Data struct {
				Status string `json:"status"`
			} `json:"data"`
		}
		json.Unmarshal(b, &or)
		return resp.StatusCode, or.Data.Status
	}
	resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders", tok, orderBody)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	id, _ := s.OrderByReference("ref-1")
	// Two lagging reads, by reference and by id, then the truth.
	if code, _ := status("/api/pay/v1/orders/reference/ref-1"); code != 404 {
		t.Errorf("first read after create: %d, want 404", code)
	}
	if code, _ := status("/api/pay/v1/orders/" + id); code != 404 {
		t.Errorf("second read after create: %d, want 404", code)
	}
	if code, st := status("/api/pay/v1/orders/reference/ref-1"); code != 200 || st != "CREATED" {
		t.Errorf("third read after create: %d %s, want 200 CREATED", code, st)
	}
	if resp, _, _ := call(t, ctx, s, "PUT", "/api/pay/v1/orders/"+id+"/cancel", tok, ""); resp.StatusCode != 422 {
		t.Fatalf("cancel of a CREATED order: %d", resp.StatusCode)
	}
	// A refused write changes nothing, so reads do not lag.
	if code, st := status("/api/pay/v1/orders/" + id); code != 200 || st != "CREATED" {
		t.Errorf("read after a refused write: %d %s, want 200 CREATED", code, st)
	}
	pay := `{"payments":[{"merchant_payment_reference":"p1","payment_method":"CARD","payment_amount":{"value":1100,"currency":"INR"},"payment_option":{"card_details":{"card_number":"4012001037141112","cvv":"123","expiry_month":"12","expiry_year":"2030"}}}]}`
	if resp, b, _ := call(t, ctx, s, "POST", "/api/pay/v1/orders/"+id+"/payments", tok, pay); resp.StatusCode != 200 {
		t.Fatalf("payment: %d %s", resp.StatusCode, b)
	}
	for i := range 2 {
		if code, st := status("/api/pay/v1/orders/" + id); code != 200 || st != "CREATED" {
			t.Errorf("read %d after payment: %d %s, want the order as it was, CREATED", i+1, code, st)
		}
	}
	if code, st := status("/api/pay/v1/orders/" + id); code != 200 || st != "AUTHORIZED" {
		t.Errorf("read after the lag: %d %s, want AUTHORIZED", code, st)
	}
}
