package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dayreport/dayreport/pkg/day"
)

// DayBatch saves the employee-days of a pass in few transactions: Save
// stages an update (answering what SaveDay would have answered) and Flush
// writes every staged update, with the closed versions noted, in ONE
// transaction; on PostgreSQL its statements go to the server in one
// pipeline, not one round trip each. A pass that judges 10 000 days so
// commits a few dozen times instead of 20 000.
//
// Reads see what was staged: a read through the batch of an employee-day
// (or of a range of an employee's days) that has an update staged flushes
// the batch first, then reads the store. So every read, and every answer
// of Save, is what it would have been had each update been saved at once
// by SaveDay; the reads of days nothing was staged for cost no flush.
//
// Start writes the staged updates the same way in the background while the
// caller stages the next ones (one write at a time, in order); Flush waits
// for it.
//
// A crash before Flush commits loses the staged updates as a crash before
// their SaveDay's would: nothing of them was written (see the package
// documentation). Whoever records what depends on them (a pass remembering
// the documents it read) must flush first.
//
// A DayBatch is safe for concurrent use.
type DayBatch struct {
	s  *Store
	mu sync.Mutex
	// ops are the staged writes, in order.
	ops []batchOp
	// staged are the employee-days ops write, by employee.
	staged map[string]map[day.Date]bool
	// employees are the employees of the staged days, in the order staged.
	employees []string
	days      int
	// fl is the batch being written in the background (Start), if any.
	fl *flight
	// lost are the employees whose days a background write lost, and
	// lostErr its error, for the next Start or Flush to return.
	lost    []string
	lostErr error
}

// flight is a batch being written in the background.
type flight struct {
	done      chan struct{}
	staged    map[string]map[day.Date]bool
	employees []string
	err       error // set before done is closed
}

// batchOp is one staged write: a day update, or a closed version.
type batchOp struct {
	u   DayUpdate
	p   preparedDay
	rec outboxRecord
	now time.Time
	// newV: the version is not in the audit trail yet; vCols are its
	// metrics and errors as JSON.
	newV  bool
	vCols dayRow
	// closed, when set, is a closed version to note instead.
	closed *closedNote
}

type closedNote struct {
	employee string
	date     day.Date
	hash     string
	at       time.Time
}

// NewDayBatch starts an empty batch of the store.
func (s *Store) NewDayBatch() *DayBatch {
	return &DayBatch{s: s, staged: map[string]map[day.Date]bool{}}
}

// Len is how many employee-days are staged.
func (b *DayBatch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.days
}

