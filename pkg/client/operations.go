package client

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// orderResponse is what the generated responses of every order operation
// have in common.
type orderResponse interface {
	GetJSON200() *pinelabs.OrderResponse
}

// order unwraps the order from its data envelope.
func order[R orderResponse](r R, err error) (*Order, error) {
	if err != nil {
		return nil, err
	}
	if j := r.GetJSON200(); j != nil {
		return &j.Data, nil
	}
	return nil, nil
}

func params(h headers) (string, pinelabs.RequestTimestamp) { return h.requestID, h.timestamp }

// checkInput returns the error for a request that is not sent at all.
func checkInput(op string, err error) error {
	return fmt.Errorf("pinelabs %s: %w", op, err)
}

// validRequest is the check every operation makes before sending anything:
// the request is there and breaks no rule of the spec.
func validRequest[T any, P interface {
	*T
	Validate() error
}](op string, req P) error {
	if req == nil {
		return checkInput(op, errNilRequest)
	}
	if err := req.Validate(); err != nil {
		return checkInput(op, err)
	}
	return nil
}

var (
	errNilRequest = errors.New("nil request")
	errNoOrderID  = errors.New("empty order ID")
)

// CreateOrder creates an order. If the response is lost, the client looks
// the order up by its merchant_order_reference before trying again, so an
// order is never created twice.
func (c *Client) CreateOrder(ctx context.Context, req *CreateOrderRequest) (*Order, error) {
	const name = "createOrder"
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	return run(ctx, c, &operation[Order]{
		name: name, auth: true, mutating: true, request: &body,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.CreateOrderWithResponse(ctx, &pinelabs.CreateOrderParams{RequestID: id, RequestTimestamp: ts}, body))
		},
		reconcile: c.reconcileReference(body.MerchantOrderReference, func(o *Order) error {
			return sameAmount(o, body.MerchantOrderReference, &body.OrderAmount)
		}),
	})
}

// reconcileReference looks up what a create call made under the merchant's
// reference ref (an order, or a refund, which is an order too): a 404 from
// the API proves there is none yet; an order found is the call's own only
// if ours says it matches what the call sent. One that does not is an
// error: the reference was taken before, so the call cannot have made it,
// but neither may it be sent again as if nothing were there.
func (c *Client) reconcileReference(ref string, ours func(*Order) error) func(context.Context) (*Order, bool, error) {
	return func(ctx context.Context) (*Order, bool, error) {
		o, err := c.GetOrderByReference(ctx, ref)
		if notFound(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if err := ours(o); err != nil {
			return nil, false, err
		}
		return o, true, nil
	}
}

// sameAmount checks that an order found under ref has the amount sent; a
// nil sent means none was, and an order that reports none is not held
// against the call.
func sameAmount(o *Order, ref string, sent *Amount) error {
	if a := o.OrderAmount; a != nil && sent != nil && *a != *sent {
		return fmt.Errorf("order %s has merchant_order_reference %q but amount %d %s, not %d %s",
			deref(o.OrderID), ref, a.Value, a.Currency, sent.Value, sent.Currency)
	}
	return nil
}

// notFound tells "no such order" from other failures: a 404 carrying the
// API's error object. A bare 404 may be a server that lacks the path, which
// says nothing about the order.
func notFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == 404 && e.decoded
}

// GetOrder returns the order with its payments: the authoritative status.
func (c *Client) GetOrder(ctx context.Context, orderID string) (*Order, error) {
	const name = "getOrder"
	if orderID == "" {
		return nil, checkInput(name, errNoOrderID)
	}
	return run(ctx, c, &operation[Order]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.GetOrderWithResponse(ctx, orderID, &pinelabs.GetOrderParams{RequestID: id, RequestTimestamp: ts}))
		},
	})
}

// GetOrderByReference returns the order created with the merchant's
// reference. A missing order is an error matching ErrOrderNotFound.
func (c *Client) GetOrderByReference(ctx context.Context, merchantOrderReference string) (*Order, error) {
	const name = "getOrderByReference"
	if merchantOrderReference == "" {
		return nil, checkInput(name, errors.New("empty merchant order reference"))
	}
	return run(ctx, c, &operation[Order]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.GetOrderByReferenceWithResponse(ctx, merchantOrderReference, &pinelabs.GetOrderByReferenceParams{RequestID: id, RequestTimestamp: ts}))
		},
	})
}

