package client_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/validation"
)

// newFlowsAPI starts internal/fakeapi and a client for it that does not
// retry, so each test counts exactly the calls a flow makes.
func newFlowsAPI(t testing.TB) (*fakeapi.Server, *client.Client) {
	t.Helper()
	api := fakeapi.New(t, fakeapi.Config{})
	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL), client.WithRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	return api, c
}

// createFlowsOrder creates an order of amount on the fake and returns its ID.
func createFlowsOrder(t testing.TB, c *client.Client, amount client.Amount) string {
	t.Helper()
	order, err := c.CreateOrder(context.Background(), &client.CreateOrderRequest{
		MerchantOrderReference: fmt.Sprintf("flows-%d", flowsSeq.Add(1)),
		OrderAmount:            amount,
	})
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return *order.OrderID
}

var flowsSeq atomic.Int64

// sentPayment decodes the one createPayment the fake saw, or returns nil.
func sentPayment(t testing.TB, api *fakeapi.Server) *client.CreatePaymentRequest {
	t.Helper()
	reqs := api.Requests(fakeapi.OpCreatePayment)
	switch len(reqs) {
	case 0:
		return nil
	case 1:
	default:
		t.Fatalf("%d createPayment requests, want at most 1", len(reqs))
	}
	var req client.CreatePaymentRequest
	if err := json.Unmarshal(reqs[0].Body, &req); err != nil {
		t.Fatal(err)
	}
	return &req
}

// legs renders a payment request as "METHOD value" per leg, in order.
func legs(req *client.CreatePaymentRequest) string {
	if req == nil {
		return ""
	}
	var s []string
	for _, p := range req.Payments {
		s = append(s, fmt.Sprintf("%s %d", p.PaymentMethod, p.PaymentAmount.Value))
	}
	return strings.Join(s, " + ")
}

func flowsPointsCard() client.PointsCardDetails {
	return client.PointsCardDetails{CardLast4: "1112", CardNumber: "4012001037141112", RegisteredMobileNumber: "9876543210"}
}

func flowsCard() *client.CardDetails {
	name, mobile := "Kevin Bob", "9876543210"
	return &client.CardDetails{
		Name: &name, CardNumber: "4012001037141112", CVV: "123",
		ExpiryMonth: "12", ExpiryYear: "2030", RegisteredMobileNumber: &mobile,
	}
}

