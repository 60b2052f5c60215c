package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// Refunded is the total refunded so far of the order orderID, in paisa.
func (s *Server) Refunded(orderID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refunded[orderID]
}

// createRefund refunds a paid order, all of what is left to refund or the
// order_amount asked for. The refund is an order of its own, of type
// REFUND, stored under its merchant_order_reference (so a reused reference,
// an order's or a refund's, is DUPLICATE_REQUEST) and PROCESSED at once;
// the parent becomes PARTIALLY_REFUNDED or FULLY_REFUNDED. The total
// refunded never exceeds what was captured: asking for more is 422
// AMOUNT_LIMIT_EXCEEDED.
func (s *Server) createRefund(r *http.Request, body []byte) (int, any) {
	id := r.PathValue("order_id")
	parent, ok := s.orders[id]
	if !ok {
		return http.StatusNotFound, errorBody("ORDER_NOT_FOUND", "no order with this order_id")
	}
	var req pinelabs.RefundRequest
	if err := json.Unmarshal(body, &req); err != nil || req.MerchantOrderReference == "" {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "merchant_order_reference is required")
	}
	if a := req.OrderAmount; a != nil && (a.Value <= 0 || a.Currency != parent.OrderAmount.Currency) {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "order_amount must be positive and in the order's currency")
	}
	if _, dup := s.byRef[req.MerchantOrderReference]; dup {
		return http.StatusUnprocessableEntity, errorBody("DUPLICATE_REQUEST", "merchant_order_reference already used")
	}
	switch {
	case *parent.Type != pinelabs.OrderTypeCHARGE:
		return http.StatusUnprocessableEntity, errorBody("OPERATION_NOT_ALLOWED", "a refund cannot be refunded")
	case *parent.Status != pinelabs.OrderStatusPROCESSED && *parent.Status != pinelabs.OrderStatusPARTIALLYREFUNDED:
		return http.StatusUnprocessableEntity, errorBody("OPERATION_NOT_ALLOWED", "the order is "+string(*parent.Status))
	}
	captured := capturedPaisa(parent)
	left := captured - s.refunded[id]
	amount := left
	if req.OrderAmount != nil {
		amount = req.OrderAmount.Value
	}
	if amount <= 0 || amount > left {
		return http.StatusUnprocessableEntity, errorBody("AMOUNT_LIMIT_EXCEEDED",
			fmt.Sprintf("a refund of %d paisa exceeds the %d paisa left to refund", amount, left))
	}
	s.counts.Refunds++
	s.refunded[id] += amount
	refund := s.newOrder(pinelabs.CreateOrderRequest{
		MerchantOrderReference: req.MerchantOrderReference,
		OrderAmount:            pinelabs.Amount{Value: amount, Currency: parent.OrderAmount.Currency},
	})
	refund.Type = ptr(pinelabs.OrderTypeREFUND)
	refund.Status = ptr(pinelabs.OrderStatusPROCESSED)
	refund.ParentOrderID = ptr(id)
	refund.PreAuth = nil
	parentStatus := pinelabs.OrderStatusPARTIALLYREFUNDED
	if s.refunded[id] == captured {
		parentStatus = pinelabs.OrderStatusFULLYREFUNDED
	}
	parent.Status, parent.UpdatedAt = &parentStatus, refund.CreatedAt
	return http.StatusOK, pinelabs.OrderResponse{Data: *refund}
}

// capturedPaisa is what the customer paid for o: the captures of a
// pre-auth order, or else its processed payments.
func capturedPaisa(o *pinelabs.Order) int64 {
	var captured, processed int64
	for _, p := range o.Payments {
		for _, c := range p.CaptureData {
			if c.CaptureAmount != nil {
				captured += c.CaptureAmount.Value
			}
		}
		if p.Status != nil && *p.Status == pinelabs.PaymentStatusPROCESSED && p.PaymentAmount != nil {
			processed += p.PaymentAmount.Value
		}
	}
	if *o.PreAuth {
		return captured
	}
	return processed
}
