package document

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/day"
)

// Section is one day of a document: the blocks from a date line up to the next one.
type Section struct {
	Date day.Date
	// Start is where the date line is.
	Start Location
	// Repeats are later date lines for the same date; their blocks were merged in.
	Repeats []Location
	// Blocks after the date line, in order.
	Blocks []Block
}

// Warning is a document-level observation that belongs to no single day, such as
// a date line naming a day that does not exist.
type Warning struct {
	Code  string
	Loc   Location
	Value string
}

// Warning codes.
const (
	WarnBadDate        = "bad_date"         // looks like a date line but is not a real date
	WarnRepeatedDate   = "repeated_date"    // the same day appears twice; both parts are read
	WarnHeaderNotFound = "header_not_found" // a table/sheet whose layout could not be recognised
	// WarnChipNotRead: a line ends where the source left a smart chip out
	// (Google Docs gives no element for dropdown and file chips), so the
	// value the employee picked there is not read. Value is the line's text.
	WarnChipNotRead = "chip_not_read"
	// WarnTooLarge: a spreadsheet over the budgets (MaxCells, MaxDays) was
	// not read. Value is the budget that ran out: LimitError.What.
	WarnTooLarge = "too_large"
)

// reportPrefixes may precede a section's date ("Отчёт за 26.11.2026").
var reportPrefixes = []string{"отчёт за", "отчет за", "report for", "отчёт", "отчет", "report"}

// prefixFirst holds every rune that equals, under Unicode case folding (as
// strings.EqualFold compares), the first rune of a report prefix.
var prefixFirst = firstRunesFolded(reportPrefixes)

// firstRunesFolded is the set of runes strings.EqualFold takes for the
// first rune of one of words: a word compared with one of them fold-equals
// it only when it starts with one of these.
func firstRunesFolded(words []string) map[rune]bool {
	set := map[rune]bool{}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		for f := r; ; {
			set[f] = true
			if f = unicode.SimpleFold(f); f == r {
				break
			}
		}
	}
	return set
}

// prefixStarts reports whether s may start with a report prefix: its first
// rune folds to the first rune of one. Most lines are not a report's
// title, and one rune says so.
func prefixStarts(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return prefixFirst[r]
}

// maxShortRest is how many words may follow a full date on a section line
// ("26.11.2026 — отчёт менеджера") before the line reads as ordinary text.
const maxShortRest = 3

// maxHeadingRunes bounds the headings searched for a date anywhere inside them.
const maxHeadingRunes = 80

// leadingJunk trims what people put before a date or label: spaces, Markdown
// markers, bullets and dashes.
func leadingJunk(r rune) bool {
	switch r {
	case '#', '*', '_', '>', '-', '•', '·', '–', '—', '=', '~', '`', '▪', '●', '◦', '‣', '⁃':
		return true
	}
	return unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b'
}

// blockText is the text a block offers as a possible date line: the paragraph,
// or a row's only non-empty cell.
func blockText(b Block) (string, Location, bool) {
	if b.Kind == Paragraph {
		return b.Text, b.Loc, true
	}
	var only *Cell
	for i := range b.Cells {
		if strings.TrimSpace(b.Cells[i].Text) == "" {
			continue
		}
		if only != nil {
			return "", Location{}, false
		}
		only = &b.Cells[i]
	}
	if only == nil {
		return "", Location{}, false
	}
	return only.Text, b.Loc, true
}

// SectionDate reports whether b starts a day section and for which date.
// invalid is set when the line looks like a date line but names no real day.
func SectionDate(b Block, ref day.Date) (d day.Date, ok, invalid bool) {
	if !b.Date.IsZero() {
		return b.Date, true, false
	}
	text, _, usable := blockText(b)
	if !usable {
		return day.Date{}, false, false
	}
	s := strings.TrimLeftFunc(text, leadingJunk)
	// Compared case-insensitively in place (lower-casing every line of
	// every document was the parse's largest allocation), and only when
	// the first rune may start a prefix: most lines are not a title.
	maybePrefix := prefixStarts(s)
	for _, p := range reportPrefixes {
		if !maybePrefix {
			break
		}
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) && boundaryAt(s, len(p)) {
			s = strings.TrimLeftFunc(s[len(p):], func(r rune) bool { return unicode.IsSpace(r) || r == ':' })
			break
		}
	}
	s = skipWeekday(s)
	d, n, res, yearless := parseDateAt(s, ref)
	switch res {
	case goodDate:
		if restIsShort(s[n:], yearless) {
			return d, true, false
		}
	case invalidDate:
		if restIsShort(s[n:], yearless) {
			return day.Date{}, false, true
		}
	}
	if b.Heading > 0 && utf8.RuneCountInString(text) <= maxHeadingRunes {
		return dateInside(text, ref)
	}
	return day.Date{}, false, false
}

