package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// Customers and the cards saved for them.
//
// A customer is made by createCustomer, or by an order whose
// purchase_details.customer names no customer the sandbox knows but gives
// a merchant_customer_reference or a mobile_number, as the docs describe
// (see linkCustomer). A card is saved when a card payment with
// card_details.save succeeds on an order linked to a customer; the token
// then pays for that customer's later orders through
// card_token_details.token_id, until it is deleted.

// claimTokenDeletion is the reference kind of a token's deletion, so that
// one merchant_unique_reference deletes one token.
const claimTokenDeletion = "merchant_unique_reference"

// defaultCountryCode is the country code of a mobile number given without
// one.
const defaultCountryCode = "91"

func customerNotFound(id string) *apiError {
	return refuse(http.StatusNotFound, "CUSTOMER_NOT_FOUND", "no customer has customer_id %q", id)
}

func tokenNotFound(customerID, tokenID string) *apiError {
	return refuse(http.StatusNotFound, "TOKEN_NOT_FOUND", "customer %q has no token with token_id %q", customerID, tokenID)
}

func (s *Sandbox) createCustomer(ctx context.Context, req *pinelabs.CreateCustomerRequest) (*pinelabs.Customer, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	c := newCustomer(time.Now())
	c.MerchantCustomerReference = req.MerchantCustomerReference
	c.FirstName, c.LastName = req.FirstName, req.LastName
	c.CountryCode, c.MobileNumber, c.EmailID = req.CountryCode, req.MobileNumber, req.EmailID
	c.BillingAddress, c.ShippingAddress = req.BillingAddress, req.ShippingAddress
	c.GSTIN, c.MerchantMetadata = req.GSTIN, req.MerchantMetadata
	err := s.update(ctx, func(tx Tx) error { return putNewCustomer(tx, c) })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newCustomer returns a customer with a new customer_id, as the API
// creates one: INACTIVE.
func newCustomer(now time.Time) *pinelabs.Customer {
	at := ptr(timestamp(now))
	return &pinelabs.Customer{
		CustomerID: ptr(pinelabs.CustomerID(newID("cust-v1-", 12))),
		Status:     ptr(pinelabs.CustomerStatusINACTIVE),
		CreatedAt:  at,
		UpdatedAt:  at,
	}
}

// putNewCustomer claims the customer's merchant_customer_reference, if it
// has one, and stores it.
func putNewCustomer(tx Tx, c *pinelabs.Customer) error {
	if ref := c.MerchantCustomerReference; ref != nil {
		if err := tx.Claim(claimCustomer, *ref); errors.Is(err, ErrDuplicate) {
			return duplicate("merchant_customer_reference %q is already used", *ref)
		} else if err != nil {
			return err
		}
	}
	return tx.PutCustomer(c)
}

// linkCustomer links a new order to its customer, as the docs describe:
// a customer_id the sandbox knows is kept as it is; otherwise the customer
// with the order's merchant_customer_reference, if there is one, is
// linked; otherwise, given a merchant_customer_reference or a
// mobile_number, a new customer is created from the order's details. The
// customer_id linked replaces the one sent, and the order's history says
// which it was. Given none of these, the order has no customer the sandbox
// knows, and can neither save a card nor pay with one.
func linkCustomer(tx Tx, o *Order, now time.Time) error {
	pd := o.PurchaseDetails
	if pd == nil || pd.Customer == nil {
		return nil
	}
	oc := pd.Customer
	if id := oc.CustomerID; id != nil {
		if _, err := tx.Customer(*id); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	var c *pinelabs.Customer
	var what string
	if ref := oc.MerchantCustomerReference; ref != nil {
		found, err := tx.CustomerByReference(*ref)
		switch {
		case err == nil:
			c, what = found, "linked to customer %s, whose merchant_customer_reference it gives"
		case !errors.Is(err, ErrNotFound):
			return err
		}
	}
	if c == nil {
		if oc.MerchantCustomerReference == nil && oc.MobileNumber == nil {
			if oc.CustomerID != nil {
				o.event(now, EventNote, "", fmt.Sprintf("customer_id %s is no customer of this sandbox, and the order gives no merchant_customer_reference or mobile_number to create one from: the order has no customer", *oc.CustomerID))
			}
			return nil
		}
		c = newCustomer(now)
		c.MerchantCustomerReference = oc.MerchantCustomerReference
		c.FirstName, c.LastName, c.EmailID = oc.FirstName, oc.LastName, oc.EmailID
		c.CountryCode, c.MobileNumber = oc.CountryCode, oc.MobileNumber
		if c.MobileNumber != nil && c.CountryCode == nil {
			c.CountryCode = ptr(defaultCountryCode)
		}
		c.BillingAddress, c.ShippingAddress = oc.BillingAddress, oc.ShippingAddress
		if err := putNewCustomer(tx, c); err != nil {
			return err
		}
		what = "customer %s created from the order's customer details"
	}
	msg := fmt.Sprintf(what, *c.CustomerID)
	if oc.CustomerID != nil {
		msg += fmt.Sprintf(" (customer_id %s is no customer of this sandbox)", *oc.CustomerID)
	}
	o.event(now, EventNote, "", msg)
	// A copy: the request's customer is not the order's to change.
	linked := *oc
	linked.CustomerID = c.CustomerID
	pdc := *pd
	pdc.Customer = &linked
	o.PurchaseDetails = &pdc
	return nil
}

// orderCustomer returns the customer the order is linked to, or nil.
func orderCustomer(tx Tx, o *Order) (*pinelabs.Customer, error) {
	id := orderCustomerID(o)
	if id == "" {
		return nil, nil
	}
	c, err := tx.Customer(id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return c, err
}

func orderCustomerID(o *Order) string {
	if pd := o.PurchaseDetails; pd != nil && pd.Customer != nil {
		return deref(pd.Customer.CustomerID)
	}
	return ""
}

func (s *Sandbox) customer(ctx context.Context, id string) (*pinelabs.Customer, error) {
	var c *pinelabs.Customer
	err := s.store.View(ctx, func(tx Tx) (err error) {
		c, err = tx.Customer(id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, customerNotFound(id)
	}
	return c, err
}

// findCustomer finds the customer by all three of its country code (91
// for a customer without one), mobile number and
// merchant_customer_reference.
func (s *Sandbox) findCustomer(ctx context.Context, p pinelabs.FindCustomerParams) (*pinelabs.Customer, error) {
	var c *pinelabs.Customer
	err := s.store.View(ctx, func(tx Tx) (err error) {
		c, err = tx.CustomerByReference(p.MerchantCustomerReference)
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if c == nil || deref(c.MobileNumber) != p.MobileNumber || cmp.Or(deref(c.CountryCode), defaultCountryCode) != p.CountryCode {
		return nil, refuse(http.StatusNotFound, "CUSTOMER_NOT_FOUND", "no customer has country_code %q, mobile_number %q and merchant_customer_reference %q", p.CountryCode, p.MobileNumber, p.MerchantCustomerReference)
	}
	return c, nil
}

// updateCustomer changes the fields sent and no other.
func (s *Sandbox) updateCustomer(ctx context.Context, id string, req *pinelabs.UpdateCustomerRequest) (*pinelabs.Customer, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	var out *pinelabs.Customer
	err := s.update(ctx, func(tx Tx) error {
		stored, err := tx.Customer(id)
		if errors.Is(err, ErrNotFound) {
			return customerNotFound(id)
		} else if err != nil {
			return err
		}
		// A shallow copy is enough: every field sent gets a new value, and
		// the stored record's own values are never changed.
		c := *stored
		set := func(dst **string, v *string) {
			if v != nil {
				*dst = ptr(*v)
			}
		}
		set(&c.FirstName, req.FirstName)
		set(&c.LastName, req.LastName)
		set(&c.CountryCode, req.CountryCode)
		set(&c.MobileNumber, req.MobileNumber)
		set(&c.EmailID, req.EmailID)
		set(&c.GSTIN, req.GSTIN)
		if req.BillingAddress != nil {
			c.BillingAddress = req.BillingAddress
		}
		if req.ShippingAddress != nil {
			c.ShippingAddress = req.ShippingAddress
		}
		if req.MerchantMetadata != nil {
			c.MerchantMetadata = req.MerchantMetadata
		}
		c.UpdatedAt = ptr(after(c.UpdatedAt, time.Now()))
		out = &c
		return tx.PutCustomer(&c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// after is now as a timestamp, or, should the clock not have moved past
// prev's millisecond, a millisecond after prev: an update's updated_at is
// always later than the one before it.
func after(prev *string, now time.Time) string {
	if p, err := time.Parse(time.RFC3339, deref(prev)); err == nil && !now.Truncate(time.Millisecond).After(p) {
		now = p.Add(time.Millisecond)
	}
	return timestamp(now)
}

// customerTokens reads a customer and its tokens.
func (s *Sandbox) customerTokens(ctx context.Context, customerID string) (*pinelabs.Customer, []*CustomerToken, error) {
	var c *pinelabs.Customer
	var ts []*CustomerToken
	err := s.store.View(ctx, func(tx Tx) (err error) {
		if c, err = tx.Customer(customerID); err != nil {
			return err
		}
		ts, err = tx.CustomerTokens(customerID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, nil, customerNotFound(customerID)
	}
	return c, ts, err
}

// listTokens lists every token saved for the customer, deleted ones
// included. The list's created_at is the customer's; its updated_at is
// the last change to the customer or any of its tokens.
func (s *Sandbox) listTokens(ctx context.Context, customerID string) (*pinelabs.CustomerTokenList, error) {
	c, ts, err := s.customerTokens(ctx, customerID)
	if err != nil {
		return nil, err
	}
	list := &pinelabs.CustomerTokenList{
		CustomerID:  c.CustomerID,
		TotalTokens: ptr(len(ts)),
		Tokens:      make([]pinelabs.CustomerToken, len(ts)),
		CreatedAt:   c.CreatedAt,
		UpdatedAt:   c.UpdatedAt,
	}
	latest := deref(c.UpdatedAt)
	for i, t := range ts {
		list.Tokens[i] = t.CustomerToken
		if u := timestamp(t.UpdatedAt); u > latest {
			latest = u
		}
	}
	if latest != "" {
		list.UpdatedAt = &latest
	}
	return list, nil
}

func (s *Sandbox) token(ctx context.Context, customerID, tokenID string) (*CustomerToken, error) {
	_, ts, err := s.customerTokens(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(ts, func(t *CustomerToken) bool { return t.ID() == tokenID }); i >= 0 {
		return ts[i], nil
	}
	return nil, tokenNotFound(customerID, tokenID)
}

// deleteToken makes the token DELETED, so it pays no more. Deleting it
// again is refused: DUPLICATE_REQUEST under the merchant_unique_reference
// it was deleted under (so a retried delete learns it happened), else
// OPERATION_NOT_ALLOWED. Each merchant_unique_reference deletes one token.
func (s *Sandbox) deleteToken(ctx context.Context, customerID, tokenID string, req *pinelabs.DeleteTokenRequest) (*pinelabs.DeleteTokenResponse, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	var out *CustomerToken
	err := s.update(ctx, func(tx Tx) error {
		if _, err := tx.Customer(customerID); errors.Is(err, ErrNotFound) {
			return customerNotFound(customerID)
		} else if err != nil {
			return err
		}
		ts, err := tx.CustomerTokens(customerID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ts, func(t *CustomerToken) bool { return t.ID() == tokenID })
		if i < 0 {
			return tokenNotFound(customerID, tokenID)
		}
		if st := deref(ts[i].Status); st == pinelabs.TokenStatusDELETED {
			if ts[i].DeletedBy == req.MerchantUniqueReference {
				return duplicate("token %s was already deleted under merchant_unique_reference %q", tokenID, req.MerchantUniqueReference)
			}
			return notAllowed("token %s is already DELETED", tokenID)
		}
		if err := tx.Claim(claimTokenDeletion, req.MerchantUniqueReference); errors.Is(err, ErrDuplicate) {
			return duplicate("merchant_unique_reference %q is already used", req.MerchantUniqueReference)
		} else if err != nil {
			return err
		}
		now := time.Now()
		t := ts[i].Clone()
		t.Status = ptr(pinelabs.TokenStatusDELETED)
		t.StatusReason = ptr("deleted by the merchant under merchant_unique_reference " + req.MerchantUniqueReference)
		t.UpdatedAt, t.DeletedBy = now, req.MerchantUniqueReference
		out = t
		if err := tx.PutCustomerToken(t); err != nil {
			return err
		}
		return s.noteToken(tx, t, now, "saved card token "+t.ID()+" deleted")
	})
	if err != nil {
		return nil, err
	}
	return &pinelabs.DeleteTokenResponse{
		TokenID:                 out.TokenID,
		CustomerID:              out.CustomerID,
		Status:                  out.Status,
		MerchantUniqueReference: &req.MerchantUniqueReference,
	}, nil
}

// noteToken records a change to a token in the history of the order that
// saved it and, with webhooks on, queues its event there.
func (s *Sandbox) noteToken(tx Tx, t *CustomerToken, now time.Time, what string) error {
	stored, err := tx.Order(t.OrderID)
	if errors.Is(err, ErrNotFound) {
		return nil // a token put in the store by hand, with no order
	} else if err != nil {
		return err
	}
	o := stored.Clone()
	o.event(now, EventNote, "", what)
	if s.hooks != nil {
		s.hooks.queueToken(o, t, now)
	}
	return tx.PutOrder(o)
}

// cardToSave is what a card payment with save set keeps of its card.
func cardToSave(c *pinelabs.CardDetails) *CardToSave {
	if c == nil || c.Save == nil || !*c.Save {
		return nil
	}
	return &CardToSave{
		Last4: last4(c.CardNumber), Network: network(c.CardNumber), CardType: "CREDIT",
		ExpiryMonth: c.ExpiryMonth, ExpiryYear: c.ExpiryYear,
	}
}

// saveCard saves the card o's payment asked to save, now that the payment
// has succeeded, as an ACTIVE token of o's customer. An order without a
// customer the sandbox knows saves nothing; its history says why.
func (s *Sandbox) saveCard(tx Tx, o *Order, now time.Time) error {
	card := o.CardToSave
	if card == nil {
		return nil
	}
	o.CardToSave = nil
	c, err := orderCustomer(tx, o)
	if err != nil {
		return err
	}
	if c == nil {
		o.event(now, EventNote, "", "card ending "+card.Last4+" not saved: the order has no customer the sandbox knows (give purchase_details.customer a customer_id, a merchant_customer_reference or a mobile_number)")
		return nil
	}
	t := &CustomerToken{
		CustomerToken: pinelabs.CustomerToken{
			TokenID:       ptr(newID("token-v1-", 10) + "-bb-" + newID("", 6)),
			CustomerID:    c.CustomerID,
			Status:        ptr(pinelabs.TokenStatusACTIVE),
			PaymentMethod: ptr(pinelabs.PaymentMethodCARD),
			IsCompliant:   ptr(true),
			ExpiredAt:     cardExpiry(card.ExpiryMonth, card.ExpiryYear),
			CardData: &pinelabs.CardData{
				Last4Digit: ptr(card.Last4), NetworkName: ptr(card.Network), CardType: ptr(card.CardType),
				IssuerName: ptr("NONE"), CardCategory: ptr("CONSUMER"), CountryCode: ptr("IND"),
				International: ptr(false), EMI: ptr(false), CVVRequired: ptr(false),
			},
		},
		CreatedAt: now,
		UpdatedAt: now,
		OrderID:   o.ID(),
	}
	if err := tx.PutCustomerToken(t); err != nil {
		return err
	}
	o.event(now, EventNote, "", fmt.Sprintf("card ending %s saved as token %s for customer %s", card.Last4, t.ID(), t.Customer()))
	if s.hooks != nil {
		s.hooks.queueToken(o, t, now)
	}
	return nil
}

// cardExpiry is the last millisecond of a card's expiry month, when its
// token expires too.
func cardExpiry(month, year string) *string {
	t, err := time.Parse("2006-01", year+"-"+month)
	if err != nil {
		return nil
	}
	return ptr(timestamp(t.AddDate(0, 1, 0).Add(-time.Millisecond)))
}

// paymentToken returns the saved token a payment's card_token_details
// names by token_id, refusing it unless it is an ACTIVE token of the
// order's customer: 422 INVALID_INSTRUMENT. A card_token_details with a
// token from elsewhere (token, not token_id) is not looked up: nil.
func paymentToken(tx Tx, o *Order, i int, td *pinelabs.CardTokenDetails) (*CustomerToken, error) {
	if td == nil || td.TokenID == nil {
		return nil, nil
	}
	id := *td.TokenID
	invalidInstrument := func(format string, args ...any) error {
		return refuse(http.StatusUnprocessableEntity, "INVALID_INSTRUMENT", "payments[%d].payment_option.card_token_details.token_id %q: %s", i, id, fmt.Sprintf(format, args...))
	}
	c, err := orderCustomer(tx, o)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, invalidInstrument("a saved card pays only for its customer, and this order has no customer the sandbox knows (give purchase_details.customer.customer_id)")
	}
	ts, err := tx.CustomerTokens(*c.CustomerID)
	if err != nil {
		return nil, err
	}
	j := slices.IndexFunc(ts, func(t *CustomerToken) bool { return t.ID() == id })
	if j < 0 {
		return nil, invalidInstrument("no such token is saved for the order's customer %s", *c.CustomerID)
	}
	if st := deref(ts[j].Status); st != pinelabs.TokenStatusACTIVE {
		return nil, invalidInstrument("the token is %s; only an ACTIVE token pays", st)
	}
	return ts[j], nil
}
