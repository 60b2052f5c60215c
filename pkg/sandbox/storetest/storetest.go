// Package storetest is the conformance suite every sandbox.Store passes,
// so that the stores cannot drift apart: each store's tests call Run.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

// NewOrder returns an order such as the sandbox creates, with that
// order_id, merchant_order_reference (none when empty) and Seq.
func NewOrder(id, ref string, seq int64) *sandbox.Order {
	now := time.Now()
	o := &sandbox.Order{
		Order: pinelabs.Order{
			OrderID:               &id,
			Type:                  ptr(pinelabs.OrderTypeCHARGE),
			Status:                ptr(pinelabs.OrderStatusCREATED),
			MerchantID:            ptr("123456"),
			OrderAmount:           &pinelabs.Amount{Currency: "INR", Value: 1100},
			PreAuth:               ptr(false),
			AllowedPaymentMethods: []pinelabs.PaymentMethod{pinelabs.PaymentMethodCARD, pinelabs.PaymentMethodUPI},
			Notes:                 ptr("order " + id),
			CallbackURL:           ptr("https://merchant.example/callback"),
			Payments:              []pinelabs.Payment{},
			IntegrationMode:       ptr(pinelabs.IntegrationModeSEAMLESS),
			IsMCCTransaction:      ptr(false),
			CreatedAt:             ptr(now.UTC().Format("2006-01-02T15:04:05.000Z")),
			UpdatedAt:             ptr(now.UTC().Format("2006-01-02T15:04:05.000Z")),
		},
		Seq: seq,
		Events: []sandbox.Event{{
			At: now, Kind: sandbox.EventStatus, Status: pinelabs.OrderStatusCREATED,
			What: "order created for ₹11.00",
		}},
	}
	if ref != "" {
		o.MerchantOrderReference = &ref
	}
	return o
}

// NewCustomer returns a customer with that customer_id.
func NewCustomer(id string) *pinelabs.Customer {
	return &pinelabs.Customer{
		CustomerID: &id,
		FirstName:  ptr("Kavita"),
		EmailID:    ptr("kavita@example.com"),
	}
}

// NewCustomerRef returns a customer with that customer_id and
// merchant_customer_reference, created at that time.
func NewCustomerRef(id, ref string, created time.Time) *pinelabs.Customer {
	c := NewCustomer(id)
	c.MerchantCustomerReference = &ref
	c.CreatedAt = ptr(created.UTC().Format("2006-01-02T15:04:05.000Z"))
	c.UpdatedAt = c.CreatedAt
	return c
}

// NewCustomerToken returns an ACTIVE card token with that token_id, saved
// for that customer.
func NewCustomerToken(customerID, tokenID string) *sandbox.CustomerToken {
	now := time.Now()
	return &sandbox.CustomerToken{
		CustomerToken: pinelabs.CustomerToken{
			TokenID:       &tokenID,
			CustomerID:    &customerID,
			Status:        ptr(pinelabs.TokenStatusACTIVE),
			PaymentMethod: ptr(pinelabs.PaymentMethodCARD),
			IsCompliant:   ptr(true),
			CardData: &pinelabs.CardData{
				Last4Digit: ptr("1112"), NetworkName: ptr("VISA"), CardType: ptr("CREDIT"),
			},
		},
		CreatedAt: now,
		UpdatedAt: now,
		OrderID:   "o-" + tokenID,
	}
}

