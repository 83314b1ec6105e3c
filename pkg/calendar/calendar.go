// Package calendar decides which days are working days (weekly pattern plus
// the Russian production calendar shipped as data for 2025-2027, plus config
// overrides), when a day's report is due, and what day it is for a person in
// their own time zone. It is pure logic: no network and no file I/O.
//
// A Calendar is immutable after New and safe for concurrent use.
package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// Reasons returned by Calendar.Reason. A public holiday is reported as
// ReasonHolidayPrefix followed by its name ("holiday: Новогодние каникулы").
const (
	ReasonWeekend            = "weekend"
	ReasonHolidayPrefix      = "holiday: "
	ReasonTransferredDayOff  = "transferred day off"
	ReasonTransferredWorkday = "transferred working day"
	ReasonOverride           = "config override"
)

// Country codes accepted in Options.Country.
const (
	CountryRussia = "ru"
	CountryNone   = "none"
)

// Options configures a Calendar.
type Options struct {
	Country  string         // "ru", or "none"/"" (weekly pattern only)
	Weekdays []time.Weekday // working weekdays; empty = Mon..Fri
	Holidays []day.Date     // extra non-working dates (override)
	Workdays []day.Date     // extra working dates (override; wins over everything)
	// Declared are years whose holidays and transferred days the
	// configuration gives (in Holidays and Workdays): they count as known.
	Declared []int
}

// Calendar answers whether a date is a working day.
type Calendar struct {
	country string
	working [7]bool             // weekly pattern, indexed by time.Weekday
	on      map[day.Date]string // working although the pattern says no (or override); value = reason
	off     map[day.Date]string // not working although the pattern may say yes; value = reason
	years   map[int]yearData    // production data of the country, nil for "none"
	short   map[day.Date]bool   // shortened pre-holiday days
	// declared are the years the configuration gives.
	declared map[int]bool
}

// searchLimit bounds Prev/NextWorkday walks: a pattern has at least one
// working weekday, so a working day is always found well within it.
const searchLimit = 3660

// New builds a Calendar. It fails on an unknown country or a weekday outside
// Sunday..Saturday.
func New(o Options) (*Calendar, error) {
	c := &Calendar{
		on:    map[day.Date]string{},
		off:   map[day.Date]string{},
		short: map[day.Date]bool{},
	}
	if len(o.Weekdays) == 0 {
		for wd := time.Monday; wd <= time.Friday; wd++ {
			c.working[wd] = true
		}
	}
	for _, wd := range o.Weekdays {
		if wd < time.Sunday || wd > time.Saturday {
			return nil, fmt.Errorf("calendar: invalid weekday %d", int(wd))
		}
		c.working[wd] = true
	}

	switch country := strings.ToLower(strings.TrimSpace(o.Country)); country {
	case "", CountryNone:
		c.country = CountryNone
	case CountryRussia:
		c.country = CountryRussia
		data, err := loadRU()
		if err != nil {
			return nil, err
		}
		c.years = data.Years
		for y, yd := range data.Years {
			c.applyYear(y, yd, data.Holidays)
		}
	default:
		return nil, fmt.Errorf("calendar: unknown country %q (want %q or %q)", o.Country, CountryRussia, CountryNone)
	}

	c.declared = map[int]bool{}
	for _, y := range o.Declared {
		c.declared[y] = true
	}
	for _, d := range o.Holidays {
		if d.IsZero() {
			continue
		}
		delete(c.on, d)
		c.off[d] = ReasonOverride
	}
	for _, d := range o.Workdays {
		if d.IsZero() {
			continue
		}
		delete(c.off, d)
		c.on[d] = ReasonOverride
	}
	return c, nil
}

// applyYear lays one year of production data over the weekly pattern. A
// transfer moves a weekly day off, so it only applies when its `from` date is
// a day off in this pattern: with a six-day week, a transfer from a Saturday
// changes nothing, while one from a Sunday still gives its `to` date off.
func (c *Calendar) applyYear(y int, yd yearData, hs []holiday) {
	isHoliday := map[day.Date]bool{}
	for _, h := range hs {
		d := day.Date{Year: y, Month: h.md.Month, Day: h.md.Day}
		isHoliday[d] = true
		c.off[d] = ReasonHolidayPrefix + h.name
	}
	for _, t := range yd.Transfers {
		if c.working[t.From.Weekday()] {
			continue
		}
		if !isHoliday[t.To] {
			c.off[t.To] = ReasonTransferredDayOff
		}
		if !isHoliday[t.From] {
			c.on[t.From] = ReasonTransferredWorkday
		}
	}
	for _, s := range yd.Shortened {
		c.short[s] = true
	}
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d day.Date) bool {
	if _, ok := c.on[d]; ok {
		return true
	}
	if _, ok := c.off[d]; ok {
		return false
	}
	return c.working[d.Weekday()]
}

// Reason says why d is or is not a working day: ReasonWeekend, "holiday: "
// and the holiday's name, ReasonTransferredDayOff, ReasonTransferredWorkday,
// ReasonOverride; "" for an ordinary working day.
func (c *Calendar) Reason(d day.Date) string {
	if r, ok := c.on[d]; ok {
		return r
	}
	if r, ok := c.off[d]; ok {
		return r
	}
	if !c.working[d.Weekday()] {
		return ReasonWeekend
	}
	return ""
}

// Shortened reports whether d is a working day shortened by one hour before a
// holiday (Labour Code art. 95), as listed in the official five-day-week
// production calendar. Informational only.
func (c *Calendar) Shortened(d day.Date) bool {
	return c.short[d] && c.IsWorkday(d)
}

