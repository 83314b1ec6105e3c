package document

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/day"
)

// dateResult tells what parseDateAt found.
type dateResult uint8

const (
	noDate      dateResult = iota // nothing date-like
	goodDate                      // a real date
	invalidDate                   // looks like a date but is not one (31.11.2026)
)

// ruMonths are the Russian month names in the nominative and genitive; a word is
// a month when it is a prefix (of at least 3 letters) of one of them, so "нояб."
// and "ноября" both read as November.
var ruMonths = [12][2]string{
	{"январь", "января"}, {"февраль", "февраля"}, {"март", "марта"}, {"апрель", "апреля"},
	{"май", "мая"}, {"июнь", "июня"}, {"июль", "июля"}, {"август", "августа"},
	{"сентябрь", "сентября"}, {"октябрь", "октября"}, {"ноябрь", "ноября"}, {"декабрь", "декабря"},
}

var weekdayWords = []string{
	"понедельник", "вторник", "среда", "среду", "четверг", "пятница", "пятницу", "суббота", "субботу",
	"воскресенье", "пн", "вт", "ср", "чт", "пт", "сб", "вс",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
}

// monthWord returns the month a word names (in any case), or 0.
func monthWord(w string) time.Month {
	if utf8.RuneCountInString(w) < 3 {
		return 0
	}
	first, _ := utf8.DecodeRuneInString(w)
	first = unicode.ToLower(first)
	for i, forms := range ruMonths {
		if r, _ := utf8.DecodeRuneInString(forms[0]); r != first {
			continue // most words are not months: one rune tells
		}
		for _, f := range forms {
			if hasPrefixFold(f, w) {
				return time.Month(i + 1)
			}
		}
	}
	for i, name := range enMonths {
		if rune(name[0]) == first && hasPrefixFold(name, w) {
			return time.Month(i + 1)
		}
	}
	return 0
}

// hasPrefixFold reports whether the lower-case s starts with prefix in any
// case, without lower-casing prefix (every line of every document passes
// here).
func hasPrefixFold(s, prefix string) bool {
	return len(prefix) <= len(s) && (len(prefix) == len(s) || utf8.RuneStart(s[len(prefix)])) &&
		strings.EqualFold(s[:len(prefix)], prefix)
}

// enMonths are the English month names in lower case.
var enMonths = [12]string{"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december"}

func isWeekday(w string) bool {
	if len(w) >= 64 || weekdayLens&(1<<len(w)) == 0 {
		return false // no weekday name is as long
	}
	if r, _ := utf8.DecodeRuneInString(w); !weekdayFirst[r] {
		return false // nor starts so
	}
	for _, x := range weekdayWords {
		if len(w) == len(x) && strings.EqualFold(w, x) {
			return true
		}
	}
	return false
}

// weekdayLens has bit n set when a weekday name is n bytes long: isWeekday
// compares only words of such a length.
var weekdayLens = func() uint64 {
	var set uint64
	for _, x := range weekdayWords {
		set |= 1 << len(x)
	}
	return set
}()

// weekdayFirst holds the runes a weekday name may start with (under
// Unicode case folding): isWeekday compares only words starting so.
var weekdayFirst = firstRunesFolded(weekdayWords)

// isLetter is unicode.IsLetter, without its table search for ASCII and the
// Russian alphabet.
func isLetter(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	case 'Ѐ' <= r && r <= 'џ':
		return true
	}
	return unicode.IsLetter(r)
}

// digitsAt reads up to max ASCII digits at s[i:]; it returns the value and how many it read.
func digitsAt(s string, i, maxDigits int) (v, n int) {
	for i+n < len(s) && n < maxDigits && s[i+n] >= '0' && s[i+n] <= '9' {
		v = v*10 + int(s[i+n]-'0')
		n++
	}
	return v, n
}

func isDigitAt(s string, i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }

// wordAt returns the run of letters starting at s[i:] (as written: its
// readers compare case-insensitively) and its byte length.
func wordAt(s string, i int) (string, int) {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isLetter(r) {
			break
		}
		j += size
	}
	return s[i:j], j - i
}

