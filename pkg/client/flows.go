package client

// The documented multi-call flows, each as one method: Pay by Points
// (balance, then the CARD+POINTS split) and Pay Later (eligibility, then
// the BNPL payment). Each checks everything it can before the first call,
// so bad input sends nothing.

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/validation"
)

// The Pay Later providers the API documents, for PayLater's payCode.
const (
	// BNPLLazyPay is LazyPay.
	BNPLLazyPay = pinelabs.BNPLPayCodeLAZYPAY
	// BNPLSimpl is Simpl; it needs the customer's DeviceInfo.
	BNPLSimpl = pinelabs.BNPLPayCodeSIMPL
	// BNPLSimpl3 is Simpl's instalment plan, whose eligibility answer
	// lists the instalments; it needs the customer's DeviceInfo too.
	BNPLSimpl3 = pinelabs.BNPLPayCodeSIMPL3
)

// ErrNotEligible reports that the customer cannot pay the amount this way:
// the Pay Later provider said no (or said nothing), or the points card is
// not eligible or its points are worth less than the smallest payment.
// Nothing was charged; the caller may offer another way to pay.
var ErrNotEligible = errors.New("pinelabs: not eligible")

// PointsShortfallError reports that the points do not cover the order and
// PayWithPoints was given no card for the rest. Nothing was charged.
type PointsShortfallError struct {
	// OrderAmount is the amount the order asks for.
	OrderAmount Amount
	// Redeemable is what the points would pay towards this order.
	Redeemable Amount
	// Shortfall is what a card would have to pay: OrderAmount - Redeemable.
	Shortfall Amount
}

func (e *PointsShortfallError) Error() string {
	return fmt.Sprintf("pinelabs payWithPoints: points cover %s of %s; a card must pay the remaining %s",
		FormatAmount(e.Redeemable), FormatAmount(e.OrderAmount), FormatAmount(e.Shortfall))
}

// minPaymentPaisa is the spec's minimum payment_amount.value (₹1): every
// leg of a split must be at least this much.
const minPaymentPaisa = 100

// PayWithPoints pays the order with the reward points on the points card
// and, when they fall short, the card for the rest, as the Pay by Points
// docs lay out: it checks the point balance for amount, then sends one
// createPayment whose legs add up to amount exactly (the docs say a split
// that does not is refused):
//
//   - points worth amount or more: a single POINTS payment of amount;
//   - otherwise a CARD payment of the rest plus a POINTS payment of what the
//     points redeem. A leg below ₹1 cannot be sent, so when the rest would
//     be less than ₹1 the points pay ₹1 less and the card pays ₹1.
//
// amount must be the order's amount; it is taken rather than looked up so
// that the flow costs two calls, not three. card may be nil when the
// points are expected to cover everything; if they do not, the result is a
// *PointsShortfallError naming the shortfall. A points card the balance
// call says is not eligible, or points that cannot make a leg of at least
// ₹1, give an error matching ErrNotEligible.
// Neither error sends a payment, and invalid input sends nothing at all.
//
// Get the customer's consent before calling: the docs make it mandatory
// before redeeming points. Each leg gets its own merchant payment reference
// (see CreatePayment).
func (c *Client) PayWithPoints(ctx context.Context, orderID string, amount Amount, points PointsCardDetails, card *CardDetails) (*Order, error) {
	if orderID == "" {
		return nil, missingOrderID("PayWithPoints")
	}
	balance := &PointBalanceRequest{}
	balance.OrderDetails.OrderAmount = amount
	balance.PaymentOption.PointsCardDetails = points
	if err := balance.Validate(); err != nil {
		return nil, err
	}
	if card != nil {
		// Checked now, with the largest amount it could be asked to pay, so
		// that a bad card is reported before the balance call.
		leg := cardLeg(amount, card)
		if err := leg.Validate(); err != nil {
			return nil, err
		}
	}

	bal, err := c.CheckPointBalance(ctx, balance)
	if err != nil {
		return nil, err
	}
	redeemable, err := redeemablePaisa(bal, amount)
	if err != nil {
		return nil, err
	}
	pointsPart, cardPart := splitPoints(amount.Value, redeemable)
	if pointsPart < minPaymentPaisa {
		return nil, fmt.Errorf("pinelabs payWithPoints: points redeem %s towards %s, and a points payment must be at least %s: %w",
			FormatAmount(Amount{Value: redeemable, Currency: amount.Currency}), FormatAmount(amount),
			FormatAmount(Amount{Value: minPaymentPaisa, Currency: amount.Currency}), ErrNotEligible)
	}
	if cardPart > 0 && card == nil {
		return nil, &PointsShortfallError{
			OrderAmount: amount,
			Redeemable:  Amount{Value: pointsPart, Currency: amount.Currency},
			Shortfall:   Amount{Value: cardPart, Currency: amount.Currency},
		}
	}

	req := &CreatePaymentRequest{}
	if cardPart > 0 {
		// Card first, as in the docs' samples.
		req.Payments = append(req.Payments, cardLeg(Amount{Value: cardPart, Currency: amount.Currency}, card))
	}
	req.Payments = append(req.Payments, PaymentRequest{
		PaymentMethod: MethodPoints,
		PaymentAmount: Amount{Value: pointsPart, Currency: amount.Currency},
		PaymentOption: PaymentOption{PointsCardDetails: &points},
	})
	return c.CreatePayment(ctx, orderID, req)
}

