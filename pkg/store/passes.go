package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// Pass is one run of a pass, as recorded. A pass that never finished (the
// process died) has a zero FinishedAt and an empty Result.
type Pass struct {
	ID         int64
	Kind       string
	Date       day.Date
	StartedAt  time.Time
	FinishedAt time.Time
	Result     string
	Summary    json.RawMessage
	Error      string
}

// StartPass records the start of a pass of the given kind for day d (zero:
// not about one day) and returns its id.
func (s *Store) StartPass(ctx context.Context, kind string, d day.Date) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO passes (kind, date, started_at) VALUES (?, ?, ?) RETURNING id`,
			kind, d.String(), fmtTime(s.now())).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: start pass: %w", err)
		}
		return nil
	})
	return id, err
}

// FinishPass records the end of pass id: its result, a summary (encoded as
// JSON, or a JSONText kept as it is; nil for none) and the error text (""
// for none).
func (s *Store) FinishPass(ctx context.Context, id int64, result string, summary any, errText string) error {
	var sum any
	if text, ok := summary.(JSONText); ok {
		sum = string(text)
	} else if summary != nil {
		// The text of json.Marshal, without its copy into a string: the
		// result of a pass over 10 000 employees is some 5 MB, and it came
		// at the end of a pass, on top of its other garbage.
		var b strings.Builder
		if err := json.NewEncoder(&b).Encode(summary); err != nil {
			return fmt.Errorf("store: finish pass: summary: %w", err)
		}
		sum = strings.TrimSuffix(b.String(), "\n")
	}
	return s.write(ctx, func(tx *txn) error {
		r, err := tx.ExecContext(ctx, `UPDATE passes SET finished_at = ?, result = ?, summary = ?, error = ? WHERE id = ?`,
			fmtTime(s.now()), result, sum, errText, id)
		if err != nil {
			return fmt.Errorf("store: finish pass: %w", err)
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("store: finish pass %d: %w", id, ErrNotFound)
		}
		// The history keeps every pass, and the summaries of the last
		// KeepPassSummaries only: a summary holds every employee's errors
		// and warnings, and kept for every pass it grew without end.
		if _, err := tx.ExecContext(ctx, `UPDATE passes SET summary = NULL WHERE id <= ? AND summary IS NOT NULL`,
			id-KeepPassSummaries); err != nil {
			return fmt.Errorf("store: prune pass summaries: %w", err)
		}
		return nil
	})
}

// JSONText is a summary FinishPass stores as it is: the text the caller
// encoded, as json.Encoder would have, without its newline (a daemon's
// pass encodes only the lines that changed since its previous pass).
type JSONText string

// KeepPassSummaries is how many of the latest passes keep their summary.
const KeepPassSummaries = 200

// LastPasses returns the n most recent passes, newest first (all when n <= 0).
func (s *Store) LastPasses(ctx context.Context, n int) ([]Pass, error) {
	return s.lastPasses(ctx, n, "summary")
}

// PassHistory is LastPasses without the summaries: when each pass ran, of
// what kind and for which date, and how it ended. A stored summary holds
// every employee's line (some 5 MB for 10 000 employees, and the last
// KeepPassSummaries passes keep theirs): what looks only at when and how
// passes ended (the daemon's catch-up, /status, /readyz) read up to a
// gigabyte for it.
func (s *Store) PassHistory(ctx context.Context, n int) ([]Pass, error) {
	return s.lastPasses(ctx, n, "NULL")
}

// LastPassHeads is LastPasses with each Summary cut to its first head
// characters: a stored summary holds every employee's line, and what the
// next pass reads of it comes first (a quiet poll read 10 000 employees'
// lines to find its mark).
func (s *Store) LastPassHeads(ctx context.Context, n, head int) ([]Pass, error) {
	return s.lastPasses(ctx, n, fmt.Sprintf("substr(summary, 1, %d)", max(head, 1)))
}

func (s *Store) lastPasses(ctx context.Context, n int, summaryColumn string) ([]Pass, error) {
	if n <= 0 {
		n = noLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, date, started_at, finished_at, result, `+summaryColumn+`, error
		FROM passes ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("store: passes: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Pass
	for rows.Next() {
		var (
			p                 Pass
			date, started     string
			finished, summary sql.NullString
		)
		if err := rows.Scan(&p.ID, &p.Kind, &date, &started, &finished, &p.Result, &summary, &p.Error); err != nil {
			return nil, fmt.Errorf("store: passes: %w", err)
		}
		if p.Date, err = parseDate(date); err != nil {
			return nil, err
		}
		if p.StartedAt, err = parseTime(started); err != nil {
			return nil, err
		}
		if p.FinishedAt, err = parseNullTime(finished); err != nil {
			return nil, err
		}
		if summary.Valid {
			p.Summary = json.RawMessage(summary.String)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: passes: %w", err)
	}
	return out, nil
}