// Save stages u and returns what SaveDay(u) would return now, but for
// SaveResult.VersionID of a version new to the audit trail (0: its id is
// given at Flush). An update SaveDay would skip (DayUpdate.Prior, unchanged)
// is not staged.
func (b *DayBatch) Save(ctx context.Context, u DayUpdate) (SaveResult, error) {
	s := b.s
	if s.readOnly {
		return SaveResult{}, ErrReadOnly
	}
	p, err := prepareDay(u)
	if err != nil {
		return SaveResult{}, err
	}
	if u.Version != nil && p.v.ContentHash == "" {
		return SaveResult{}, errors.New("store: a report version needs a content hash")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fl != nil && b.fl.staged[p.d.Employee][p.d.Date] {
		b.awaitLocked() // what it read must see the day written
	}
	if b.staged[p.d.Employee][p.d.Date] {
		if _, err := b.flushLocked(ctx); err != nil {
			return SaveResult{}, err
		}
	}
	var ks keyState
	if !u.New || u.Prior != nil {
		if ks, err = s.readKeyState(ctx, u, p.d, p.v); err != nil {
			return SaveResult{}, err
		}
	}
	if u.Prior != nil && sameRow(u, p.d, p.cols) {
		if same, res := unchangedGiven(u, p.d, ks); same {
			return res, nil
		}
	}
	op := batchOp{u: u, p: p, now: s.now()}
	res := SaveResult{VersionID: p.d.VersionID}
	if u.Version != nil {
		if ks.versionID.Valid {
			res.VersionID = ks.versionID.Int64
		} else {
			res.VersionID, res.NewVersion, op.newV = 0, true, true
			if op.vCols.metrics, err = toJSON(p.v.Metrics); err != nil {
				return SaveResult{}, err
			}
			if op.vCols.errs, err = errorsJSON(p.v.Errors); err != nil {
				return SaveResult{}, err
			}
		}
	}
	if u.Record != nil {
		if op.rec, err = newOutboxRecord(*u.Record); err != nil {
			return SaveResult{}, err
		}
		h := op.rec.hash
		// enqueue's rule: the push log holds h, or the outbox does.
		res.Enqueued = ks.pushed.String != h && ks.pending.String != h
		res.Unchanged = !res.Enqueued
	}
	b.stage(p.d.Employee, p.d.Date, op)
	b.days++
	return res, nil
}

// NoteClosedVersion stages Store.NoteClosedVersion.
func (b *DayBatch) NoteClosedVersion(employee string, d day.Date, hash string, closedAt time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stage(employee, d, batchOp{closed: &closedNote{employee: employee, date: d, hash: hash, at: closedAt}})
}

func (b *DayBatch) stage(employee string, d day.Date, op batchOp) {
	if b.staged[employee] == nil {
		b.staged[employee] = map[day.Date]bool{}
		b.employees = append(b.employees, employee)
	}
	b.staged[employee][d] = true
	b.ops = append(b.ops, op)
}

// DaysOf is Store.DaysOf, flushing first when a day of the range is staged.
func (b *DayBatch) DaysOf(ctx context.Context, employee string, from, to day.Date) ([]Day, error) {
	if err := b.flushFor(ctx, employee, func(d day.Date) bool {
		return !d.Before(from) && (to.IsZero() || !d.After(to))
	}); err != nil {
		return nil, err
	}
	return b.s.DaysOf(ctx, employee, from, to)
}

// Versions is Store.Versions, flushing first when the day is staged.
func (b *DayBatch) Versions(ctx context.Context, employee string, d day.Date) ([]Version, error) {
	if err := b.flushFor(ctx, employee, func(x day.Date) bool { return x == d }); err != nil {
		return nil, err
	}
	return b.s.Versions(ctx, employee, d)
}

// ClosedVersion is Store.ClosedVersion, flushing first when the day is staged.
func (b *DayBatch) ClosedVersion(ctx context.Context, employee string, d day.Date) (string, time.Time, bool, error) {
	if err := b.flushFor(ctx, employee, func(x day.Date) bool { return x == d }); err != nil {
		return "", time.Time{}, false, err
	}
	return b.s.ClosedVersion(ctx, employee, d)
}

// flushFor flushes the batch when a staged day of employee matches, and
// waits for the batch being written in the background when one of its days
// does.
func (b *DayBatch) flushFor(ctx context.Context, employee string, match func(day.Date) bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if fl := b.fl; fl != nil {
		for d := range fl.staged[employee] {
			if match(d) {
				b.awaitLocked()
				if fl.err != nil {
					return &FlushError{Employees: fl.employees, Err: fl.err}
				}
				break
			}
		}
	}
	for d := range b.staged[employee] {
		if match(d) {
			_, err := b.flushLocked(ctx)
			return err
		}
	}
	return nil
}

// FlushError is the error of a Flush that wrote nothing: Employees are the
// employees whose staged days were lost (they are not staged any more).
type FlushError struct {
	Employees []string
	Err       error
}

func (e *FlushError) Error() string {
	return fmt.Sprintf("%v (the days of %d employees were not saved)", e.Err, len(e.Employees))
}

func (e *FlushError) Unwrap() error { return e.Err }

// Flush writes every staged update in one transaction and empties the
// batch; it returns the employees whose days it wrote. On failure nothing
// was written, the batch is emptied all the same, and the error is a
// *FlushError naming the employees whose days were lost.
func (b *DayBatch) Flush(ctx context.Context) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked(ctx)
}

func (b *DayBatch) flushLocked(ctx context.Context) ([]string, error) {
	b.awaitLocked()
	if len(b.ops) == 0 {
		return nil, b.takeLost()
	}
	ops, employees := b.ops, b.employees
	b.ops, b.employees, b.days = nil, nil, 0
	clear(b.staged)
	if err := b.write(ctx, ops); err != nil {
		b.noteLost(employees, err)
	}
	return employees, b.takeLost()
}

