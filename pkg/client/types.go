package client

import "github.com/pinegen/pinelabs/gen/pinelabs"

// The API's types, generated from spec/pinelabs.yaml, under the names users
// of this package write, so one import is enough.
type (
	Order                   = pinelabs.Order
	Payment                 = pinelabs.Payment
	Amount                  = pinelabs.Amount
	CreateOrderRequest      = pinelabs.CreateOrderRequest
	CreatePaymentRequest    = pinelabs.CreatePaymentRequest
	PaymentRequest          = pinelabs.PaymentRequest
	PaymentOption           = pinelabs.PaymentOption
	CardDetails             = pinelabs.CardDetails
	PointsCardDetails       = pinelabs.PointsCardDetails
	CaptureRequest          = pinelabs.CaptureRequest
	PointBalanceRequest     = pinelabs.PointBalanceRequest
	PointBalanceResponse    = pinelabs.PointBalanceResponse
	BNPLEligibilityRequest  = pinelabs.BNPLEligibilityRequest
	BNPLEligibilityResponse = pinelabs.BNPLEligibilityResponse
	CreateCustomerRequest   = pinelabs.CreateCustomerRequest
	Customer                = pinelabs.Customer
	OrderStatus             = pinelabs.OrderStatus
	PaymentCallback         = pinelabs.PaymentCallback
	RefundRequest           = pinelabs.RefundRequest
	UpdateCustomerRequest   = pinelabs.UpdateCustomerRequest
	CustomerToken           = pinelabs.CustomerToken
	CustomerTokenList       = pinelabs.CustomerTokenList
	DeleteTokenRequest      = pinelabs.DeleteTokenRequest
	DeleteTokenResponse     = pinelabs.DeleteTokenResponse
	OrderType               = pinelabs.OrderType
	CustomerStatus          = pinelabs.CustomerStatus
	TokenStatus             = pinelabs.TokenStatus
	CardData                = pinelabs.CardData

	// Also used in requests.
	PaymentRequestMethod = pinelabs.PaymentRequestMethod
	PaymentMethod        = pinelabs.PaymentMethod
	PaymentStatus        = pinelabs.PaymentStatus
	CardTokenDetails     = pinelabs.CardTokenDetails
	TokenTxnType         = pinelabs.TokenTxnType
	CardSecurityCode     = pinelabs.CardSecurityCode
	CustomerID           = pinelabs.CustomerID
	BNPLDetails          = pinelabs.BNPLDetails
	BNPLPayCode          = pinelabs.BNPLPayCode
	DeviceInfo           = pinelabs.DeviceInfo
	PurchaseDetails      = pinelabs.PurchaseDetails
	OrderCustomer        = pinelabs.OrderCustomer
	Address              = pinelabs.Address
	CaptureData          = pinelabs.CaptureData
	RefundProduct        = pinelabs.RefundProduct
	MerchantMetadata     = pinelabs.MerchantMetadata
)

// Order statuses the API documents. Responses may carry others; compare
// with these and treat anything else as not final.
const (
	OrderCreated    = pinelabs.OrderStatusCREATED
	OrderPending    = pinelabs.OrderStatusPENDING
	OrderAuthorized = pinelabs.OrderStatusAUTHORIZED
	OrderProcessed  = pinelabs.OrderStatusPROCESSED
	OrderAttempted  = pinelabs.OrderStatusATTEMPTED
	OrderCancelled  = pinelabs.OrderStatusCANCELLED
	OrderFailed     = pinelabs.OrderStatusFAILED
	// An order some of whose captured amount was refunded.
	OrderPartiallyRefunded = pinelabs.OrderStatusPARTIALLYREFUNDED
	// An order whose whole captured amount was refunded.
	OrderFullyRefunded = pinelabs.OrderStatusFULLYREFUNDED
)

// Order types: what CreateOrder makes charges the customer; what
// CreateRefund makes gives money back and names the charge in ParentOrderID.
const (
	OrderTypeCharge = pinelabs.OrderTypeCHARGE
	OrderTypeRefund = pinelabs.OrderTypeREFUND
)

// Statuses of a saved token the API documents. Responses may carry others.
const (
	TokenInitiated   = pinelabs.TokenStatusINITIATED   // being provisioned
	TokenActive      = pinelabs.TokenStatusACTIVE      // usable for payments
	TokenSuspended   = pinelabs.TokenStatusSUSPENDED   // not usable for now
	TokenDeactivated = pinelabs.TokenStatusDEACTIVATED // not usable any more
	TokenFailed      = pinelabs.TokenStatusFAILED      // provisioning failed
	TokenDeleted     = pinelabs.TokenStatusDELETED     // removed by DeleteCustomerToken
)

// What kind of token a CardTokenDetails carries: a saved card's token_id
// is paid with TokenTxnNetwork, as the docs' sample does.
const (
	TokenTxnNetwork = pinelabs.TokenTxnTypeNETWORKTOKEN
	TokenTxnIssuer  = pinelabs.TokenTxnTypeISSUERTOKEN
	TokenTxnAlt     = pinelabs.TokenTxnTypeALTTOKEN
)

// How a payment is made: the payment_method of a PaymentRequest.
const (
	// MethodCard pays with a credit or debit card.
	MethodCard = pinelabs.PaymentRequestMethodCARD
	// MethodPoints pays with a card's reward points; PayWithPoints pairs
	// it with a MethodCard payment when the points fall short.
	MethodPoints = pinelabs.PaymentRequestMethodPOINTS
	// MethodBNPL pays with a Pay Later provider (one of the BNPL pay
	// codes); use PayLater, which checks eligibility first.
	MethodBNPL = pinelabs.PaymentRequestMethodBNPL
)
