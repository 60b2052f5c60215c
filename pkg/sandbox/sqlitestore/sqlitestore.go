// Package sqlitestore keeps a sandbox's state in a SQLite file, so that it
// survives a restart. It uses the pure-Go driver modernc.org/sqlite: no cgo.
package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

// ErrShared is what Update returns once another connection has changed
// the file: a file holds one store's state, and this store's copy of it
// is no longer the file's.
var ErrShared = errors.New("sqlitestore: the file was changed by another connection; a file serves one store at a time")

// errClosed is what Update returns after Close.
var errClosed = errors.New("sqlitestore: update after Close")

// schemaVersion is kept in PRAGMA user_version; Open refuses a file with
// a version it does not know, and brings one of an earlier version up to
// this one.
const schemaVersion = 2

// migrations[v] takes a file from version v to v+1; a new file runs them
// all. Orders, customers and saved tokens are kept as the JSON of the
// record. The columns beside it are for whoever reads the file with
// sqlite3, and let the file itself hold one order to a reference; the
// store looks nothing up in SQL.
var migrations = [][]string{
	0: {
		`CREATE TABLE orders (
			order_id                 TEXT PRIMARY KEY,
			merchant_order_reference TEXT UNIQUE,
			seq                      INTEGER NOT NULL,
			body                     BLOB NOT NULL
		) STRICT`,
		`CREATE INDEX orders_seq ON orders (seq)`,
		`CREATE TABLE claims (
			kind TEXT NOT NULL,
			ref  TEXT NOT NULL,
			PRIMARY KEY (kind, ref)
		) WITHOUT ROWID, STRICT`,
		`CREATE TABLE tokens (
			token   TEXT PRIMARY KEY,
			expires INTEGER NOT NULL -- unix nanoseconds
		) WITHOUT ROWID, STRICT`,
		`CREATE TABLE customers (
			customer_id TEXT PRIMARY KEY,
			body        BLOB NOT NULL
		) STRICT`,
	},
	// Version 2: the cards saved for customers. A customer's tokens are
	// one row, the JSON array of them in the order they were saved, as
	// the store's State keeps them.
	1: {
		`CREATE TABLE customer_tokens (
			customer_id TEXT PRIMARY KEY,
			body        BLOB NOT NULL
		) STRICT`,
	},
}

const (
	// A put without a reference keeps the one the order has, as
	// OrderByReference goes on finding it.
	qPutOrder = `INSERT INTO orders (order_id, merchant_order_reference, seq, body) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (order_id) DO UPDATE SET
			merchant_order_reference = coalesce(excluded.merchant_order_reference, merchant_order_reference),
			seq = excluded.seq, body = excluded.body`
	qReleaseRef  = `UPDATE orders SET merchant_order_reference = NULL WHERE merchant_order_reference = ?`
	qClaim       = `INSERT INTO claims (kind, ref) VALUES (?, ?)`
	qPutToken    = `INSERT INTO tokens (token, expires) VALUES (?1, ?2) ON CONFLICT (token) DO UPDATE SET expires = excluded.expires`
	qPutCustomer = `INSERT INTO customers (customer_id, body) VALUES (?1, ?2) ON CONFLICT (customer_id) DO UPDATE SET body = excluded.body`
	qPutTokens   = `INSERT INTO customer_tokens (customer_id, body) VALUES (?1, ?2) ON CONFLICT (customer_id) DO UPDATE SET body = excluded.body`
	qDataVersion = `PRAGMA data_version`
)

// checkpointEvery is the least time between checkpoints.
const checkpointEvery = 100 * time.Millisecond

// walFrames is how long the WAL may grow, in pages, before a checkpoint
// holds the writer off to finish, so that the next commit starts the WAL
// afresh (SQLite's own checkpoints come every 1000 pages).
const walFrames = 1000