func TestPayWithPoints(t *testing.T) {
	t.Parallel()
	badCard := flowsCard()
	badCard.CVV = "1"

	tests := []struct {
		name         string
		emptyOrderID bool
		amount       client.Amount
		balance      string
		card         *client.CardDetails
		// What was sent: the legs of the payment ("" for none) and how
		// many balance calls were made.
		wantLegs     string
		wantBalance  int
		wantErr      func(error) bool
		wantErrMatch string
	}{
		{
			name:        "docs example: card pays what points do not",
			amount:      client.INR(4573),
			balance:     `{"balance":{"value":23718050,"currency":"INR"},"redeemable_amount":{"value":3201,"currency":"INR"},"redeemable_points":140,"is_eligible":true}`,
			card:        flowsCard(),
			wantLegs:    "CARD 1372 + POINTS 3201",
			wantBalance: 1,
		},
		{
			name:        "points redeem more than the order: one POINTS payment of the order amount",
			amount:      client.INR(4573),
			balance:     `{"redeemable_amount":{"value":5000,"currency":"INR"},"is_eligible":true}`,
			card:        flowsCard(),
			wantLegs:    "POINTS 4573",
			wantBalance: 1,
		},
		{
			name:        "points redeem exactly the order amount, no card needed",
			amount:      client.INR(5000),
			balance:     `{"redeemable_amount":{"value":5000,"currency":"INR"},"is_eligible":true}`,
			wantLegs:    "POINTS 5000",
			wantBalance: 1,
		},
		{
			name:        "card leg would be under one rupee: points give up the difference",
			amount:      client.INR(5000),
			balance:     `{"redeemable_amount":{"value":4950,"currency":"INR"},"is_eligible":true}`,
			card:        flowsCard(),
			wantLegs:    "CARD 100 + POINTS 4900",
			wantBalance: 1,
		},
		{
			name:        "older response shape: inr_equivalent in rupees",
			amount:      client.INR(4573),
			balance:     `{"points_balance":3201,"inr_equivalent":32.01,"conversion_rate":0.01}`,
			card:        flowsCard(),
			wantLegs:    "CARD 1372 + POINTS 3201",
			wantBalance: 1,
		},
		{
			name:         "no card and points fall short: shortfall named, no payment",
			amount:       client.INR(4573),
			balance:      `{"redeemable_amount":{"value":3201,"currency":"INR"},"is_eligible":true}`,
			wantBalance:  1,
			wantErrMatch: "points cover ₹32.01 of ₹45.73; a card must pay the remaining ₹13.72",
			wantErr: func(err error) bool {
				var se *client.PointsShortfallError
				return errors.As(err, &se) && se.Shortfall == client.INR(1372) && se.Redeemable == client.INR(3201) && se.OrderAmount == client.INR(4573)
			},
		},
		{
			name:        "card not eligible for points: ErrNotEligible, no payment",
			amount:      client.INR(4573),
			balance:     `{"redeemable_amount":{"value":3201,"currency":"INR"},"is_eligible":false}`,
			card:        flowsCard(),
			wantBalance: 1,
			wantErr:     func(err error) bool { return errors.Is(err, client.ErrNotEligible) },
		},
		{
			name:        "points worth less than one rupee: ErrNotEligible, no payment",
			amount:      client.INR(4573),
			balance:     `{"redeemable_amount":{"value":40,"currency":"INR"},"is_eligible":true}`,
			card:        flowsCard(),
			wantBalance: 1,
			wantErr:     func(err error) bool { return errors.Is(err, client.ErrNotEligible) },
		},
		{
			name:        "order too small to split (₹1.50 with ₹1.20 of points): ErrNotEligible",
			amount:      client.INR(150),
			balance:     `{"redeemable_amount":{"value":120,"currency":"INR"},"is_eligible":true}`,
			card:        flowsCard(),
			wantBalance: 1,
			wantErr:     func(err error) bool { return errors.Is(err, client.ErrNotEligible) },
		},
		{
			name:        "balance with no redeemable amount at all: ErrNotEligible",
			amount:      client.INR(4573),
			balance:     `{"is_eligible":true}`,
			card:        flowsCard(),
			wantBalance: 1,
			wantErr:     func(err error) bool { return errors.Is(err, client.ErrNotEligible) },
		},
		{
			name:        "points in another currency: refused, no payment",
			amount:      client.INR(4573),
			balance:     `{"redeemable_amount":{"value":3201,"currency":"USD"},"is_eligible":true}`,
			card:        flowsCard(),
			wantBalance: 1,
			wantErr:     func(err error) bool { return err != nil && strings.Contains(err.Error(), "USD") },
		},
		{
			name:         "empty order ID: validation error, nothing sent",
			emptyOrderID: true,
			amount:       client.INR(4573),
			card:         flowsCard(),
			wantErr:      func(err error) bool { return flowsHasField(err, "order_id", validation.Required) },
		},
		{
			name:   "bad card: validation error before the balance call",
			amount: client.INR(4573),
			card:   badCard,
			wantErr: func(err error) bool {
				var ve *validation.Error
				return errors.As(err, &ve) && !strings.Contains(err.Error(), "4012001037141112")
			},
		},
		{
			name:    "amount below the minimum: validation error, nothing sent",
			amount:  client.INR(50),
			card:    flowsCard(),
			wantErr: func(err error) bool { var ve *validation.Error; return errors.As(err, &ve) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, c := newFlowsAPI(t)
			var orderID string
			switch {
			case tt.emptyOrderID:
			case tt.amount.Value < 100: // CreateOrder would refuse it too
				orderID = "v1-0000000000-aa-noOrdr"
			default:
				orderID = createFlowsOrder(t, c, tt.amount)
			}
			if tt.balance != "" {
				api.Inject(fakeapi.OpCheckPointBalance, fakeapi.Respond(http.StatusOK, tt.balance))
			}

			order, err := c.PayWithPoints(context.Background(), orderID, tt.amount, flowsPointsCard(), tt.card)

			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("error = %v, not the one wanted", err)
				}
				if strings.Contains(err.Error(), "4012001037141112") || strings.Contains(err.Error(), "9876543210") {
					t.Errorf("error %q shows a card or mobile number", err)
				}
				if tt.wantErrMatch != "" && !strings.Contains(err.Error(), tt.wantErrMatch) {
					t.Errorf("error %q does not say %q", err, tt.wantErrMatch)
				}
				if order != nil {
					t.Errorf("order = %v with an error", order)
				}
			} else if err != nil {
				t.Fatalf("PayWithPoints: %v", err)
			}
			balances := api.Requests(fakeapi.OpCheckPointBalance)
			if len(balances) != tt.wantBalance {
				t.Errorf("balance calls = %d, want %d", len(balances), tt.wantBalance)
			}
			sent := sentPayment(t, api)
			if len(balances) > 0 {
				var balanceReq client.PointBalanceRequest
				if err := json.Unmarshal(balances[0].Body, &balanceReq); err != nil {
					t.Fatal(err)
				}
				if balanceReq.OrderDetails.OrderAmount != tt.amount {
					t.Errorf("balance asked for %+v, want %+v", balanceReq.OrderDetails.OrderAmount, tt.amount)
				}
				if balanceReq.PaymentOption.PointsCardDetails != flowsPointsCard() {
					t.Error("balance request lost the points card")
				}
			}
			if got := legs(sent); got != tt.wantLegs {
				t.Errorf("payment sent = %q, want %q", got, tt.wantLegs)
			}
			if sent == nil {
				return
			}
			var sum int64
			for i, p := range sent.Payments {
				sum += p.PaymentAmount.Value
				switch p.PaymentMethod {
				case "CARD":
					if p.PaymentOption.CardDetails == nil || p.PaymentOption.PointsCardDetails != nil {
						t.Errorf("leg %d: CARD leg options %+v", i, p.PaymentOption)
					}
				case "POINTS":
					if pc := p.PaymentOption.PointsCardDetails; pc == nil || *pc != flowsPointsCard() || p.PaymentOption.CardDetails != nil {
						t.Errorf("leg %d: POINTS leg options %+v", i, p.PaymentOption)
					}
				}
				if p.MerchantPaymentReference == nil || *p.MerchantPaymentReference == "" {
					t.Errorf("leg %d has no merchant_payment_reference", i)
				}
			}
			if sum != tt.amount.Value {
				t.Errorf("legs add up to %d, order is %d", sum, tt.amount.Value)
			}
			if order == nil || order.OrderID == nil || *order.OrderID != orderID || len(order.Payments) != len(sent.Payments) {
				t.Errorf("order = %v, want order %s with %d payments", order, orderID, len(sent.Payments))
			}
		})
	}
}