// Run tests the store open returns against what every Store must do.
// open returns a new, empty store each time it is called; Run closes it.
func Run(t *testing.T, open func(t *testing.T) sandbox.Store) {
	newStore := func(t *testing.T) sandbox.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	tests := []struct {
		name string
		test func(t *testing.T, s sandbox.Store)
	}{
		{"MissingRecordsAreNotFound", testNotFound},
		{"PutOrderThenRead", testPutOrder},
		{"PutOrderReplaces", testPutOrderReplaces},
		{"OrderWithoutReferenceIsNotIndexed", testNoReference},
		{"ReferenceFindsLatestOrderPutWithIt", testReferenceTakenOver},
		{"OrdersNewestFirst", testOrdersNewestFirst},
		{"ClaimOncePerKind", testClaim},
		{"TokenExpiry", testTokens},
		{"Customers", testCustomers},
		{"CustomerByReference", testCustomerByReference},
		{"CustomersNewestFirst", testCustomersNewestFirst},
		{"CustomerTokens", testCustomerTokens},
		{"ConcurrentTokenPutsAllKept", testConcurrentTokenPuts},
		{"ViewRejectsWrites", testViewRejectsWrites},
		{"UpdateReadsItsOwnWrites", testReadYourWrites},
		{"UpdateErrorWritesNothing", testRollback},
		{"DuplicateClaimInUpdate", testDuplicateClaimInUpdate},
		{"PanicInUpdateWritesNothing", testPanic},
		{"CancelledContext", testCancelled},
		{"ConcurrentClaimsOneWins", testConcurrentClaims},
		{"ConcurrentUpdatesSerialise", testConcurrentIncrements},
		{"ConcurrentUpdatesSeeEarlierOnes", testConcurrentListing},
		{"ViewSeesOneSnapshot", testSnapshot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, newStore(t))
		})
	}
}

var ctx = context.Background()

func testNotFound(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o1", "r1", 1)) })
	lookups := []struct {
		name string
		get  func(tx sandbox.Tx) error
	}{
		{"Order", func(tx sandbox.Tx) error { _, err := tx.Order("o2"); return err }},
		{"OrderByReference", func(tx sandbox.Tx) error { _, err := tx.OrderByReference("r2"); return err }},
		{"OrderByReference/order_id", func(tx sandbox.Tx) error { _, err := tx.OrderByReference("o1"); return err }},
		{"TokenExpiry", func(tx sandbox.Tx) error { _, err := tx.TokenExpiry("tok"); return err }},
		{"Customer", func(tx sandbox.Tx) error { _, err := tx.Customer("cust"); return err }},
		{"CustomerByReference", func(tx sandbox.Tx) error { _, err := tx.CustomerByReference("cref"); return err }},
	}
	for _, l := range lookups {
		for _, via := range []struct {
			name string
			run  func(context.Context, func(sandbox.Tx) error) error
		}{{"View", s.View}, {"Update", s.Update}} {
			err := via.run(ctx, l.get)
			if !errors.Is(err, sandbox.ErrNotFound) {
				t.Errorf("%s in %s: got %v, want ErrNotFound", l.name, via.name, err)
			}
		}
	}
}

func testPutOrder(t *testing.T, s sandbox.Store) {
	o := NewOrder("o1", "r1", 7)
	o.OTPFailures = 2
	o.Decline = pinelabs.ErrorCode("INSUFFICIENT_FUNDS")
	o.Webhooks = []sandbox.WebhookDelivery{{ID: "wh1", Type: "ORDER_CREATED", Body: []byte(`{"a":1}`), CreatedAt: time.Now(), Attempts: 1}}
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(o) })
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.Order("o1")
		if err != nil {
			return fmt.Errorf("Order: %w", err)
		}
		sameJSON(t, "Order", got, o)
		got, err = tx.OrderByReference("r1")
		if err != nil {
			return fmt.Errorf("OrderByReference: %w", err)
		}
		sameJSON(t, "OrderByReference", got, o)
		return nil
	})
}

func testPutOrderReplaces(t *testing.T, s sandbox.Store) {
	o := NewOrder("o1", "r1", 1)
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(o) })
	o = o.Clone()
	o.Order.Status = ptr(pinelabs.OrderStatusAUTHORIZED)
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(o) })
	mustView(t, s, func(tx sandbox.Tx) error {
		for _, get := range []func() (*sandbox.Order, error){
			func() (*sandbox.Order, error) { return tx.Order("o1") },
			func() (*sandbox.Order, error) { return tx.OrderByReference("r1") },
		} {
			got, err := get()
			if err != nil {
				return err
			}
			sameJSON(t, "replaced order", got, o)
		}
		all, err := tx.Orders(-1)
		if err != nil {
			return err
		}
		if len(all) != 1 {
			t.Errorf("Orders(-1) has %d orders after one was replaced, want 1", len(all))
		}
		return nil
	})
}

