package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/dayreport/dayreport/pkg/day"
)

// Since returns, per employee, the first day dayreport judged for them: the
// oldest day the day ledger may close (see pkg/verdict).
func (s *Store) Since(ctx context.Context) (map[string]day.Date, error) {
	return s.since(ctx, nil)
}

// since is Since, its rows as read written to w too (when not nil).
func (s *Store) since(ctx context.Context, w *readsWriter) (map[string]day.Date, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT employee, since FROM employee_since`)
	if err != nil {
		return nil, fmt.Errorf("store: since: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]day.Date{}
	for rows.Next() {
		var emp, since string
		if err := rows.Scan(&emp, &since); err != nil {
			return nil, fmt.Errorf("store: since: %w", err)
		}
		if w != nil {
			w.strings(emp, since)
		}
		d, err := parseDate(since)
		if err != nil {
			return nil, err
		}
		out[emp] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: since: %w", err)
	}
	return out, nil
}

// NoteSince records that dayreport judged these employees' days from these
// dates: a date earlier than the one stored replaces it, a later one changes
// nothing. One transaction for all.
func (s *Store) NoteSince(ctx context.Context, since map[string]day.Date) error {
	if len(since) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *txn) error {
		for _, emp := range slices.Sorted(maps.Keys(since)) {
			_, err := tx.ExecContext(ctx, `INSERT INTO employee_since (employee, since) VALUES (?, ?)
				ON CONFLICT (employee) DO UPDATE SET since = excluded.since WHERE excluded.since < employee_since.since`,
				emp, since[emp].String())
			if err != nil {
				return fmt.Errorf("store: note since: %w", err)
			}
		}
		return nil
	})
}
