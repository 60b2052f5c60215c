package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// createRefund refunds a paid order: all that is left to refund when the
// request gives no order_amount, else that much. The refund is an order of
// its own, of type REFUND, with parent_order_id, stored under its
// merchant_order_reference; the sandbox refunds at once, so the refund is
// PROCESSED when the call returns, and the parent PARTIALLY_REFUNDED or
// FULLY_REFUNDED.
//
// Refused, in this order: an unknown order (404 ORDER_NOT_FOUND); a
// merchant_order_reference any order or refund has (422
// DUPLICATE_REQUEST, first, so a retry of a refund that happened learns
// so); a refund of a refund, or of an order not PROCESSED or
// PARTIALLY_REFUNDED (422 OPERATION_NOT_ALLOWED); an amount in another
// currency (400 INVALID_REQUEST); more than is left of what was captured
// (422 AMOUNT_LIMIT_EXCEEDED). Updates are serialised, so refunds made at
// once never add up to more than was captured.
func (s *Sandbox) createRefund(ctx context.Context, parentID string, req *pinelabs.RefundRequest) (*Order, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	var refund *Order
	_, err := s.change(ctx, parentID, func(tx Tx, o *Order, now time.Time) error {
		if _, err := tx.OrderByReference(req.MerchantOrderReference); err == nil {
			return duplicate("merchant_order_reference %q is already used by another order or refund", req.MerchantOrderReference)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if deref(o.Type) == pinelabs.OrderTypeREFUND {
			return notAllowed("order %s is itself a refund, which cannot be refunded", o.ID())
		}
		if st := o.Status(); st != pinelabs.OrderStatusPROCESSED && st != pinelabs.OrderStatusPARTIALLYREFUNDED {
			return notAllowed("only a PROCESSED or PARTIALLY_REFUNDED order can be refunded; this one is %s", st)
		}
		cur := o.OrderAmount.Currency
		captured := captured(o)
		left := pinelabs.Amount{Value: captured - o.Refunded(), Currency: cur}
		amount := left
		if a := req.OrderAmount; a != nil {
			if a.Currency != cur {
				return invalid("order_amount.currency is %s; the order is in %s", a.Currency, cur)
			}
			amount = *a
		}
		if amount.Value > left.Value {
			return refuse(http.StatusUnprocessableEntity, "AMOUNT_LIMIT_EXCEEDED", "a refund of %s is more than the %s left to refund of the %s captured", money(amount), money(left), money(pinelabs.Amount{Value: captured, Currency: cur}))
		}

		refund = s.newRefund(o, req, amount, now)
		if err := tx.PutOrder(refund); err != nil {
			return err
		}
		o.Refunds = append(o.Refunds, Refund{OrderID: refund.ID(), Reference: refund.Reference(), Amount: amount, At: now})
		status := pinelabs.OrderStatusPARTIALLYREFUNDED
		if o.Refunded() == captured {
			status = pinelabs.OrderStatusFULLYREFUNDED
		}
		s.setStatus(o, now, status, fmt.Sprintf("refunded %s by refund %s; %s of %s refunded", money(amount), refund.ID(), money(pinelabs.Amount{Value: o.Refunded(), Currency: cur}), money(pinelabs.Amount{Value: captured, Currency: cur})))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return refund, nil
}

// newRefund returns the refund of amount of the order parent, PROCESSED.
// It carries the parent's customer and the request's merchant_metadata.
func (s *Sandbox) newRefund(parent *Order, req *pinelabs.RefundRequest, amount pinelabs.Amount, now time.Time) *Order {
	r := &Order{
		Order: pinelabs.Order{
			OrderID:                ptr(newID("v1-", 10) + "-aa-" + newID("", 6)),
			MerchantOrderReference: ptr(req.MerchantOrderReference),
			Type:                   ptr(pinelabs.OrderTypeREFUND),
			ParentOrderID:          parent.OrderID,
			MerchantID:             ptr(merchantID),
			OrderAmount:            &amount,
			Payments:               []pinelabs.Payment{},
			IntegrationMode:        parent.IntegrationMode,
			CreatedAt:              ptr(timestamp(now)),
			UpdatedAt:              ptr(timestamp(now)),
		},
		Seq: s.nextSeq(),
	}
	if pd := parent.PurchaseDetails; pd != nil && pd.Customer != nil || req.MerchantMetadata != nil {
		r.PurchaseDetails = &pinelabs.PurchaseDetails{MerchantMetadata: req.MerchantMetadata}
		if pd != nil {
			r.PurchaseDetails.Customer = pd.Customer
		}
	}
	what := fmt.Sprintf("refund of %s of order %s", money(amount), parent.ID())
	if codes := productCodes(req.Products); codes != "" {
		what += ", for " + codes
	}
	r.Order.Status = ptr(pinelabs.OrderStatusCREATED)
	r.event(now, EventStatus, pinelabs.OrderStatusCREATED, what)
	s.setStatus(r, now, pinelabs.OrderStatusPROCESSED, "refunded at once (the sandbox does not make refunds wait)")
	return r
}

func productCodes(ps []pinelabs.RefundProduct) string {
	var codes []string
	for _, p := range ps {
		if c := deref(p.ProductCode); c != "" {
			codes = append(codes, c)
		}
	}
	return strings.Join(codes, ", ")
}

// captured is what the customer paid for o, in paisa: the captures of a
// pre-auth order, else its processed payments.
func captured(o *Order) int64 {
	var n int64
	for _, p := range o.Payments {
		switch {
		case deref(o.PreAuth):
			for _, c := range p.CaptureData {
				if c.CaptureAmount != nil {
					n += c.CaptureAmount.Value
				}
			}
		case deref(p.Status) == pinelabs.PaymentStatusPROCESSED && p.PaymentAmount != nil:
			n += p.PaymentAmount.Value
		}
	}
	return n
}
