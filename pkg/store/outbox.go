package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/crm"
)

// OutboxItem is a record waiting to be pushed to a CRM.
type OutboxItem struct {
	Adapter     string
	Key         string
	Record      crm.Record
	Hash        string // Record.Hash() when enqueued
	Attempts    int
	LastError   string
	NextAttempt time.Time
	// ObjectID is the CRM object known to hold the key ("" if none yet).
	ObjectID string
	// New is true when nothing was ever sent for the key: no pusher claimed
	// a record of it before (ClaimOutbox marks what it returns as sent, in
	// the transaction that claims it) and the push log knows no object.
	// The CRM cannot hold an object of the key, so an adapter may create
	// one without looking the key up (crm.Push.New).
	New bool
}

// outboxRecord is a record encoded for the outbox.
type outboxRecord struct {
	key, json, hash string
}

func newOutboxRecord(r crm.Record) (outboxRecord, error) {
	j, err := toJSON(r)
	if err != nil {
		return outboxRecord{}, err
	}
	h := r.Hash()
	// Pushers hash the record read back from the outbox: it must be the same.
	var back crm.Record
	if err := fromJSON(j, &back); err != nil {
		return outboxRecord{}, err
	}
	if back.Hash() != h {
		return outboxRecord{}, fmt.Errorf("store: record %s changes in a JSON round trip", r.Key)
	}
	return outboxRecord{key: r.Key, json: j, hash: h}, nil
}

// enqueue applies SaveDay's outbox rule inside tx and reports whether the
// record was queued (false: the CRM holds it, or it is queued already).
func (s *Store) enqueue(ctx context.Context, tx *txn, adapter string, r outboxRecord, now time.Time) (bool, error) {
	pushed, err := queryString(ctx, tx, `SELECT record_hash FROM crm_objects WHERE adapter = ? AND key = ?`, adapter, r.key)
	if err != nil {
		return false, fmt.Errorf("store: push log: %w", err)
	}
	if pushed == r.hash {
		// The CRM holds this content: a pending change was reverted.
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE adapter = ? AND key = ?`, adapter, r.key); err != nil {
			return false, fmt.Errorf("store: outbox: %w", err)
		}
		return false, nil
	}
	pending, err := queryString(ctx, tx, `SELECT hash FROM outbox WHERE adapter = ? AND key = ?`, adapter, r.key)
	if err != nil {
		return false, fmt.Errorf("store: outbox: %w", err)
	}
	if pending == r.hash {
		return false, nil
	}
	ts := fmtTime(now)
	// A key the push log knows nothing of starts unsent; a newer record
	// replacing a pending one keeps what was known of the key.
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox
		(adapter, key, record, hash, attempts, last_error, next_attempt, enqueued_at, sent)
		VALUES (?, ?, ?, ?, 0, '', ?, ?, ?)
		ON CONFLICT (adapter, key) DO UPDATE SET
			record = excluded.record, hash = excluded.hash, attempts = 0, last_error = '',
			next_attempt = excluded.next_attempt, enqueued_at = excluded.enqueued_at`,
		adapter, r.key, r.json, r.hash, ts, ts, boolInt(pushed != ""))
	if err != nil {
		return false, fmt.Errorf("store: enqueue: %w", err)
	}
	return true, nil
}