// CreatePayment links payments to an order. A payment without a
// merchant_payment_reference is given a fresh UUID, on a copy: req is not
// changed, and the order returned reports the reference each payment got.
// If the response is lost, the client looks for those references on the
// order before trying again, so a payment is never made twice.
func (c *Client) CreatePayment(ctx context.Context, orderID string, req *CreatePaymentRequest) (*Order, error) {
	const name = "createPayment"
	switch {
	case orderID == "":
		return nil, checkInput(name, errNoOrderID)
	case req == nil:
		return nil, checkInput(name, errNilRequest)
	}
	body := CreatePaymentRequest{Payments: slices.Clone(req.Payments)}
	refs := make([]string, 0, len(body.Payments))
	for i := range body.Payments {
		p := &body.Payments[i]
		if p.MerchantPaymentReference == nil {
			ref := uuid.NewString()
			p.MerchantPaymentReference = &ref
		}
		refs = append(refs, *p.MerchantPaymentReference)
	}
	if err := body.Validate(); err != nil {
		return nil, checkInput(name, err)
	}
	return run(ctx, c, &operation[Order]{
		name: name, auth: true, mutating: true, request: &body,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.CreatePaymentWithResponse(ctx, orderID, &pinelabs.CreatePaymentParams{RequestID: id, RequestTimestamp: ts}, body))
		},
		reconcile: c.reconcileOrder(orderID, func(o *Order) bool {
			for _, p := range o.Payments {
				if p.MerchantPaymentReference != nil && slices.Contains(refs, *p.MerchantPaymentReference) {
					return true
				}
			}
			return false
		}),
	})
}

// CaptureOrder captures an authorized (pre-auth) order. With req nil the
// whole authorized amount is captured; otherwise req.CaptureAmount under
// req.MerchantCaptureReference. If the response is lost, the client checks
// the order for the capture before trying again; a whole-amount capture,
// which has no reference to look for, is sent again only while the order is
// still AUTHORIZED with nothing captured, and otherwise ends in success or an
// error matching ErrOutcomeUnknown.
func (c *Client) CaptureOrder(ctx context.Context, orderID string, req *CaptureRequest) (*Order, error) {
	const name = "captureOrder"
	if orderID == "" {
		return nil, checkInput(name, errNoOrderID)
	}
	op := &operation[Order]{name: name, auth: true, mutating: true, request: orderID}
	if req == nil {
		op.send = func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.CaptureOrderWithBodyWithResponse(ctx, orderID, &pinelabs.CaptureOrderParams{RequestID: id, RequestTimestamp: ts}, "application/json", nil))
		}
		// With no reference to look for, only an order still AUTHORIZED
		// with nothing captured shows the capture was not done; any other
		// status may be this capture's doing.
		op.reconcile = c.reconcileStatus(orderID, OrderProcessed, func(o *Order) bool {
			for _, p := range o.Payments {
				if len(p.CaptureData) > 0 {
					return false
				}
			}
			return true
		})
		return run(ctx, c, op)
	}
	if err := req.Validate(); err != nil {
		return nil, checkInput(name, err)
	}
	body := *req
	op.request = &body
	op.send = func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
		id, ts := params(h)
		return order(api.CaptureOrderWithResponse(ctx, orderID, &pinelabs.CaptureOrderParams{RequestID: id, RequestTimestamp: ts}, body))
	}
	op.reconcile = c.reconcileOrder(orderID, func(o *Order) bool {
		for _, p := range o.Payments {
			for _, cd := range p.CaptureData {
				if cd.MerchantCaptureReference != nil && *cd.MerchantCaptureReference == body.MerchantCaptureReference {
					return true
				}
			}
		}
		return false
	})
	return run(ctx, c, op)
}

// CancelOrder releases an authorized (pre-auth) order instead of capturing
// it. If the response is lost, the client checks whether the order is
// already cancelled before trying again.
func (c *Client) CancelOrder(ctx context.Context, orderID string) (*Order, error) {
	const name = "cancelOrder"
	if orderID == "" {
		return nil, checkInput(name, errNoOrderID)
	}
	return run(ctx, c, &operation[Order]{
		name: name, auth: true, mutating: true, request: orderID,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.CancelOrderWithResponse(ctx, orderID, &pinelabs.CancelOrderParams{RequestID: id, RequestTimestamp: ts}))
		},
		reconcile: c.reconcileStatus(orderID, OrderCancelled, func(*Order) bool { return true }),
	})
}

