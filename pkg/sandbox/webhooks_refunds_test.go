package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/contract"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/webhook"
)

// rawAPI calls a sandbox's API by hand, every answer held to the spec.
type rawAPI struct {
	t     *testing.T
	url   string
	token string
}

func newRawAPI(t *testing.T, sb *Sandbox) *rawAPI {
	t.Helper()
	srv := httptest.NewServer(contract.New(t).Handler(t, sb))
	t.Cleanup(srv.Close)
	a := &rawAPI{t: t, url: srv.URL}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	a.call("POST", "/api/auth/v1/token", map[string]string{"client_id": "client-id", "client_secret": "client-secret", "grant_type": "client_credentials"}, &tok)
	a.token = tok.AccessToken
	return a
}

// call sends body and decodes a 200's answer into out, failing the test
// on any other.
func (a *rawAPI) call(method, path string, body, out any) {
	a.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		a.t.Fatal(err)
	}
	req, _ := http.NewRequest(method, a.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Request-ID", uuid.NewString())
	req.Header.Set("Request-Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
	}
	if err := json.Unmarshal(got, out); err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
}

// A saved card's activation and deletion and each refund are delivered,
// signed, with the token or the refund as data; the refunded order's own
// moves to PARTIALLY_ and FULLY_REFUNDED send nothing.
func TestWebhooksRefundsAndTokens(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, answerOK)
	sb := newWebhookSandbox(t, rc, nil, fastRetry)
	api := newRawAPI(t, sb)
	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.url))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	var cust pinelabs.Customer
	api.call("POST", "/api/v1/customer", map[string]any{"merchant_customer_reference": "wh-customer", "mobile_number": "9876543210"}, &cust)
	cid := *cust.CustomerID
	o, err := c.CreateOrder(ctx, &pinelabs.CreateOrderRequest{
		MerchantOrderReference: "wh-saved-card", OrderAmount: client.INR(10000),
		CallbackURL:     ptr("https://merchant.example/pinelabs/callback"),
		PurchaseDetails: &pinelabs.PurchaseDetails{Customer: &pinelabs.OrderCustomer{CustomerID: &cid}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := *o.OrderID
	o, err = c.CreatePayment(ctx, id, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{{
		PaymentMethod: client.MethodCard, PaymentAmount: *o.OrderAmount,
		PaymentOption: client.PaymentOption{CardDetails: &client.CardDetails{
			CardNumber: "4012001037141112", CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030", Save: ptr(true),
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(*o.ChallengeURL, url.Values{"action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	var tokens pinelabs.CustomerTokenList
	api.call("GET", "/api/v1/customer/"+cid+"/tokens", nil, &tokens)
	if len(tokens.Tokens) != 1 {
		t.Fatalf("%d tokens saved, want 1", len(tokens.Tokens))
	}
	tid := *tokens.Tokens[0].TokenID

	var r1, r2 pinelabs.OrderResponse
	api.call("POST", "/api/pay/v1/refunds/"+id, map[string]any{"merchant_order_reference": "wh-refund-1", "order_amount": map[string]any{"value": 4000, "currency": "INR"}}, &r1)
	api.call("POST", "/api/pay/v1/refunds/"+id, map[string]any{"merchant_order_reference": "wh-refund-2"}, &r2)
	var del pinelabs.DeleteTokenResponse
	api.call("POST", "/api/v1/customer/"+cid+"/tokens/"+tid+"/delete", map[string]any{"merchant_unique_reference": "wh-delete"}, &del)

	waitUntil(t, "every delivery is made", func() bool {
		return len(rc.received()) == 5 &&
			allSettled(storedDeliveries(t, sb.Store(), id)) && allSettled(storedDeliveries(t, sb.Store(), *r2.Data.OrderID))
	})
	got := rc.received()
	var types []webhook.EventType
	byType := map[webhook.EventType][]received{}
	for _, g := range got {
		types = append(types, g.Type)
		byType[g.Type] = append(byType[g.Type], g)
		if bytes.Contains(g.Body, []byte("4012001037141112")) {
			t.Errorf("%s carries the card number: %s", g.Type, g.Body)
		}
	}
	// The order's and its token's events come in the order they happened;
	// the refunds' each on its own.
	var ofOrder []webhook.EventType
	for _, typ := range types {
		if typ != webhook.EventRefundProcessed {
			ofOrder = append(ofOrder, typ)
		}
	}
	if want := []webhook.EventType{webhook.EventOrderProcessed, webhook.EventTokenActivated, webhook.EventTokenDeactivated}; !slices.Equal(ofOrder, want) {
		t.Errorf("the order's deliveries: %v, want %v", ofOrder, want)
	}

	tokenData := func(g received) pinelabs.CustomerToken {
		var body struct {
			Data pinelabs.CustomerToken `json:"data"`
		}
		if err := json.Unmarshal(g.Body, &body); err != nil {
			t.Fatal(err)
		}
		return body.Data
	}
	if act := byType[webhook.EventTokenActivated]; len(act) == 1 {
		d := tokenData(act[0])
		if *d.TokenID != tid || *d.CustomerID != cid || *d.Status != pinelabs.TokenStatusACTIVE || *d.CardData.Last4Digit != "1112" {
			t.Errorf("TOKEN_ACTIVATED data: %s", act[0].Body)
		}
	}
	if deact := byType[webhook.EventTokenDeactivated]; len(deact) == 1 {
		if d := tokenData(deact[0]); *d.TokenID != tid || *d.Status != pinelabs.TokenStatusDELETED {
			t.Errorf("TOKEN_DEACTIVATED data: %s", deact[0].Body)
		}
	}
	refunds := byType[webhook.EventRefundProcessed]
	if len(refunds) != 2 {
		t.Fatalf("%d REFUND_PROCESSED deliveries, want 2", len(refunds))
	}
	for _, want := range []pinelabs.Order{r1.Data, r2.Data} {
		i := slices.IndexFunc(refunds, func(g received) bool { return *g.Order.OrderID == *want.OrderID })
		if i < 0 {
			t.Errorf("no REFUND_PROCESSED for refund %s", *want.OrderID)
			continue
		}
		g := refunds[i].Order
		if *g.Type != pinelabs.OrderTypeREFUND || *g.ParentOrderID != id || *g.Status != pinelabs.OrderStatusPROCESSED || g.OrderAmount.Value != want.OrderAmount.Value {
			t.Errorf("REFUND_PROCESSED data: %s", refunds[i].Body)
		}
	}
	if refunds[0].ID == refunds[1].ID {
		t.Error("two refunds' deliveries share a webhook-id")
	}
}

func TestWebhookEventTypesOfRefundsAndTokens(t *testing.T) {
	t.Parallel()
	h, err := newWebhooks(&Sandbox{}, webhookConfig(t, "https://merchant.example/webhook"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ    pinelabs.OrderType
		status pinelabs.OrderStatus
		want   webhook.EventType
	}{
		{pinelabs.OrderTypeREFUND, pinelabs.OrderStatusCREATED, ""},
		{pinelabs.OrderTypeREFUND, pinelabs.OrderStatusPROCESSED, webhook.EventRefundProcessed},
		{pinelabs.OrderTypeREFUND, pinelabs.OrderStatusFAILED, webhook.EventRefundFailed},
		{pinelabs.OrderTypeCHARGE, pinelabs.OrderStatusPARTIALLYREFUNDED, ""},
		{pinelabs.OrderTypeCHARGE, pinelabs.OrderStatusFULLYREFUNDED, ""},
	} {
		o := &Order{Order: pinelabs.Order{OrderID: ptr("v1-x"), Type: ptr(tc.typ), Status: ptr(tc.status)}}
		h.queue(o, time.Now())
		if got := types(o.Webhooks); got != string(tc.want) {
			t.Errorf("%s %s queued %q, want %q", tc.typ, tc.status, got, tc.want)
		}
	}
	for _, tc := range []struct {
		status pinelabs.TokenStatus
		want   webhook.EventType
	}{
		{pinelabs.TokenStatusINITIATED, ""},
		{pinelabs.TokenStatusACTIVE, webhook.EventTokenActivated},
		{pinelabs.TokenStatusDELETED, webhook.EventTokenDeactivated},
		{pinelabs.TokenStatusDEACTIVATED, webhook.EventTokenDeactivated},
	} {
		o := &Order{Order: pinelabs.Order{OrderID: ptr("v1-x")}}
		h.queueToken(o, &CustomerToken{CustomerToken: pinelabs.CustomerToken{TokenID: ptr("token-1"), Status: ptr(tc.status)}}, time.Now())
		if got := types(o.Webhooks); got != string(tc.want) {
			t.Errorf("token %s queued %q, want %q", tc.status, got, tc.want)
		}
		if tc.want != "" {
			var body struct {
				EventType webhook.EventType      `json:"event_type"`
				Data      pinelabs.CustomerToken `json:"data"`
			}
			if err := json.Unmarshal(o.Webhooks[0].Body, &body); err != nil || body.EventType != tc.want || *body.Data.TokenID != "token-1" {
				t.Errorf("token %s: body %s", tc.status, o.Webhooks[0].Body)
			}
		}
	}
}

// types joins the deliveries' types.
func types(ds []WebhookDelivery) string {
	var s string
	for i, d := range ds {
		if i > 0 {
			s += ","
		}
		s += d.Type
	}
	return s
}
