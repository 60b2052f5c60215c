package sandbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"maps"
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
	mu    sync.RWMutex
	state *State
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{state: NewState()}
}

func (m *MemoryStore) View(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(m.state.Begin(false))
}

func (m *MemoryStore) Update(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := m.state.Begin(true)
	if err := fn(tx); err != nil {
		return err
	}
	tx.Commit()
	return nil
}

// Close does nothing; the state goes with the process.
func (m *MemoryStore) Close() error { return nil }

// A State is a store's records in memory, for a Store to build on:
// MemoryStore is a State and a lock, and sqlitestore keeps its copy of
// the file in one. Transactions on a State are StateTxs, from Begin.
//
// A State is not safe for concurrent use by itself: transactions may read
// it together, but Commit, like any other change to it, needs it to
// itself. The Store provides the locking.
//
// The maps are exported so that a Store can fill a State with the records
// it has kept; after that, change them only through Commit.
type State struct {
	Orders    map[string]*Order
	ByRef     map[string]string // merchant_order_reference → order_id
	Claims    map[Claim]bool
	Tokens    map[string]time.Time // access token digest → expiry
	Customers map[string]*pinelabs.Customer

	view *StateTx // the read-only transaction over no pending writes
}

// A Claim is a reference taken within a kind, by Tx.Claim.
type Claim struct{ Kind, Ref string }

// NewState returns an empty State.
func NewState() *State {
	st := &State{
		Orders:    map[string]*Order{},
		ByRef:     map[string]string{},
		Claims:    map[Claim]bool{},
		Tokens:    map[string]time.Time{},
		Customers: map[string]*pinelabs.Customer{},
	}
	st.view = &StateTx{state: st}
	return st
}

// Begin starts a transaction on st, whose writes fail unless writable. It
// reads over the writes of pending, oldest first: transactions on st that
// have finished but are not yet committed, such as sqlitestore's updates
// waiting for the file. Begin keeps pending as it is, without a copy.
//
// Every read-only transaction over no pending writes is the same one,
// made by NewState: it has nothing of its own, so views allocate nothing.
func (st *State) Begin(writable bool, pending ...*StateTx) *StateTx {
	if !writable && len(pending) == 0 && st.view != nil {
		return st.view
	}
	return &StateTx{state: st, pending: pending, writable: writable}
}

// A StateTx is a Tx on a State. It keeps its writes until Commit, and
// reads them first; then the writes of the pending transactions it began
// over, newest first; then the State.
type StateTx struct {
	state    *State
	pending  []*StateTx // oldest first
	writable bool
	writes   State    // maps made at the first write to each
	puts     []*Order // in the order they were put
	// first is puts' room for the one order most updates put, which
	// saves allocating it apart.
	first [1]*Order
}

var _ Tx = (*StateTx)(nil)

// Commit applies tx's writes to its State. The pending transactions tx
// began over must be committed first, oldest first. Committing a
// read-only transaction does nothing.
func (tx *StateTx) Commit() {
	if !tx.writable {
		return // it wrote nothing, and may be shared
	}
	st, w := tx.state, &tx.writes
	maps.Copy(st.Orders, w.Orders)
	maps.Copy(st.ByRef, w.ByRef)
	maps.Copy(st.Claims, w.Claims)
	maps.Copy(st.Tokens, w.Tokens)
	maps.Copy(st.Customers, w.Customers)
	// Once in the State, they need no reading over; and holding them
	// would keep each transaction alive through those that began over it.
	tx.pending = nil
}

// Wrote reports whether tx has written anything.
func (tx *StateTx) Wrote() bool {
	return len(tx.puts)+len(tx.writes.Claims)+len(tx.writes.Tokens)+len(tx.writes.Customers) > 0
}

// WrittenOrders yields the orders tx put, in the order it put them, but
// for versions a later put replaced. A Store that keeps its records
// elsewhere too writes them in this order, so that an order that takes a
// reference from another takes it there as well.
func (tx *StateTx) WrittenOrders() iter.Seq[*Order] {
	return func(yield func(*Order) bool) {
		for _, o := range tx.puts {
			if tx.writes.Orders[o.ID()] == o && !yield(o) {
				return
			}
		}
	}
}

