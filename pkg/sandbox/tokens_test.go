package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

func tokensPath(customerID string) string { return customersPath + "/" + customerID + "/tokens" }

func savingCard(number string) *client.CardDetails {
	c := card(number)
	save := true
	c.Save = &save
	return c
}

// payWith links one card payment of the whole order with that option.
func (e *env) payWith(o *client.Order, po client.PaymentOption) (*client.Order, error) {
	e.t.Helper()
	return e.client.CreatePayment(context.Background(), *o.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{{
		PaymentMethod: client.MethodCard, PaymentAmount: *o.OrderAmount, PaymentOption: po,
	}}})
}

// tokenPayment is a card payment of paisa with a saved token, as raw JSON.
func tokenPayment(tokenID string, paisa int64) map[string]any {
	return map[string]any{"payments": []any{map[string]any{
		"payment_method": "CARD", "payment_amount": map[string]any{"value": paisa, "currency": "INR"},
		"payment_option": map[string]any{"card_token_details": map[string]any{"token_id": tokenID, "cvv": "123", "token_txn_type": "NETWORK_TOKEN"}},
	}}}
}

// listTokens lists a customer's tokens, failing the test unless it can.
func (e *env) listTokens(tok, customerID string) *pinelabs.CustomerTokenList {
	e.t.Helper()
	status, list, body := call[pinelabs.CustomerTokenList](e, "GET", tokensPath(customerID), tok, nil)
	if status != http.StatusOK {
		e.t.Fatalf("listCustomerTokens: %d %v", status, body)
	}
	return list
}

