package client

// Customers and the cards (and other instruments) saved for them.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/validation"
)

var (
	errNoCustomerID = errors.New("empty customer ID")
	errNoTokenID    = errors.New("empty token ID")
)

// body200 is the decoded 200 body of an operation whose answer is not
// wrapped in data.
func body200[T any, R interface{ GetJSON200() *T }](r R, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return r.GetJSON200(), nil
}

// CreateCustomer creates a customer record, which saving cards needs.
//
// If the response is lost and req carries all three of CountryCode,
// MobileNumber and MerchantCustomerReference, the client looks the customer
// up by them (FindCustomer) before trying again, and sends the create again
// only when the API says there is no such customer; a customer found under
// those keys whose name or e-mail differs from req is not taken for this
// call's. Without all three there is nothing to look up by, so a failure
// after which the customer may exist (a lost response, a 5xx) is not
// retried. Either way, when the client cannot tell, the error matches
// ErrOutcomeUnknown.
func (c *Client) CreateCustomer(ctx context.Context, req *CreateCustomerRequest) (*Customer, error) {
	const name = "createCustomer"
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	op := &operation[Customer]{
		name: name, auth: true, mutating: true, request: &body,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Customer, error) {
			id, ts := params(h)
			return body200[Customer](api.CreateCustomerWithResponse(ctx, &pinelabs.CreateCustomerParams{RequestID: id, RequestTimestamp: ts}, body))
		},
	}
	if body.CountryCode != nil && body.MobileNumber != nil && body.MerchantCustomerReference != nil {
		q := &CustomerQuery{CountryCode: *body.CountryCode, MobileNumber: *body.MobileNumber, MerchantCustomerReference: *body.MerchantCustomerReference}
		op.reconcile = func(ctx context.Context) (*Customer, bool, error) {
			cu, err := c.FindCustomer(ctx, q)
			if notFound(err) {
				return nil, false, nil
			}
			if err != nil {
				return nil, false, err
			}
			// Create order also makes customers from these keys, so one
			// found under them need not be this call's.
			for _, f := range []struct {
				name       string
				sent, have *string
			}{
				{"first_name", body.FirstName, cu.FirstName},
				{"last_name", body.LastName, cu.LastName},
				{"email_id", body.EmailID, cu.EmailID},
			} {
				if f.sent != nil && f.have != nil && *f.sent != *f.have {
					return nil, false, fmt.Errorf("customer %s has merchant_customer_reference %q but a different %s",
						deref(cu.CustomerID), q.MerchantCustomerReference, f.name)
				}
			}
			return cu, true, nil
		}
	}
	return run(ctx, c, op)
}

// GetCustomer returns the customer record with this customer ID. A
// customer the API does not know is an error matching ErrNotFound.
func (c *Client) GetCustomer(ctx context.Context, customerID string) (*Customer, error) {
	const name = "getCustomer"
	if customerID == "" {
		return nil, checkInput(name, errNoCustomerID)
	}
	return run(ctx, c, &operation[Customer]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Customer, error) {
			id, ts := params(h)
			return body200[Customer](api.GetCustomerWithResponse(ctx, customerID, &pinelabs.GetCustomerParams{RequestID: id, RequestTimestamp: ts}))
		},
	})
}

// A CustomerQuery names a customer by the three keys FindCustomer takes,
// all required.
type CustomerQuery struct {
	// CountryCode is the dialling code of the mobile number, without a
	// plus sign, such as "91".
	CountryCode string
	// MobileNumber is the customer's mobile number, without the country
	// code.
	MobileNumber string
	// MerchantCustomerReference is the merchant's reference the customer
	// was created with.
	MerchantCustomerReference string
}

// Validate reports every rule of findCustomer's query parameters that q
// breaks, as a *validation.Error listing each by its parameter name: each
// is required, and each must meet its schema (the same components a
// customer's country_code, mobile_number and merchant_customer_reference
// use, whose generated rules it applies).
func (q *CustomerQuery) Validate() error {
	var fields []validation.FieldError
	// CreateCustomerRequest carries these three under the same names and
	// schemas; its generated Validate holds their rules.
	var probe CreateCustomerRequest
	for _, p := range []struct {
		name  string
		value string
		field **string
	}{
		{"country_code", q.CountryCode, &probe.CountryCode},
		{"merchant_customer_reference", q.MerchantCustomerReference, &probe.MerchantCustomerReference},
		{"mobile_number", q.MobileNumber, &probe.MobileNumber},
	} {
		if p.value == "" {
			fields = append(fields, validation.FieldError{Path: p.name, Rule: validation.Required})
			continue
		}
		*p.field = &p.value
	}
	var ve *validation.Error
	if errors.As(probe.Validate(), &ve) {
		fields = append(fields, ve.Fields...)
	}
	if len(fields) == 0 {
		return nil
	}
	slices.SortStableFunc(fields, func(a, b validation.FieldError) int { return strings.Compare(a.Path, b.Path) })
	return &validation.Error{Type: "CustomerQuery", Fields: fields}
}

// FindCustomer returns the customer with this mobile number (in this
// country) and merchant reference: how to find a customer whose create
// call's answer was lost, or one that create order made. No such customer
// is an error matching ErrNotFound.
func (c *Client) FindCustomer(ctx context.Context, q *CustomerQuery) (*Customer, error) {
	const name = "findCustomer"
	if err := validRequest(name, q); err != nil {
		return nil, err
	}
	query := *q
	return run(ctx, c, &operation[Customer]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Customer, error) {
			id, ts := params(h)
			return body200[Customer](api.FindCustomerWithResponse(ctx, &pinelabs.FindCustomerParams{
				CountryCode:               query.CountryCode,
				MobileNumber:              query.MobileNumber,
				MerchantCustomerReference: query.MerchantCustomerReference,
				RequestID:                 id,
				RequestTimestamp:          ts,
			}))
		},
	})
}

