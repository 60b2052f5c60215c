package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/sandbox/sqlitestore"
	"github.com/pinegen/pinelabs/pkg/sandbox/storetest"
)

var ctx = context.Background()

func open(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) sandbox.Store {
		return open(t, filepath.Join(t.TempDir(), "sandbox.db"))
	})
}

func TestDurableAcrossReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	o := storetest.NewOrder("o1", "r1", 1)
	exp := time.Now().Add(time.Hour).Round(0)

	tok1, tok2 := storetest.NewCustomerToken("c1", "t1"), storetest.NewCustomerToken("c1", "t2")

	s := open(t, path)
	err := s.Update(ctx, func(tx sandbox.Tx) error {
		return errors.Join(
			tx.PutOrder(o),
			tx.Claim("payment", "p1"),
			tx.PutToken("tok", exp),
			tx.PutCustomer(storetest.NewCustomerRef("c1", "cref", time.Now())),
			tx.PutCustomerToken(tok1),
		)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	err = s.Update(ctx, func(tx sandbox.Tx) error { return tx.PutCustomerToken(tok2) })
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, path)
	defer s.Close()
	err = s.View(ctx, func(tx sandbox.Tx) error {
		if got, err := tx.Order("o1"); err != nil {
			t.Errorf("Order after reopening: %v", err)
		} else if g, w := mustJSON(t, got), mustJSON(t, o); g != w {
			t.Errorf("Order after reopening:\n got %s\nwant %s", g, w)
		}
		if got, err := tx.OrderByReference("r1"); err != nil || got.ID() != "o1" {
			t.Errorf("OrderByReference after reopening: %v, %v", got, err)
		}
		if got, err := tx.TokenExpiry("tok"); err != nil || !got.Equal(exp) {
			t.Errorf("TokenExpiry after reopening = %v, %v; want %v", got, err, exp)
		}
		if got, err := tx.Customer("c1"); err != nil || *got.FirstName != "Kavita" {
			t.Errorf("Customer after reopening: %v, %v", got, err)
		}
		if got, err := tx.CustomerByReference("cref"); err != nil || *got.CustomerID != "c1" {
			t.Errorf("CustomerByReference after reopening: %v, %v", got, err)
		}
		if got, err := tx.CustomerTokens("c1"); err != nil {
			t.Errorf("CustomerTokens after reopening: %v", err)
		} else if g, w := mustJSON(t, got), mustJSON(t, []*sandbox.CustomerToken{tok1, tok2}); g != w {
			t.Errorf("CustomerTokens after reopening:\n got %s\nwant %s", g, w)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	err = s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim("payment", "p1") })
	if !errors.Is(err, sandbox.ErrDuplicate) {
		t.Errorf("Claim after reopening = %v, want ErrDuplicate", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Views go on answering from what the store holds; updates fail.
func TestAfterClose(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "sandbox.db"))
	err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.PutOrder(storetest.NewOrder("o1", "r1", 1)) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.View(ctx, func(tx sandbox.Tx) error { _, err := tx.Order("o1"); return err }); err != nil {
		t.Errorf("View after Close: %v", err)
	}
	if err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim("payment", "p1") }); err == nil {
		t.Error("Update after Close succeeded")
	}
}

