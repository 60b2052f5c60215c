package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/lenient"
)

// Reference kinds a Tx claims, so that none is used twice.
const (
	claimPayment  = "merchant_payment_reference"
	claimCapture  = "merchant_capture_reference"
	claimCustomer = "merchant_customer_reference"
)

// merchantID is the merchant every sandbox order belongs to.
const merchantID = "123456"

// challengePath is where a payment's challenge_url points, followed by
// the order_id.
const challengePath = "/sandbox/challenge/"

func (s *Sandbox) createOrder(ctx context.Context, req *pinelabs.CreateOrderRequest) (*Order, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	now := time.Now()
	o := &Order{
		Order: pinelabs.Order{
			OrderID:                 ptr(newID("v1-", 10) + "-aa-" + newID("", 6)),
			MerchantOrderReference:  ptr(req.MerchantOrderReference),
			Type:                    ptr(pinelabs.OrderTypeCHARGE),
			Status:                  ptr(pinelabs.OrderStatusCREATED),
			MerchantID:              ptr(merchantID),
			OrderAmount:             &req.OrderAmount,
			PreAuth:                 ptr(req.PreAuth != nil && *req.PreAuth),
			AllowedPaymentMethods:   req.AllowedPaymentMethods,
			Notes:                   req.Notes,
			CallbackURL:             req.CallbackURL,
			FailureCallbackURL:      req.FailureCallbackURL,
			PurchaseDetails:         req.PurchaseDetails,
			Payments:                []pinelabs.Payment{},
			IntegrationMode:         ptr(pinelabs.IntegrationModeSEAMLESS),
			PaymentRetriesRemaining: ptr(lenient.Int(MaxOTPAttempts)),
			IsMCCTransaction:        ptr(false),
			CreatedAt:               ptr(timestamp(now)),
			UpdatedAt:               ptr(timestamp(now)),
		},
		Seq: s.nextSeq(),
	}
	o.event(now, EventStatus, pinelabs.OrderStatusCREATED, "order created for "+money(req.OrderAmount))
	err := s.update(ctx, func(tx Tx) error {
		if _, err := tx.OrderByReference(req.MerchantOrderReference); err == nil {
			return duplicate("merchant_order_reference %q is already used by another order", req.MerchantOrderReference)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := linkCustomer(tx, o, now); err != nil {
			return err
		}
		return tx.PutOrder(o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Sandbox) order(ctx context.Context, id string) (*Order, error) {
	var o *Order
	err := s.store.View(ctx, func(tx Tx) (err error) {
		o, err = tx.Order(id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, orderNotFound("order_id", id)
	}
	return o, err
}

func (s *Sandbox) orderByReference(ctx context.Context, ref string) (*Order, error) {
	var o *Order
	err := s.store.View(ctx, func(tx Tx) (err error) {
		o, err = tx.OrderByReference(ref)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, orderNotFound("merchant_order_reference", ref)
	}
	return o, err
}

// change runs fn on a copy of the order in one update and stores the copy
// when fn succeeds. A refusal is recorded in the order's history without
// changing anything else.
func (s *Sandbox) change(ctx context.Context, id string, fn func(tx Tx, o *Order, now time.Time) error) (*Order, error) {
	var out *Order
	var refused *apiError
	err := s.update(ctx, func(tx Tx) error {
		stored, err := tx.Order(id)
		if errors.Is(err, ErrNotFound) {
			return orderNotFound("order_id", id)
		} else if err != nil {
			return err
		}
		o := stored.Clone()
		now := time.Now()
		if err := fn(tx, o, now); err != nil {
			if errors.As(err, &refused) {
				out = stored
			}
			return err
		}
		o.UpdatedAt = ptr(timestamp(now))
		out = o
		return tx.PutOrder(o)
	})
	if refused != nil && out != nil {
		// Note the refusal on a fresh copy, in its own update: the refused
		// update wrote nothing.
		s.update(ctx, func(tx Tx) error {
			o, err := tx.Order(id)
			if err != nil {
				return err
			}
			o = o.Clone()
			o.Events = append(o.Events, Event{At: time.Now(), Kind: EventRejected, What: refused.message, Code: refused.code})
			return tx.PutOrder(o)
		})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// update is Store.Update, then a nudge to the webhook sender, which may
// have new deliveries.
func (s *Sandbox) update(ctx context.Context, fn func(Tx) error) error {
	if err := s.store.Update(ctx, fn); err != nil {
		return err
	}
	if s.hooks != nil {
		s.hooks.wake()
	}
	return nil
}

func (s *Sandbox) createPayment(ctx context.Context, id string, req *pinelabs.CreatePaymentRequest) (*Order, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	return s.change(ctx, id, func(tx Tx, o *Order, now time.Time) error {
		if st := o.Status(); st != pinelabs.OrderStatusCREATED {
			return notAllowed("a payment can be added only to a CREATED order; this one is %s", st)
		}
		var sum, points int64
		for i, p := range req.Payments {
			if p.PaymentAmount.Currency != o.OrderAmount.Currency {
				return invalid("payments[%d].payment_amount.currency is %s; the order is in %s", i, p.PaymentAmount.Currency, o.OrderAmount.Currency)
			}
			sum += p.PaymentAmount.Value
			m := pinelabs.PaymentMethod(p.PaymentMethod)
			if allowed := o.AllowedPaymentMethods; len(allowed) > 0 && !slices.Contains(allowed, m) {
				return refuse(http.StatusUnprocessableEntity, "PAYMENT_METHOD_NOT_ENABLED", "payments[%d].payment_method %s is not among the order's allowed_payment_methods", i, m)
			}
			if pc := p.PaymentOption.PointsCardDetails; pc != nil {
				points += p.PaymentAmount.Value
				if r := pointsCard(pc.CardNumber).Redeemable; p.PaymentAmount.Value > r {
					return refuse(http.StatusUnprocessableEntity, "AMOUNT_LIMIT_EXCEEDED", "payments[%d].payment_amount %s is more than the %s the points card ending %s may redeem", i, money(p.PaymentAmount), money(pinelabs.Amount{Value: r, Currency: p.PaymentAmount.Currency}), last4(pc.CardNumber))
				}
			}
		}
		if sum != o.OrderAmount.Value {
			return invalid("the payments add up to %s but the order is for %s", money(pinelabs.Amount{Value: sum, Currency: o.OrderAmount.Currency}), money(*o.OrderAmount))
		}
		saved := make([]*CustomerToken, len(req.Payments))
		for i, p := range req.Payments {
			t, err := paymentToken(tx, o, i, p.PaymentOption.CardTokenDetails)
			if err != nil {
				return err
			}
			saved[i] = t
		}
		for i, p := range req.Payments {
			if ref := p.MerchantPaymentReference; ref != nil {
				if err := tx.Claim(claimPayment, *ref); errors.Is(err, ErrDuplicate) {
					return duplicate("payments[%d].merchant_payment_reference %q is already used", i, *ref)
				} else if err != nil {
					return err
				}
			}
		}

		declined := ""
		for i, p := range req.Payments {
			pay := pinelabs.Payment{
				ID:                       ptr(fmt.Sprintf("%s-%s-%d", o.ID(), methodCode(p.PaymentMethod), len(o.Payments)+1)),
				MerchantPaymentReference: p.MerchantPaymentReference,
				Status:                   ptr(pinelabs.PaymentStatusPENDING),
				PaymentAmount:            &req.Payments[i].PaymentAmount,
				PaymentMethod:            ptr(pinelabs.PaymentMethod(p.PaymentMethod)),
				PaymentOption:            reported(p.PaymentOption),
				CreatedAt:                ptr(timestamp(now)),
				UpdatedAt:                ptr(timestamp(now)),
			}
			if c := p.PaymentOption.CardDetails; c != nil {
				if tc, ok := testCard(c.CardNumber); ok && tc.Decline != "" {
					o.Decline = tc.Decline
				}
				o.CardToSave = cardToSave(c)
			}
			if t := saved[i]; t != nil {
				cd := *t.CardData
				cd.TokenTxnType = &p.PaymentOption.CardTokenDetails.TokenTxnType
				pay.PaymentOption = &pinelabs.PaymentOptionData{CardData: &cd}
			}
			if b := p.PaymentOption.BNPLDetails; b != nil && !payLaterEligible(b.Mobile) {
				declined = "the customer is not eligible for Pay Later"
				pay.Status = ptr(pinelabs.PaymentStatusFAILED)
				pay.ErrorDetail = &pinelabs.ErrorDetail{Code: ptr(pinelabs.ErrorCode("PAYMENT_DECLINED")), Message: ptr(declined)}
			}
			o.Payments = append(o.Payments, pay)
		}
		if declined != "" {
			for i := range o.Payments {
				o.Payments[i].Status = ptr(pinelabs.PaymentStatusFAILED)
			}
			s.setStatus(o, now, pinelabs.OrderStatusFAILED, "payment declined: "+declined)
			return nil
		}
		o.ChallengeURL = ptr(baseURL(ctx) + challengePath + url.PathEscape(o.ID()))
		s.setStatus(o, now, pinelabs.OrderStatusPENDING, fmt.Sprintf("%d payment(s) linked; waiting for the customer's challenge", len(req.Payments)))
		return nil
	})
}

func (s *Sandbox) capture(ctx context.Context, id string, req *pinelabs.CaptureRequest) (*Order, error) {
	if req != nil {
		if err := validate(req, false); err != nil {
			return nil, err
		}
	}
	return s.change(ctx, id, func(tx Tx, o *Order, now time.Time) error {
		if st := o.Status(); st != pinelabs.OrderStatusAUTHORIZED {
			return notAllowed("only an AUTHORIZED order can be captured; this one is %s", st)
		}
		authorized := pinelabs.Amount{Currency: o.OrderAmount.Currency}
		for _, p := range o.Payments {
			if deref(p.Status) == pinelabs.PaymentStatusAUTHORIZED {
				authorized.Value += p.PaymentAmount.Value
			}
		}
		data := pinelabs.CaptureData{CaptureAmount: &authorized, CreatedAt: ptr(timestamp(now))}
		if req != nil {
			if req.CaptureAmount.Currency != authorized.Currency {
				return invalid("capture_amount.currency is %s; the order is in %s", req.CaptureAmount.Currency, authorized.Currency)
			}
			if req.CaptureAmount.Value > authorized.Value {
				return invalid("capture_amount %s is more than the %s authorised", money(req.CaptureAmount), money(authorized))
			}
			if err := tx.Claim(claimCapture, req.MerchantCaptureReference); errors.Is(err, ErrDuplicate) {
				return duplicate("merchant_capture_reference %q is already used", req.MerchantCaptureReference)
			} else if err != nil {
				return err
			}
			data.CaptureAmount, data.MerchantCaptureReference = &req.CaptureAmount, &req.MerchantCaptureReference
		}
		captured := money(*data.CaptureAmount)
		for i := range o.Payments {
			if p := &o.Payments[i]; deref(p.Status) == pinelabs.PaymentStatusAUTHORIZED {
				p.Status, p.UpdatedAt = ptr(pinelabs.PaymentStatusPROCESSED), ptr(timestamp(now))
				// One capture of a split order is recorded once, on its first
				// payment, so the captures add up to what was captured.
				if data.CaptureAmount != nil {
					p.CaptureData = append(p.CaptureData, data)
					data = pinelabs.CaptureData{}
				}
			}
		}
		s.setStatus(o, now, pinelabs.OrderStatusPROCESSED, "captured "+captured)
		return nil
	})
}

func (s *Sandbox) cancel(ctx context.Context, id string) (*Order, error) {
	return s.change(ctx, id, func(tx Tx, o *Order, now time.Time) error {
		if st := o.Status(); st != pinelabs.OrderStatusAUTHORIZED {
			return notAllowed("only an AUTHORIZED order can be cancelled; this one is %s", st)
		}
		for i := range o.Payments {
			if p := &o.Payments[i]; deref(p.Status) == pinelabs.PaymentStatusAUTHORIZED {
				p.Status, p.UpdatedAt = ptr(pinelabs.PaymentStatusCANCELLED), ptr(timestamp(now))
			}
		}
		s.setStatus(o, now, pinelabs.OrderStatusCANCELLED, "authorisation released")
		return nil
	})
}

// setStatus moves o to status, notes it in o's history and, with webhooks
// on, queues the event the move stands for.
func (s *Sandbox) setStatus(o *Order, now time.Time, status pinelabs.OrderStatus, what string) {
	o.Order.Status = ptr(status)
	o.event(now, EventStatus, status, what)
	if s.hooks != nil {
		s.hooks.queue(o, now)
	}
}

func (o *Order) event(now time.Time, kind EventKind, status pinelabs.OrderStatus, what string) {
	o.Events = append(o.Events, Event{At: now, Kind: kind, Status: status, What: what})
}

func (s *Sandbox) pointBalance(req *pinelabs.PointBalanceRequest) (*pinelabs.PointBalanceResponse, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	c := pointsCard(req.PaymentOption.PointsCardDetails.CardNumber)
	cur := req.OrderDetails.OrderAmount.Currency
	redeemable := min(c.Redeemable, req.OrderDetails.OrderAmount.Value)
	return &pinelabs.PointBalanceResponse{
		Balance:          &pinelabs.Money{Value: ptr(c.Balance), Currency: ptr(cur)},
		RedeemableAmount: &pinelabs.Money{Value: ptr(redeemable), Currency: ptr(cur)},
		RedeemablePoints: ptr(c.Points),
		IsEligible:       ptr(c.Redeemable > 0),
	}, nil
}

func (s *Sandbox) payLaterEligibility(req *pinelabs.BNPLEligibilityRequest) (*pinelabs.BNPLEligibilityResponse, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	if !payLaterEligible(req.Mobile) {
		return &pinelabs.BNPLEligibilityResponse{TxnEligibility: ptr(false)}, nil
	}
	resp := &pinelabs.BNPLEligibilityResponse{
		TxnEligibility: ptr(true),
		Metadata:       &pinelabs.BNPLEligibilityMetadata{CreditLimitAvailableInPaise: ptr("10000000")},
	}
	if req.PayCode == pinelabs.BNPLPayCodeSIMPL3 {
		resp.Metadata.Installments = installments(req.Amount.Value, 3, time.Now())
	}
	return resp, nil
}

// installments splits paisa into n monthly parts, the first due today;
// the first part takes the remainder, as the docs' sample does.
func installments(paisa int64, n int, from time.Time) []pinelabs.Installment {
	out := make([]pinelabs.Installment, n)
	part := paisa / int64(n)
	for i := range out {
		amount := part
		if i == 0 {
			amount += paisa - part*int64(n)
		}
		out[i] = pinelabs.Installment{
			SerialNo:      ptr(i + 1),
			AmountInPaise: ptr(amount),
			DueDate:       ptr(from.AddDate(0, i, 0).Format(time.DateOnly)),
		}
	}
	return out
}

// reported is what the API says of an instrument: never the full number.
func reported(po pinelabs.PaymentOption) *pinelabs.PaymentOptionData {
	switch {
	case po.CardDetails != nil:
		return &pinelabs.PaymentOptionData{CardData: &pinelabs.CardData{
			Last4Digit: ptr(last4(po.CardDetails.CardNumber)), CardType: ptr("CREDIT"), NetworkName: ptr(network(po.CardDetails.CardNumber)),
		}}
	case po.PointsCardDetails != nil:
		return &pinelabs.PaymentOptionData{PointsCardDetails: &pinelabs.PointsCardData{
			CardLast4: ptr(last4(po.PointsCardDetails.CardNumber)),
		}}
	case po.BNPLDetails != nil:
		return &pinelabs.PaymentOptionData{BNPLData: &pinelabs.BNPLData{
			BNPLPayCode: &po.BNPLDetails.BNPLPayCode, Mobile: &po.BNPLDetails.Mobile,
		}}
	}
	return nil
}

func last4(pan string) string {
	if len(pan) < 4 {
		return pan
	}
	return pan[len(pan)-4:]
}

func network(pan string) string {
	switch {
	case len(pan) > 0 && pan[0] == '4':
		return "VISA"
	case len(pan) > 0 && (pan[0] == '5' || pan[0] == '2'):
		return "MASTERCARD"
	case len(pan) > 1 && pan[:2] == "60", len(pan) > 1 && pan[:2] == "65":
		return "RUPAY"
	}
	return "OTHER"
}

// methodCode is the short form a payment ID carries, as the docs' IDs do.
func methodCode(m pinelabs.PaymentRequestMethod) string {
	switch m {
	case pinelabs.PaymentRequestMethodCARD:
		return "cc"
	case pinelabs.PaymentRequestMethodPOINTS:
		return "pt"
	case pinelabs.PaymentRequestMethodBNPL:
		return "bl"
	}
	return "xx"
}

// money writes an amount as the dashboard and error messages show it.
func money(a pinelabs.Amount) string {
	return fmt.Sprintf("%s %d.%02d", a.Currency, a.Value/100, a.Value%100)
}
