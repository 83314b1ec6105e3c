package store

import (
	"context"
	"fmt"
)

// MarkSent records that the notification named key was sent and reports
// whether this is the first time (so a rerun sends nothing twice). Call it
// before sending for at-most-once delivery, after for at-least-once.
func (s *Store) MarkSent(ctx context.Context, key string) (first bool, err error) {
	err = s.write(ctx, func(tx *txn) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO notifications (key, sent_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, fmtTime(s.now()))
		if err != nil {
			return fmt.Errorf("store: notifications: %w", err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: notifications: %w", err)
		}
		first = n == 1
		return nil
	})
	return first, err
}

// WasSent reports whether the notification named key was sent.
func (s *Store) WasSent(ctx context.Context, key string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE key = ?`, key).Scan(&n); err != nil {
		return false, fmt.Errorf("store: notifications: %w", err)
	}
	return n > 0, nil
}