func testNoReference(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		if err := tx.PutOrder(NewOrder("o1", "", 1)); err != nil {
			return err
		}
		return tx.PutOrder(NewOrder("o2", "", 2))
	})
	mustView(t, s, func(tx sandbox.Tx) error {
		if _, err := tx.OrderByReference(""); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf(`OrderByReference(""): got %v, want ErrNotFound`, err)
		}
		for _, id := range []string{"o1", "o2"} {
			if _, err := tx.Order(id); err != nil {
				t.Errorf("Order(%q): %v", id, err)
			}
		}
		return nil
	})
	// Put again without a reference, an order keeps the one it had.
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o3", "r3", 3)) })
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o3", "", 3)) })
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.OrderByReference("r3")
		if err != nil {
			return fmt.Errorf(`OrderByReference("r3"): %w`, err)
		}
		if got.ID() != "o3" {
			t.Errorf(`OrderByReference("r3") = %q, want o3`, got.ID())
		}
		return nil
	})
}

// The sandbox checks a reference is free before it puts a new order; a
// Store given a second order with the same reference indexes the later.
func testReferenceTakenOver(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o1", "r", 1)) })
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o2", "r", 2)) })
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.OrderByReference("r")
		if err != nil {
			return err
		}
		if got.ID() != "o2" {
			t.Errorf(`OrderByReference("r") = %q, want o2`, got.ID())
		}
		if _, err := tx.Order("o1"); err != nil {
			t.Errorf("Order(o1) after its reference was taken: %v", err)
		}
		return nil
	})
}

func testOrdersNewestFirst(t *testing.T, s sandbox.Store) {
	seqs := []int64{30, 10, 50, 20, 40}
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		for _, q := range seqs {
			if err := tx.PutOrder(NewOrder(fmt.Sprintf("o%d", q), fmt.Sprintf("r%d", q), q)); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		limit int
		want  []int64
	}{
		{-1, []int64{50, 40, 30, 20, 10}},
		{0, nil},
		{2, []int64{50, 40}},
		{5, []int64{50, 40, 30, 20, 10}},
		{100, []int64{50, 40, 30, 20, 10}},
	}
	mustView(t, s, func(tx sandbox.Tx) error {
		for _, tt := range tests {
			all, err := tx.Orders(tt.limit)
			if err != nil {
				return fmt.Errorf("Orders(%d): %w", tt.limit, err)
			}
			var got []int64
			for _, o := range all {
				got = append(got, o.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Orders(%d) seqs = %v, want %v", tt.limit, got, tt.want)
			}
		}
		return nil
	})
}

func testClaim(t *testing.T, s sandbox.Store) {
	claim := func(kind, ref string) error {
		return s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim(kind, ref) })
	}
	steps := []struct {
		kind, ref string
		want      error
	}{
		{"payment", "p1", nil},
		{"payment", "p1", sandbox.ErrDuplicate},
		{"capture", "p1", nil},
		{"payment", "p2", nil},
		{"capture", "p1", sandbox.ErrDuplicate},
	}
	for _, st := range steps {
		if err := claim(st.kind, st.ref); !errors.Is(err, st.want) || (st.want == nil && err != nil) {
			t.Errorf("Claim(%q, %q) = %v, want %v", st.kind, st.ref, err, st.want)
		}
	}
}

func testTokens(t *testing.T, s sandbox.Store) {
	exp := time.Now().Add(time.Hour)
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutToken("tok", exp) })
	checkToken(t, s, "tok", exp)
	later := exp.Add(time.Hour)
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutToken("tok", later) })
	checkToken(t, s, "tok", later)
}

