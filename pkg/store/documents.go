package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Document returns the revision and content hash last fetched for an
// employee's source document; ok is false when it was never fetched.
func (s *Store) Document(ctx context.Context, employee string) (revision, contentHash string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT revision, content_hash FROM documents WHERE employee = ?`, employee).
		Scan(&revision, &contentHash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("store: document: %w", err)
	}
	return revision, contentHash, true, nil
}

// SaveDocument records the revision and content hash just fetched for an
// employee's source document.
func (s *Store) SaveDocument(ctx context.Context, employee, revision, contentHash string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (employee, revision, content_hash, fetched_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (employee) DO UPDATE SET
				revision = excluded.revision, content_hash = excluded.content_hash, fetched_at = excluded.fetched_at`,
			employee, revision, contentHash, fmtTime(s.now()))
		if err != nil {
			return fmt.Errorf("store: save document: %w", err)
		}
		return nil
	})
}
