// Package optypes pairs each operation of spec/pinelabs.yaml with the Go
// types generated for its JSON request body and 200 response, for the tests
// that hold the spec and gen/pinelabs together. It is the only such table.
package optypes

import (
	"reflect"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// Operation is the generated Go types of one operation; Request is nil when
// the operation takes no JSON body.
type Operation struct {
	Request, Response reflect.Type
}

// Operations is keyed by operationId.
var Operations = map[string]Operation{
	"generateToken":        {reflect.TypeFor[pinelabs.TokenRequest](), reflect.TypeFor[pinelabs.TokenResponse]()},
	"checkPointBalance":    {reflect.TypeFor[pinelabs.PointBalanceRequest](), reflect.TypeFor[pinelabs.PointBalanceResponse]()},
	"createOrder":          {reflect.TypeFor[pinelabs.CreateOrderRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"getOrder":             {nil, reflect.TypeFor[pinelabs.OrderResponse]()},
	"getOrderByReference":  {nil, reflect.TypeFor[pinelabs.OrderResponse]()},
	"createPayment":        {reflect.TypeFor[pinelabs.CreatePaymentRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"captureOrder":         {reflect.TypeFor[pinelabs.CaptureRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"cancelOrder":          {nil, reflect.TypeFor[pinelabs.OrderResponse]()},
	"checkBnplEligibility": {reflect.TypeFor[pinelabs.BNPLEligibilityRequest](), reflect.TypeFor[pinelabs.BNPLEligibilityResponse]()},
	"createRefund":         {reflect.TypeFor[pinelabs.RefundRequest](), reflect.TypeFor[pinelabs.OrderResponse]()},
	"createCustomer":       {reflect.TypeFor[pinelabs.CreateCustomerRequest](), reflect.TypeFor[pinelabs.Customer]()},
	"getCustomer":          {nil, reflect.TypeFor[pinelabs.Customer]()},
	"findCustomer":         {nil, reflect.TypeFor[pinelabs.Customer]()},
	"updateCustomer":       {reflect.TypeFor[pinelabs.UpdateCustomerRequest](), reflect.TypeFor[pinelabs.Customer]()},
	"listCustomerTokens":   {nil, reflect.TypeFor[pinelabs.CustomerTokenList]()},
	"getCustomerToken":     {nil, reflect.TypeFor[pinelabs.CustomerToken]()},
	"deleteCustomerToken":  {reflect.TypeFor[pinelabs.DeleteTokenRequest](), reflect.TypeFor[pinelabs.DeleteTokenResponse]()},
}

// Callbacks pairs the schemas posted to the merchant (not operations of the
// API itself) with their types.
var Callbacks = map[string]reflect.Type{
	"PaymentCallback": reflect.TypeFor[pinelabs.PaymentCallback](),
}