// WrittenClaims yields the claims tx took.
func (tx *StateTx) WrittenClaims() iter.Seq[Claim] { return maps.Keys(tx.writes.Claims) }

// WrittenTokens yields the token digests tx put, with their expiries.
func (tx *StateTx) WrittenTokens() iter.Seq2[string, time.Time] { return maps.All(tx.writes.Tokens) }

// WrittenCustomers yields the customers tx put, by customer_id.
func (tx *StateTx) WrittenCustomers() iter.Seq2[string, *pinelabs.Customer] {
	return maps.All(tx.writes.Customers)
}

// states yields what tx reads, in the order it reads them.
func (tx *StateTx) states(yield func(*State) bool) {
	if !yield(&tx.writes) {
		return
	}
	for i := len(tx.pending) - 1; i >= 0; i-- {
		if !yield(&tx.pending[i].writes) {
			return
		}
	}
	yield(tx.state)
}

func (tx *StateTx) Order(id string) (*Order, error) {
	for st := range tx.states {
		if o, ok := st.Orders[id]; ok {
			return o, nil
		}
	}
	return nil, ErrNotFound
}

func (tx *StateTx) OrderByReference(ref string) (*Order, error) {
	for st := range tx.states {
		if id, ok := st.ByRef[ref]; ok {
			return tx.Order(id)
		}
	}
	return nil, ErrNotFound
}

func (tx *StateTx) Orders(limit int) ([]*Order, error) {
	// newer is the latest version of each order written over the State.
	newer := tx.writes.Orders
	if len(tx.pending) > 0 {
		newer = map[string]*Order{}
		for _, p := range tx.pending {
			maps.Copy(newer, p.writes.Orders)
		}
		maps.Copy(newer, tx.writes.Orders)
	}
	all := make([]*Order, 0, len(tx.state.Orders)+len(newer))
	for id, o := range tx.state.Orders {
		if _, shadowed := newer[id]; !shadowed {
			all = append(all, o)
		}
	}
	for _, o := range newer {
		all = append(all, o)
	}
	slices.SortFunc(all, func(a, b *Order) int { return cmp.Compare(b.Seq, a.Seq) })
	if limit >= 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func (tx *StateTx) PutOrder(o *Order) error {
	if !tx.writable {
		return errReadOnly
	}
	w := &tx.writes
	if w.Orders == nil {
		w.Orders, w.ByRef = map[string]*Order{}, map[string]string{}
		tx.puts = tx.first[:0]
	}
	tx.puts = append(tx.puts, o)
	w.Orders[o.ID()] = o
	if ref := o.Reference(); ref != "" {
		w.ByRef[ref] = o.ID()
	}
	return nil
}

func (tx *StateTx) Claim(kind, ref string) error {
	if !tx.writable {
		return errReadOnly
	}
	c := Claim{kind, ref}
	for st := range tx.states {
		if st.Claims[c] {
			return ErrDuplicate
		}
	}
	if tx.writes.Claims == nil {
		tx.writes.Claims = map[Claim]bool{}
	}
	tx.writes.Claims[c] = true
	return nil
}

func (tx *StateTx) TokenExpiry(digest string) (time.Time, error) {
	for st := range tx.states {
		if t, ok := st.Tokens[digest]; ok {
			return t, nil
		}
	}
	return time.Time{}, ErrNotFound
}

func (tx *StateTx) PutToken(digest string, expires time.Time) error {
	if !tx.writable {
		return errReadOnly
	}
	if tx.writes.Tokens == nil {
		tx.writes.Tokens = map[string]time.Time{}
	}
	tx.writes.Tokens[digest] = expires
	return nil
}

func (tx *StateTx) PutCustomer(c *pinelabs.Customer) error {
	if !tx.writable {
		return errReadOnly
	}
	if tx.writes.Customers == nil {
		tx.writes.Customers = map[string]*pinelabs.Customer{}
	}
	tx.writes.Customers[deref(c.CustomerID)] = c
	return nil
}

func (tx *StateTx) Customer(id string) (*pinelabs.Customer, error) {
	for st := range tx.states {
		if c, ok := st.Customers[id]; ok {
			return c, nil
		}
	}
	return nil, ErrNotFound
}