// Store is a sandbox.Store in a SQLite file, in WAL mode.
//
// The file is the state; the store reads it once, on Open, and keeps a
// copy in memory, a sandbox.State, that it serves every read from.
// Reading the file for each request instead cost the sandbox more than
// half its throughput: every read then pays for locks, and for the pages
// its connection must read again after each commit by another.
//
// Updates run one at a time, as MemoryStore's do, each on the copy plus
// the writes of the updates before it that are not yet in the file. What
// an update writes goes to the file in one transaction (BEGIN IMMEDIATE),
// together with the writes of the updates that queued while the previous
// transaction was being written; Update returns once that transaction has
// committed, and only then does the copy change, so a view never sees
// what the file might not keep, and a crash or failed write leaves both
// as they were. Writing updates in groups shares the pages, locks and
// system calls of a commit among them.
//
// A commit only appends to the WAL; with synchronous=NORMAL that needs no
// fsync. The fsyncs come when the WAL is copied back into the database
// (a checkpoint), which SQLite would do inside every thousandth-page
// commit. Here a goroutine does it on its own connection instead, after
// commits and at most every checkpointEvery, holding the writer off only
// for about one fsync when the WAL must start afresh.
//
// Only this store may write the file while it is open: an Update that
// finds another connection has written returns ErrShared.
type Store struct {
	writer, checkpointer *sql.DB
	// Statements on the writer's one connection.
	putOrder, releaseRef, claim, putToken, putCustomer, putTokens, dataVersion *sql.Stmt
	// version is the writer's data_version: it changes only when another
	// connection commits.
	version int64

	// writing is held while an update's function runs and while the
	// writer takes or applies a group; it guards pending, done and
	// closed, and keeps state still for the function.
	writing chan struct{}
	pending []*sandbox.StateTx // updates not yet in state, oldest first
	done    []chan error       // done[i] is told how writing pending[i] went
	closed  bool
	queued  chan struct{} // pending has grown

	mu    sync.RWMutex // over state: read by views, changed by the writer
	state *sandbox.State

	walMu     sync.Mutex    // held by the writer, and by a checkpoint that must finish
	wrote     chan struct{} // a group committed
	stop      chan struct{}
	bg        sync.WaitGroup // the writer and the checkpointer
	closeOnce sync.Once
	closeErr  error
}

var _ sandbox.Store = (*Store)(nil)

// Open opens the store in the SQLite file at path, creating the file and
// its tables if they do not exist, and reads it.
func Open(path string) (*Store, error) {
	s, err := open(path)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return s, nil
}

func open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// A file: URI, so that no character of the path is taken for a
	// parameter.
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	uri := (&url.URL{Scheme: "file", Path: p, OmitHost: true}).String()

	s := &Store{
		writing: make(chan struct{}, 1),
		queued:  make(chan struct{}, 1),
		wrote:   make(chan struct{}, 1),
		stop:    make(chan struct{}),
	}
	// One connection: groups are written one at a time, and with no other
	// connection writing, its page cache stays warm.
	s.writer, err = sql.Open("sqlite", uri+"?_busy_timeout=5000&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, err
	}
	s.writer.SetMaxOpenConns(1)
	if err := s.migrate(); err != nil {
		s.writer.Close()
		return nil, err
	}
	if err := s.load(); err != nil {
		s.writer.Close()
		return nil, err
	}
	if err := s.prepare(); err != nil {
		s.closeStatements()
		s.writer.Close()
		return nil, err
	}
	s.checkpointer, err = sql.Open("sqlite", uri+"?_busy_timeout=5000&_synchronous=NORMAL")
	if err != nil {
		s.closeStatements()
		s.writer.Close()
		return nil, err
	}
	s.checkpointer.SetMaxOpenConns(1)
	s.bg.Go(s.writes)
	s.bg.Go(s.checkpoints)
	return s, nil
}