// CreateRefund gives back all of the paid order orderID that is left to
// refund when req.OrderAmount is nil, or else that part. The refund is an
// order of its own (Type REFUND, ParentOrderID orderID); once it is
// processed the order is PARTIALLY_REFUNDED or FULLY_REFUNDED.
//
// req.MerchantOrderReference is the refund's own reference and its
// idempotency key: the API refuses to reuse it, so a reference used before
// (by an order or another refund) gives an error matching
// ErrDuplicateRequest. If the response is lost, the client looks the refund
// up by that reference (GetOrderByReference) before trying again and sends
// it again only when the API says there is no such order, so one refund is
// never issued twice; when the lookup cannot tell, or finds an order under
// the reference that is not this refund, the error matches
// ErrOutcomeUnknown.
func (c *Client) CreateRefund(ctx context.Context, orderID string, req *RefundRequest) (*Order, error) {
	const name = "createRefund"
	if orderID == "" {
		return nil, checkInput(name, errNoOrderID)
	}
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	return run(ctx, c, &operation[Order]{
		name: name, auth: true, mutating: true, request: &body,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Order, error) {
			id, ts := params(h)
			return order(api.CreateRefundWithResponse(ctx, orderID, &pinelabs.CreateRefundParams{RequestID: id, RequestTimestamp: ts}, body))
		},
		reconcile: c.reconcileReference(body.MerchantOrderReference, func(o *Order) error {
			ref := body.MerchantOrderReference
			switch {
			case o.Type == nil || *o.Type != OrderTypeRefund:
				return fmt.Errorf("order %s has merchant_order_reference %q but is not a refund (type %q)", deref(o.OrderID), ref, deref((*string)(o.Type)))
			case o.ParentOrderID != nil && *o.ParentOrderID != orderID:
				return fmt.Errorf("refund %s has merchant_order_reference %q but refunds order %s, not %s", deref(o.OrderID), ref, *o.ParentOrderID, orderID)
			}
			return sameAmount(o, ref, body.OrderAmount)
		}),
	})
}

// reconcileOrder looks the order up and reports whether done says the
// lost call took effect.
func (c *Client) reconcileOrder(orderID string, done func(*Order) bool) func(context.Context) (*Order, bool, error) {
	return func(ctx context.Context) (*Order, bool, error) {
		o, err := c.GetOrder(ctx, orderID)
		if err != nil {
			return nil, false, err
		}
		return o, done(o), nil
	}
}

// reconcileStatus looks up a call that moves an AUTHORIZED order to the
// status done and carries no reference of its own: the order in status done
// means it took effect; still AUTHORIZED and untouched (as untouched says)
// means it did not; any other status cannot be told apart from the call's
// own doing, so it is an error, and the call is not repeated.
func (c *Client) reconcileStatus(orderID string, done OrderStatus, untouched func(*Order) bool) func(context.Context) (*Order, bool, error) {
	return func(ctx context.Context) (*Order, bool, error) {
		o, err := c.GetOrder(ctx, orderID)
		if err != nil {
			return nil, false, err
		}
		switch {
		case o.Status == nil:
			return nil, false, fmt.Errorf("order %s has no status", orderID)
		case *o.Status == done:
			return o, true, nil
		case *o.Status == OrderAuthorized && untouched(o):
			return o, false, nil
		}
		return nil, false, fmt.Errorf("order %s is %s, which may be this call's doing", orderID, *o.Status)
	}
}

// CheckPointBalance returns a card's reward-point balance and how much of
// the order amount the points can pay.
func (c *Client) CheckPointBalance(ctx context.Context, req *PointBalanceRequest) (*PointBalanceResponse, error) {
	const name = "checkPointBalance"
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	return run(ctx, c, &operation[PointBalanceResponse]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*PointBalanceResponse, error) {
			id, ts := params(h)
			r, err := api.CheckPointBalanceWithResponse(ctx, &pinelabs.CheckPointBalanceParams{RequestID: id, RequestTimestamp: ts}, body)
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		},
	})
}

// CheckBNPLEligibility asks the Pay Later provider whether the customer may
// pay the amount with it.
func (c *Client) CheckBNPLEligibility(ctx context.Context, req *BNPLEligibilityRequest) (*BNPLEligibilityResponse, error) {
	const name = "checkBnplEligibility"
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	return run(ctx, c, &operation[BNPLEligibilityResponse]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*BNPLEligibilityResponse, error) {
			id, ts := params(h)
			r, err := api.CheckBNPLEligibilityWithResponse(ctx, &pinelabs.CheckBNPLEligibilityParams{RequestID: id, RequestTimestamp: ts}, body)
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		},
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
