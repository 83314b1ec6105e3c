package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
)

// timeLayout is RFC 3339 with a fixed nine-digit fraction: every stored time
// is UTC in this layout, so comparing the text compares the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// maxDate bounds an open-ended date range.
const maxDate = "9999-12-31"

// noLimit is a LIMIT that limits nothing (SQLite's -1 means that, not
// PostgreSQL's).
const noLimit = math.MaxInt64

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// parseNullTime reads a nullable time column: NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// parseDate reads a date column: "" is the zero date.
func parseDate(s string) (day.Date, error) {
	if s == "" {
		return day.Date{}, nil
	}
	d, err := day.Parse(s)
	if err != nil {
		return day.Date{}, fmt.Errorf("store: stored date: %w", err)
	}
	return d, nil
}

// toJSON encodes a JSON column. nil stays JSON null, so values round-trip.
func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("store: encode %T: %w", v, err)
	}
	return string(b), nil
}

func fromJSON(s string, v any) error {
	if s == "" || fastJSON(s, v) {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("store: decode stored %T: %w", v, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullID stores id 0 as NULL (no row).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// report.FieldError encodes its Location as display text, which does not
// decode back; the store keeps the location's parts instead.
type storedFieldError struct {
	Code     report.Code    `json:"code"`
	Field    string         `json:"field"`
	Location storedLocation `json:"location"`
	Value    string         `json:"value,omitempty"`
	Message  string         `json:"message"`
}

type storedLocation struct {
	Tab   string `json:"tab,omitempty"`
	Line  int    `json:"line,omitempty"`
	Table int    `json:"table,omitempty"`
	Row   int    `json:"row,omitempty"`
	Cell  string `json:"cell,omitempty"`
}

// These conversions stop compiling when report.FieldError or
// document.Location gains a field the store would silently drop.
var (
	_ = report.FieldError(struct {
		Code     report.Code
		Field    string
		Location document.Location
		Value    string
		Message  string
	}{})
	_ = storedLocation(document.Location{})
)

func errorsJSON(errs []report.FieldError) (string, error) {
	if errs == nil {
		return "null", nil
	}
	out := make([]storedFieldError, len(errs))
	for i, e := range errs {
		out[i] = storedFieldError{Code: e.Code, Field: e.Field, Location: storedLocation(e.Location), Value: e.Value, Message: e.Message}
	}
	return toJSON(out)
}

func errorsFromJSON(s string) ([]report.FieldError, error) {
	var in []storedFieldError
	if err := fromJSON(s, &in); err != nil || in == nil {
		return nil, err
	}
	out := make([]report.FieldError, len(in))
	for i, e := range in {
		out[i] = report.FieldError{Code: e.Code, Field: e.Field, Location: document.Location(e.Location), Value: e.Value, Message: e.Message}
	}
	return out, nil
}