// spacesAt returns how many bytes of whitespace start at s[i:].
func spacesAt(s string, i int) int {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return j - i
}

// resolveYear picks, for a date written without a year, the year that puts it
// closest to ref. ok is false without a reference date.
func resolveYear(m time.Month, d int, ref day.Date) (day.Date, dateResult) {
	if ref.IsZero() {
		return day.Date{}, noDate
	}
	best, bestDist := day.Date{}, 0
	for y := ref.Year - 1; y <= ref.Year+1; y++ {
		if !day.Valid(y, m, d) {
			continue
		}
		c := day.Date{Year: y, Month: m, Day: d}
		dist := c.DaysUntil(ref)
		if dist < 0 {
			dist = -dist
		}
		if best.IsZero() || dist < bestDist {
			best, bestDist = c, dist
		}
	}
	if best.IsZero() {
		return day.Date{}, invalidDate
	}
	return best, goodDate
}

func makeDate(y int, m time.Month, d int) (day.Date, dateResult) {
	if !day.Valid(y, m, d) {
		return day.Date{}, invalidDate
	}
	return day.Date{Year: y, Month: m, Day: d}, goodDate
}

// boundaryAt reports whether a date may end at s[i:]: end of text, or a rune
// that is neither a letter nor a digit.
func boundaryAt(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// parseDateAt reads a date at the very start of s. Formats: 26.11.2026,
// 26.11.26, 26/11/2026, 2026-11-26, 26 ноября 2026 (г./года), 26 November 2026,
// November 26, 2026, and without a year 26.11 and 26 ноября (resolved against ref).
// yearless reports a date written without a year.
func parseDateAt(s string, ref day.Date) (d day.Date, n int, res dateResult, yearless bool) {
	a, la := digitsAt(s, 0, 5)
	if la == 0 {
		return parseEnglishDate(s)
	}
	i := la
	switch {
	case la == 4 && i < len(s) && s[i] == '-': // ISO
		m, lm := digitsAt(s, i+1, 3)
		if lm == 0 || lm > 2 || i+1+lm >= len(s) || s[i+1+lm] != '-' {
			return day.Date{}, 0, noDate, false
		}
		dd, ld := digitsAt(s, i+2+lm, 3)
		end := i + 2 + lm + ld
		if ld == 0 || ld > 2 || !boundaryAt(s, end) {
			return day.Date{}, 0, noDate, false
		}
		d, res = makeDate(a, time.Month(m), dd)
		return d, end, res, false
	case la > 2:
		return day.Date{}, 0, noDate, false
	case i < len(s) && (s[i] == '.' || s[i] == '/'):
		sep := s[i]
		m, lm := digitsAt(s, i+1, 3)
		if lm == 0 || lm > 2 {
			return day.Date{}, 0, noDate, false
		}
		end := i + 1 + lm
		if end+1 < len(s) && s[end] == sep && isDigitAt(s, end+1) {
			y, ly := digitsAt(s, end+1, 5)
			if ly != 2 && ly != 4 || !boundaryAt(s, end+1+ly) {
				return day.Date{}, 0, noDate, false
			}
			if ly == 2 {
				y += 2000
			}
			d, res = makeDate(y, time.Month(m), a)
			return d, end + 1 + ly, res, false
		}
		// Without a year: only dd.mm with a two-digit month, not followed by
		// more digits, so that "2.5" or "12.5%" never read as dates.
		if sep != '.' || lm != 2 || !boundaryAt(s, end) || (end < len(s) && s[end] == '.' && isDigitAt(s, end+1)) || end < len(s) && s[end] == ',' && isDigitAt(s, end+1) {
			return day.Date{}, 0, noDate, false
		}
		d, res = resolveYear(time.Month(m), a, ref)
		return d, end, res, true
	}
	// 26 ноября 2026 / 26 November 2026 / 26 ноября
	sp := spacesAt(s, i)
	if sp == 0 {
		return day.Date{}, 0, noDate, false
	}
	w, lw := wordAt(s, i+sp)
	month := monthWord(w)
	if month == 0 {
		return day.Date{}, 0, noDate, false
	}
	end := i + sp + lw
	if end < len(s) && s[end] == '.' {
		end++
	}
	if sp2 := spacesAt(s, end); sp2 > 0 || (end < len(s) && s[end] == ',') {
		j := end + sp2
		if sp2 == 0 {
			j = end + 1 + spacesAt(s, end+1)
		}
		if y, ly := digitsAt(s, j, 5); ly == 4 && boundaryAt(s, j+ly) {
			end = j + ly
			end += yearSuffix(s, end)
			d, res = makeDate(y, month, a)
			return d, end, res, false
		}
	}
	if !boundaryAt(s, end) {
		return day.Date{}, 0, noDate, false
	}
	d, res = resolveYear(month, a, ref)
	return d, end, res, true
}

// yearSuffix returns the length of a " г.", "г", " года" after a year.
func yearSuffix(s string, i int) int {
	sp := spacesAt(s, i)
	w, lw := wordAt(s, i+sp)
	switch {
	case strings.EqualFold(w, "г"), strings.EqualFold(w, "года"), strings.EqualFold(w, "год"):
		n := sp + lw
		if i+n < len(s) && s[i+n] == '.' {
			n++
		}
		return n
	}
	return 0
}

// parseEnglishDate reads "November 26, 2026" / "Nov 26 2026".
func parseEnglishDate(s string) (day.Date, int, dateResult, bool) {
	if s == "" || s[0] >= utf8.RuneSelf {
		return day.Date{}, 0, noDate, false // its first word is not Latin
	}
	w, lw := wordAt(s, 0)
	month := monthWord(w)
	if month == 0 || lw == 0 || !isLatin(w) {
		return day.Date{}, 0, noDate, false
	}
	i := lw
	if i < len(s) && s[i] == '.' {
		i++
	}
	i += spacesAt(s, i)
	dd, ld := digitsAt(s, i, 3)
	if ld == 0 || ld > 2 {
		return day.Date{}, 0, noDate, false
	}
	i += ld
	if i < len(s) && s[i] == ',' {
		i++
	}
	i += spacesAt(s, i)
	y, ly := digitsAt(s, i, 5)
	if ly != 4 || !boundaryAt(s, i+ly) {
		return day.Date{}, 0, noDate, false
	}
	d, res := makeDate(y, month, dd)
	return d, i + ly, res, false
}

func isLatin(w string) bool {
	for _, r := range w {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// ParseDate reads text that is just a date (as a spreadsheet cell or a date
// chip's text would be), with an optional weekday. Year-less dates are resolved
// against ref.
func ParseDate(s string, ref day.Date) (day.Date, bool) {
	d, res := parseWholeDate(s, ref)
	return d, res == goodDate
}

// parseWholeDate reads text that holds a date and at most a weekday and punctuation.
func parseWholeDate(s string, ref day.Date) (day.Date, dateResult) {
	s = skipWeekday(strings.TrimSpace(s))
	d, n, res, _ := parseDateAt(s, ref)
	if res == noDate {
		return day.Date{}, noDate
	}
	rest := strings.TrimFunc(s[n:], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	if w, _ := wordAt(rest, 0); rest != "" && (!isWeekday(w) || len(w) != len(rest)) {
		return day.Date{}, noDate
	}
	return d, res
}

// skipWeekday drops a leading weekday name ("Четверг, ", "Thu ").
func skipWeekday(s string) string {
	w, lw := wordAt(s, 0)
	if lw == 0 || !isWeekday(w) {
		return s
	}
	i := lw
	if i < len(s) && (s[i] == ',' || s[i] == '.') {
		i++
	}
	sp := spacesAt(s, i)
	if sp == 0 && i == lw {
		return s
	}
	return s[i+sp:]
}