func checkToken(t *testing.T, s sandbox.Store, tok string, want time.Time) {
	t.Helper()
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.TokenExpiry(tok)
		if err != nil {
			return err
		}
		if !got.Equal(want) {
			t.Errorf("TokenExpiry(%q) = %v, want %v", tok, got, want)
		}
		return nil
	})
}

func testCustomers(t *testing.T, s sandbox.Store) {
	c := NewCustomer("cust_1")
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutCustomer(c) })
	checkCustomer(t, s, c)
	c2 := NewCustomer("cust_1")
	c2.FirstName = ptr("Arjun")
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutCustomer(c2) })
	checkCustomer(t, s, c2)
}

func checkCustomer(t *testing.T, s sandbox.Store, want *pinelabs.Customer) {
	t.Helper()
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.Customer(*want.CustomerID)
		if err != nil {
			return err
		}
		sameJSON(t, "Customer", got, want)
		return nil
	})
}

func testCustomerByReference(t *testing.T, s sandbox.Store) {
	c := NewCustomerRef("c1", "cref", time.Now())
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		return errors.Join(tx.PutCustomer(c), tx.PutCustomer(NewCustomer("c2")))
	})
	// A later version is what the reference finds.
	c2 := NewCustomerRef("c1", "cref", time.Now())
	c2.FirstName = ptr("Arjun")
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutCustomer(c2) })
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.CustomerByReference("cref")
		if err != nil {
			return fmt.Errorf(`CustomerByReference("cref"): %w`, err)
		}
		sameJSON(t, "CustomerByReference", got, c2)
		for _, ref := range []string{"", "c1", "other"} {
			if _, err := tx.CustomerByReference(ref); !errors.Is(err, sandbox.ErrNotFound) {
				t.Errorf("CustomerByReference(%q) = %v, want ErrNotFound", ref, err)
			}
		}
		return nil
	})
}

func testCustomersNewestFirst(t *testing.T, s sandbox.Store) {
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		for _, i := range []int{3, 1, 4, 2} {
			if err := tx.PutCustomer(NewCustomerRef(fmt.Sprint("c", i), fmt.Sprint("r", i), base.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	// A customer put again keeps its place: it is listed by creation.
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		c := NewCustomerRef("c1", "r1", base.Add(time.Second))
		c.UpdatedAt = ptr(base.Add(time.Hour).Format("2006-01-02T15:04:05.000Z"))
		return tx.PutCustomer(c)
	})
	for _, tt := range []struct {
		limit int
		want  string
	}{{-1, "[c4 c3 c2 c1]"}, {0, "[]"}, {2, "[c4 c3]"}, {9, "[c4 c3 c2 c1]"}} {
		mustView(t, s, func(tx sandbox.Tx) error {
			all, err := tx.Customers(tt.limit)
			if err != nil {
				return err
			}
			ids := []string{}
			for _, c := range all {
				ids = append(ids, *c.CustomerID)
			}
			if got := fmt.Sprint(ids); got != tt.want {
				t.Errorf("Customers(%d) = %s, want %s", tt.limit, got, tt.want)
			}
			return nil
		})
	}
}

func testCustomerTokens(t *testing.T, s sandbox.Store) {
	t1, t2, other := NewCustomerToken("c1", "t1"), NewCustomerToken("c1", "t2"), NewCustomerToken("c2", "t3")
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutCustomerToken(t1) })
	mustUpdate(t, s, func(tx sandbox.Tx) error { return errors.Join(tx.PutCustomerToken(t2), tx.PutCustomerToken(other)) })
	// Replacing a token keeps its place.
	deleted := t1.Clone()
	deleted.Status = ptr(pinelabs.TokenStatusDELETED)
	deleted.DeletedBy = "del-1"
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutCustomerToken(deleted) })
	checkTokens(t, s, "c1", deleted, t2)
	checkTokens(t, s, "c2", other)
	checkTokens(t, s, "c3")
}

