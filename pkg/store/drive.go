package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// DriveWatch is what Drive told the last poll about the report files: the
// page token of its change log and every known file. A poll asks Drive
// only for the changes since Token (one changes.list call when nothing
// changed) and keeps the rest as it was.
type DriveWatch struct {
	// Scope is what the files were listed for (the reports folder's id,
	// "" without one): a poll for another scope starts over.
	Scope string
	// Token is the changes.list page token to ask from ("": none yet).
	Token string
	// Files are the known files by Drive id.
	Files map[string]DriveFile
}

// DriveFile is a Drive file as the last listing or change told it.
type DriveFile struct {
	// Version is Drive's version of the file: it grows with every change.
	Version int64
	// EditedBy and EditedAt are who last modified the file and when
	// (lastModifyingUser, modifiedTime); empty and zero when Drive did
	// not say.
	EditedBy string
	EditedAt time.Time
	// Gone: the file was trashed or removed (deleted, access lost).
	Gone bool
}

// DriveWatch returns what the last poll kept of Drive; a zero Token when
// none did.
func (s *Store) DriveWatch(ctx context.Context) (DriveWatch, error) {
	var w DriveWatch
	err := s.db.QueryRowContext(ctx, `SELECT scope, page_token FROM drive_watch WHERE id = 1`).Scan(&w.Scope, &w.Token)
	if errors.Is(err, sql.ErrNoRows) {
		return DriveWatch{}, nil
	}
	if err != nil {
		return DriveWatch{}, fmt.Errorf("store: drive watch: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT file_id, version, edited_by, edited_at, gone FROM drive_files`)
	if err != nil {
		return DriveWatch{}, fmt.Errorf("store: drive files: %w", err)
	}
	defer func() { _ = rows.Close() }()
	w.Files = map[string]DriveFile{}
	for rows.Next() {
		var (
			id   string
			f    DriveFile
			at   sql.NullString
			gone int64
		)
		if err := rows.Scan(&id, &f.Version, &f.EditedBy, &at, &gone); err != nil {
			return DriveWatch{}, fmt.Errorf("store: drive files: %w", err)
		}
		if f.EditedAt, err = parseNullTime(at); err != nil {
			return DriveWatch{}, err
		}
		f.Gone = gone != 0
		w.Files[id] = f
	}
	if err := rows.Err(); err != nil {
		return DriveWatch{}, fmt.Errorf("store: drive files: %w", err)
	}
	return w, nil
}

// SaveDriveWatch keeps a poll's token and the files it learnt about, in one
// transaction: with replace, w.Files are all the files known (a full
// listing; the others are forgotten), otherwise only the changed ones.
// The token is never kept without the files its changes told.
func (s *Store) SaveDriveWatch(ctx context.Context, w DriveWatch, replace bool) error {
	now := fmtTime(s.now())
	return s.writeStatements(ctx, "drive", false, func(map[string]int) []statement {
		out := make([]statement, 0, len(w.Files)+2)
		if replace {
			out = append(out, statement{`DELETE FROM drive_files`, nil})
		}
		for _, id := range slices.Sorted(maps.Keys(w.Files)) {
			f := w.Files[id]
			gone := 0
			if f.Gone {
				gone = 1
			}
			out = append(out, statement{`INSERT INTO drive_files (file_id, version, edited_by, edited_at, gone)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (file_id) DO UPDATE SET
					version = excluded.version, edited_by = excluded.edited_by,
					edited_at = excluded.edited_at, gone = excluded.gone`,
				[]any{id, f.Version, f.EditedBy, nullTime(f.EditedAt), gone}})
		}
		out = append(out, statement{`INSERT INTO drive_watch (id, scope, page_token, updated_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, page_token = excluded.page_token,
				updated_at = excluded.updated_at`, []any{w.Scope, w.Token, now}})
		return out
	})
}
