package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LeaseLeader is the lease of the replica that runs the schedule.
const LeaseLeader = "leader"

// Lease is who holds a named lease, since when, and until when.
type Lease struct {
	Name   string
	Holder string
	Since  time.Time
	Until  time.Time
}

// AcquireLease takes the named lease for holder until now+ttl when it is
// free, expired, or holder's already (a renewal, which keeps Since). It
// returns the lease as it stands after the call and whether holder holds it.
//
// A lease is a row renewed by its holder: a holder that dies stops renewing,
// and the lease is free once Until passes. Times are the Store's clock, so
// replicas' clocks must agree to well under the TTL (NTP does).
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return Lease{}, false, errors.New("store: lease: a name, a holder and a positive TTL are required")
	}
	var out Lease
	err := s.write(ctx, func(tx *txn) error {
		now := s.now()
		cur, ok, err := readLease(ctx, tx, name)
		if err != nil {
			return err
		}
		if ok && cur.Holder != holder && cur.Until.After(now) {
			out = cur
			return nil
		}
		since := now
		if ok && cur.Holder == holder && cur.Until.After(now) {
			since = cur.Since
		}
		out = Lease{Name: name, Holder: holder, Since: since, Until: now.Add(ttl)}
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (name, holder, until, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until, since = excluded.since`,
			name, holder, fmtTime(out.Until), fmtTime(out.Since))
		if err != nil {
			return fmt.Errorf("store: lease %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return Lease{}, false, err
	}
	return out, out.Holder == holder, nil
}

// ReleaseLease gives up holder's lease (a clean shutdown: another replica
// may take it at once). A no-op when holder does not hold it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET until = ? WHERE name = ? AND holder = ?`,
			fmtTime(time.Time{}), name, holder)
		if err != nil {
			return fmt.Errorf("store: lease %s: %w", name, err)
		}
		return nil
	})
}

// CurrentLease returns the named lease; ok is false when nobody holds it
// (never taken, released or expired).
func (s *Store) CurrentLease(ctx context.Context, name string) (Lease, bool, error) {
	l, ok, err := readLease(ctx, s.db, name)
	if err != nil || !ok || !l.Until.After(s.now()) {
		return Lease{}, false, err
	}
	return l, true, nil
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readLease(ctx context.Context, q rowQuerier, name string) (Lease, bool, error) {
	var (
		l            = Lease{Name: name}
		until, since string
	)
	err := q.QueryRowContext(ctx, `SELECT holder, until, since FROM leases WHERE name = ?`, name).Scan(&l.Holder, &until, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, false, nil
	}
	if err != nil {
		return Lease{}, false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	if until == "" { // the "pass" row of lockPostgres: not a lease
		return Lease{}, false, nil
	}
	if l.Until, err = parseTime(until); err != nil {
		return Lease{}, false, err
	}
	if l.Since, err = parseTime(since); err != nil {
		return Lease{}, false, err
	}
	return l, true, nil
}