func TestPayWithPointsBalanceFails(t *testing.T) {
	t.Parallel()
	api, c := newFlowsAPI(t)
	orderID := createFlowsOrder(t, c, client.INR(4573))
	api.Inject(fakeapi.OpCheckPointBalance, fakeapi.Respond(http.StatusUnprocessableEntity,
		`{"code":"INVALID_REQUEST","message":"points card not enrolled"}`))
	_, err := c.PayWithPoints(context.Background(), orderID, client.INR(4573), flowsPointsCard(), flowsCard())
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("error = %v, want the *APIError of the balance call", err)
	}
	if n := api.Hits(fakeapi.OpCreatePayment); n != 0 {
		t.Errorf("%d payments sent after the balance call failed", n)
	}
}

// A split payment whose response is lost is not sent again as a second
// split: the client finds its legs on the order instead.
func TestPayWithPointsLostResponse(t *testing.T) {
	t.Parallel()
	api, _ := newFlowsAPI(t)
	c, err := client.New("client-id", "client-secret", client.WithBaseURL(api.URL), client.WithRetries(2))
	if err != nil {
		t.Fatal(err)
	}
	orderID := createFlowsOrder(t, c, client.INR(4573))
	api.Inject(fakeapi.OpCreatePayment, fakeapi.DropResponse())

	order, err := c.PayWithPoints(context.Background(), orderID, client.INR(4573), flowsPointsCard(), flowsCard())
	if err != nil {
		t.Fatalf("PayWithPoints: %v", err)
	}
	if n := api.Counts().Payments; n != 2 {
		t.Errorf("the fake linked %d payments, want the 2 legs once", n)
	}
	if len(order.Payments) != 2 {
		t.Errorf("order has %d payments, want 2", len(order.Payments))
	}
	if api.Hits(fakeapi.OpGetOrder) == 0 {
		t.Error("the lost response was not reconciled through get order")
	}
}