// restIsShort decides whether what follows a date keeps the line a date line:
// nothing, a weekday, or after a full date either a comment set off by a dash,
// comma or bracket ("04.11.2026 — выходной, День народного единства") or a few
// words without a colon. A date followed by a long plain sentence is text
// ("26.11.2026 созвонился с Петровым по договору поставки").
func restIsShort(rest string, yearless bool) bool {
	trimmed := strings.TrimLeftFunc(rest, unicode.IsSpace)
	rest = strings.TrimFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ':' || r == '—' || r == '–'
	})
	if rest == "" {
		return true
	}
	if w, lw := wordAt(rest, 0); isWeekday(w) && strings.TrimFunc(rest[lw:], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) == "" {
		return true
	}
	if yearless || strings.ContainsRune(rest, ':') {
		return false
	}
	if first, _ := utf8.DecodeRuneInString(trimmed); strings.ContainsRune("—–-,(", first) {
		return true
	}
	return len(strings.Fields(rest)) <= maxShortRest
}

// dateInside finds a date anywhere in a short heading ("Ежедневный отчёт — 26.11.2026").
func dateInside(text string, ref day.Date) (day.Date, bool, bool) {
	prevLetterOrDigit := false
	for i, r := range text {
		if !prevLetterOrDigit && (unicode.IsDigit(r) || unicode.IsLetter(r)) {
			if d, _, res, _ := parseDateAt(text[i:], ref); res != noDate {
				return d, res == goodDate, res == invalidDate
			}
		}
		prevLetterOrDigit = unicode.IsDigit(r) || unicode.IsLetter(r)
	}
	return day.Date{}, false, false
}

// Sections splits the document into day sections in order of first appearance.
// Blocks before the first date line are ignored. A day that appears twice is
// read as one section (with a warning). ref resolves dates written without a
// year (the day being read, or today).
func (d *Document) Sections(ref day.Date) ([]Section, []Warning) {
	var (
		out   []Section
		warns []Warning
		cur   = -1
		index = map[day.Date]int{}
		// end is, per section, where its blocks end in d.Blocks while they
		// are one run of it (-1 after a repeated day merged in): a run is
		// a slice of the document's blocks, not a copy of them.
		end []int
	)
	for i, b := range d.Blocks {
		date, ok, invalid := SectionDate(b, ref)
		if invalid {
			text, loc, _ := blockText(b)
			warns = append(warns, Warning{Code: WarnBadDate, Loc: loc, Value: strings.TrimSpace(text)})
			cur = -1 // the lines under a non-existent day belong to no day
			continue
		}
		if ok {
			if i, seen := index[date]; seen {
				out[i].Repeats = append(out[i].Repeats, b.Loc)
				warns = append(warns, Warning{Code: WarnRepeatedDate, Loc: b.Loc, Value: date.String()})
				cur = i
				continue
			}
			index[date] = len(out)
			cur = len(out)
			out = append(out, Section{Date: date, Start: b.Loc})
			end = append(end, i+1)
			continue
		}
		if cur < 0 {
			continue
		}
		if end[cur] == i {
			start := i - len(out[cur].Blocks)
			out[cur].Blocks = d.Blocks[start : i+1 : i+1]
			end[cur] = i + 1
			continue
		}
		out[cur].Blocks = append(out[cur].Blocks, b) // the capped run is copied, never overwritten
		end[cur] = -1
	}
	return out, warns
}

// Find returns the section for date.
func Find(sections []Section, date day.Date) (Section, bool) {
	for _, s := range sections {
		if s.Date == date {
			return s, true
		}
	}
	return Section{}, false
}

// Newest returns the section with the latest date.
func Newest(sections []Section) (Section, bool) {
	if len(sections) == 0 {
		return Section{}, false
	}
	best := sections[0]
	for _, s := range sections[1:] {
		if s.Date.After(best.Date) {
			best = s
		}
	}
	return best, true
}