func checkTokens(t *testing.T, s sandbox.Store, customerID string, want ...*sandbox.CustomerToken) {
	t.Helper()
	mustView(t, s, func(tx sandbox.Tx) error {
		got, err := tx.CustomerTokens(customerID)
		if err != nil {
			return fmt.Errorf("CustomerTokens(%q): %w", customerID, err)
		}
		if len(want) == 0 {
			want = nil
		}
		sameJSON(t, "CustomerTokens("+customerID+")", got, want)
		return nil
	})
}

// Each update adds a token to one customer's list; were two to read the
// same list and write it back, a token would be lost.
func testConcurrentTokenPuts(t *testing.T, s sandbox.Store) {
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.PutCustomerToken(NewCustomerToken("c", fmt.Sprint("t", i))) })
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		})
	}
	wg.Wait()
	mustView(t, s, func(tx sandbox.Tx) error {
		ts, err := tx.CustomerTokens("c")
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, tok := range ts {
			seen[tok.ID()] = true
		}
		if len(ts) != n || len(seen) != n {
			t.Errorf("%d tokens (%d distinct) after %d updates each put one", len(ts), len(seen), n)
		}
		return nil
	})
}

func testViewRejectsWrites(t *testing.T, s sandbox.Store) {
	writes := []struct {
		name  string
		write func(tx sandbox.Tx) error
	}{
		{"PutOrder", func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o1", "r1", 1)) }},
		{"Claim", func(tx sandbox.Tx) error { return tx.Claim("payment", "p1") }},
		{"PutToken", func(tx sandbox.Tx) error { return tx.PutToken("tok", time.Now()) }},
		{"PutCustomer", func(tx sandbox.Tx) error { return tx.PutCustomer(NewCustomer("c1")) }},
		{"PutCustomerToken", func(tx sandbox.Tx) error { return tx.PutCustomerToken(NewCustomerToken("c1", "t1")) }},
	}
	for _, w := range writes {
		var werr error
		err := s.View(ctx, func(tx sandbox.Tx) error {
			werr = w.write(tx)
			return nil
		})
		if err != nil {
			t.Errorf("View around %s: %v", w.name, err)
		}
		if werr == nil {
			t.Errorf("%s in View succeeded, want an error", w.name)
		}
	}
	assertEmpty(t, s)
}

func testReadYourWrites(t *testing.T, s sandbox.Store) {
	old := NewOrder("o1", "r1", 1)
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(old) })
	exp := time.Now().Add(time.Minute)
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		o := NewOrder("o2", "r2", 2)
		if err := tx.PutOrder(o); err != nil {
			return err
		}
		if got, err := tx.Order("o2"); err != nil {
			t.Errorf("Order of an order put in this update: %v", err)
		} else {
			sameJSON(t, "Order", got, o)
		}
		if got, err := tx.OrderByReference("r2"); err != nil {
			t.Errorf("OrderByReference of an order put in this update: %v", err)
		} else {
			sameJSON(t, "OrderByReference", got, o)
		}

		changed := old.Clone()
		changed.Order.Status = ptr(pinelabs.OrderStatusAUTHORIZED)
		if err := tx.PutOrder(changed); err != nil {
			return err
		}
		all, err := tx.Orders(-1)
		if err != nil {
			return err
		}
		if len(all) != 2 || all[0].ID() != "o2" || all[1].ID() != "o1" {
			t.Errorf("Orders(-1) in the update: %d orders, want o2 then o1", len(all))
		} else {
			sameJSON(t, "Orders(-1)[1]", all[1], changed)
		}

		if err := tx.Claim("payment", "p1"); err != nil {
			return err
		}
		if err := tx.Claim("payment", "p1"); !errors.Is(err, sandbox.ErrDuplicate) {
			t.Errorf("second Claim in one update = %v, want ErrDuplicate", err)
		}
		if err := tx.PutToken("tok", exp); err != nil {
			return err
		}
		if got, err := tx.TokenExpiry("tok"); err != nil || !got.Equal(exp) {
			t.Errorf("TokenExpiry in the update = %v, %v; want %v", got, err, exp)
		}
		c := NewCustomer("c1")
		if err := tx.PutCustomer(c); err != nil {
			return err
		}
		if got, err := tx.Customer("c1"); err != nil {
			t.Errorf("Customer in the update: %v", err)
		} else {
			sameJSON(t, "Customer", got, c)
		}
		cr := NewCustomerRef("c2", "cref", time.Now())
		if err := tx.PutCustomer(cr); err != nil {
			return err
		}
		if got, err := tx.CustomerByReference("cref"); err != nil {
			t.Errorf("CustomerByReference in the update: %v", err)
		} else {
			sameJSON(t, "CustomerByReference", got, cr)
		}
		if all, err := tx.Customers(-1); err != nil || len(all) != 2 {
			t.Errorf("Customers(-1) in the update: %d customers, %v; want 2", len(all), err)
		}
		tok := NewCustomerToken("c1", "t1")
		if err := tx.PutCustomerToken(tok); err != nil {
			return err
		}
		if got, err := tx.CustomerTokens("c1"); err != nil || len(got) != 1 {
			t.Errorf("CustomerTokens in the update: %d tokens, %v; want 1", len(got), err)
		} else {
			sameJSON(t, "CustomerTokens", got[0], tok)
		}
		return nil
	})
	// And, committed, everyone sees them.
	mustView(t, s, func(tx sandbox.Tx) error {
		if o, err := tx.Order("o1"); err != nil || o.Status() != pinelabs.OrderStatusAUTHORIZED {
			t.Errorf("o1 after the update: %v, %v", o, err)
		}
		if _, err := tx.Order("o2"); err != nil {
			t.Errorf("o2 after the update: %v", err)
		}
		return nil
	})
	checkToken(t, s, "tok", exp)
}

