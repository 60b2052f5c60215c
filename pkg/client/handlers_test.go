package client_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/pinegen/pinelabs/pkg/webhook"
)

// A random test key; real keys come from configuration.
const handlersKeyHex = "8e3a1f0c5b7d9e2f4a6c8b0d1e3f5a7c9b1d3e5f7a9c0b2d4e6f8a0c2e4b6d8f"

func handlersKey(t testing.TB, hexKey string) signature.Key {
	t.Helper()
	k, err := signature.ParseKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signedValues returns fields plus their signature under key.
func signedValues(t testing.TB, key signature.Key, fields map[string]string) url.Values {
	t.Helper()
	sig, err := key.SignMap(fields)
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{}
	for k, val := range fields {
		v.Set(k, val)
	}
	v.Set("signature", sig)
	return v
}

func TestCallbackHandler(t *testing.T) {
	t.Parallel()
	key := handlersKey(t, handlersKeyHex)
	otherKey := handlersKey(t, strings.Repeat("ab", 32))
	paid := map[string]string{"order_id": "v1-4405071524-aa-qlAtAf", "status": "PROCESSED"}
	failed := map[string]string{
		"order_id": "v1-4405071524-aa-qlAtAf", "status": "FAILED",
		"error_code": "USER_AUTHENTICATION_REQUIRED", "error_message": "Consumer Authentication Required",
	}

	type request struct {
		method, contentType, query, body string
	}
	form := func(v url.Values) request {
		return request{http.MethodPost, "application/x-www-form-urlencoded", "", v.Encode()}
	}
	tampered := signedValues(t, key, paid)
	tampered.Set("order_id", "v1-someone-elses-order")
	upper := signedValues(t, key, paid)
	upper.Set("signature", strings.ToUpper(upper.Get("signature")))
	jsonBody, _ := json.Marshal(map[string]string{
		"order_id": paid["order_id"], "status": paid["status"],
		"signature": signedValues(t, key, paid).Get("signature"),
	})

	tests := []struct {
		name     string
		req      request
		wantCode int
		want     *client.CallbackResult // nil: next must not run
	}{
		{
			name: "form POST, paid", req: form(signedValues(t, key, paid)), wantCode: http.StatusSeeOther,
			want: &client.CallbackResult{OrderID: paid["order_id"], Status: client.OrderStatus("PROCESSED")},
		},
		{
			name: "GET with query, failed with error code and message",
			req:  request{method: http.MethodGet, query: signedValues(t, key, failed).Encode()}, wantCode: http.StatusSeeOther,
			want: &client.CallbackResult{
				OrderID: failed["order_id"], Status: client.OrderStatus("FAILED"),
				ErrorCode: "USER_AUTHENTICATION_REQUIRED", ErrorMessage: "Consumer Authentication Required",
			},
		},
		{
			name:     "JSON body",
			req:      request{http.MethodPost, "application/json", "", string(jsonBody)},
			wantCode: http.StatusSeeOther,
			want:     &client.CallbackResult{OrderID: paid["order_id"], Status: client.OrderStatus("PROCESSED")},
		},
		{
			name:     "uppercase signature, as the reference code emits",
			req:      form(upper),
			wantCode: http.StatusSeeOther,
			want:     &client.CallbackResult{OrderID: paid["order_id"], Status: client.OrderStatus("PROCESSED")},
		},
		{
			name: "payment_status spelling",
			req: form(signedValues(t, key, map[string]string{
				"order_id": paid["order_id"], "payment_status": "AUTHORIZED",
			})),
			wantCode: http.StatusSeeOther,
			want:     &client.CallbackResult{OrderID: paid["order_id"], Status: client.OrderStatus("AUTHORIZED")},
		},
		{
			name: "status the docs do not list is passed on",
			req: form(signedValues(t, key, map[string]string{
				"order_id": paid["order_id"], "status": "PARTIALLY_CAPTURED_V9",
			})),
			wantCode: http.StatusSeeOther,
			want:     &client.CallbackResult{OrderID: paid["order_id"], Status: client.OrderStatus("PARTIALLY_CAPTURED_V9")},
		},
		{name: "tampered order ID", req: form(tampered), wantCode: http.StatusBadRequest},
		{name: "signed with another key", req: form(signedValues(t, otherKey, paid)), wantCode: http.StatusBadRequest},
		{
			name:     "unsigned",
			req:      form(url.Values{"order_id": {paid["order_id"]}, "status": {"PROCESSED"}}),
			wantCode: http.StatusBadRequest,
		},
		{
			name:     "signed but without a status",
			req:      form(signedValues(t, key, map[string]string{"order_id": paid["order_id"]})),
			wantCode: http.StatusBadRequest,
		},
		{
			name:     "unsupported content type",
			req:      request{http.MethodPost, "text/plain", "", signedValues(t, key, paid).Encode()},
			wantCode: http.StatusUnsupportedMediaType,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got *client.CallbackResult
			h := client.CallbackHandler(key, func(w http.ResponseWriter, r *http.Request, res client.CallbackResult) {
				got = &res
				http.Redirect(w, r, "/orders/"+res.OrderID, http.StatusSeeOther)
			})
			target := "/pinelabs/callback"
			if tt.req.query != "" {
				target += "?" + tt.req.query
			}
			r := httptest.NewRequest(tt.req.method, target, strings.NewReader(tt.req.body))
			if tt.req.contentType != "" {
				r.Header.Set("Content-Type", tt.req.contentType)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			if w.Code != tt.wantCode {
				t.Errorf("status = %d, want %d (%s)", w.Code, tt.wantCode, strings.TrimSpace(w.Body.String()))
			}
			if tt.want == nil {
				if got != nil {
					t.Fatalf("next ran with %+v", *got)
				}
				return
			}
			if got == nil {
				t.Fatal("next did not run")
			}
			if got.OrderID != tt.want.OrderID || got.Status != tt.want.Status ||
				got.ErrorCode != tt.want.ErrorCode || got.ErrorMessage != tt.want.ErrorMessage {
				t.Errorf("result = %+v, want %+v", *got, *tt.want)
			}
			if _, ok := got.Fields.Get("signature"); !ok {
				t.Error("Fields lost the signature")
			}
		})
	}
}

// A random test secret, "whsec_" and padded base64 as the dashboard shows it.
var handlersWebhookKey = []byte("pinegen-handlers-test-webhook-key")

const handlersSentAt = 1749900000

func handlersVerifier(t testing.TB) *webhook.Verifier {
	t.Helper()
	v, err := webhook.NewVerifier("whsec_"+base64.StdEncoding.EncodeToString(handlersWebhookKey),
		webhook.WithClock(func() time.Time { return time.Unix(handlersSentAt, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// webhookRequest is a delivery of body, signed as Pine Labs signs them.
func webhookRequest(id, body string) *http.Request {
	return signedDelivery(handlersWebhookKey, handlersSentAt, id, body)
}

// signedDelivery is a webhook delivery of body sent at sentAt (Unix
// seconds), signed with key as Pine Labs signs them.
func signedDelivery(key []byte, sentAt int64, id, body string) *http.Request {
	ts := strconv.FormatInt(sentAt, 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + body))
	r := httptest.NewRequest(http.MethodPost, "/pinelabs/webhooks", strings.NewReader(body))
	r.Header.Set(webhook.HeaderID, id)
	r.Header.Set(webhook.HeaderTimestamp, ts)
	r.Header.Set(webhook.HeaderSignature, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return r
}

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	const orderData = `{"order_id":"v1-250614-0001-aB3dE9","merchant_order_reference":"ref-1","type":"CHARGE","status":"PROCESSED",` +
		`"order_amount":{"value":110000,"currency":"INR"},"payments":[{"id":"v1-250614-0001-aB3dE9-cc-a","status":"PROCESSED",` +
		`"payment_method":"CARD","payment_amount":{"value":110000,"currency":"INR"}}],"x_future_field":1}`
	const refundData = `{"order_id":"v1-250615-0002-rF0nD1","type":"REFUND","status":"PROCESSED","order_amount":{"value":5000,"currency":"INR"}}`

	tests := []struct {
		name      string
		req       *http.Request
		nextErr   error
		wantCode  int
		wantNext  bool
		wantType  webhook.EventType
		wantOrder string // the decoded order's ID; "" for none
		check     func(t *testing.T, ev client.WebhookEvent)
	}{
		{
			name:     "order event: order decoded",
			req:      webhookRequest("msg_1", `{"event_type":"ORDER_PROCESSED","data":`+orderData+`}`),
			wantCode: http.StatusOK, wantNext: true, wantType: webhook.EventOrderProcessed, wantOrder: "v1-250614-0001-aB3dE9",
			check: func(t *testing.T, ev client.WebhookEvent) {
				o := ev.Order
				if o.Status == nil || *o.Status != client.OrderStatus("PROCESSED") || o.OrderAmount == nil || *o.OrderAmount != client.INR(110000) {
					t.Errorf("order = %+v", o)
				}
				if len(o.Payments) != 1 || o.Payments[0].Status == nil || *o.Payments[0].Status != "PROCESSED" {
					t.Errorf("payments = %+v", o.Payments)
				}
				if ev.ID != "msg_1" || !ev.Timestamp.Equal(time.Unix(handlersSentAt, 0)) {
					t.Errorf("ID %q, timestamp %v", ev.ID, ev.Timestamp)
				}
			},
		},
		{
			name:     "refund event: the refund order decoded",
			req:      webhookRequest("msg_2", `{"event_type":"REFUND_PROCESSED","data":`+refundData+`}`),
			wantCode: http.StatusOK, wantNext: true, wantType: webhook.EventRefundProcessed, wantOrder: "v1-250615-0002-rF0nD1",
			check: func(t *testing.T, ev client.WebhookEvent) {
				if ev.Order.Type == nil || *ev.Order.Type != "REFUND" {
					t.Errorf("type = %v", ev.Order.Type)
				}
			},
		},
		{
			name:     "camelCase eventType",
			req:      webhookRequest("msg_3", `{"eventType":"ORDER_AUTHORIZED","data":`+orderData+`}`),
			wantCode: http.StatusOK, wantNext: true, wantType: webhook.EventOrderAuthorized, wantOrder: "v1-250614-0001-aB3dE9",
		},
		{
			name:     "customer event: no order, raw data",
			req:      webhookRequest("msg_4", `{"event_type":"CUSTOMER_ACTIVATED","data":{"customer_id":"cust-1"}}`),
			wantCode: http.StatusOK, wantNext: true, wantType: webhook.EventCustomerActivated,
			check: func(t *testing.T, ev client.WebhookEvent) {
				if string(ev.Data) != `{"customer_id":"cust-1"}` {
					t.Errorf("data = %s", ev.Data)
				}
			},
		},
		{
			name:     "unknown event type passes through with raw data",
			req:      webhookRequest("msg_5", `{"event_type":"SETTLEMENT_COMPLETED","data":{"order_id":"v1-x","utr":"N123"}}`),
			wantCode: http.StatusOK, wantNext: true, wantType: "SETTLEMENT_COMPLETED",
			check: func(t *testing.T, ev client.WebhookEvent) {
				if ev.Type.Known() || string(ev.Data) != `{"order_id":"v1-x","utr":"N123"}` {
					t.Errorf("type %q known=%v, data %s", ev.Type, ev.Type.Known(), ev.Data)
				}
			},
		},
		{
			name:     "next fails: 500 so Pine Labs resends",
			req:      webhookRequest("msg_6", `{"event_type":"ORDER_PROCESSED","data":`+orderData+`}`),
			nextErr:  errors.New("database down"),
			wantCode: http.StatusInternalServerError, wantNext: true, wantType: webhook.EventOrderProcessed, wantOrder: "v1-250614-0001-aB3dE9",
		},
		{
			name:     "order event whose data is not an order: 400",
			req:      webhookRequest("msg_7", `{"event_type":"ORDER_FAILED","data":"v1-250614-0001-aB3dE9"}`),
			wantCode: http.StatusBadRequest,
		},
		{
			name:     "order event without an order ID: 400",
			req:      webhookRequest("msg_8", `{"event_type":"ORDER_FAILED","data":{"status":"FAILED"}}`),
			wantCode: http.StatusBadRequest,
		},
		{
			name: "tampered body: 400, next not run",
			req: func() *http.Request {
				r := webhookRequest("msg_9", `{"event_type":"ORDER_PROCESSED","data":`+orderData+`}`)
				signed := r.Header.Clone()
				r = httptest.NewRequest(http.MethodPost, "/pinelabs/webhooks",
					strings.NewReader(`{"event_type":"ORDER_PROCESSED","data":`+strings.Replace(orderData, "110000", "1", 1)+`}`))
				r.Header = signed
				return r
			}(),
			wantCode: http.StatusBadRequest,
		},
		{
			name: "unsigned: 400",
			req: httptest.NewRequest(http.MethodPost, "/pinelabs/webhooks",
				strings.NewReader(`{"event_type":"ORDER_PROCESSED","data":`+orderData+`}`)),
			wantCode: http.StatusBadRequest,
		},
		{
			name:     "GET: 405",
			req:      httptest.NewRequest(http.MethodGet, "/pinelabs/webhooks", nil),
			wantCode: http.StatusMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got *client.WebhookEvent
			h := client.WebhookHandler(handlersVerifier(t), func(ctx context.Context, ev client.WebhookEvent) error {
				if ctx == nil {
					t.Error("nil context")
				}
				got = &ev
				return tt.nextErr
			})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req)

			if w.Code != tt.wantCode {
				t.Errorf("status = %d, want %d (%s)", w.Code, tt.wantCode, strings.TrimSpace(w.Body.String()))
			}
			if strings.Contains(w.Body.String(), "database down") {
				t.Error("the merchant's error reached the sender")
			}
			if !tt.wantNext {
				if got != nil {
					t.Fatalf("next ran with %+v", *got)
				}
				return
			}
			if got == nil {
				t.Fatal("next did not run")
			}
			if got.Type != tt.wantType {
				t.Errorf("type = %q, want %q", got.Type, tt.wantType)
			}
			switch {
			case tt.wantOrder == "" && got.Order != nil:
				t.Errorf("order = %+v, want none", got.Order)
			case tt.wantOrder != "" && (got.Order == nil || got.Order.OrderID == nil || *got.Order.OrderID != tt.wantOrder):
				t.Errorf("order = %+v, want %s", got.Order, tt.wantOrder)
			}
			if len(got.Data) == 0 {
				t.Error("raw data dropped")
			}
			if tt.check != nil {
				tt.check(t, *got)
			}
		})
	}
}
