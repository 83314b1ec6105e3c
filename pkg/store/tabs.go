package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// KeptTab is the manager spreadsheet's tab as last read for key, with the
// spreadsheet's Drive version taken before that read; ok is false when
// none is kept.
func (s *Store) KeptTab(ctx context.Context, spreadsheet, key string) (version int64, body []byte, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT version, body FROM manager_tabs WHERE spreadsheet = ? AND tab_key = ?`,
		spreadsheet, key).Scan(&version, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, fmt.Errorf("store: kept tab: %w", err)
	}
	return version, body, true, nil
}

// KeepTab keeps what a tab of the manager spreadsheet held at version.
func (s *Store) KeepTab(ctx context.Context, spreadsheet, key string, version int64, body []byte) error {
	return s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO manager_tabs (spreadsheet, tab_key, version, body, read_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (spreadsheet, tab_key) DO UPDATE SET
				version = excluded.version, body = excluded.body, read_at = excluded.read_at`,
			spreadsheet, key, version, string(body), fmtTime(s.now()))
		if err != nil {
			return fmt.Errorf("store: keep tab: %w", err)
		}
		return nil
	})
}