func TestPayLater(t *testing.T) {
	t.Parallel()
	device := &client.DeviceInfo{
		OperatingSystem: "Linux", SourceIPAddress: "10.11.19.2", BrowserIPAddress: "203.0.113.42",
		BrowserUserAgent: "Chrome", DeviceModel: "Samsung S21 Ultra", DeviceManufacturer: "Samsung",
	}
	eligible := `{"txn_eligibility":true,"metadata":{"credit_limit_available_in_paise":"500000"}}`

	tests := []struct {
		name              string
		emptyOrderID      bool
		payCode           client.BNPLPayCode
		device            *client.DeviceInfo
		eligibility       string
		eligibilityStatus int
		wantEligibility   int
		wantPayment       bool
		wantErr           func(error) bool
	}{
		{
			name:    "LAZYPAY, eligible, no device needed",
			payCode: client.BNPLLazyPay, eligibility: eligible,
			wantEligibility: 1, wantPayment: true,
		},
		{
			name:    "SIMPL3 with device, eligible",
			payCode: client.BNPLSimpl3, device: device,
			eligibility:     `{"txn_eligibility":true,"metadata":{"installments":[{"serial_no":1,"amount_in_paise":1134,"due_date":"2025-06-30"}]}}`,
			wantEligibility: 1, wantPayment: true,
		},
		{
			name:    "not eligible: ErrNotEligible before any payment",
			payCode: client.BNPLLazyPay, eligibility: `{"txn_eligibility":false}`,
			wantEligibility: 1,
			wantErr:         func(err error) bool { return errors.Is(err, client.ErrNotEligible) },
		},
		{
			name:    "answer without txn_eligibility counts as no",
			payCode: client.BNPLLazyPay, eligibility: `{"metadata":{}}`,
			wantEligibility: 1,
			wantErr:         func(err error) bool { return errors.Is(err, client.ErrNotEligible) },
		},
		{
			name:    "eligibility call refused: the API error, no payment",
			payCode: client.BNPLLazyPay, eligibilityStatus: http.StatusUnprocessableEntity,
			eligibility:     `{"code":"INVALID_REQUEST","message":"mobile not registered"}`,
			wantEligibility: 1,
			wantErr: func(err error) bool {
				var apiErr *client.APIError
				return errors.As(err, &apiErr) && !errors.Is(err, client.ErrNotEligible)
			},
		},
		{
			name:    "SIMPL without device: validation error, nothing sent",
			payCode: client.BNPLSimpl, eligibility: eligible,
			wantErr: func(err error) bool { return flowsHasField(err, "device_info", validation.RequiredWhen) },
		},
		{
			name:    "unknown provider: validation error, nothing sent",
			payCode: "KLARNA", eligibility: eligible,
			wantErr: func(err error) bool { return flowsHasField(err, "pay_code", validation.Enum) },
		},
		{
			name: "empty order ID: validation error, nothing sent", emptyOrderID: true, payCode: client.BNPLLazyPay, eligibility: eligible,
			wantErr: func(err error) bool { return flowsHasField(err, "order_id", validation.Required) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, c := newFlowsAPI(t)
			amount := client.INR(3400)
			var orderID string
			if !tt.emptyOrderID {
				orderID = createFlowsOrder(t, c, amount)
			}
			if tt.eligibility != "" {
				status := cmp.Or(tt.eligibilityStatus, http.StatusOK)
				api.Inject(fakeapi.OpCheckBNPL, fakeapi.Respond(status, tt.eligibility))
			}

			order, err := c.PayLater(context.Background(), orderID, amount, "9876543210", tt.payCode, tt.device)

			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("error = %v, not the one wanted", err)
				}
			} else if err != nil {
				t.Fatalf("PayLater: %v", err)
			}
			checks := api.Requests(fakeapi.OpCheckBNPL)
			if len(checks) != tt.wantEligibility {
				t.Errorf("eligibility calls = %d, want %d", len(checks), tt.wantEligibility)
			}
			sent := sentPayment(t, api)
			if !tt.wantPayment {
				if sent != nil {
					t.Fatalf("payment sent: %s", legs(sent))
				}
				return
			}
			var asked client.BNPLEligibilityRequest
			if err := json.Unmarshal(checks[0].Body, &asked); err != nil {
				t.Fatal(err)
			}
			if asked.Amount != amount || asked.PayCode != tt.payCode || asked.Mobile != "9876543210" {
				t.Errorf("eligibility asked %+v", asked)
			}
			if (asked.DeviceInfo != nil) != (tt.device != nil) {
				t.Errorf("eligibility device_info = %v, want %v", asked.DeviceInfo, tt.device)
			}
			if got := legs(sent); got != "BNPL 3400" {
				t.Errorf("payment = %q, want BNPL 3400", got)
			}
			p := sent.Payments[0]
			if d := p.PaymentOption.BNPLDetails; d == nil || d.BNPLPayCode != tt.payCode || d.Mobile != "9876543210" {
				t.Errorf("bnpl_details = %+v", d)
			}
			if tt.device != nil && (p.DeviceInfo == nil || *p.DeviceInfo != *tt.device) {
				t.Errorf("payment device_info = %+v, want %+v", p.DeviceInfo, tt.device)
			}
			if order == nil || order.OrderID == nil || *order.OrderID != orderID {
				t.Errorf("order = %v", order)
			}
		})
	}
}

// flowsHasField reports whether err is a *validation.Error naming path and
// rule.
func flowsHasField(err error, path string, rule validation.Rule) bool {
	var ve *validation.Error
	return errors.As(err, &ve) && ve.Has(path, rule)
}
