package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
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

// Clone returns a deep copy of t, to change and Put.
func (t *CustomerToken) Clone() *CustomerToken {
	b, err := json.Marshal(t)
	if err != nil {
		panic("sandbox: a token does not encode: " + err.Error())
	}
	var c CustomerToken
	if err := json.Unmarshal(b, &c); err != nil {
		panic("sandbox: a token does not decode: " + err.Error())
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
