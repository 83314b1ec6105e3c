package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Version is one distinct version of a report: the audit trail keeps every
// version ever seen, unique on (Employee, Date, ContentHash).
type Version struct {
	ID          int64
	Employee    string
	Date        day.Date
	ContentHash string
	// Revision is the source's revision id when the version was first seen.
	Revision string
	// FirstSeen is set by the store, from its clock, when the version is new.
	FirstSeen time.Time
	Valid     bool
	Metrics   map[string]float64
	Notes     string
	Errors    []report.FieldError
	// Text is the day section's raw text.
	Text string
	// EditedBy is who last modified the document and EditedAt when, as the
	// source said when the version was first seen ("" and zero: it did not).
	EditedBy string
	EditedAt time.Time
}

const versionColumns = `id, employee, date, content_hash, revision, first_seen, valid, metrics, notes, errors, text, edited_by, edited_at`

// Versions returns every version of an employee-day's report, oldest first.
func (s *Store) Versions(ctx context.Context, employee string, d day.Date) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+versionColumns+` FROM report_versions
		WHERE employee = ? AND date = ? ORDER BY id`, employee, d.String())
	if err != nil {
		return nil, fmt.Errorf("store: versions: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: versions: %w", err)
	}
	return out, nil
}

func scanVersion(sc scanner) (Version, error) {
	var (
		v               Version
		date, firstSeen string
		valid           int
		metrics, errs   string
		editedAt        sql.NullString
	)
	if err := sc.Scan(&v.ID, &v.Employee, &date, &v.ContentHash, &v.Revision, &firstSeen, &valid,
		&metrics, &v.Notes, &errs, &v.Text, &v.EditedBy, &editedAt); err != nil {
		return Version{}, fmt.Errorf("store: read version: %w", err)
	}
	var err error
	if v.Date, err = parseDate(date); err != nil {
		return Version{}, err
	}
	if v.FirstSeen, err = parseTime(firstSeen); err != nil {
		return Version{}, err
	}
	if v.EditedAt, err = parseNullTime(editedAt); err != nil {
		return Version{}, err
	}
	v.Valid = valid != 0
	if err := fromJSON(metrics, &v.Metrics); err != nil {
		return Version{}, err
	}
	if v.Errors, err = errorsFromJSON(errs); err != nil {
		return Version{}, err
	}
	return v, nil
}

// putVersion returns the id of the version with v's (employee, date,
// content_hash), inserting it (first seen now) when it is new.
func (s *Store) putVersion(ctx context.Context, tx *txn, v Version, now time.Time) (id int64, created bool, err error) {
	if v.ContentHash == "" {
		return 0, false, errors.New("store: a report version needs a content hash")
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM report_versions WHERE employee = ? AND date = ? AND content_hash = ?`,
		v.Employee, v.Date.String(), v.ContentHash).Scan(&id)
	switch {
	case err == nil:
		return id, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("store: find version: %w", err)
	}
	metrics, err := toJSON(v.Metrics)
	if err != nil {
		return 0, false, err
	}
	errs, err := errorsJSON(v.Errors)
	if err != nil {
		return 0, false, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO report_versions
		(employee, date, content_hash, revision, first_seen, valid, metrics, notes, errors, text, edited_by, edited_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.Employee, v.Date.String(), v.ContentHash, v.Revision, fmtTime(now), boolInt(v.Valid),
		metrics, v.Notes, errs, v.Text, v.EditedBy, nullTime(v.EditedAt)).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("store: insert version: %w", err)
	}
	return id, true, nil
}