func cardLeg(amount Amount, card *CardDetails) PaymentRequest {
	return PaymentRequest{
		PaymentMethod: MethodCard,
		PaymentAmount: amount,
		PaymentOption: PaymentOption{CardDetails: card},
	}
}

// redeemablePaisa reads what the points can pay of amount from either
// documented shape of the balance response (spec/ERRATA.md #2):
// redeemable_amount in paisa, or else inr_equivalent in rupees. An
// ineligible card, or a response with neither field, redeems nothing.
func redeemablePaisa(bal *PointBalanceResponse, amount Amount) (int64, error) {
	if bal.IsEligible != nil && !*bal.IsEligible {
		return 0, fmt.Errorf("pinelabs payWithPoints: the points card cannot pay with points: %w", ErrNotEligible)
	}
	switch {
	case bal.RedeemableAmount != nil && bal.RedeemableAmount.Value != nil:
		if cur := bal.RedeemableAmount.Currency; cur != nil && *cur != "" && *cur != amount.Currency {
			return 0, fmt.Errorf("pinelabs payWithPoints: points redeem in %s, the order is in %s", *cur, amount.Currency)
		}
		return max(*bal.RedeemableAmount.Value, 0), nil
	case bal.InrEquivalent != nil:
		// Rounded, not truncated: float32 holds 32.01 as 32.00999…
		return max(int64(math.Round(float64(*bal.InrEquivalent)*100)), 0), nil
	}
	return 0, nil
}

// splitPoints divides total between points and card: points pay as much as
// they can, and the card leg, when there is one, is at least
// minPaymentPaisa.
func splitPoints(total, redeemable int64) (points, card int64) {
	points = min(redeemable, total)
	card = total - points
	if card > 0 && card < minPaymentPaisa {
		points, card = total-minPaymentPaisa, minPaymentPaisa
	}
	return points, card
}

// PayLater pays the order with a Pay Later (BNPL) provider, as the Pay
// Later docs lay out: it asks payCode whether the customer with this mobile
// number may pay amount, and only if the answer is yes sends the BNPL
// payment. A no, or an answer without txn_eligibility, gives an error
// matching ErrNotEligible and charges nothing.
//
// device is the customer's device; SIMPL and SIMPL3 require it, LAZYPAY
// does not (pass nil). amount must be the order's amount. Both requests are
// validated before the first call, so bad input sends nothing.
func (c *Client) PayLater(ctx context.Context, orderID string, amount Amount, mobile string, payCode BNPLPayCode, device *DeviceInfo) (*Order, error) {
	if orderID == "" {
		return nil, missingOrderID("PayLater")
	}
	eligibility := &BNPLEligibilityRequest{Amount: amount, Mobile: mobile, PayCode: payCode, DeviceInfo: device}
	if err := eligibility.Validate(); err != nil {
		return nil, err
	}
	payment := &CreatePaymentRequest{Payments: []PaymentRequest{{
		PaymentMethod: MethodBNPL,
		PaymentAmount: amount,
		PaymentOption: PaymentOption{BNPLDetails: &BNPLDetails{Mobile: mobile, BNPLPayCode: payCode}},
		DeviceInfo:    device,
	}}}
	if err := payment.Validate(); err != nil {
		return nil, err
	}

	answer, err := c.CheckBNPLEligibility(ctx, eligibility)
	if err != nil {
		return nil, err
	}
	if answer.TxnEligibility == nil || !*answer.TxnEligibility {
		return nil, fmt.Errorf("pinelabs payLater: %s will not lend %s to this customer: %w", payCode, FormatAmount(amount), ErrNotEligible)
	}
	return c.CreatePayment(ctx, orderID, payment)
}

// missingOrderID is the error for an empty order ID, in the form Validate
// uses so that callers handle every input error alike.
func missingOrderID(flow string) error {
	return &validation.Error{Type: flow, Fields: []validation.FieldError{{Path: "order_id", Rule: validation.Required}}}
}