var errStop = errors.New("storetest: stop")

func testRollback(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o0", "r0", 1)) })
	err := s.Update(ctx, func(tx sandbox.Tx) error {
		writeAll(t, tx)
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	assertUntouched(t, s)
}

// writeAll writes one of every record, as a failing update might before
// it fails.
func writeAll(t *testing.T, tx sandbox.Tx) {
	t.Helper()
	changed := NewOrder("o0", "r0", 1)
	changed.Order.Status = ptr(pinelabs.OrderStatusAUTHORIZED)
	for _, err := range []error{
		tx.PutOrder(NewOrder("o1", "r1", 2)),
		tx.PutOrder(changed),
		tx.Claim("payment", "p1"),
		tx.PutToken("tok", time.Now().Add(time.Hour)),
		tx.PutCustomer(NewCustomerRef("c1", "cref", time.Now())),
		tx.PutCustomerToken(NewCustomerToken("c1", "t1")),
	} {
		if err != nil {
			t.Errorf("write in update: %v", err)
		}
	}
}

// assertUntouched checks that what writeAll wrote is not in s, which held
// only order o0.
func assertUntouched(t *testing.T, s sandbox.Store) {
	t.Helper()
	mustView(t, s, func(tx sandbox.Tx) error {
		if o, err := tx.Order("o0"); err != nil || o.Status() != pinelabs.OrderStatusCREATED {
			t.Errorf("o0 after a failed update: %v, %v; want it CREATED", o, err)
		}
		if _, err := tx.Order("o1"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("o1 after a failed update: %v, want ErrNotFound", err)
		}
		if _, err := tx.OrderByReference("r1"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("r1 after a failed update: %v, want ErrNotFound", err)
		}
		if all, err := tx.Orders(-1); err != nil || len(all) != 1 {
			t.Errorf("Orders(-1) after a failed update: %d orders, %v; want 1", len(all), err)
		}
		if _, err := tx.TokenExpiry("tok"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("token after a failed update: %v, want ErrNotFound", err)
		}
		if _, err := tx.Customer("c1"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("customer after a failed update: %v, want ErrNotFound", err)
		}
		if _, err := tx.CustomerByReference("cref"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("customer by reference after a failed update: %v, want ErrNotFound", err)
		}
		if ts, err := tx.CustomerTokens("c1"); err != nil || len(ts) != 0 {
			t.Errorf("tokens after a failed update: %d, %v; want none", len(ts), err)
		}
		return nil
	})
	if err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim("payment", "p1") }); err != nil {
		t.Errorf("Claim of a reference a failed update claimed: %v, want it free", err)
	}
}

