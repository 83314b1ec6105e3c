// Package builtin is the default CRM adapter: its "CRM" is a table of the
// local state database, so dayreport works with nothing external. Records are
// stored as JSON, one object per record key.
//
// The adapter reaches the table through the Table interface rather than the
// store package, so that adapters stay independent of the state database's
// other duties (the outbox, the push log).
package builtin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/crm"
)

// Name is the adapter's config name.
const Name = "builtin"

// MaxBatch is how many records one Upsert call carries at most.
const MaxBatch = 500

// Table is the builtin CRM's storage, implemented by the state database.
type Table interface {
	// BuiltinUpsert stores record under key, idempotently: a key always maps
	// to the same object id. created is true when the object did not exist.
	BuiltinUpsert(ctx context.Context, key string, record []byte) (objectID string, created bool, err error)
	// BuiltinGet returns the object stored under key; ok is false when none.
	BuiltinGet(ctx context.Context, key string) (objectID string, record []byte, revision int, ok bool, err error)
}

// BatchTable is a Table that writes many objects in one transaction (the
// state database): an Upsert call then costs one commit, not one per record.
type BatchTable interface {
	Table
	// BuiltinUpsertMany is BuiltinUpsert of each key with its record, all
	// or nothing; it returns the object ids in order.
	BuiltinUpsertMany(ctx context.Context, keys []string, records [][]byte) ([]string, error)
}

// Adapter writes records to a Table.
type Adapter struct {
	table Table
}

var _ crm.Adapter = (*Adapter)(nil)

// New returns the builtin adapter over t.
func New(t Table) *Adapter { return &Adapter{table: t} }

// Name returns "builtin".
func (a *Adapter) Name() string { return Name }

// MaxBatch returns 500.
func (a *Adapter) MaxBatch() int { return MaxBatch }

// Upsert stores each record as JSON under its key. The table upserts by key,
// so a missing or stale Push.ObjectID needs no lookup: the key finds the
// object, and an object deleted behind dayreport's back is created again.
// Errors are classified by classify; a cancelled ctx fails every record not
// yet written with ctx.Err().
func (a *Adapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	if bt, ok := a.table.(BatchTable); ok && len(pushes) > 1 {
		return a.upsertMany(ctx, bt, pushes)
	}
	results := make([]crm.Result, len(pushes))
	for i, p := range pushes {
		if err := ctx.Err(); err != nil {
			for j := i; j < len(results); j++ {
				results[j].Err = err
			}
			break
		}
		results[i] = a.upsert(ctx, p.Record)
	}
	return results
}

// upsertMany writes the pushes through one BuiltinUpsertMany: a record
// that cannot be written (no key, a NaN) fails alone; a failed transaction
// fails the rest with its classified error.
func (a *Adapter) upsertMany(ctx context.Context, bt BatchTable, pushes []crm.Push) []crm.Result {
	results := make([]crm.Result, len(pushes))
	if err := ctx.Err(); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	var (
		idx     []int
		keys    []string
		records [][]byte
	)
	for i, p := range pushes {
		if p.Record.Key == "" {
			results[i].Err = crm.PermanentError(errors.New("builtin: record has no key"))
			continue
		}
		b, err := json.Marshal(p.Record)
		if err != nil { // a NaN or an infinity among the metrics
			results[i].Err = crm.PermanentError(fmt.Errorf("builtin: %s: %w", p.Record.Key, err))
			continue
		}
		idx, keys, records = append(idx, i), append(keys, p.Record.Key), append(records, b)
	}
	if len(idx) == 0 {
		return results
	}
	ids, err := bt.BuiltinUpsertMany(ctx, keys, records)
	if err == nil && len(ids) != len(idx) {
		err = crm.RetryableError(fmt.Errorf("builtin: the state database returned %d object ids for %d records", len(ids), len(idx)), 0)
	}
	for j, i := range idx {
		switch {
		case err != nil:
			results[i].Err = classify(ctx, fmt.Errorf("builtin: %s: %w", keys[j], err))
		case ids[j] == "":
			results[i].Err = crm.RetryableError(fmt.Errorf("builtin: %s: the state database returned no object id", keys[j]), 0)
		default:
			results[i].ObjectID = ids[j]
		}
	}
	return results
}

