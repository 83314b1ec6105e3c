package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SummaryStamp is what a summary writer last wrote to a target (an xlsx
// path): the fingerprint of the summary's content and the target's state
// after the write.
type SummaryStamp struct {
	Fingerprint string
	State       string
}

// SummaryStamp returns the stamp of target; ok is false when none is kept.
func (s *Store) SummaryStamp(ctx context.Context, target string) (st SummaryStamp, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT fingerprint, state FROM summary_stamps WHERE target = ?`, target).
		Scan(&st.Fingerprint, &st.State)
	if errors.Is(err, sql.ErrNoRows) {
		return SummaryStamp{}, false, nil
	}
	if err != nil {
		return SummaryStamp{}, false, fmt.Errorf("store: summary stamp: %w", err)
	}
	return st, true, nil
}

// SaveSummaryStamp records what was just written to target.
func (s *Store) SaveSummaryStamp(ctx context.Context, target string, st SummaryStamp) error {
	return s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO summary_stamps (target, fingerprint, state, written_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (target) DO UPDATE SET
				fingerprint = excluded.fingerprint, state = excluded.state, written_at = excluded.written_at`,
			target, st.Fingerprint, st.State, fmtTime(s.now()))
		if err != nil {
			return fmt.Errorf("store: save summary stamp: %w", err)
		}
		return nil
	})
}
