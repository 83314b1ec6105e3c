package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/dayreport/dayreport/pkg/day"
)

// DocumentState is what was last read of an employee's source document.
type DocumentState struct {
	// Revision is the source's revision (a Drive version, a file stamp).
	Revision string
	// ContentHash digests what was read.
	ContentHash string
	// Newest is the newest day section the document held (zero: none).
	Newest day.Date
}

// Document returns what was last read of an employee's source document; ok
// is false when it was never read.
func (s *Store) Document(ctx context.Context, employee string) (st DocumentState, ok bool, err error) {
	var newest string
	err = s.db.QueryRowContext(ctx, `SELECT revision, content_hash, newest FROM documents WHERE employee = ?`, employee).
		Scan(&st.Revision, &st.ContentHash, &newest)
	if errors.Is(err, sql.ErrNoRows) {
		return DocumentState{}, false, nil
	}
	if err != nil {
		return DocumentState{}, false, fmt.Errorf("store: document: %w", err)
	}
	if newest != "" {
		if st.Newest, err = parseDate(newest); err != nil {
			return DocumentState{}, false, err
		}
	}
	return st, true, nil
}

// Documents returns what was last read of every employee's document, by
// employee (one query for a pass, instead of one per employee).
func (s *Store) Documents(ctx context.Context) (map[string]DocumentState, error) {
	return s.documents(ctx, nil)
}

// documents is Documents, its rows as read written to w too (when not nil).
func (s *Store) documents(ctx context.Context, w *readsWriter) (map[string]DocumentState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT employee, revision, content_hash, newest FROM documents`)
	if err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]DocumentState{}
	for rows.Next() {
		var (
			employee, newest string
			st               DocumentState
		)
		if err := rows.Scan(&employee, &st.Revision, &st.ContentHash, &newest); err != nil {
			return nil, fmt.Errorf("store: documents: %w", err)
		}
		if w != nil {
			w.strings(employee, st.Revision, st.ContentHash, newest)
		}
		if newest != "" {
			if st.Newest, err = parseDate(newest); err != nil {
				return nil, err
			}
		}
		out[employee] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	return out, nil
}

// SaveDocument records what was just read of an employee's source document.
func (s *Store) SaveDocument(ctx context.Context, employee string, st DocumentState) error {
	return s.SaveDocuments(ctx, map[string]DocumentState{employee: st})
}

// SaveDocuments is SaveDocument for each employee of states, in ONE
// transaction (a pass remembers its documents in batches).
func (s *Store) SaveDocuments(ctx context.Context, states map[string]DocumentState) error {
	if len(states) == 0 {
		return nil
	}
	now := fmtTime(s.now())
	return s.writeStatements(ctx, "document", false, func(map[string]int) []statement {
		out := make([]statement, 0, len(states))
		for _, employee := range slices.Sorted(maps.Keys(states)) {
			st := states[employee]
			newest := ""
			if !st.Newest.IsZero() {
				newest = st.Newest.String()
			}
			out = append(out, statement{`INSERT INTO documents (employee, revision, content_hash, fetched_at, newest)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (employee) DO UPDATE SET
					revision = excluded.revision, content_hash = excluded.content_hash,
					fetched_at = excluded.fetched_at, newest = excluded.newest`,
				[]any{employee, st.Revision, st.ContentHash, now, newest}})
		}
		return out
	})
}