func (a *Adapter) upsert(ctx context.Context, rec crm.Record) crm.Result {
	if rec.Key == "" {
		return crm.Result{Err: crm.PermanentError(errors.New("builtin: record has no key"))}
	}
	if a.table == nil {
		return crm.Result{Err: crm.PermanentError(errors.New("builtin: no state database"))}
	}
	b, err := json.Marshal(rec)
	if err != nil { // a NaN or an infinity among the metrics
		return crm.Result{Err: crm.PermanentError(fmt.Errorf("builtin: %s: %w", rec.Key, err))}
	}
	id, _, err := a.table.BuiltinUpsert(ctx, rec.Key, b)
	if err != nil {
		return crm.Result{Err: classify(ctx, fmt.Errorf("builtin: %s: %w", rec.Key, err))}
	}
	if id == "" {
		return crm.Result{Err: crm.RetryableError(fmt.Errorf("builtin: %s: the state database returned no object id", rec.Key), 0)}
	}
	return crm.Result{ObjectID: id}
}

// Get returns the record stored under key and its object id; ok is false when
// there is none.
func (a *Adapter) Get(ctx context.Context, key string) (objectID string, rec crm.Record, ok bool, err error) {
	if a.table == nil {
		return "", crm.Record{}, false, errors.New("builtin: no state database")
	}
	id, b, _, ok, err := a.table.BuiltinGet(ctx, key)
	if err != nil {
		return "", crm.Record{}, false, fmt.Errorf("builtin: %s: %w", key, err)
	}
	if !ok {
		return "", crm.Record{}, false, nil
	}
	rec, err = Decode(b)
	if err != nil {
		return "", crm.Record{}, false, fmt.Errorf("builtin: %s: %w", key, err)
	}
	return id, rec, true, nil
}

// Decode reads a record as the adapter stored it.
func Decode(b []byte) (crm.Record, error) {
	var rec crm.Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return crm.Record{}, fmt.Errorf("builtin: stored record: %w", err)
	}
	return rec, nil
}

// SQLite result codes (the primary code is the low byte of an extended one).
const (
	sqliteError      = 1
	sqliteInternal   = 2
	sqlitePerm       = 3
	sqliteAbort      = 4
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteNoMem      = 7
	sqliteReadOnly   = 8
	sqliteInterrupt  = 9
	sqliteIOErr      = 10
	sqliteCorrupt    = 11
	sqliteFull       = 13
	sqliteCantOpen   = 14
	sqliteProtocol   = 15
	sqliteSchema     = 17
	sqliteTooBig     = 18
	sqliteConstraint = 19
	sqliteMismatch   = 20
	sqliteMisuse     = 21
	sqliteNotADB     = 26
)

// classify marks a table error Retryable or Permanent. Retrying a write costs
// nothing but time, so anything that may pass on its own is retryable — a
// busy or locked database, a full disk, an I/O error — and so is anything not
// recognised. Permanent is kept for what will fail the same way until someone
// changes the data or the setup: a constraint violation, a read-only or
// closed or corrupt database, a schema problem. Errors the table already
// classified, and context errors, are returned as they are (a cancelled
// context is not retryable, a deadline is).
func classify(ctx context.Context, err error) error {
	var classified *crm.Error
	if errors.As(err, &classified) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		// The driver may report an interrupted statement in its own words.
		return fmt.Errorf("%w (%w)", err, ctx.Err())
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteNoMem, sqliteIOErr, sqliteFull, sqliteCantOpen,
			sqliteProtocol, sqliteSchema, sqliteAbort, sqliteInterrupt:
			return crm.RetryableError(err, 0)
		case sqliteConstraint, sqliteReadOnly, sqliteCorrupt, sqliteNotADB, sqliteTooBig,
			sqliteMismatch, sqliteMisuse, sqlitePerm, sqliteError, sqliteInternal:
			return crm.PermanentError(err)
		}
	}
	msg := strings.ToLower(err.Error())
	for _, s := range permanentText {
		if strings.Contains(msg, s) {
			return crm.PermanentError(err)
		}
	}
	return crm.RetryableError(err, 0)
}

// permanentText recognises permanent failures by their message, for tables
// whose errors carry no SQLite code. Matched against the lower-cased text.
var permanentText = []string{
	"constraint",         // UNIQUE, NOT NULL, CHECK, FOREIGN KEY (SQLITE_CONSTRAINT)
	"readonly database",  // SQLITE_READONLY: "attempt to write a readonly database"
	"read-only",          // a store opened read-only
	"database is closed", // database/sql after Close
	"malformed",          // SQLITE_CORRUPT: "database disk image is malformed"
	"not a database",     // SQLITE_NOTADB
	"no such table",      // a missing migration
	"no such column",     //
	"too big",            // SQLITE_TOOBIG: "string or blob too big"
	"datatype mismatch",  // SQLITE_MISMATCH
	"cannot store",       // STRICT tables: "cannot store TEXT value in INTEGER column"
	"empty key",          // the store's own validation
}