// queryString returns the single text value of a query, "" for no row.
func queryString(ctx context.Context, tx *txn, query string, args ...any) (string, error) {
	var v string
	err := tx.QueryRowContext(ctx, query, args...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

const outboxSelect = `SELECT o.adapter, o.key, o.record, o.hash, o.attempts, o.last_error, o.next_attempt,
	coalesce(c.object_id, ''), o.sent
	FROM outbox o LEFT JOIN crm_objects c ON c.adapter = o.adapter AND c.key = o.key`

// DueOutbox returns up to limit (all when limit <= 0) queued records of the
// adapter whose next attempt is due, the oldest next attempt first.
func (s *Store) DueOutbox(ctx context.Context, adapter string, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = noLimit
	}
	return s.outbox(ctx, s.db, outboxSelect+` WHERE o.adapter = ? AND o.next_attempt <= ?
		ORDER BY o.next_attempt, o.key LIMIT ?`, adapter, fmtTime(s.now()), limit)
}

// Outbox returns every queued record of the adapter ("" = of every adapter),
// due or not, the oldest next attempt first.
func (s *Store) Outbox(ctx context.Context, adapter string) ([]OutboxItem, error) {
	return s.outbox(ctx, s.db, outboxSelect+` WHERE ? IN ('', o.adapter) ORDER BY o.next_attempt, o.adapter, o.key`, adapter)
}

// querier is a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) outbox(ctx context.Context, q querier, query string, args ...any) ([]OutboxItem, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []OutboxItem
	for rows.Next() {
		var (
			it        OutboxItem
			rec, next string
			sent      int
		)
		if err := rows.Scan(&it.Adapter, &it.Key, &rec, &it.Hash, &it.Attempts, &it.LastError, &next, &it.ObjectID, &sent); err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		it.New = sent == 0 && it.ObjectID == ""
		if err := fromJSON(rec, &it.Record); err != nil {
			return nil, err
		}
		if it.NextAttempt, err = parseTime(next); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return out, nil
}

// OutboxDepth counts the queued records of the adapter ("" = of every adapter).
func (s *Store) OutboxDepth(ctx context.Context, adapter string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE ? IN ('', adapter)`, adapter).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: outbox depth: %w", err)
	}
	return n, nil
}

// MarkPushed records, in one transaction, that the record with this hash is
// now held by CRM object objectID (the push log), and takes it off the
// outbox, unless a newer record was queued for the key meanwhile: that one
// stays queued.
func (s *Store) MarkPushed(ctx context.Context, adapter, key, hash, objectID string) error {
	return s.MarkPushedMany(ctx, adapter, []Pushed{{Key: key, Hash: hash, ObjectID: objectID}})
}

// Pushed is a record the CRM accepted: its key, the hash pushed and the
// object now holding it.
type Pushed struct {
	Key, Hash, ObjectID string
}

// MarkPushedMany is MarkPushed for each of pushed, in ONE transaction: a
// pass marks a batch of pushes with one commit (one round trip to
// PostgreSQL per statement, not per transaction). A crash before it commits
// leaves every one of them queued, to be pushed again, as for MarkPushed.
func (s *Store) MarkPushedMany(ctx context.Context, adapter string, pushed []Pushed) error {
	if len(pushed) == 0 {
		return nil
	}
	now := fmtTime(s.now())
	return s.writeStatements(ctx, "pushlog", false, func(map[string]int) []statement {
		out := make([]statement, 0, 4*len(pushed))
		for _, p := range pushed {
			out = append(out,
				statement{`INSERT INTO crm_objects (adapter, key, object_id, record_hash, pushed_at)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (adapter, key) DO UPDATE SET
					object_id = excluded.object_id, record_hash = excluded.record_hash, pushed_at = excluded.pushed_at`,
					[]any{adapter, p.Key, p.ObjectID, p.Hash, now}},
				statement{}, // the seam "pushlog": the push log written, the outbox not yet
				statement{`DELETE FROM outbox WHERE adapter = ? AND key = ? AND hash = ?`, []any{adapter, p.Key, p.Hash}},
				statement{releaseClaimSQL, []any{adapter, p.Key}})
		}
		return out
	})
}

const releaseClaimSQL = `UPDATE outbox SET claimed_by = '', claimed_until = ''
	WHERE adapter = ? AND key = ? AND claimed_by <> ''`

// releaseClaim ends the claim on the key's outbox row (a newer record queued
// while the claimed one was pushed is free for the next pusher).
func releaseClaim(ctx context.Context, tx *txn, adapter, key string) error {
	_, err := tx.ExecContext(ctx, releaseClaimSQL, adapter, key)
	if err != nil {
		return fmt.Errorf("store: outbox claim: %w", err)
	}
	return nil
}

// MarkFailed records a failed push of the record with this hash: one more
// attempt, the error, and when to try again (zero = now). A no-op when the
// key's queued record is no longer this one.
func (s *Store) MarkFailed(ctx context.Context, adapter, key, hash, errText string, next time.Time) error {
	if next.IsZero() {
		next = s.now()
	}
	return s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ?
			WHERE adapter = ? AND key = ? AND hash = ?`, errText, fmtTime(next), adapter, key, hash)
		if err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		return releaseClaim(ctx, tx, adapter, key)
	})
}