// Start writes the staged updates in the background, in one transaction
// as Flush does, and returns at once: the caller stages the next ones while
// the server works. One batch is written at a time, in the order staged: a
// batch started before is waited for first. A read or a Save of a day being
// written waits for it. When a background write fails, nothing of it was
// written and the next Start or Flush returns a *FlushError naming the
// employees whose days were lost (a read that waited for it, too).
func (b *DayBatch) Start(ctx context.Context) error {
	if b.s.readOnly {
		return ErrReadOnly
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.awaitLocked()
	if len(b.ops) > 0 {
		ops := b.ops
		fl := &flight{done: make(chan struct{}), staged: b.staged, employees: b.employees}
		b.ops, b.employees, b.days, b.staged = nil, nil, 0, map[string]map[day.Date]bool{}
		b.fl = fl
		go func() {
			defer close(fl.done)
			fl.err = b.write(ctx, ops)
		}()
	}
	return b.takeLost()
}

// write writes ops in one transaction.
func (b *DayBatch) write(ctx context.Context, ops []batchOp) error {
	return b.s.writeStatements(ctx, "batch", true, func(have map[string]int) []statement {
		return batchStatements(ops, have)
	})
}

// awaitLocked waits for the batch being written in the background, keeping
// its error for takeLost.
func (b *DayBatch) awaitLocked() {
	fl := b.fl
	if fl == nil {
		return
	}
	<-fl.done
	b.fl = nil
	if fl.err != nil {
		b.noteLost(fl.employees, fl.err)
	}
}

func (b *DayBatch) noteLost(employees []string, err error) {
	b.lost = append(b.lost, employees...)
	if b.lostErr == nil {
		b.lostErr = err
	}
}

// takeLost returns, once, what the writes since the last call lost.
func (b *DayBatch) takeLost() error {
	if b.lostErr == nil {
		return nil
	}
	err := &FlushError{Employees: b.lost, Err: b.lostErr}
	b.lost, b.lostErr = nil, nil
	return err
}

// writeStatements runs the statements build returns in one write
// transaction. On PostgreSQL they are sent in one pipeline (pgx's batch):
// a round trip per transaction, not per statement. An empty statement is
// the test seam point (on PostgreSQL every seam is passed after the
// pipeline, before the commit). With slots, build is given the metric
// slots read in the transaction (see putNumbers).
func (s *Store) writeStatements(ctx context.Context, point string, withSlots bool, build func(have map[string]int) []statement) error {
	if s.db.d != postgresDialect {
		// SQLite's driver starts a goroutine per statement run under a
		// context that can be cancelled, to interrupt it; a batch of 500
		// days runs thousands of statements faster than those goroutines
		// are scheduled to end, so thousands were alive at once, and a
		// goroutine's descriptor is never freed (4.5 MB of the live heap
		// for the rest of a 10 000-employee pass). The statements run
		// without the cancel, and the context is checked before each one
		// (each takes microseconds): a cancelled pass still stops the batch
		// and rolls it back.
		noCancel := context.WithoutCancel(ctx)
		return s.write(ctx, func(tx *txn) error {
			var have map[string]int
			if withSlots {
				var err error
				if have, err = slots(ctx, tx); err != nil {
					return err
				}
			}
			for _, st := range build(have) {
				if st.query == "" {
					if err := s.hook(point); err != nil {
						return err
					}
					continue
				}
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("store: write: %w", err)
				}
				if _, err := tx.ExecContext(noCancel, st.query, st.args...); err != nil {
					return fmt.Errorf("store: write: %w", err)
				}
			}
			return nil
		})
	}
	return s.pgWrite(ctx, func(tx pgx.Tx) error {
		var (
			have map[string]int
			err  error
		)
		if withSlots {
			if have, err = pgMetricSlots(ctx, tx); err != nil {
				return err
			}
		}
		var (
			batch pgx.Batch
			seams int
		)
		for _, st := range build(have) {
			if st.query == "" {
				seams++
				continue
			}
			batch.Queue(postgresDialect.bind(st.query), st.args...)
		}
		br := tx.SendBatch(ctx, &batch)
		for range batch.Len() {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return fmt.Errorf("store: write: %w", err)
			}
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("store: write: %w", err)
		}
		for range seams {
			if err := s.hook(point); err != nil {
				return err
			}
		}
		return nil
	})
}

// pgWrite is write on PostgreSQL with pgx's own transaction on a connection
// of the pool, for what database/sql cannot do (pipelines): fn runs after
// the write lock is taken, and the transaction commits when it returns nil.
func (s *Store) pgWrite(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() { _ = conn.Close() }()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: write: unexpected driver connection %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // a no-op after Commit
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockClassWrite, s.lockKey); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("store: commit: %w", err)
		}
		return nil
	})
}

// pgMetricSlots is slots in a pgx transaction.
func pgMetricSlots(ctx context.Context, tx pgx.Tx) (map[string]int, error) {
	rows, err := tx.Query(ctx, `SELECT metric, slot FROM metric_slots`)
	if err != nil {
		return nil, fmt.Errorf("store: metric slots: %w", err)
	}
	defer rows.Close()
	return scanSlots(rows)
}

// statement is one SQL statement of a flush; an empty query marks the end
// of a staged write (the test seam "batch").
type statement struct {
	query string
	args  []any
}

// versionInsert adds a version to the audit trail; the conflict clause only
// guards against a version added since Save read the trail (no pass does
// that: one pass writes at a time).
const versionInsert = `INSERT INTO report_versions
	(employee, date, content_hash, revision, first_seen, valid, metrics, notes, errors, text, edited_by, edited_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (employee, date, content_hash) DO NOTHING`