// rows counts each table's rows by reading the file directly.
func rows(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var counts []string
	for _, table := range []string{"orders", "claims", "tokens", "customers", "customer_tokens"} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts = append(counts, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(counts, " ")
}

func TestFailedUpdateWritesNothingToTheFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	s := open(t, path)
	errStop := errors.New("stop")
	err := s.Update(ctx, func(tx sandbox.Tx) error {
		if err := tx.PutOrder(storetest.NewOrder("o1", "r1", 1)); err != nil {
			return err
		}
		if err := tx.Claim("payment", "p1"); err != nil {
			return err
		}
		if err := tx.PutCustomerToken(storetest.NewCustomerToken("c1", "t1")); err != nil {
			return err
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := rows(t, path), "orders=0 claims=0 tokens=0 customers=0 customer_tokens=0"; got != want {
		t.Errorf("after a failed update the file has %s, want %s", got, want)
	}
}

// crashEnv names the file the child process of TestKilledMidUpdate
// writes to until it is killed.
const crashEnv = "SQLITESTORE_TEST_CRASH_DB"

// crashWriter is the child process of TestKilledMidUpdate: it makes
// update after update, each putting an order and claiming a payment
// reference, and prints each one's number once it has committed.
func crashWriter(path string) {
	s, err := sqlitestore.Open(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	for i := 1; ; i++ {
		err := s.Update(ctx, func(tx sandbox.Tx) error {
			return errors.Join(
				tx.PutOrder(storetest.NewOrder(fmt.Sprint("o", i), fmt.Sprint("r", i), int64(i))),
				tx.Claim("payment", fmt.Sprint("p", i)),
			)
		})
		if err != nil {
			fmt.Println("update:", err)
			os.Exit(2)
		}
		fmt.Println(i)
	}
}

// TestKilledMidUpdate kills a process that is writing updates as fast as
// it can, with no chance to close the store: reopened, the file has every
// update the process saw commit, and of any other, all or nothing.
func TestKilledMidUpdate(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashWriter(path)
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidUpdate$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() {
			t.Fatalf("round %d: the child printed nothing", round)
		}
		time.Sleep(time.Duration(20+round*30) * time.Millisecond)
		cmd.Process.Kill()
		committed := lines.Text()
		for lines.Scan() {
			committed = lines.Text()
		}
		cmd.Wait()
		n, err := strconv.Atoi(committed)
		if err != nil {
			t.Fatalf("round %d: the child said %q", round, committed)
		}

		t.Logf("round %d: killed after %d updates committed", round, n)
		s := open(t, path)
		err = s.View(ctx, func(tx sandbox.Tx) error {
			all, err := tx.Orders(-1)
			if err != nil {
				return err
			}
			if len(all) < n || len(all) > n+1 {
				t.Errorf("round %d: %d orders after %d updates committed, want %d or one more", round, len(all), n, n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// Every order has its claim and every claim its order.
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		var orphans int
		err = db.QueryRow(`SELECT
			(SELECT count(*) FROM orders WHERE 'p' || substr(order_id, 2) NOT IN (SELECT ref FROM claims)) +
			(SELECT count(*) FROM claims WHERE 'o' || substr(ref, 2) NOT IN (SELECT order_id FROM orders))`).Scan(&orphans)
		if err != nil {
			t.Fatal(err)
		}
		if orphans != 0 {
			t.Errorf("round %d: %d orders or claims without the other half of their update", round, orphans)
		}
		var check string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("round %d: integrity_check: %q, %v", round, check, err)
		}
		db.Close()
		// The next round's child starts where this one stopped; its
		// numbers clash with the ones already there, so start afresh.
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(f)
		}
	}
}

// A file serves one store at a time; a second store on it finds out at
// its first update after the first store has written, and so do the
// updates that queued behind that one, having read its writes.
func TestSecondStoreOnOneFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	a, b := open(t, path), open(t, path)
	defer a.Close()
	defer b.Close()
	put := func(s sandbox.Store, id string) error {
		return s.Update(ctx, func(tx sandbox.Tx) error { return tx.PutOrder(storetest.NewOrder(id, "ref-"+id, 1)) })
	}
	if err := put(a, "a0"); err != nil {
		t.Fatalf("first store: %v", err)
	}

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := put(b, fmt.Sprint("b", i)); !errors.Is(err, sqlitestore.ErrShared) {
				t.Errorf("second store's update after the first wrote = %v, want ErrShared", err)
			}
		})
	}
	wg.Wait()
	err := b.View(ctx, func(tx sandbox.Tx) error {
		if all, err := tx.Orders(-1); err != nil || len(all) != 0 {
			t.Errorf("second store after its updates failed: %d orders, %v; want none", len(all), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := put(a, "a1"); err != nil {
		t.Errorf("first store, once the second failed: %v", err)
	}
}

func TestSchemaVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sandbox.db")
	open(t, path).Close()
	if v := version(t, path); v != 2 {
		t.Errorf("user_version = %d, want 2", v)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 3"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlitestore.Open(path); err == nil {
		s.Close()
		t.Error("Open of a file with schema version 3 succeeded")
	} else if !strings.Contains(err.Error(), "schema version 3") {
		t.Errorf("Open of a file with schema version 3: %v", err)
	}

	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlitestore.Open(notDB); err == nil {
		s.Close()
		t.Error("Open of a text file succeeded")
	}
}

func version(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// schemaV1 is the schema version 1 files were created with, before saved
// tokens had a table.
var schemaV1 = []string{
	`CREATE TABLE orders (order_id TEXT PRIMARY KEY, merchant_order_reference TEXT UNIQUE, seq INTEGER NOT NULL, body BLOB NOT NULL) STRICT`,
	`CREATE INDEX orders_seq ON orders (seq)`,
	`CREATE TABLE claims (kind TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (kind, ref)) WITHOUT ROWID, STRICT`,
	`CREATE TABLE tokens (token TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID, STRICT`,
	`CREATE TABLE customers (customer_id TEXT PRIMARY KEY, body BLOB NOT NULL) STRICT`,
	`PRAGMA user_version = 1`,
}

// A file of version 1 opens as version 2 with all it held, and takes
// saved tokens from then on.
func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range schemaV1 {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	o := storetest.NewOrder("o1", "r1", 1)
	c := storetest.NewCustomerRef("c1", "cref", time.Now())
	if _, err := db.Exec(`INSERT INTO orders VALUES ('o1', 'r1', 1, ?)`, []byte(mustJSON(t, o))); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO customers VALUES ('c1', ?)`, []byte(mustJSON(t, c))); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO claims VALUES ('merchant_customer_reference', 'cref')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := open(t, path)
	if v := version(t, path); v != 2 {
		t.Errorf("user_version after opening a version 1 file = %d, want 2", v)
	}
	err = s.View(ctx, func(tx sandbox.Tx) error {
		if _, err := tx.Order("o1"); err != nil {
			t.Errorf("Order after the migration: %v", err)
		}
		// The reference index is built from the customers' records.
		if got, err := tx.CustomerByReference("cref"); err != nil || *got.CustomerID != "c1" {
			t.Errorf("CustomerByReference after the migration: %v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tok := storetest.NewCustomerToken("c1", "t1")
	if err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.PutCustomerToken(tok) }); err != nil {
		t.Fatalf("PutCustomerToken after the migration: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	err = s.View(ctx, func(tx sandbox.Tx) error {
		got, err := tx.CustomerTokens("c1")
		if err != nil || len(got) != 1 || got[0].ID() != "t1" {
			t.Errorf("CustomerTokens after reopening the migrated file: %v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A path is a path: nothing in it is read as a URI's query or escape.
func TestOddPath(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a dir?x=1#y%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state?.db")
	s := open(t, path)
	if err := s.Update(ctx, func(tx sandbox.Tx) error { return tx.Claim("k", "r") }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the store is not at the path given: %v", err)
	}
}

// BenchmarkStore measures what a create-order and a get-order cost each
// store: an update that checks the reference and puts the order, then a
// view that reads it. "serial" is one caller; "parallel" is 16 callers a
// CPU, as a busy sandbox has, whose updates the SQLite store writes in
// groups.
func BenchmarkStore(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) sandbox.Store
	}{
		{"memory", func(*testing.B) sandbox.Store { return sandbox.NewMemoryStore() }},
		{"sqlite", func(b *testing.B) sandbox.Store { return open(b, filepath.Join(b.TempDir(), "bench.db")) }},
	}
	createGet := func(s sandbox.Store, i int64) error {
		id := fmt.Sprintf("v1-%010d-aa-bench", i)
		o := storetest.NewOrder(id, "ref-"+id, i)
		err := s.Update(ctx, func(tx sandbox.Tx) error {
			if _, err := tx.OrderByReference(o.Reference()); !errors.Is(err, sandbox.ErrNotFound) {
				return fmt.Errorf("reference check: %v", err)
			}
			return tx.PutOrder(o)
		})
		if err != nil {
			return err
		}
		return s.View(ctx, func(tx sandbox.Tx) error {
			_, err := tx.Order(id)
			return err
		})
	}
	for _, st := range stores {
		b.Run(st.name+"/serial", func(b *testing.B) {
			s := st.open(b)
			defer s.Close()
			b.ReportAllocs()
			var i int64
			for b.Loop() {
				i++
				if err := createGet(s, i); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/parallel", func(b *testing.B) {
			s := st.open(b)
			defer s.Close()
			b.ReportAllocs()
			b.SetParallelism(16)
			var n atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := createGet(s, n.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