// ObjectID returns the CRM object id known for the key ("" when unknown).
func (s *Store) ObjectID(ctx context.Context, adapter, key string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT object_id FROM crm_objects WHERE adapter = ? AND key = ?`, adapter, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: push log: %w", err)
	}
	return id, nil
}

// ForgetObject drops the push log entry of the key (the CRM object is gone):
// the next save of the day's record queues it again.
func (s *Store) ForgetObject(ctx context.Context, adapter, key string) error {
	return s.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM crm_objects WHERE adapter = ? AND key = ?`, adapter, key); err != nil {
			return fmt.Errorf("store: push log: %w", err)
		}
		return nil
	})
}

// ClaimOutbox is DueOutbox for pushers that may run at the same time (two
// replicas, or a pass of each): it returns up to limit (all when limit <= 0)
// due records of the adapter that no live claim holds, oldest next attempt
// first, and claims them for holder until now+ttl. Until MarkPushed or
// MarkFailed releases a claim (or it expires: its holder died), no other
// ClaimOutbox returns that key, so no two pushers push one record at once.
//
// On PostgreSQL the rows are chosen with SELECT … FOR UPDATE SKIP LOCKED, so
// concurrent claims take disjoint rows without waiting for each other; on
// SQLite the one writer makes the same statement exclusive by itself. A claim
// survives a newer record being queued for the key meanwhile (the older one
// is still being pushed); releasing it frees the newer one.
func (s *Store) ClaimOutbox(ctx context.Context, adapter, holder string, limit int, ttl time.Duration) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = noLimit
	}
	if holder == "" {
		return nil, errors.New("store: claim outbox: no holder")
	}
	token := holder + " " + randomToken()
	var out []OutboxItem
	err := s.writeTx(ctx, false, func(tx *txn) error {
		now := s.now()
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_by = ?, claimed_until = ?
			WHERE (adapter, key) IN (SELECT adapter, key FROM outbox
				WHERE adapter = ? AND next_attempt <= ? AND claimed_until <= ?
				ORDER BY next_attempt, key LIMIT ?`+s.db.d.skipLocked()+`)`,
			token, fmtTime(now.Add(ttl)), adapter, fmtTime(now), fmtTime(now), limit)
		if err != nil {
			return fmt.Errorf("store: claim outbox: %w", err)
		}
		out, err = s.outbox(ctx, tx, outboxSelect+` WHERE o.adapter = ? AND o.claimed_by = ?
			ORDER BY o.next_attempt, o.key`, adapter, token)
		if err != nil {
			return err
		}
		// Committed before any of them is pushed: a push whose answer is
		// lost finds its key sent, and is looked up before a create.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET sent = 1 WHERE adapter = ? AND claimed_by = ? AND sent = 0`,
			adapter, token); err != nil {
			return fmt.Errorf("store: claim outbox: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ExtendClaims moves the expiry of every claim holder has on the adapter's
// outbox to now+ttl: a pusher that is alive keeps its claims while a long
// push goes on; one that died stops extending and its claims expire.
func (s *Store) ExtendClaims(ctx context.Context, adapter, holder string, ttl time.Duration) error {
	return s.writeTx(ctx, false, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_until = ?
			WHERE adapter = ? AND substr(claimed_by, 1, ?) = ?`,
			fmtTime(s.now().Add(ttl)), adapter, utf8.RuneCountInString(holder)+1, holder+" ")
		if err != nil {
			return fmt.Errorf("store: extend claims: %w", err)
		}
		return nil
	})
}

// ReleaseClaims ends every claim holder still has on the adapter's outbox
// (records a pusher claimed and then did not push).
func (s *Store) ReleaseClaims(ctx context.Context, adapter, holder string) error {
	return s.writeTx(ctx, false, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_by = '', claimed_until = ''
			WHERE adapter = ? AND substr(claimed_by, 1, ?) = ?`, adapter, utf8.RuneCountInString(holder)+1, holder+" ")
		if err != nil {
			return fmt.Errorf("store: release claims: %w", err)
		}
		return nil
	})
}

func randomToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
