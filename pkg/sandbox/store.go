package sandbox

import (
	"context"
	"errors"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// Errors a Store returns.
var (
	// ErrNotFound: no record under that key.
	ErrNotFound = errors.New("sandbox: not found")
	// ErrDuplicate: the reference is already taken.
	ErrDuplicate = errors.New("sandbox: duplicate reference")
)

// A Store keeps the sandbox's state: orders (refunds among them) with
// their payments and history, the references merchants have used, access
// tokens, customers and the cards saved for them. The sandbox reads through View and changes state only
// through Update, whose function runs as one transaction: either all of
// its writes happen or, when it returns an error, none does. Updates are
// serialised, so a check made inside one (is this order still AUTHORIZED?)
// holds when its writes land.
//
// Records handed out by a Tx belong to the store: change a Clone, then
// Put it.
//
// An implementation can keep the records in a State and run its
// transactions as StateTxs, as MemoryStore does.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// A Tx reads and writes records within one View or Update. Writes through
// a Tx from View fail.
type Tx interface {
	// Order returns the order with that order_id, or ErrNotFound.
	Order(id string) (*Order, error)
	// OrderByReference returns the order created with that
	// merchant_order_reference, or ErrNotFound.
	OrderByReference(ref string) (*Order, error)
	// Orders returns up to limit orders, most recently created first.
	Orders(limit int) ([]*Order, error)
	// PutOrder stores o under its order_id (and, when new, its
	// merchant_order_reference), replacing any earlier version.
	PutOrder(o *Order) error

	// Claim takes ref for the first time within kind (such as
	// "merchant_payment_reference"), or returns ErrDuplicate.
	Claim(kind, ref string) error

	// TokenExpiry returns when the access token with this digest
	// expires, or ErrNotFound.
	TokenExpiry(digest string) (time.Time, error)
	// PutToken stores an access token's digest with its expiry. The
	// sandbox stores digests, never tokens, so a store's file grants no
	// access to whoever reads it.
	PutToken(digest string, expires time.Time) error

	// PutCustomer stores a customer under its customer_id (and its
	// merchant_customer_reference, if it has one), replacing any earlier
	// version.
	PutCustomer(c *pinelabs.Customer) error
	// Customer returns the customer with that customer_id, or ErrNotFound.
	Customer(id string) (*pinelabs.Customer, error)
	// CustomerByReference returns the customer put with that
	// merchant_customer_reference, or ErrNotFound.
	CustomerByReference(ref string) (*pinelabs.Customer, error)
	// Customers returns up to limit customers (all of them when limit is
	// negative), most recently created first.
	Customers(limit int) ([]*pinelabs.Customer, error)

	// PutCustomerToken stores a saved token under its customer_id,
	// replacing the customer's token with the same token_id or, when it
	// has none, adding it after the others.
	PutCustomerToken(t *CustomerToken) error
	// CustomerTokens returns the tokens saved for a customer, in the
	// order they were first put; none (and no error) for a customer
	// without any.
	CustomerTokens(customerID string) ([]*CustomerToken, error)
}

// An Order is what the sandbox keeps of an order: the order as the API
// reports it, and what happened to it.
type Order struct {
	pinelabs.Order
	// Seq orders records by creation, for listing; set by the sandbox.
	Seq int64 `json:"seq"`
	// Events is the order's history, oldest first.
	Events []Event `json:"events"`
	// OTPFailures counts wrong one-time passwords at the challenge.
	OTPFailures int `json:"otp_failures,omitempty"`
	// Decline is the code a test card declines with once the challenge is
	// approved; the card's number itself is never kept.
	Decline pinelabs.ErrorCode `json:"decline,omitempty"`
	// Webhooks are the deliveries made or due for this order, and for
	// the card its payment saved (see CustomerToken.OrderID).
	Webhooks []WebhookDelivery `json:"webhooks,omitempty"`
	// CardToSave is what a payment with card_details.save asked to keep
	// of its card, held until the challenge settles; never the number.
	CardToSave *CardToSave `json:"card_to_save,omitempty"`
	// Refunds are the refunds of this order, oldest first; each is an
	// order of its own, of type REFUND.
	Refunds []Refund `json:"refunds,omitempty"`
}

// A CardToSave is what the sandbox keeps of a card it is to save once its
// payment succeeds: what a token reports of a card, and no more.
type CardToSave struct {
	Last4       string `json:"last4"`
	Network     string `json:"network"`
	CardType    string `json:"card_type"`
	ExpiryMonth string `json:"expiry_month"`
	ExpiryYear  string `json:"expiry_year"`
}

// A Refund is one refund of an order, as the order refunded keeps it.
type Refund struct {
	// OrderID and Reference are the refund's own order_id and
	// merchant_order_reference.
	OrderID   string          `json:"order_id"`
	Reference string          `json:"reference"`
	Amount    pinelabs.Amount `json:"amount"`
	At        time.Time       `json:"at"`
}

// Refunded is the total of o's refunds, in paisa.
func (o *Order) Refunded() int64 {
	var n int64
	for _, r := range o.Refunds {
		n += r.Amount.Value
	}
	return n
}

// A CustomerToken is a card saved for a customer: the token as the API
// reports it, and what the sandbox keeps beside it.
type CustomerToken struct {
	pinelabs.CustomerToken
	// CreatedAt and UpdatedAt are when the card was saved and when the
	// token last changed (the API's token has no such fields).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// OrderID is the order whose payment saved the card. The token's
	// webhooks go out with that order's, so that they arrive in order.
	OrderID string `json:"order_id,omitempty"`
	// DeletedBy is the merchant_unique_reference the token was deleted
	// under.
	DeletedBy string `json:"deleted_by,omitempty"`
}

// ID is the token's token_id.
func (t *CustomerToken) ID() string { return deref(t.TokenID) }

// Customer is the customer_id the token is saved for.
func (t *CustomerToken) Customer() string { return deref(t.CustomerID) }

// ID is the order's order_id.
func (o *Order) ID() string { return deref(o.OrderID) }

// Reference is the order's merchant_order_reference.
func (o *Order) Reference() string { return deref(o.MerchantOrderReference) }

// Status is the order's status.
func (o *Order) Status() pinelabs.OrderStatus {
	if o.Order.Status == nil {
		return ""
	}
	return *o.Order.Status
}

// An EventKind says what an Event records.
type EventKind string

// The kinds of event in an order's history.
const (
	// EventStatus: the order moved to Event.Status.
	EventStatus EventKind = "status"
	// EventCallback: the customer was sent back to the merchant with a
	// signed result (Event.URL, Event.Fields).
	EventCallback EventKind = "callback"
	// EventRejected: a request about the order was refused (Event.Code).
	EventRejected EventKind = "rejected"
	// EventNote: something happened that is not a change of status, such
	// as a customer created for the order or a card saved by it.
	EventNote EventKind = "note"
)

// An Event is one step in an order's history.
type Event struct {
	At     time.Time            `json:"at"`
	Kind   EventKind            `json:"kind"`
	Status pinelabs.OrderStatus `json:"status,omitempty"`
	// What says what happened, in words, for the dashboard.
	What string `json:"what"`
	// Code is the error code of a rejection or failure.
	Code string `json:"code,omitempty"`
	// URL and Fields are where a callback went and what it carried
	// (signature included: it is not secret).
	URL    string            `json:"url,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// A WebhookDelivery is one event sent, or to be sent, to the merchant's
// webhook URL.
type WebhookDelivery struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Body      []byte    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	Attempts  int       `json:"attempts"`
	// Delivered is when the endpoint answered 2xx; zero until then.
	Delivered time.Time `json:"delivered,omitzero"`
	// NextAttempt is when the next try is due; zero once delivered or
	// given up.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// GaveUp is set when the retries ran out.
	GaveUp bool `json:"gave_up,omitempty"`
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