// UpdateCustomer changes the fields set in req and leaves every other
// field of the customer as it was; it returns the record as updated.
//
// It is retried like a read: the update sets fields to values rather than
// adding to them, so applying it twice leaves the record as applying it
// once does. (As with any repeated write, a retry can undo a change made
// by someone else between the two attempts.)
func (c *Client) UpdateCustomer(ctx context.Context, customerID string, req *UpdateCustomerRequest) (*Customer, error) {
	const name = "updateCustomer"
	if customerID == "" {
		return nil, checkInput(name, errNoCustomerID)
	}
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	return run(ctx, c, &operation[Customer]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*Customer, error) {
			id, ts := params(h)
			return body200[Customer](api.UpdateCustomerWithResponse(ctx, customerID, &pinelabs.UpdateCustomerParams{RequestID: id, RequestTimestamp: ts}, body))
		},
	})
}

// ListCustomerTokens returns every token saved for the customer, in one
// list (the API does not page it). CustomerTokens ranges over the same
// list.
func (c *Client) ListCustomerTokens(ctx context.Context, customerID string) (*CustomerTokenList, error) {
	const name = "listCustomerTokens"
	if customerID == "" {
		return nil, checkInput(name, errNoCustomerID)
	}
	return run(ctx, c, &operation[CustomerTokenList]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*CustomerTokenList, error) {
			id, ts := params(h)
			return body200[CustomerTokenList](api.ListCustomerTokensWithResponse(ctx, customerID, &pinelabs.ListCustomerTokensParams{RequestID: id, RequestTimestamp: ts}))
		},
	})
}

// CustomerTokens ranges over the tokens saved for the customer:
//
//	for tok, err := range c.CustomerTokens(ctx, customerID) {
//		if err != nil {
//			return err
//		}
//		…
//	}
//
// It makes one ListCustomerTokens call each time it is ranged over, when
// the loop starts, and yields each token in the API's order. If the call
// fails, it yields the error once, with a nil token, and stops. Breaking
// out of the loop stops it.
func (c *Client) CustomerTokens(ctx context.Context, customerID string) iter.Seq2[*CustomerToken, error] {
	return func(yield func(*CustomerToken, error) bool) {
		list, err := c.ListCustomerTokens(ctx, customerID)
		if err != nil {
			yield(nil, err)
			return
		}
		for i := range list.Tokens {
			if !yield(&list.Tokens[i], nil) {
				return
			}
		}
	}
}

// GetCustomerToken returns one token saved for the customer. A token or
// customer the API does not know is an error matching ErrNotFound.
func (c *Client) GetCustomerToken(ctx context.Context, customerID, tokenID string) (*CustomerToken, error) {
	const name = "getCustomerToken"
	switch {
	case customerID == "":
		return nil, checkInput(name, errNoCustomerID)
	case tokenID == "":
		return nil, checkInput(name, errNoTokenID)
	}
	return run(ctx, c, &operation[CustomerToken]{
		name: name, auth: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*CustomerToken, error) {
			id, ts := params(h)
			return body200[CustomerToken](api.GetCustomerTokenWithResponse(ctx, customerID, tokenID, &pinelabs.GetCustomerTokenParams{RequestID: id, RequestTimestamp: ts}))
		},
	})
}

// DeleteCustomerToken deletes a token saved for the customer, under the
// merchant's reference req.MerchantUniqueReference, so that it can no
// longer pay.
//
// Deleting is not a payment, but a repeated delete is not harmless either:
// the API may refuse a token already deleted, and that refusal would read
// as if this call had failed. So the client treats it as a call that
// changes state: if the response is lost it looks the token up
// (GetCustomerToken) first. A token that reads DELETED means the delete
// took effect, and the call succeeds with a response made from the token
// and req; one in any other status was not deleted yet, and the delete is
// sent again. When the lookup fails or finds no token at all, the error
// matches ErrOutcomeUnknown (and, for a token not found, ErrNotFound).
func (c *Client) DeleteCustomerToken(ctx context.Context, customerID, tokenID string, req *DeleteTokenRequest) (*DeleteTokenResponse, error) {
	const name = "deleteCustomerToken"
	switch {
	case customerID == "":
		return nil, checkInput(name, errNoCustomerID)
	case tokenID == "":
		return nil, checkInput(name, errNoTokenID)
	}
	if err := validRequest(name, req); err != nil {
		return nil, err
	}
	body := *req
	return run(ctx, c, &operation[DeleteTokenResponse]{
		name: name, auth: true, mutating: true, request: &body,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*DeleteTokenResponse, error) {
			id, ts := params(h)
			return body200[DeleteTokenResponse](api.DeleteCustomerTokenWithResponse(ctx, customerID, tokenID, &pinelabs.DeleteCustomerTokenParams{RequestID: id, RequestTimestamp: ts}, body))
		},
		reconcile: func(ctx context.Context) (*DeleteTokenResponse, bool, error) {
			t, err := c.GetCustomerToken(ctx, customerID, tokenID)
			if err != nil {
				return nil, false, err
			}
			if t.Status == nil || *t.Status != TokenDeleted {
				return nil, false, nil
			}
			return &DeleteTokenResponse{
				TokenID:                 &tokenID,
				CustomerID:              &customerID,
				Status:                  t.Status,
				MerchantUniqueReference: &body.MerchantUniqueReference,
			}, true, nil
		},
	})
}
