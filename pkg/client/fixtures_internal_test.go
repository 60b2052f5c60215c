package client

import (
	"context"
	"testing"
)

func orderRequest(ref string) *CreateOrderRequest {
	preAuth := true
	return &CreateOrderRequest{
		MerchantOrderReference: ref,
		OrderAmount:            INR(150000),
		PreAuth:                &preAuth,
		AllowedPaymentMethods:  []PaymentMethod{"CARD"},
	}
}

func cardPayment(amount int64) *CreatePaymentRequest {
	return &CreatePaymentRequest{Payments: []PaymentRequest{{
		PaymentMethod: MethodCard,
		PaymentAmount: INR(amount),
		PaymentOption: PaymentOption{CardDetails: &CardDetails{
			CardNumber: testPAN, CVV: "123", ExpiryMonth: "12", ExpiryYear: "2030",
		}},
	}}}
}

func bnplRequest() *BNPLEligibilityRequest {
	return &BNPLEligibilityRequest{Amount: INR(150000), Mobile: "9315829629", PayCode: "LAZYPAY"}
}

func contextCancelled(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
