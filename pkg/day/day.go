// Package day is a calendar date without a time or a time zone: the unit of
// every report. A day is judged in a person's own time zone (see pkg/calendar);
// this type only names it.
package day

import (
	"errors"
	"fmt"
	"time"
)

// Date is a civil date. The zero value is "no date" (IsZero).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Layout is the ISO form used in keys, JSON and the state database.
const Layout = "2006-01-02"

// ErrInvalid is wrapped by Parse for text that is not an ISO date.
var ErrInvalid = errors.New("not a date (want YYYY-MM-DD)")

// New returns the date, normalising overflow the way time.Date does
// (New(2026, 12, 32) is 2027-01-01).
func New(year int, month time.Month, d int) Date {
	return Of(time.Date(year, month, d, 0, 0, 0, 0, time.UTC))
}

// Of returns the date of t in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today returns the current date in loc.
func Today(now time.Time, loc *time.Location) Date {
	return Of(now.In(loc))
}

// Parse reads an ISO date (YYYY-MM-DD).
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q: %w", s, ErrInvalid)
	}
	return Of(t), nil
}

// MustParse is Parse for constants in tests and embedded data; it panics on bad input.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Valid reports whether the fields name a real date (31.02 does not).
func Valid(year int, month time.Month, d int) bool {
	if year < 1 || year > 9999 || month < 1 || month > 12 || d < 1 {
		return false
	}
	return New(year, month, d) == Date{Year: year, Month: month, Day: d}
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats the date as YYYY-MM-DD ("" for the zero date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Russian formats the date the way Russian users write it: 26.11.2026.
func (d Date) Russian() string {
	return fmt.Sprintf("%02d.%02d.%04d", d.Day, int(d.Month), d.Year)
}

// Time returns midnight at the start of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d shifted by n days.
func (d Date) AddDays(n int) Date { return New(d.Year, d.Month, d.Day+n) }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time(time.UTC).Weekday() }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

// DaysUntil returns the number of days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int {
	return int(o.Time(time.UTC).Sub(d.Time(time.UTC)).Hours() / 24)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MarshalText implements encoding.TextMarshaler (JSON and YAML use it).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Range returns every date from `from` to `to` inclusive (nil when to < from).
func Range(from, to Date) []Date {
	var out []Date
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// SerialEpoch is day 0 of spreadsheet serial dates (Google Sheets, Excel 1900
// system after the 1900 leap-year bug): 1899-12-30.
var SerialEpoch = Date{Year: 1899, Month: time.December, Day: 30}

// FromSerial converts a spreadsheet serial day number (fraction = time of day,
// ignored) to a date. ok is false for values that cannot be a report date.
func FromSerial(serial float64) (Date, bool) {
	if serial < 1 || serial > 2958465 { // 9999-12-31
		return Date{}, false
	}
	return SerialEpoch.AddDays(int(serial)), true
}
