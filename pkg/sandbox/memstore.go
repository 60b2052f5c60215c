package sandbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// Clone returns a deep copy of o, to change and Put.
func (o *Order) Clone() *Order {
	b, err := json.Marshal(o)
	if err != nil {
		panic("sandbox: an order does not encode: " + err.Error())
	}
	var c Order
	if err := json.Unmarshal(b, &c); err != nil {
		panic("sandbox: an order does not decode: " + err.Error())
	}
	return &c
}

// errReadOnly is what a write within View returns.
var errReadOnly = errors.New("sandbox: write in a read-only transaction")

// MemoryStore keeps state in memory; it is the default Store. Readers run
// together, updates one at a time; an update's writes are applied only
// when its function succeeds.
type MemoryStore struct {
	mu        sync.RWMutex
	orders    map[string]*Order
	byRef     map[string]string // merchant_order_reference → order_id
	claims    map[string]bool   // kind + "\x00" + ref
	tokens    map[string]time.Time
	customers map[string]*pinelabs.Customer
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		orders:    map[string]*Order{},
		byRef:     map[string]string{},
		claims:    map[string]bool{},
		tokens:    map[string]time.Time{},
		customers: map[string]*pinelabs.Customer{},
	}
}

func (m *MemoryStore) View(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(&memTx{m: m})
}

func (m *MemoryStore) Update(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{m: m, writable: true}
	if err := fn(tx); err != nil {
		return err
	}
	tx.commit()
	return nil
}

// Close does nothing; the state goes with the process.
func (m *MemoryStore) Close() error { return nil }

// memTx buffers an update's writes until it commits.
type memTx struct {
	m         *MemoryStore
	writable  bool
	orders    map[string]*Order
	byRef     map[string]string
	claims    map[string]bool
	tokens    map[string]time.Time
	customers map[string]*pinelabs.Customer
}

func (tx *memTx) commit() {
	for k, v := range tx.orders {
		tx.m.orders[k] = v
	}
	for k, v := range tx.byRef {
		tx.m.byRef[k] = v
	}
	for k := range tx.claims {
		tx.m.claims[k] = true
	}
	for k, v := range tx.tokens {
		tx.m.tokens[k] = v
	}
	for k, v := range tx.customers {
		tx.m.customers[k] = v
	}
}

func (tx *memTx) Order(id string) (*Order, error) {
	if o, ok := tx.orders[id]; ok {
		return o, nil
	}
	if o, ok := tx.m.orders[id]; ok {
		return o, nil
	}
	return nil, ErrNotFound
}

func (tx *memTx) OrderByReference(ref string) (*Order, error) {
	id, ok := tx.byRef[ref]
	if !ok {
		if id, ok = tx.m.byRef[ref]; !ok {
			return nil, ErrNotFound
		}
	}
	return tx.Order(id)
}

func (tx *memTx) Orders(limit int) ([]*Order, error) {
	all := make([]*Order, 0, len(tx.m.orders)+len(tx.orders))
	for id, o := range tx.m.orders {
		if _, shadowed := tx.orders[id]; !shadowed {
			all = append(all, o)
		}
	}
	for _, o := range tx.orders {
		all = append(all, o)
	}
	slices.SortFunc(all, func(a, b *Order) int { return cmp.Compare(b.Seq, a.Seq) })
	if limit >= 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func (tx *memTx) PutOrder(o *Order) error {
	if !tx.writable {
		return errReadOnly
	}
	if tx.orders == nil {
		tx.orders, tx.byRef = map[string]*Order{}, map[string]string{}
	}
	tx.orders[o.ID()] = o
	if ref := o.Reference(); ref != "" {
		tx.byRef[ref] = o.ID()
	}
	return nil
}

func (tx *memTx) Claim(kind, ref string) error {
	if !tx.writable {
		return errReadOnly
	}
	k := kind + "\x00" + ref
	if tx.claims[k] || tx.m.claims[k] {
		return ErrDuplicate
	}
	if tx.claims == nil {
		tx.claims = map[string]bool{}
	}
	tx.claims[k] = true
	return nil
}

func (tx *memTx) TokenExpiry(token string) (time.Time, error) {
	if t, ok := tx.tokens[token]; ok {
		return t, nil
	}
	if t, ok := tx.m.tokens[token]; ok {
		return t, nil
	}
	return time.Time{}, ErrNotFound
}

func (tx *memTx) PutToken(token string, expires time.Time) error {
	if !tx.writable {
		return errReadOnly
	}
	if tx.tokens == nil {
		tx.tokens = map[string]time.Time{}
	}
	tx.tokens[token] = expires
	return nil
}

func (tx *memTx) PutCustomer(c *pinelabs.Customer) error {
	if !tx.writable {
		return errReadOnly
	}
	if tx.customers == nil {
		tx.customers = map[string]*pinelabs.Customer{}
	}
	tx.customers[deref(c.CustomerID)] = c
	return nil
}

func (tx *memTx) Customer(id string) (*pinelabs.Customer, error) {
	if c, ok := tx.customers[id]; ok {
		return c, nil
	}
	if c, ok := tx.m.customers[id]; ok {
		return c, nil
	}
	return nil, ErrNotFound
}
