package sandbox

import (
	"cmp"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

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
	// CustomerRefs: merchant_customer_reference → customer_id.
	CustomerRefs map[string]string
	// CustomerTokens: customer_id → the customer's saved tokens, in the
	// order they were first put. A write replaces a customer's whole list.
	CustomerTokens map[string][]*CustomerToken

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

		CustomerRefs:   map[string]string{},
		CustomerTokens: map[string][]*CustomerToken{},
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
	maps.Copy(st.CustomerRefs, w.CustomerRefs)
	maps.Copy(st.CustomerTokens, w.CustomerTokens)
	// Once in the State, they need no reading over; and holding them
	// would keep each transaction alive through those that began over it.
	tx.pending = nil
}

// Wrote reports whether tx has written anything.
func (tx *StateTx) Wrote() bool {
	w := &tx.writes
	return len(tx.puts)+len(w.Claims)+len(w.Tokens)+len(w.Customers)+len(w.CustomerTokens) > 0
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

// WrittenCustomerTokens yields, for each customer whose tokens tx put,
// the customer_id and the customer's whole list of tokens as tx leaves it.
func (tx *StateTx) WrittenCustomerTokens() iter.Seq2[string, []*CustomerToken] {
	return maps.All(tx.writes.CustomerTokens)
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
	id := deref(c.CustomerID)
	tx.writes.Customers[id] = c
	if ref := deref(c.MerchantCustomerReference); ref != "" {
		if tx.writes.CustomerRefs == nil {
			tx.writes.CustomerRefs = map[string]string{}
		}
		tx.writes.CustomerRefs[ref] = id
	}
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

func (tx *StateTx) CustomerByReference(ref string) (*pinelabs.Customer, error) {
	for st := range tx.states {
		if id, ok := st.CustomerRefs[ref]; ok {
			return tx.Customer(id)
		}
	}
	return nil, ErrNotFound
}

func (tx *StateTx) Customers(limit int) ([]*pinelabs.Customer, error) {
	// newer is the latest version of each customer written over the State.
	newer := map[string]*pinelabs.Customer{}
	for _, p := range tx.pending {
		maps.Copy(newer, p.writes.Customers)
	}
	maps.Copy(newer, tx.writes.Customers)
	all := make([]*pinelabs.Customer, 0, len(tx.state.Customers)+len(newer))
	for id, c := range tx.state.Customers {
		if _, shadowed := newer[id]; !shadowed {
			all = append(all, c)
		}
	}
	for _, c := range newer {
		all = append(all, c)
	}
	// created_at is fixed-width UTC text, so it sorts as the time does.
	slices.SortFunc(all, func(a, b *pinelabs.Customer) int {
		return cmp.Or(cmp.Compare(deref(b.CreatedAt), deref(a.CreatedAt)), cmp.Compare(deref(b.CustomerID), deref(a.CustomerID)))
	})
	if limit >= 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func (tx *StateTx) CustomerTokens(customerID string) ([]*CustomerToken, error) {
	for st := range tx.states {
		if ts, ok := st.CustomerTokens[customerID]; ok {
			return ts, nil
		}
	}
	return nil, nil
}

func (tx *StateTx) PutCustomerToken(t *CustomerToken) error {
	if !tx.writable {
		return errReadOnly
	}
	cid := t.Customer()
	old, _ := tx.CustomerTokens(cid)
	// A new list: the old one may be the State's or another
	// transaction's.
	ts := slices.Clone(old)
	if i := slices.IndexFunc(ts, func(o *CustomerToken) bool { return o.ID() == t.ID() }); i >= 0 {
		ts[i] = t
	} else {
		ts = append(ts, t)
	}
	if tx.writes.CustomerTokens == nil {
		tx.writes.CustomerTokens = map[string][]*CustomerToken{}
	}
	tx.writes.CustomerTokens[cid] = ts
	return nil
}