// Workdays returns the working days from `from` to `to` inclusive, oldest
// first (nil when to is before from).
func (c *Calendar) Workdays(from, to day.Date) []day.Date {
	var out []day.Date
	for d := from; !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			out = append(out, d)
		}
	}
	return out
}

// PrevWorkday returns the last working day strictly before d.
func (c *Calendar) PrevWorkday(d day.Date) day.Date {
	return c.step(d, -1)
}

// NextWorkday returns the first working day strictly after d.
func (c *Calendar) NextWorkday(d day.Date) day.Date {
	return c.step(d, +1)
}

func (c *Calendar) step(d day.Date, dir int) day.Date {
	// Special dates are finite and at least one weekday works, so a working
	// day is always found long before the limit.
	for i := 0; i < searchLimit; i++ {
		d = d.AddDays(dir)
		if c.IsWorkday(d) {
			return d
		}
	}
	return day.Date{} // unreachable with a valid pattern
}

// WorkdaysAfter returns the n-th working day after d (d itself for n = 0).
func (c *Calendar) WorkdaysAfter(d day.Date, n int) day.Date {
	for ; n > 0 && !d.IsZero(); n-- {
		d = c.NextWorkday(d)
	}
	return d
}

// LastWorkdays returns the n working days strictly before d, oldest first.
func (c *Calendar) LastWorkdays(d day.Date, n int) []day.Date {
	if n <= 0 {
		return nil
	}
	out := make([]day.Date, n)
	for i := n - 1; i >= 0; i-- {
		d = c.PrevWorkday(d)
		if d.IsZero() {
			return out[i+1:]
		}
		out[i] = d
	}
	return out
}

// Covers reports whether production-calendar data is shipped for year.
// Outside it only the weekly pattern (and config overrides) apply; callers
// should log a warning.
func (c *Calendar) Covers(year int) bool {
	_, ok := c.years[year]
	return ok
}

// Known reports whether the working days of year are known: the shipped
// data covers it, the configuration declares it, or the calendar has no
// country (the weekly pattern alone is the whole truth).
func (c *Calendar) Known(year int) bool {
	return c.country == CountryNone || c.Covers(year) || c.declared[year]
}

// ErrNotCovered is wrapped by the error of a day whose year the production
// calendar does not know.
var ErrNotCovered = errors.New("calendar: year not covered")

// CoverageError names the year the production calendar does not know.
type CoverageError struct {
	Year int
	// First and Last are the shipped years (0 when none).
	First, Last int
}

func (e *CoverageError) Error() string {
	shipped := ""
	if e.First > 0 {
		shipped = fmt.Sprintf(" (it ships %d–%d)", e.First, e.Last)
	}
	return fmt.Sprintf("the production calendar has no data for %d%s: declare the year's holidays and transferred "+
		"working days under calendar.years in the configuration (- {year: %d, holidays: [...], workdays: [...]}), "+
		"or set calendar.country: none for the weekly pattern alone", e.Year, shipped, e.Year)
}

// Unwrap makes errors.Is(err, ErrNotCovered) true.
func (e *CoverageError) Unwrap() error { return ErrNotCovered }

// Check returns a *CoverageError for the first year from `from` to `to`
// that is not Known, nil when all are.
func (c *Calendar) Check(from, to day.Date) error {
	for y := from.Year; y <= to.Year; y++ {
		if !c.Known(y) {
			first, last := c.ShippedYears()
			return &CoverageError{Year: y, First: first, Last: last}
		}
	}
	return nil
}

// ShippedYears is the first and last year of the shipped production data
// (0, 0 when none).
func (c *Calendar) ShippedYears() (first, last int) {
	for y := range c.years {
		if first == 0 || y < first {
			first = y
		}
		last = max(last, y)
	}
	return first, last
}

// LastKnownYear is the last year whose working days are known (shipped or
// declared); 0 when no year is (or every year is: country none).
func (c *Calendar) LastKnownYear() int {
	if c.country == CountryNone {
		return 0
	}
	_, last := c.ShippedYears()
	for y := range c.declared {
		last = max(last, y)
	}
	return last
}

// Provisional reports whether year is covered by data that was not checked
// against a published Government decree (only the Labour Code's fixed
// holidays and automatic transfers are known). Callers should log a warning.
func (c *Calendar) Provisional(year int) bool {
	yd, ok := c.years[year]
	return ok && !yd.Verified
}

// Source names the act the year's data was taken from ("" when not covered).
func (c *Calendar) Source(year int) string {
	return c.years[year].Source
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday, "вс": time.Sunday, "вск": time.Sunday, "воскресенье": time.Sunday,
	"mon": time.Monday, "monday": time.Monday, "пн": time.Monday, "пон": time.Monday, "понедельник": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday, "вт": time.Tuesday, "вто": time.Tuesday, "вторник": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "ср": time.Wednesday, "сре": time.Wednesday, "среда": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday, "чт": time.Thursday, "чет": time.Thursday, "четверг": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "пт": time.Friday, "пят": time.Friday, "пятница": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "сб": time.Saturday, "суб": time.Saturday, "суббота": time.Saturday,
}

// ParseWeekday reads a weekday name: "mon".."sun" or the full English name,
// Russian "пн".."вс" or the full Russian name; case-insensitive, surrounding
// spaces and a trailing dot ignored.
func ParseWeekday(s string) (time.Weekday, error) {
	k := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if wd, ok := weekdayNames[k]; ok {
		return wd, nil
	}
	return 0, fmt.Errorf("calendar: unknown weekday %q (want mon..sun or пн..вс)", s)
}
