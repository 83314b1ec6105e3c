package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// ClosedVersion returns the content hash of the report version the pass
// that closed an employee-day judged; ok is false when none was recorded
// (closed without a report, or before this was recorded).
func (s *Store) ClosedVersion(ctx context.Context, employee string, d day.Date) (hash string, closedAt time.Time, ok bool, err error) {
	var at string
	err = s.db.QueryRowContext(ctx, `SELECT content_hash, closed_at FROM closed_versions WHERE employee = ? AND date = ?`,
		employee, d.String()).Scan(&hash, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("store: closed version: %w", err)
	}
	if closedAt, err = parseTime(at); err != nil {
		return "", time.Time{}, false, err
	}
	return hash, closedAt, true, nil
}

// NoteClosedVersion records the report version a day was closed with; the
// first one recorded stays.
func (s *Store) NoteClosedVersion(ctx context.Context, employee string, d day.Date, hash string, closedAt time.Time) error {
	return s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO closed_versions (employee, date, content_hash, closed_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (employee, date) DO NOTHING`,
			employee, d.String(), hash, fmtTime(closedAt))
		if err != nil {
			return fmt.Errorf("store: note closed version: %w", err)
		}
		return nil
	})
}