// savedCardFor pays an order of customerID with a card to save, approves
// the challenge and returns the token it saved.
func (e *env) savedCardFor(tok, customerID, number string) pinelabs.CustomerToken {
	e.t.Helper()
	before := len(e.listTokens(tok, customerID).Tokens)
	o := e.customerOrder(5000, false, &pinelabs.OrderCustomer{CustomerID: &customerID})
	o, err := e.payWith(o, client.PaymentOption{CardDetails: savingCard(number)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.callback(*o.ChallengeURL, approve())
	list := e.listTokens(tok, customerID)
	if len(list.Tokens) != before+1 {
		e.t.Fatalf("%d tokens after a saving payment, want %d", len(list.Tokens), before+1)
	}
	return list.Tokens[len(list.Tokens)-1]
}

// A card saved on a successful payment pays the customer's next order by
// its token, until it is deleted.
func TestSavedCardLifecycle(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	c := e.newCustomer(tok, "vault-1")
	cid := *c.CustomerID

	// Nothing is saved until the challenge is approved.
	o := e.customerOrder(250000, false, &pinelabs.OrderCustomer{CustomerID: &cid})
	o, err := e.payWith(o, client.PaymentOption{CardDetails: savingCard(docsCard)})
	if err != nil {
		t.Fatal(err)
	}
	if list := e.listTokens(tok, cid); deref(list.TotalTokens) != 0 || len(list.Tokens) != 0 {
		t.Fatalf("tokens before the challenge: %+v", list)
	}
	e.callback(*o.ChallengeURL, approve())
	if st := statusOf(e.get(*o.OrderID)); st != pinelabs.OrderStatusPROCESSED {
		t.Fatalf("order %s after approval", st)
	}

	status, raw := e.raw("GET", tokensPath(cid), tok, nil)
	rawJSON, _ := json.Marshal(raw)
	if strings.Contains(string(rawJSON), docsCard) || strings.Contains(string(rawJSON), "1037141112") {
		t.Errorf("the token list holds the card number: %s", rawJSON)
	}
	list := e.listTokens(tok, cid)
	if status != http.StatusOK || deref(list.TotalTokens) != 1 || len(list.Tokens) != 1 || deref(list.CustomerID) != cid ||
		deref(list.CreatedAt) != *c.CreatedAt || deref(list.UpdatedAt) < *c.UpdatedAt {
		t.Fatalf("tokens after approval: %s", rawJSON)
	}
	saved := list.Tokens[0]
	tid := deref(saved.TokenID)
	cd := deref(saved.CardData)
	if !strings.HasPrefix(tid, "token-v1-") || deref(saved.CustomerID) != cid || deref(saved.Status) != pinelabs.TokenStatusACTIVE ||
		deref(saved.PaymentMethod) != pinelabs.PaymentMethodCARD || !deref(saved.IsCompliant) ||
		deref(cd.Last4Digit) != "1112" || deref(cd.NetworkName) != "VISA" || deref(cd.CardType) != "CREDIT" ||
		!strings.HasPrefix(deref(saved.ExpiredAt), "2030-12-31T23:59:59.999") {
		t.Errorf("saved token: %s", rawJSON)
	}
	status, got, body := call[pinelabs.CustomerToken](e, "GET", tokensPath(cid)+"/"+tid, tok, nil)
	if status != http.StatusOK || deref(got.TokenID) != tid || deref(got.Status) != pinelabs.TokenStatusACTIVE {
		t.Errorf("getCustomerToken: %d %v", status, body)
	}

	// The token pays the customer's next order; the payment reports the
	// saved card.
	o2 := e.customerOrder(120000, false, &pinelabs.OrderCustomer{CustomerID: &cid})
	status, paid, body := call[pinelabs.OrderResponse](e, "POST", "/api/pay/v1/orders/"+*o2.OrderID+"/payments", tok, tokenPayment(tid, 120000))
	if status != http.StatusOK {
		t.Fatalf("payment with the token: %d %v", status, body)
	}
	pcd := paid.Data.Payments[0].PaymentOption.CardData
	if deref(pcd.Last4Digit) != "1112" || deref(pcd.NetworkName) != "VISA" || deref(pcd.TokenTxnType) != pinelabs.TokenTxnTypeNETWORKTOKEN {
		t.Errorf("the token payment reports card_data %+v", pcd)
	}
	if page := e.challengePage(*paid.Data.ChallengeURL); !strings.Contains(page, "card ending 1112") {
		t.Errorf("the challenge page does not name the saved card")
	}
	_, fields := e.callback(*paid.Data.ChallengeURL, approve())
	if cb := e.verified(fields); cb.Status != "PROCESSED" {
		t.Errorf("token payment: callback %s", cb.Status)
	}
	if n := len(e.listTokens(tok, cid).Tokens); n != 1 {
		t.Errorf("paying with a token saved another: %d tokens", n)
	}

	// Deleted, it pays no more; deleting it again is refused.
	status, del, body := call[pinelabs.DeleteTokenResponse](e, "POST", tokensPath(cid)+"/"+tid+"/delete", tok, map[string]any{"merchant_unique_reference": "del-1", "merchant_metadata": map[string]string{"why": "asked"}})
	if status != http.StatusOK || deref(del.Status) != pinelabs.TokenStatusDELETED || deref(del.TokenID) != tid || deref(del.CustomerID) != cid || deref(del.MerchantUniqueReference) != "del-1" {
		t.Fatalf("deleteCustomerToken: %d %v", status, body)
	}
	status, body = e.raw("POST", tokensPath(cid)+"/"+tid+"/delete", tok, map[string]any{"merchant_unique_reference": "del-1"})
	refused(t, "the same delete again", status, body, 422, "DUPLICATE_REQUEST", "del-1")
	status, body = e.raw("POST", tokensPath(cid)+"/"+tid+"/delete", tok, map[string]any{"merchant_unique_reference": "del-2"})
	refused(t, "another delete of a deleted token", status, body, 422, "OPERATION_NOT_ALLOWED", "DELETED")
	o3 := e.customerOrder(120000, false, &pinelabs.OrderCustomer{CustomerID: &cid})
	status, body = e.raw("POST", "/api/pay/v1/orders/"+*o3.OrderID+"/payments", tok, tokenPayment(tid, 120000))
	refused(t, "payment with a deleted token", status, body, 422, "INVALID_INSTRUMENT", "DELETED")
	if st := statusOf(e.get(*o3.OrderID)); st != pinelabs.OrderStatusCREATED {
		t.Errorf("the refused payment left the order %s", st)
	}
	status, got, body = call[pinelabs.CustomerToken](e, "GET", tokensPath(cid)+"/"+tid, tok, nil)
	if status != http.StatusOK || deref(got.Status) != pinelabs.TokenStatusDELETED || deref(got.StatusReason) == "" {
		t.Errorf("getCustomerToken after the delete: %d %v", status, body)
	}
	if l := e.listTokens(tok, cid); deref(l.TotalTokens) != 1 || deref(l.Tokens[0].Status) != pinelabs.TokenStatusDELETED {
		t.Errorf("the list after the delete: %+v", l)
	}
	e.wantChecked("listCustomerTokens 200", "getCustomerToken 200", "deleteCustomerToken 200", "deleteCustomerToken 422", "createPayment 422")
}

// A card is saved only when its payment succeeds, for an order with a
// customer the sandbox knows.
func TestCardSavedOnlyOnSuccess(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	cid := *e.newCustomer(tok, "vault-2").CustomerID
	forCustomer := &pinelabs.OrderCustomer{CustomerID: &cid}

	for _, tc := range []struct {
		name    string
		preAuth bool
		number  string
		answer  url.Values
		saved   bool
	}{
		{"declined by the issuer", false, "4000000000009995", approve(), false},
		{"declined at the challenge", false, docsCard, url.Values{"action": {"decline"}}, false},
		{"pre-auth, authorised", true, "5200000000001096", approve(), true},
	} {
		before := len(e.listTokens(tok, cid).Tokens)
		o, err := e.payWith(e.customerOrder(5000, tc.preAuth, forCustomer), client.PaymentOption{CardDetails: savingCard(tc.number)})
		if err != nil {
			t.Fatal(err)
		}
		e.callback(*o.ChallengeURL, tc.answer)
		ts := e.listTokens(tok, cid).Tokens
		if got := len(ts) > before; got != tc.saved {
			t.Errorf("%s: saved %v, want %v", tc.name, got, tc.saved)
		}
		if tc.saved {
			if cd := ts[len(ts)-1].CardData; deref(cd.Last4Digit) != "1096" || deref(cd.NetworkName) != "MASTERCARD" {
				t.Errorf("%s: card_data %+v", tc.name, cd)
			}
		}
	}

	// A wrong OTP three times saves nothing either.
	before := len(e.listTokens(tok, cid).Tokens)
	o, err := e.payWith(e.customerOrder(5000, false, forCustomer), client.PaymentOption{CardDetails: savingCard(docsCard)})
	if err != nil {
		t.Fatal(err)
	}
	for range sandbox.MaxOTPAttempts {
		e.answerOK(*o.ChallengeURL, url.Values{"action": {"approve"}, "otp": {"000000"}})
	}
	if n := len(e.listTokens(tok, cid).Tokens); n != before {
		t.Errorf("a payment failed by wrong OTPs saved its card")
	}

	// An order without a customer pays, saves nothing, and says why.
	plain := e.payByCard(e.order(5000, false), docsCard)
	o, err = e.payWith(e.order(5000, false), client.PaymentOption{CardDetails: savingCard(docsCard)})
	if err != nil {
		t.Fatal(err)
	}
	e.callback(*o.ChallengeURL, approve())
	e.callback(*plain.ChallengeURL, approve())
	if st := statusOf(e.get(*o.OrderID)); st != pinelabs.OrderStatusPROCESSED {
		t.Errorf("the order without a customer is %s, want PROCESSED", st)
	}
	var note string
	e.sb.Store().View(context.Background(), func(tx sandbox.Tx) error {
		r, err := tx.Order(*o.OrderID)
		if err == nil {
			for _, ev := range r.Events {
				if ev.Kind == sandbox.EventNote {
					note = ev.What
				}
			}
		}
		return err
	})
	if !strings.Contains(note, "not saved") {
		t.Errorf("the order's history does not say its card was not saved: %q", note)
	}
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	alice := *e.newCustomer(tok, "vault-alice").CustomerID
	bob := *e.newCustomer(tok, "vault-bob").CustomerID
	aliceToken := deref(e.savedCardFor(tok, alice, docsCard).TokenID)
	bobToken := deref(e.savedCardFor(tok, bob, "5200000000001096").TokenID)
	// Bob's card deleted under a reference no other deletion may use.
	if status, body := e.raw("POST", tokensPath(bob)+"/"+bobToken+"/delete", tok, map[string]any{"merchant_unique_reference": "del-bob"}); status != http.StatusOK {
		t.Fatalf("delete: %d %v", status, body)
	}
	ordersOf := func(cid string) string {
		return *e.customerOrder(5000, false, &pinelabs.OrderCustomer{CustomerID: &cid}).OrderID
	}
	payPath := func(id string) string { return "/api/pay/v1/orders/" + id + "/payments" }

	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		status       int
		code, says   string
	}{
		{"pay with another customer's token", "POST", payPath(ordersOf(bob)), tokenPayment(aliceToken, 5000), 422, "INVALID_INSTRUMENT", bob},
		{"pay with an unknown token", "POST", payPath(ordersOf(alice)), tokenPayment("token-v1-nobody", 5000), 422, "INVALID_INSTRUMENT", "token-v1-nobody"},
		{"pay with a token for an order without a customer", "POST", payPath(*e.order(5000, false).OrderID), tokenPayment(aliceToken, 5000), 422, "INVALID_INSTRUMENT", "no customer"},
		{"list an unknown customer's tokens", "GET", tokensPath("cust-v1-nobody"), nil, 404, "CUSTOMER_NOT_FOUND", "cust-v1-nobody"},
		{"get an unknown customer's token", "GET", tokensPath("cust-v1-nobody") + "/" + aliceToken, nil, 404, "CUSTOMER_NOT_FOUND", "cust-v1-nobody"},
		{"get an unknown token", "GET", tokensPath(alice) + "/token-v1-nobody", nil, 404, "TOKEN_NOT_FOUND", "token-v1-nobody"},
		{"get another customer's token", "GET", tokensPath(bob) + "/" + aliceToken, nil, 404, "TOKEN_NOT_FOUND", aliceToken},
		{"delete an unknown customer's token", "POST", tokensPath("cust-v1-nobody") + "/" + aliceToken + "/delete", map[string]any{"merchant_unique_reference": "d1"}, 404, "CUSTOMER_NOT_FOUND", "cust-v1-nobody"},
		{"delete an unknown token", "POST", tokensPath(alice) + "/token-v1-nobody/delete", map[string]any{"merchant_unique_reference": "d2"}, 404, "TOKEN_NOT_FOUND", "token-v1-nobody"},
		{"delete without merchant_unique_reference", "POST", tokensPath(alice) + "/" + aliceToken + "/delete", map[string]any{}, 400, "INVALID_REQUEST", "merchant_unique_reference"},
		{"delete under a reference used before", "POST", tokensPath(alice) + "/" + aliceToken + "/delete", map[string]any{"merchant_unique_reference": "del-bob"}, 422, "DUPLICATE_REQUEST", "del-bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.raw(tc.method, tc.path, tok, tc.body)
			refused(t, tc.name, status, body, tc.status, tc.code, tc.says)
		})
	}
	// Alice's token survived every refusal.
	if status, got, _ := call[pinelabs.CustomerToken](e, "GET", tokensPath(alice)+"/"+aliceToken, tok, nil); status != http.StatusOK || deref(got.Status) != pinelabs.TokenStatusACTIVE {
		t.Errorf("alice's token after the refusals: %d %+v", status, got)
	}
	e.wantChecked("createPayment 422", "listCustomerTokens 404", "getCustomerToken 404", "deleteCustomerToken 400", "deleteCustomerToken 404", "deleteCustomerToken 422")
}
