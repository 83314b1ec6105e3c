package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// TimeOfDay is a local wall-clock time, written "HH:MM".
type TimeOfDay struct {
	Hour   int
	Minute int
}

// ParseTimeOfDay reads "HH:MM" (or "H:MM"), 00:00 to 23:59.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	bad := fmt.Errorf("%q is not a time of day (want HH:MM, 00:00 to 23:59)", s)
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
		return TimeOfDay{}, bad
	}
	hour, _ := strconv.Atoi(h)
	minute, _ := strconv.Atoi(m)
	if hour > 23 || minute > 59 {
		return TimeOfDay{}, bad
	}
	return TimeOfDay{Hour: hour, Minute: minute}, nil
}

// String formats t as "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Offset is the time elapsed since midnight.
func (t TimeOfDay) Offset() time.Duration {
	return time.Duration(t.Hour)*time.Hour + time.Duration(t.Minute)*time.Minute
}

// On returns the instant at t on date d in loc.
func (t TimeOfDay) On(d day.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, t.Hour, t.Minute, 0, 0, loc)
}

// MarshalText implements encoding.TextMarshaler.
func (t TimeOfDay) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, err := ParseTimeOfDay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Duration is a time.Duration written in Go syntax ("2h", "90m", "1h30m").
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats d without zero trailing units: "2h", "1h30m", "45s".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (want e.g. 2h, 90m or 1h30m)", s)
	}
	*d = Duration(v)
	return nil
}

// Window limits: one day to a year.
const (
	MinWindowDays = 1
	MaxWindowDays = 366
)

// Window is a number of days written "14d" or "2w".
type Window int

// ParseWindow reads "<n>d" or "<n>w", 1d to 366d.
func ParseWindow(s string) (Window, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a window (want e.g. 2w or 14d, from 1d to 366d)", s)
	if len(s) < 2 || len(s) > 6 {
		return 0, bad
	}
	n, unit := s[:len(s)-1], s[len(s)-1]
	if !allDigits(n) {
		return 0, bad
	}
	v, err := strconv.Atoi(n)
	if err != nil {
		return 0, bad
	}
	switch unit {
	case 'd':
	case 'w':
		v *= 7
	default:
		return 0, bad
	}
	if v < MinWindowDays || v > MaxWindowDays {
		return 0, bad
	}
	return Window(v), nil
}

// Days is the length of the window in days.
func (w Window) Days() int { return int(w) }

// String formats w in weeks when whole ("2w"), else in days ("10d").
func (w Window) String() string {
	if w > 0 && w%7 == 0 {
		return strconv.Itoa(int(w)/7) + "w"
	}
	return strconv.Itoa(int(w)) + "d"
}

// MarshalText implements encoding.TextMarshaler.
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// Weekdays lists the calendar.weekdays spellings, Monday first.
func Weekdays() []string { return []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} }

// ParseWeekday reads mon, tue, wed, thu, fri, sat or sun (any case).
func ParseWeekday(s string) (time.Weekday, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "mon":
		return time.Monday, true
	case "tue":
		return time.Tuesday, true
	case "wed":
		return time.Wednesday, true
	case "thu":
		return time.Thursday, true
	case "fri":
		return time.Friday, true
	case "sat":
		return time.Saturday, true
	case "sun":
		return time.Sunday, true
	}
	return 0, false
}

// IsWorkWeekday reports whether w is a working day of the weekly pattern.
func (c Calendar) IsWorkWeekday(w time.Weekday) bool {
	for _, s := range c.Weekdays {
		if v, ok := ParseWeekday(s); ok && v == w {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