func testDuplicateClaimInUpdate(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.Claim("payment", "taken") })

	// The duplicate fails the update: nothing before it is kept.
	err := s.Update(ctx, func(tx sandbox.Tx) error {
		if err := tx.PutOrder(NewOrder("o1", "r1", 1)); err != nil {
			return err
		}
		if err := tx.Claim("payment", "p1"); err != nil {
			return err
		}
		return tx.Claim("payment", "taken")
	})
	if !errors.Is(err, sandbox.ErrDuplicate) {
		t.Fatalf("Update = %v, want ErrDuplicate", err)
	}
	mustView(t, s, func(tx sandbox.Tx) error {
		if _, err := tx.Order("o1"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("o1 after the update failed: %v, want ErrNotFound", err)
		}
		return nil
	})

	// An update that expects the duplicate carries on and commits.
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		if err := tx.Claim("payment", "taken"); !errors.Is(err, sandbox.ErrDuplicate) {
			t.Errorf("Claim of a taken reference = %v, want ErrDuplicate", err)
		}
		return tx.PutOrder(NewOrder("o2", "r2", 2))
	})
	mustUpdate(t, s, func(tx sandbox.Tx) error {
		_, err := tx.Order("o2")
		return err
	})
	if err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim("payment", "p1") }); err != nil {
		t.Errorf("Claim of p1, claimed only by the failed update: %v", err)
	}
}

func testPanic(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o0", "r0", 1)) })
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Update did not pass fn's panic on")
			}
		}()
		s.Update(ctx, func(tx sandbox.Tx) error {
			writeAll(t, tx)
			panic("storetest: panic in update")
		})
	}()
	assertUntouched(t, s)
}

func testCancelled(t *testing.T, s sandbox.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	for _, via := range []struct {
		name string
		run  func(context.Context, func(sandbox.Tx) error) error
	}{{"View", s.View}, {"Update", s.Update}} {
		called := false
		err := via.run(c, func(tx sandbox.Tx) error {
			called = true
			return tx.PutOrder(NewOrder("o1", "r1", 1))
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", via.name, err)
		}
		if called {
			t.Errorf("%s with a cancelled context ran its function", via.name)
		}
	}
	assertEmpty(t, s)
}

func testConcurrentClaims(t *testing.T, s sandbox.Store) {
	const n = 50
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs <- s.Update(ctx, func(tx sandbox.Tx) error {
				if err := tx.Claim("payment", "same"); err != nil {
					return err
				}
				return tx.PutOrder(NewOrder(fmt.Sprintf("o%d", i), fmt.Sprintf("r%d", i), int64(i)))
			})
		})
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, sandbox.ErrDuplicate):
			t.Errorf("Update: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d updates claimed the same reference, want 1", won, n)
	}
	mustView(t, s, func(tx sandbox.Tx) error {
		if all, err := tx.Orders(-1); err != nil || len(all) != 1 {
			t.Errorf("Orders(-1): %d orders, %v; want only the winner's", len(all), err)
		}
		return nil
	})
}

// Each update reads a counter and writes it back one higher; were two to
// interleave, an increment would be lost.
func testConcurrentIncrements(t *testing.T, s sandbox.Store) {
	const n = 50
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o", "r", 1)) })
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			err := s.Update(ctx, func(tx sandbox.Tx) error {
				o, err := tx.Order("o")
				if err != nil {
					return err
				}
				o = o.Clone()
				o.OTPFailures++
				return tx.PutOrder(o)
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		})
	}
	wg.Wait()
	mustView(t, s, func(tx sandbox.Tx) error {
		o, err := tx.Order("o")
		if err != nil {
			return err
		}
		if o.OTPFailures != n {
			t.Errorf("after %d increments the counter is %d", n, o.OTPFailures)
		}
		return nil
	})
}

