package main

import (
	"context"

	"github.com/google/uuid"

	"github.com/pinegen/pinelabs/pkg/client"
)

// savedCard pays once with a card the customer asks to save, pays again
// with the saved token, and deletes the token.
func (d *demo) savedCard(ctx context.Context) error {
	first, last, cc, mobile := "Kevin", "Bob", "91", testMobile
	ref := "demo-" + uuid.NewString()[:8]
	cust, err := d.c.CreateCustomer(ctx, &client.CreateCustomerRequest{
		FirstName: &first, LastName: &last, CountryCode: &cc, MobileNumber: &mobile, MerchantCustomerReference: &ref,
	})
	if err != nil {
		return failed("customer: %v", err)
	}
	d.customerID = string(deref(cust.CustomerID))
	d.step("customer", "%s created", d.customerID)

	amount := client.INR(250000) // ₹2,500.00
	order, err := d.newOrder(ctx, amount, false, "CARD")
	if err != nil {
		return err
	}
	save := true
	card := &client.CardDetails{CardNumber: testCard, CVV: testCVV, ExpiryMonth: testExpiryMon, ExpiryYear: testExpiryYear, Save: &save}
	order, err = d.c.CreatePayment(ctx, *order.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{
		{PaymentMethod: client.MethodCard, PaymentAmount: amount, PaymentOption: client.PaymentOption{CardDetails: card}},
	}})
	if err != nil {
		return failed("payment: %v", err)
	}
	d.step("payment", "%s, saving the card; order %s", paymentsText(order), status(order))
	if err := d.finish(ctx, order); err != nil {
		return err
	}

	var saved *client.CustomerToken
	for tok, err := range d.c.CustomerTokens(ctx, d.customerID) {
		if err != nil {
			return failed("saved cards: %v", err)
		}
		if deref(tok.Status) == client.TokenActive {
			saved = tok
		}
	}
	if saved == nil {
		return failed("saved cards: the customer has no active token after paying with save set")
	}
	tokenID := deref(saved.TokenID)
	d.step("saved card", "token %s, %s ending %s, %s", tokenID, deref(deref(saved.CardData).NetworkName), deref(deref(saved.CardData).Last4Digit), deref(saved.Status))

	order, err = d.newOrder(ctx, amount, false, "CARD")
	if err != nil {
		return err
	}
	cvv := client.CardSecurityCode(testCVV)
	order, err = d.c.CreatePayment(ctx, *order.OrderID, &client.CreatePaymentRequest{Payments: []client.PaymentRequest{
		{PaymentMethod: client.MethodCard, PaymentAmount: amount, PaymentOption: client.PaymentOption{CardTokenDetails: &client.CardTokenDetails{
			TokenID: &tokenID, CVV: &cvv, TokenTxnType: client.TokenTxnNetwork,
		}}},
	}})
	if err != nil {
		return failed("payment with the saved card: %v", err)
	}
	d.step("payment", "%s with the saved card; order %s", paymentsText(order), status(order))
	if err := d.finish(ctx, order); err != nil {
		return err
	}

	del, err := d.c.DeleteCustomerToken(ctx, d.customerID, tokenID, &client.DeleteTokenRequest{MerchantUniqueReference: "demo-" + uuid.NewString()[:8]})
	if err != nil {
		return failed("delete token: %v", err)
	}
	d.step("delete token", "%s %s", tokenID, deref(del.Status))
	if deref(del.Status) != client.TokenDeleted {
		return failed("the token is %s after deleting it", deref(del.Status))
	}
	return nil
}

// refund takes a pre-authorised card payment to PROCESSED, refunds part of
// it and then the rest.
func (d *demo) refund(ctx context.Context) error {
	order, err := d.card(ctx)
	if err != nil {
		return err
	}
	if err := d.finish(ctx, order); err != nil {
		return err
	}
	orderID := *order.OrderID
	part := client.INR(50000) // ₹500.00 of ₹1,500.00
	for _, amount := range []*client.Amount{&part, nil} {
		r, err := d.c.CreateRefund(ctx, orderID, &client.RefundRequest{MerchantOrderReference: "demo-refund-" + uuid.NewString()[:8], OrderAmount: amount})
		if err != nil {
			return failed("refund: %v", err)
		}
		parent, err := d.c.GetOrder(ctx, orderID)
		if err != nil {
			return failed("order status: %v", err)
		}
		what := "the rest"
		if amount != nil {
			what = client.FormatAmount(*amount)
		}
		d.step("refund", "%s: %s %s %s; order %s", what, deref(r.OrderID), client.FormatAmount(deref(r.OrderAmount)), status(r), status(parent))
		order = parent
	}
	d.step("final status", "%s", status(order))
	if status(order) != string(client.OrderFullyRefunded) {
		return failed("the flow did not complete: order %s is %s", orderID, status(order))
	}
	return nil
}