// dayInsertVersion writes a day row pointing at its version by content hash.
var dayInsertVersion = `INSERT INTO days (` + dayColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, (SELECT id FROM report_versions WHERE employee = ? AND date = ? AND content_hash = ?),
	?, ?, ?, ?, ?, ?, ?, ?) ` + dayUpsert

var dayInsert = `INSERT INTO days (` + dayColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` + dayUpsert

var numbersInsert = `INSERT INTO day_numbers (employee, status, date, ` + slotColumns + `)
	VALUES (?, ?, ?` + strings.Repeat(", ?", numberSlots) + `)`

// outboxUpsert is enqueue's rule as statements evaluated in the
// transaction: the record replaces a pending one of another hash, or
// becomes the key's row (sent when the push log knows the key)…
const outboxUpsert = `INSERT INTO outbox
	(adapter, key, record, hash, attempts, last_error, next_attempt, enqueued_at, sent)
	VALUES (?, ?, ?, ?, 0, '', ?, ?,
		CASE WHEN EXISTS (SELECT 1 FROM crm_objects WHERE adapter = ? AND key = ? AND record_hash <> '') THEN 1 ELSE 0 END)
	ON CONFLICT (adapter, key) DO UPDATE SET
		record = excluded.record, hash = excluded.hash, attempts = 0, last_error = '',
		next_attempt = excluded.next_attempt, enqueued_at = excluded.enqueued_at
	WHERE outbox.hash <> excluded.hash`

// …and when the push log says the CRM holds it, no row is left for the key.
const outboxHeld = `DELETE FROM outbox WHERE adapter = ? AND key = ?
	AND EXISTS (SELECT 1 FROM crm_objects WHERE adapter = ? AND key = ? AND record_hash = ?)`

const closedInsert = `INSERT INTO closed_versions (employee, date, content_hash, closed_at)
	VALUES (?, ?, ?, ?) ON CONFLICT (employee, date) DO NOTHING`

// batchStatements are the statements that write ops, in order, given the
// metric slots (have, extended with the metrics first seen, as putNumbers
// does). Each op's statements end with an empty one.
func batchStatements(ops []batchOp, have map[string]int) []statement {
	out := make([]statement, 0, 6*len(ops))
	for _, op := range ops {
		if c := op.closed; c != nil {
			out = append(out, statement{closedInsert, []any{c.employee, c.date.String(), c.hash, fmtTime(c.at)}}, statement{})
			continue
		}
		d, v, cols, now := op.p.d, op.p.v, op.p.cols, fmtTime(op.now)
		date := d.Date.String()
		if op.newV {
			out = append(out, statement{versionInsert, []any{v.Employee, date, v.ContentHash, v.Revision, now,
				boolInt(v.Valid), op.vCols.metrics, v.Notes, op.vCols.errs, v.Text, v.EditedBy, nullTime(v.EditedAt)}})
		}
		head := []any{d.Employee, date, string(d.Status), boolInt(d.Late), nullTime(d.ClosedAt), nullTime(d.FirstSeen)}
		tail := []any{cols.metrics, d.Notes, cols.errs, cols.flags, d.SourceURL, d.RecordHash, now, d.LongTerm}
		if op.u.Version != nil {
			out = append(out, statement{dayInsertVersion, slices.Concat(head, []any{d.Employee, date, v.ContentHash}, tail)})
		} else {
			out = append(out, statement{dayInsert, slices.Concat(head, []any{nullID(d.VersionID)}, tail)})
		}
		for _, k := range slices.Sorted(maps.Keys(d.Metrics)) {
			if _, ok := have[k]; ok || len(have) >= numberSlots {
				continue
			}
			out = append(out, statement{`INSERT INTO metric_slots (metric, slot) VALUES (?, ?)`, []any{k, len(have)}})
			have[k] = len(have)
		}
		args := make([]any, 3+numberSlots)
		args[0], args[1], args[2] = d.Employee, string(d.Status), date
		for k, x := range d.Metrics {
			if i, ok := have[k]; ok {
				args[3+i] = x
			}
		}
		// A New day (DayUpdate.New) has no numbers row to replace and no
		// push log entry that could hold its record: a statement less each.
		if !op.u.New {
			out = append(out, statement{`DELETE FROM day_numbers WHERE employee = ? AND date = ?`, []any{d.Employee, date}})
		}
		out = append(out, statement{numbersInsert, args})
		if op.u.Record != nil {
			a, r := op.u.Adapter, op.rec
			out = append(out, statement{outboxUpsert, []any{a, r.key, r.json, r.hash, now, now, a, r.key}})
			if !op.u.New {
				out = append(out, statement{outboxHeld, []any{a, r.key, a, r.key, r.hash}})
			}
		}
		out = append(out, statement{})
	}
	return out
}