// Each update counts the orders and puts one numbered next: every update
// sees all the ones before it, whether or not they are in the file yet.
func testConcurrentListing(t *testing.T, s sandbox.Store) {
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Update(ctx, func(tx sandbox.Tx) error {
				all, err := tx.Orders(-1)
				if err != nil {
					return err
				}
				if len(all) > 0 && all[0].Seq != int64(len(all)) {
					t.Errorf("the newest of %d orders is number %d", len(all), all[0].Seq)
				}
				return tx.PutOrder(NewOrder(fmt.Sprint("o", i), fmt.Sprint("r", i), int64(len(all)+1)))
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		})
	}
	wg.Wait()
	mustView(t, s, func(tx sandbox.Tx) error {
		all, err := tx.Orders(-1)
		if err != nil {
			return err
		}
		for i, o := range all {
			if want := int64(n - i); o.Seq != want {
				t.Errorf("Orders(-1)[%d] is number %d, want %d", i, o.Seq, want)
			}
		}
		if len(all) != n {
			t.Errorf("Orders(-1) has %d orders, want %d", len(all), n)
		}
		return nil
	})
}

// A View reading the same order twice sees it the same both times, however
// many updates commit meanwhile.
func testSnapshot(t *testing.T, s sandbox.Store) {
	mustUpdate(t, s, func(tx sandbox.Tx) error { return tx.PutOrder(NewOrder("o", "r", 1)) })
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(done)
		wg.Wait()
	}()
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				mustView(t, s, func(tx sandbox.Tx) error {
					a, err := tx.Order("o")
					if err != nil {
						return err
					}
					time.Sleep(10 * time.Microsecond)
					b, err := tx.OrderByReference("r")
					if err != nil {
						return err
					}
					if a.OTPFailures != b.OTPFailures {
						t.Errorf("one View read the counter as %d, then %d", a.OTPFailures, b.OTPFailures)
					}
					return nil
				})
			}
		})
	}
	for range 100 {
		mustUpdate(t, s, func(tx sandbox.Tx) error {
			o, err := tx.Order("o")
			if err != nil {
				return err
			}
			o = o.Clone()
			o.OTPFailures++
			return tx.PutOrder(o)
		})
	}
}

func assertEmpty(t *testing.T, s sandbox.Store) {
	t.Helper()
	mustView(t, s, func(tx sandbox.Tx) error {
		if all, err := tx.Orders(-1); err != nil || len(all) != 0 {
			t.Errorf("Orders(-1): %d orders, %v; want none", len(all), err)
		}
		if _, err := tx.TokenExpiry("tok"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("TokenExpiry: %v, want ErrNotFound", err)
		}
		if _, err := tx.Customer("c1"); !errors.Is(err, sandbox.ErrNotFound) {
			t.Errorf("Customer: %v, want ErrNotFound", err)
		}
		if all, err := tx.Customers(-1); err != nil || len(all) != 0 {
			t.Errorf("Customers(-1): %d customers, %v; want none", len(all), err)
		}
		if ts, err := tx.CustomerTokens("c1"); err != nil || len(ts) != 0 {
			t.Errorf("CustomerTokens: %d tokens, %v; want none", len(ts), err)
		}
		return nil
	})
	if err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim("payment", "p1") }); err != nil {
		t.Errorf("Claim: %v, want the reference free", err)
	}
}

func mustUpdate(t *testing.T, s sandbox.Store, fn func(sandbox.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func mustView(t *testing.T, s sandbox.Store, fn func(sandbox.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Errorf("View: %v", err)
	}
}

// sameJSON compares records as they are stored: by their JSON, which
// drops what a round trip cannot keep (a time's monotonic reading).
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func ptr[T any](v T) *T { return &v }
