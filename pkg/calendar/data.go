package calendar

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dayreport/dayreport/pkg/day"
)

//go:embed ru.yaml
var ruYAML []byte

// Basis of a transfer in the production data.
const (
	basisDecree = "decree" // a Government decree on the transfer of days off
	basisArt112 = "art112" // Labour Code art. 112 part 2, automatic
)

type rawData struct {
	Country  string       `yaml:"country"`
	Holidays []rawHoliday `yaml:"holidays"`
	Years    []rawYear    `yaml:"years"`
}

type rawHoliday struct {
	Date string `yaml:"date"` // MM-DD
	Name string `yaml:"name"`
}

type rawYear struct {
	Year      int           `yaml:"year"`
	Verified  bool          `yaml:"verified"`
	Source    string        `yaml:"source"`
	Transfers []rawTransfer `yaml:"transfers"`
	Shortened []day.Date    `yaml:"shortened"`
}

type rawTransfer struct {
	From  day.Date `yaml:"from"`
	To    day.Date `yaml:"to"`
	Basis string   `yaml:"basis"`
}

type monthDay struct {
	Month time.Month
	Day   int
}

// holiday is one non-working public holiday (Labour Code art. 112 part 1).
type holiday struct {
	md   monthDay
	name string
}

// transfer moves the weekly day off From to the date To.
type transfer struct {
	From, To day.Date
	Basis    string
}

// yearData is the production calendar of one year.
type yearData struct {
	Year      int
	Verified  bool
	Source    string
	Transfers []transfer
	Shortened []day.Date
}

// countryData is a country's production calendar as shipped.
type countryData struct {
	Holidays []holiday
	Years    map[int]yearData
}

var loadRU = sync.OnceValues(func() (*countryData, error) { return parseData(ruYAML) })

func parseData(b []byte) (*countryData, error) {
	var raw rawData
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("calendar data: %w", err)
	}
	out := &countryData{Years: map[int]yearData{}}
	seenMD := map[monthDay]bool{}
	for _, h := range raw.Holidays {
		md, err := parseMonthDay(h.Date)
		if err != nil {
			return nil, fmt.Errorf("calendar data: holiday %q: %w", h.Date, err)
		}
		if strings.TrimSpace(h.Name) == "" {
			return nil, fmt.Errorf("calendar data: holiday %s has no name", h.Date)
		}
		if seenMD[md] {
			return nil, fmt.Errorf("calendar data: holiday %s listed twice", h.Date)
		}
		seenMD[md] = true
		out.Holidays = append(out.Holidays, holiday{md: md, name: h.Name})
	}
	isHoliday := func(d day.Date) bool { return seenMD[monthDay{d.Month, d.Day}] }

	for _, y := range raw.Years {
		if y.Year < 1900 || y.Year > 9999 {
			return nil, fmt.Errorf("calendar data: bad year %d", y.Year)
		}
		if _, dup := out.Years[y.Year]; dup {
			return nil, fmt.Errorf("calendar data: year %d listed twice", y.Year)
		}
		if strings.TrimSpace(y.Source) == "" {
			return nil, fmt.Errorf("calendar data: year %d has no source", y.Year)
		}
		yd := yearData{Year: y.Year, Verified: y.Verified, Source: y.Source}
		used := map[day.Date]bool{}
		for _, t := range y.Transfers {
			if t.From.Year != y.Year || t.To.Year != y.Year {
				return nil, fmt.Errorf("calendar data: %d: transfer %s -> %s outside the year", y.Year, t.From, t.To)
			}
			if wd := t.From.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, fmt.Errorf("calendar data: %d: transfer from %s, a %s, not a weekend day", y.Year, t.From, wd)
			}
			if wd := t.To.Weekday(); wd == time.Saturday || wd == time.Sunday || isHoliday(t.To) {
				return nil, fmt.Errorf("calendar data: %d: transfer to %s, not an ordinary weekday", y.Year, t.To)
			}
			if t.Basis != basisDecree && t.Basis != basisArt112 {
				return nil, fmt.Errorf("calendar data: %d: transfer %s: unknown basis %q", y.Year, t.From, t.Basis)
			}
			if used[t.From] || used[t.To] {
				return nil, fmt.Errorf("calendar data: %d: transfer %s -> %s reuses a date", y.Year, t.From, t.To)
			}
			used[t.From], used[t.To] = true, true
			yd.Transfers = append(yd.Transfers, transfer(t))
		}
		for _, s := range y.Shortened {
			if s.Year != y.Year {
				return nil, fmt.Errorf("calendar data: %d: shortened day %s outside the year", y.Year, s)
			}
		}
		yd.Shortened = y.Shortened
		out.Years[y.Year] = yd
	}
	return out, nil
}

func parseMonthDay(s string) (monthDay, error) {
	m, d, ok := strings.Cut(s, "-")
	if !ok {
		return monthDay{}, fmt.Errorf("want MM-DD")
	}
	mi, err1 := strconv.Atoi(m)
	di, err2 := strconv.Atoi(d)
	// 2024 is a leap year, so 02-29 would be accepted; no holiday falls there.
	if err1 != nil || err2 != nil || !day.Valid(2024, time.Month(mi), di) {
		return monthDay{}, fmt.Errorf("want MM-DD")
	}
	return monthDay{time.Month(mi), di}, nil
}
