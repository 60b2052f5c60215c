package sandbox

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// api is the generated strict server interface, answered from the store.
// Each method turns the request into a call of the Sandbox and the result
// into the operation's response type; the work is in the Sandbox's
// methods.
type api struct{ s *Sandbox }

var _ pinelabs.StrictServerInterface = (*api)(nil)

func (a *api) GenerateToken(ctx context.Context, req pinelabs.GenerateTokenRequestObject) (pinelabs.GenerateTokenResponseObject, error) {
	resp, err := a.s.issueToken(ctx, req.Body)
	if err != nil {
		return pinelabs.GenerateTokendefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.GenerateToken200JSONResponse(*resp), nil
}

func (a *api) CreateOrder(ctx context.Context, req pinelabs.CreateOrderRequestObject) (pinelabs.CreateOrderResponseObject, error) {
	o, err := a.s.createOrder(ctx, req.Body)
	if err != nil {
		return pinelabs.CreateOrderdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CreateOrder200JSONResponse{Data: o.Order}, nil
}

func (a *api) GetOrder(ctx context.Context, req pinelabs.GetOrderRequestObject) (pinelabs.GetOrderResponseObject, error) {
	o, err := a.s.order(ctx, req.OrderID)
	if err != nil {
		return pinelabs.GetOrderdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.GetOrder200JSONResponse{Data: o.Order}, nil
}

func (a *api) GetOrderByReference(ctx context.Context, req pinelabs.GetOrderByReferenceRequestObject) (pinelabs.GetOrderByReferenceResponseObject, error) {
	o, err := a.s.orderByReference(ctx, req.MerchantOrderReference)
	if err != nil {
		return pinelabs.GetOrderByReferencedefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.GetOrderByReference200JSONResponse{Data: o.Order}, nil
}

func (a *api) CreatePayment(ctx context.Context, req pinelabs.CreatePaymentRequestObject) (pinelabs.CreatePaymentResponseObject, error) {
	o, err := a.s.createPayment(ctx, req.OrderID, req.Body)
	if err != nil {
		return pinelabs.CreatePaymentdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CreatePayment200JSONResponse{Data: o.Order}, nil
}

func (a *api) CaptureOrder(ctx context.Context, req pinelabs.CaptureOrderRequestObject) (pinelabs.CaptureOrderResponseObject, error) {
	o, err := a.s.capture(ctx, req.OrderID, req.Body)
	if err != nil {
		return pinelabs.CaptureOrderdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CaptureOrder200JSONResponse{Data: o.Order}, nil
}

func (a *api) CancelOrder(ctx context.Context, req pinelabs.CancelOrderRequestObject) (pinelabs.CancelOrderResponseObject, error) {
	o, err := a.s.cancel(ctx, req.OrderID)
	if err != nil {
		return pinelabs.CancelOrderdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CancelOrder200JSONResponse{Data: o.Order}, nil
}

func (a *api) CheckPointBalance(ctx context.Context, req pinelabs.CheckPointBalanceRequestObject) (pinelabs.CheckPointBalanceResponseObject, error) {
	resp, err := a.s.pointBalance(req.Body)
	if err != nil {
		return pinelabs.CheckPointBalancedefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CheckPointBalance200JSONResponse(*resp), nil
}

func (a *api) CheckBNPLEligibility(ctx context.Context, req pinelabs.CheckBNPLEligibilityRequestObject) (pinelabs.CheckBNPLEligibilityResponseObject, error) {
	resp, err := a.s.payLaterEligibility(req.Body)
	if err != nil {
		return pinelabs.CheckBNPLEligibilitydefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CheckBNPLEligibility200JSONResponse(*resp), nil
}

func (a *api) CreateCustomer(ctx context.Context, req pinelabs.CreateCustomerRequestObject) (pinelabs.CreateCustomerResponseObject, error) {
	c, err := a.s.createCustomer(ctx, req.Body)
	if err != nil {
		return pinelabs.CreateCustomerdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CreateCustomer200JSONResponse(*c), nil
}

func (a *api) CreateRefund(ctx context.Context, req pinelabs.CreateRefundRequestObject) (pinelabs.CreateRefundResponseObject, error) {
	o, err := a.s.createRefund(ctx, req.OrderID, req.Body)
	if err != nil {
		return pinelabs.CreateRefunddefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.CreateRefund200JSONResponse{Data: o.Order}, nil
}

func (a *api) FindCustomer(ctx context.Context, req pinelabs.FindCustomerRequestObject) (pinelabs.FindCustomerResponseObject, error) {
	c, err := a.s.findCustomer(ctx, req.Params)
	if err != nil {
		return pinelabs.FindCustomerdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.FindCustomer200JSONResponse(*c), nil
}

func (a *api) GetCustomer(ctx context.Context, req pinelabs.GetCustomerRequestObject) (pinelabs.GetCustomerResponseObject, error) {
	c, err := a.s.customer(ctx, req.CustomerID)
	if err != nil {
		return pinelabs.GetCustomerdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.GetCustomer200JSONResponse(*c), nil
}

func (a *api) UpdateCustomer(ctx context.Context, req pinelabs.UpdateCustomerRequestObject) (pinelabs.UpdateCustomerResponseObject, error) {
	c, err := a.s.updateCustomer(ctx, req.CustomerID, req.Body)
	if err != nil {
		return pinelabs.UpdateCustomerdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.UpdateCustomer200JSONResponse(*c), nil
}

func (a *api) ListCustomerTokens(ctx context.Context, req pinelabs.ListCustomerTokensRequestObject) (pinelabs.ListCustomerTokensResponseObject, error) {
	list, err := a.s.listTokens(ctx, req.CustomerID)
	if err != nil {
		return pinelabs.ListCustomerTokensdefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.ListCustomerTokens200JSONResponse(*list), nil
}

func (a *api) GetCustomerToken(ctx context.Context, req pinelabs.GetCustomerTokenRequestObject) (pinelabs.GetCustomerTokenResponseObject, error) {
	t, err := a.s.token(ctx, req.CustomerID, req.TokenID)
	if err != nil {
		return pinelabs.GetCustomerTokendefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.GetCustomerToken200JSONResponse(t.CustomerToken), nil
}

func (a *api) DeleteCustomerToken(ctx context.Context, req pinelabs.DeleteCustomerTokenRequestObject) (pinelabs.DeleteCustomerTokenResponseObject, error) {
	resp, err := a.s.deleteToken(ctx, req.CustomerID, req.TokenID, req.Body)
	if err != nil {
		return pinelabs.DeleteCustomerTokendefaultJSONResponse(a.s.failure(err)), nil
	}
	return pinelabs.DeleteCustomerToken200JSONResponse(*resp), nil
}

// validate runs a request body's generated Validate: a missing body or
// any failing field is a 400 naming every failure by path.
func validate(body interface{ Validate() error }, missing bool) error {
	if missing {
		return invalid("the request has no body")
	}
	if err := body.Validate(); err != nil {
		return invalid("%v", err)
	}
	return nil
}

func (s *Sandbox) issueToken(ctx context.Context, req *pinelabs.TokenRequest) (*pinelabs.TokenResponse, error) {
	if err := validate(req, req == nil); err != nil {
		return nil, err
	}
	idOK := subtle.ConstantTimeCompare([]byte(req.ClientID), []byte(s.cfg.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(req.ClientSecret), []byte(s.cfg.ClientSecret)) == 1
	if !idOK || !secretOK {
		return nil, refuse(http.StatusUnauthorized, "UNAUTHORIZED", "bad client credentials: the client_id or client_secret is wrong")
	}
	tok := newID("sbx-", 40)
	expires := time.Now().Add(s.cfg.TokenLifetime)
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.PutToken(tokenDigest(tok), expires) }); err != nil {
		return nil, fmt.Errorf("storing a token: %w", err)
	}
	return &pinelabs.TokenResponse{
		AccessToken: tok,
		ExpiresIn:   ptr(int64(s.cfg.TokenLifetime / time.Second)),
	}, nil
}