// migrate creates the tables in a new file, or brings an older file's up
// to schemaVersion, in one immediate transaction, so that two processes
// opening a new file at once do not both create them.
func (s *Store) migrate() error {
	tx, err := s.writer.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	switch {
	case v == schemaVersion:
		return nil
	case v < 0 || v > schemaVersion:
		return fmt.Errorf("schema version %d is not one this sandbox knows (it knows up to %d)", v, schemaVersion)
	}
	for _, step := range migrations[v:] {
		for _, q := range step {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// load reads every record, and the data_version they are as of.
func (s *Store) load() error {
	tx, err := s.writer.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st := sandbox.NewState()
	err = each(tx, `SELECT order_id, merchant_order_reference, body FROM orders`, func(rows *sql.Rows) error {
		var id string
		var ref sql.NullString
		var body []byte
		if err := rows.Scan(&id, &ref, &body); err != nil {
			return err
		}
		o := new(sandbox.Order)
		if err := json.Unmarshal(body, o); err != nil {
			return fmt.Errorf("order %q: %w", id, err)
		}
		st.Orders[id] = o
		if ref.Valid {
			st.ByRef[ref.String] = id
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = each(tx, `SELECT kind, ref FROM claims`, func(rows *sql.Rows) error {
		var c sandbox.Claim
		err := rows.Scan(&c.Kind, &c.Ref)
		st.Claims[c] = true
		return err
	})
	if err != nil {
		return err
	}
	err = each(tx, `SELECT token, expires FROM tokens`, func(rows *sql.Rows) error {
		var tok string
		var ns int64
		err := rows.Scan(&tok, &ns)
		st.Tokens[tok] = time.Unix(0, ns)
		return err
	})
	if err != nil {
		return err
	}
	err = each(tx, `SELECT customer_id, body FROM customers`, func(rows *sql.Rows) error {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		c := new(pinelabs.Customer)
		if err := json.Unmarshal(body, c); err != nil {
			return fmt.Errorf("customer %q: %w", id, err)
		}
		st.Customers[id] = c
		if ref := c.MerchantCustomerReference; ref != nil && *ref != "" {
			st.CustomerRefs[*ref] = id
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = each(tx, `SELECT customer_id, body FROM customer_tokens`, func(rows *sql.Rows) error {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		var ts []*sandbox.CustomerToken
		if err := json.Unmarshal(body, &ts); err != nil {
			return fmt.Errorf("tokens of customer %q: %w", id, err)
		}
		st.CustomerTokens[id] = ts
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.QueryRow(qDataVersion).Scan(&s.version); err != nil {
		return err
	}
	s.state = st
	return nil
}

// each runs fn on every row query returns.
func each(tx *sql.Tx, query string, fn func(*sql.Rows) error) error {
	rows, err := tx.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Store) prepare() error {
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&s.putOrder, qPutOrder},
		{&s.releaseRef, qReleaseRef},
		{&s.claim, qClaim},
		{&s.putToken, qPutToken},
		{&s.putCustomer, qPutCustomer},
		{&s.putTokens, qPutTokens},
		{&s.dataVersion, qDataVersion},
	} {
		st, err := s.writer.Prepare(p.q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.q, err)
		}
		*p.st = st
	}
	return nil
}

// checkpoints copies committed pages from the WAL into the database after
// commits, until Close. A PASSIVE checkpoint takes no lock the writer
// waits for, so it runs alongside commits. But the WAL starts afresh only
// at a commit that finds every page in it copied, which under a steady
// load never happens; so when the WAL has grown past walFrames, a second
// checkpoint copies what came in during the first with the writer held
// off, which takes little longer than its fsync. A checkpoint that fails
// is left to the next.
func (s *Store) checkpoints() {
	for {
		select {
		case <-s.stop:
			return
		case <-s.wrote:
		}
		var busy, frames, copied int
		err := s.checkpointer.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
		if err == nil && frames > walFrames {
			s.walMu.Lock()
			s.checkpointer.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			s.walMu.Unlock()
		}
		select {
		case <-s.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// View runs fn on the state as the last update to commit left it; no
// update commits while fn runs.
func (s *Store) View(ctx context.Context, fn func(sandbox.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.state.Begin(false))
}

// Update runs fn, then writes what it changed to the file, and returns
// once that is committed. fn's error is returned as it is, and nothing is
// written. Once fn has succeeded the write is finished even if ctx ends.
func (s *Store) Update(ctx context.Context, fn func(sandbox.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.writing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	done, err := s.run(fn)
	if err != nil || done == nil {
		return err
	}
	select {
	case s.queued <- struct{}{}:
	default: // the writer has been told already
	}
	return <-done
}

// run runs fn and queues what it wrote, if anything, for the writer,
// returning the channel to learn the outcome on. The caller holds
// writing, so state and pending stay as they are meanwhile; run lets go
// of it, even if fn panics.
func (s *Store) run(fn func(sandbox.Tx) error) (chan error, error) {
	defer func() { <-s.writing }()
	if s.closed {
		return nil, errClosed
	}
	tx := s.state.Begin(true, s.pending...)
	// An update that fails or writes nothing has nothing to wait for, even
	// if it read pending writes.
	if err := fn(tx); err != nil || !tx.Wrote() {
		return nil, err
	}
	done := make(chan error, 1)
	s.pending = append(s.pending, tx)
	s.done = append(s.done, done)
	return done, nil
}

// writes writes pending updates to the file, as many as have queued in
// each transaction, until Close; then it writes what is left and stops.
func (s *Store) writes() {
	for {
		select {
		case <-s.queued:
		case <-s.stop:
		}
		s.writing <- struct{}{}
		group, closed := s.pending, s.closed
		<-s.writing
		if len(group) == 0 {
			if closed {
				return
			}
			continue
		}

		s.walMu.Lock()
		err := s.write(group)
		s.walMu.Unlock()

		s.writing <- struct{}{}
		if err == nil {
			s.mu.Lock()
			for _, tx := range group {
				tx.Commit()
			}
			s.mu.Unlock()
		} else {
			// The updates queued since the group was taken ran on its
			// writes: they fail with it.
			group = s.pending
			if !errors.Is(err, ErrShared) {
				err = fmt.Errorf("sqlitestore: %w", err)
			}
		}
		done := s.done[:len(group)]
		s.pending = slices.Clone(s.pending[len(group):])
		s.done = slices.Clone(s.done[len(group):])
		more := len(s.pending) > 0
		<-s.writing
		for _, d := range done {
			d <- err
		}
		if err == nil {
			select {
			case s.wrote <- struct{}{}:
			default: // a checkpoint is already due
			}
		}
		if more {
			select {
			case s.queued <- struct{}{}:
			default:
			}
		}
	}
}

// write writes a group of updates to the file in one transaction.
func (s *Store) write(group []*sandbox.StateTx) error {
	sqltx, err := s.writer.Begin()
	if err != nil {
		return err
	}
	defer sqltx.Rollback()
	var v int64
	if err := sqltx.Stmt(s.dataVersion).QueryRow().Scan(&v); err != nil {
		return err
	}
	if v != s.version {
		return ErrShared
	}
	put, release := sqltx.Stmt(s.putOrder), sqltx.Stmt(s.releaseRef)
	claim, putToken, putCustomer, putTokens := sqltx.Stmt(s.claim), sqltx.Stmt(s.putToken), sqltx.Stmt(s.putCustomer), sqltx.Stmt(s.putTokens)
	for _, tx := range group {
		for o := range tx.WrittenOrders() {
			body, err := json.Marshal(o)
			if err != nil {
				return fmt.Errorf("order %q: %w", o.ID(), err)
			}
			var ref any // NULL: no reference to index
			if r := o.Reference(); r != "" {
				ref = r
			}
			_, err = put.Exec(o.ID(), ref, o.Seq, body)
			if isUnique(err) {
				// Another order has the reference; like OrderByReference,
				// the file now gives it to this one.
				if _, err = release.Exec(ref); err == nil {
					_, err = put.Exec(o.ID(), ref, o.Seq, body)
				}
			}
			if err != nil {
				return fmt.Errorf("put order %q: %w", o.ID(), err)
			}
		}
		for c := range tx.WrittenClaims() {
			if _, err := claim.Exec(c.Kind, c.Ref); err != nil {
				return fmt.Errorf("claim: %w", err)
			}
		}
		for tok, exp := range tx.WrittenTokens() {
			if _, err := putToken.Exec(tok, exp.UnixNano()); err != nil {
				return fmt.Errorf("put token: %w", err)
			}
		}
		for id, c := range tx.WrittenCustomers() {
			body, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("customer %q: %w", id, err)
			}
			if _, err := putCustomer.Exec(id, body); err != nil {
				return fmt.Errorf("put customer %q: %w", id, err)
			}
		}
		for id, ts := range tx.WrittenCustomerTokens() {
			body, err := json.Marshal(ts)
			if err != nil {
				return fmt.Errorf("tokens of customer %q: %w", id, err)
			}
			if _, err := putTokens.Exec(id, body); err != nil {
				return fmt.Errorf("put tokens of customer %q: %w", id, err)
			}
		}
	}
	return sqltx.Commit()
}

func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// Close writes the updates still pending and closes the file, which
// keeps the state. Views still work after it; updates fail.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.writing <- struct{}{}
		s.closed = true
		<-s.writing
		close(s.stop)
		s.bg.Wait()
		err := errors.Join(s.closeStatements(), s.checkpointer.Close(), s.writer.Close())
		if err != nil {
			s.closeErr = fmt.Errorf("sqlitestore: close: %w", err)
		}
	})
	return s.closeErr
}

func (s *Store) closeStatements() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.putOrder, s.releaseRef, s.claim, s.putToken, s.putCustomer, s.putTokens, s.dataVersion} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
