package report

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// foldRune maps a rune for label comparison: lower case, ё→е, every kind of
// space to ' '. It returns -1 for runes that are dropped (zero-width, BOM).
func foldRune(r rune) rune {
	// Fast paths for what reports are written in: ASCII and the Russian
	// alphabet (unicode.ToLower and IsSpace search tables otherwise).
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if r == ' ' || '\t' <= r && r <= '\r' {
			return ' '
		}
		return r
	case 'А' <= r && r <= 'Я':
		return r + 'а' - 'А'
	case 'а' <= r && r <= 'я':
		return r
	}
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return -1
	case 'ё', 'Ё':
		return 'е'
	}
	if isSpace(r) {
		return ' '
	}
	return unicode.ToLower(r)
}

// isSpace is unicode.IsSpace plus the spaces people paste from documents that
// IsSpace leaves out (narrow no-break, figure space and friends are covered; the
// zero-width ones are dropped by foldRune instead).
func isSpace(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == ' ' || '\t' <= r && r <= '\r'
	case r < '\u1680': // the first space past Latin-1: Cyrillic is not searched for
		return r == '\u0085' || r == '\u00a0'
	}
	return unicode.IsSpace(r) || r == '\u202f' || r == '\u2007' || r == '\u2009'
}

// NormalizeLabel is the comparison form of a label: folded (see foldRune), runs of
// spaces collapsed, surrounding spaces and punctuation and a trailing colon
// trimmed. A closing bracket stays when the label opens one ("КП (заинтересованные)").
func NormalizeLabel(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		f := foldRune(r)
		switch {
		case f < 0:
		case f == ' ':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(f)
		}
	}
	out := b.String()
	hasOpen := strings.ContainsAny(out, "([")
	return strings.TrimFunc(out, func(r rune) bool {
		if hasOpen && (r == ')' || r == ']') {
			return false
		}
		return unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' '
	})
}

// folded is a line in comparison form with, for each folded rune, the byte offset
// of the raw rune it came from, so a match can be mapped back to the raw text.
type folded struct {
	runes []rune
	offs  []int // len(runes)+1 entries; the last is len(raw)
}

// foldLineInto folds a line (see folded), appending to runes and offs: the
// caller's buffers, on its stack for a line of ordinary length, so that no
// line allocates. It folds at most limit runes (all of them when limit < 0)
// and reports whether the line goes on past them; then the last offset is
// that of the raw rune the next folded one would come from.
func foldLineInto(raw string, limit int, runes []rune, offs []int) (f folded, more bool) {
	f = folded{runes: runes[:0], offs: offs[:0]}
	space := false
	for i, r := range raw {
		c := foldRune(r)
		switch {
		case c < 0:
			continue
		case c == ' ':
			if space {
				continue
			}
			space = true
		default:
			space = false
		}
		if len(f.runes) == limit {
			f.offs = append(f.offs, i)
			return f, true
		}
		f.runes = append(f.runes, c)
		f.offs = append(f.offs, i)
	}
	f.offs = append(f.offs, len(raw))
	return f, false
}

// markerLookahead is how far past a rune listMarkerLen may look.
const markerLookahead = 5

// foldHead folds the head of a line: its list markers and at least need
// runes after them, with the rune after those, or the whole line when it is
// shorter; more reports that the line goes on past the head. It returns
// the folded head and where the markers end in it.
func foldHead(raw string, need int, runes []rune, offs []int) (f folded, start int, more bool) {
	need = max(need, markerLookahead)
	f, more = foldLineInto(raw, need+8, runes, offs)
	start = skipMarkers(f.runes)
	if more && start+need >= len(f.runes) {
		// Markers go on past the head (or "1. 2. 3. …"): fold it all.
		f, _ = foldLineInto(raw, -1, runes, offs)
		start = skipMarkers(f.runes)
		more = false
	}
	return f, start, more
}

// matchHead is how many runes after its markers a line is folded before
// a label longer than that is compared; headBuffer holds them.
const (
	matchHead  = 32
	headBuffer = matchHead + 8
)

// foldBuffer is the line length (in runes) folded without allocating.
const foldBuffer = 160

type labelEntry struct {
	runes  []rune
	metric int
	// text is runes as a string, for the edit distance.
	text string
}

// labelIndex finds the longest template label a line starts with.
type labelIndex struct {
	byFirst map[rune][]labelEntry
	all     []labelEntry
	// exact holds every label's text: an unknown label equal to one has no
	// closer one to suggest.
	exact map[string]bool
}

func newLabelIndex(metrics []Metric) *labelIndex {
	idx := &labelIndex{byFirst: map[rune][]labelEntry{}, exact: map[string]bool{}}
	for i, m := range metrics {
		for _, l := range append(append([]string{}, m.Labels...), m.LabelsEn...) {
			n := []rune(NormalizeLabel(l))
			if len(n) == 0 {
				continue
			}
			e := labelEntry{runes: n, metric: i, text: string(n)}
			idx.byFirst[n[0]] = append(idx.byFirst[n[0]], e)
			idx.all = append(idx.all, e)
			idx.exact[e.text] = true
		}
	}
	for k := range idx.byFirst {
		list := idx.byFirst[k]
		sort.SliceStable(list, func(a, b int) bool { return len(list[a].runes) > len(list[b].runes) })
	}
	return idx
}

// isListMarker reports whether the runes at f[i:] are a leading list/emphasis
// marker and how many runes it spans: bullets, dashes, '#', '>', '*', '_',
// and numbering like "1." or "2)".
func listMarkerLen(r []rune, i int) int {
	if i >= len(r) {
		return 0
	}
	switch r[i] {
	case ' ', '\t', '*', '_', '#', '>', '-', '•', '·', '–', '—', '▪', '●', '◦', '‣', '⁃', '✓', '✔', '+', '`', '~':
		return 1
	}
	j := i
	for j < len(r) && j-i < 3 && r[j] >= '0' && r[j] <= '9' {
		j++
	}
	if j > i && j < len(r) && (r[j] == '.' || r[j] == ')') && (j+1 >= len(r) || r[j+1] == ' ') {
		return j - i + 1
	}
	return 0
}

func skipMarkers(r []rune) int {
	i := 0
	for {
		n := listMarkerLen(r, i)
		if n == 0 {
			return i
		}
		i += n
	}
}

// match finds the template label the line starts with (after list markers).
// It returns the metric index and the raw text after the label, or ok=false.
// The line is folded matchHead runes past its markers (a note of 2 000
// characters under a label is not folded past what a label could be); a
// line a longer label may start, or with more markers than that, is matched
// by matchWhole.
func (idx *labelIndex) match(raw string) (metric int, rest string, ok bool) {
	var runes [headBuffer]rune
	var offs [headBuffer + 1]int
	f, more := foldLineInto(raw, headBuffer, runes[:0], offs[:0])
	start := skipMarkers(f.runes)
	if more && start+matchHead >= len(f.runes) {
		return idx.matchWhole(raw) // markers go on past the head
	}
	if start >= len(f.runes) {
		return 0, "", false
	}
	for _, e := range idx.byFirst[f.runes[start]] {
		end := start + len(e.runes)
		if more && end >= len(f.runes) {
			// The label (or the rune after it) reaches past the head.
			if runesEqual(f.runes[start:], e.runes[:len(f.runes)-start]) {
				return idx.matchWhole(raw)
			}
			continue
		}
		if labelAt(f.runes, start, e.runes) {
			return e.metric, raw[f.offs[end]:], true
		}
	}
	return 0, "", false
}

// matchWhole is match on the whole line folded.
func (idx *labelIndex) matchWhole(raw string) (metric int, rest string, ok bool) {
	var runes [foldBuffer]rune
	var offs [foldBuffer + 1]int
	f, _ := foldLineInto(raw, -1, runes[:0], offs[:0])
	start := skipMarkers(f.runes)
	if start >= len(f.runes) {
		return 0, "", false
	}
	for _, e := range idx.byFirst[f.runes[start]] {
		end := start + len(e.runes)
		if labelAt(f.runes, start, e.runes) {
			return e.metric, raw[f.offs[end]:], true
		}
	}
	return 0, "", false
}

// labelAt reports whether label stands at line[start:] as a whole word:
// the label's runes, then the line's end or a rune that is neither a letter
// nor a digit.
func labelAt(line []rune, start int, label []rune) bool {
	end := start + len(label)
	if end > len(line) || !runesEqual(line[start:end], label) {
		return false
	}
	return end == len(line) || !unicode.IsLetter(line[end]) && !unicode.IsDigit(line[end])
}

func runesEqual(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// valueAfterLabel strips what separates a label from its value: spaces,
// Markdown emphasis, then one separator (":", "=", "|", or a dash followed by a
// space), and the same padding again. A dash directly before a digit is a minus
// sign, not a separator ("Оплаты -3" is the value "-3").
func valueAfterLabel(rest string) string {
	s := strings.TrimLeftFunc(rest, padding)
	// A label asked as a question ("Что решил сегодня?: …").
	s = strings.TrimLeftFunc(strings.TrimLeft(s, "?？"), padding)
	if s == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case ':', '：', '=', '|':
		s = s[size:]
	case '-', '–', '—', '−':
		next, _ := utf8.DecodeRuneInString(s[size:])
		if size == len(s) || isSpace(next) || next == '*' || next == '_' {
			s = s[size:]
		}
	}
	s = strings.TrimLeftFunc(s, padding)
	return strings.TrimRightFunc(s, padding)
}

func padding(r rune) bool {
	return isSpace(r) || r == '*' || r == '_' || r == '\ufeff' || r == '\u200b'
}

// labelSeparator finds where a "Label: value" line splits, for lines whose label
// is not in the template. It accepts ":" anywhere and a dash or tab with spaces
// around it; ok is false for lines that do not look like a label at all.
func labelSeparator(raw string) (label, value string, ok bool) {
	var runes [headBuffer]rune
	var offs [headBuffer + 1]int
	f, start, _ := foldHead(raw, 0, runes[:0], offs[:0])
	body := raw[f.offs[start]:]
	cut := -1
	sepLen := 0
	if i := strings.IndexAny(body, ":："); i >= 0 {
		_, size := utf8.DecodeRuneInString(body[i:])
		cut, sepLen = i, size
	}
	for _, sep := range []string{" — ", " – ", " - ", "\t"} {
		if i := strings.Index(body, sep); i >= 0 && (cut < 0 || i < cut) {
			cut, sepLen = i, len(sep)
		}
	}
	if cut <= 0 {
		return "", "", false
	}
	label = strings.TrimFunc(body[:cut], padding)
	value = strings.TrimFunc(body[cut+sepLen:], padding)
	n := utf8.RuneCountInString(label)
	if n == 0 || n > 50 || countFields(label) > 6 {
		return "", "", false
	}
	first, _ := utf8.DecodeRuneInString(label)
	if !unicode.IsLetter(first) {
		return "", "", false
	}
	return label, value, true
}

// countFields is len(strings.Fields(s)), without the slice.
func countFields(s string) int {
	n, inField := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !inField {
			n++
		}
		inField = !space
	}
	return n
}

// labelContinues reads a text metric's line whose label goes on past the
// template's label before its colon ("Решённые задачи и что это даст: X"):
// the value is what follows the colon. rest is the raw text after the matched
// label; ok is false when rest starts with its own separator or the words
// before a colon are too many to be part of a label.
func labelContinues(rest string) (value string, ok bool) {
	s := strings.TrimLeftFunc(rest, padding)
	if first, _ := utf8.DecodeRuneInString(s); s == "" || strings.ContainsRune(":：=|-–—−", first) {
		return "", false
	}
	i := strings.IndexAny(s, ":：")
	if i < 0 {
		return "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	more := strings.TrimFunc(s[:i], padding)
	words := strings.Fields(NormalizeLabel(more))
	if utf8.RuneCountInString(more) > 50 || len(words) == 0 || len(words) > 6 ||
		!labelJoiners[words[0]] && !strings.HasPrefix(more, "(") {
		return "", false
	}
	value = strings.TrimFunc(s[i+size:], padding)
	return value, value != ""
}

// labelJoiners start the words that lengthen a label ("Решённые задачи и что
// это даст"); any other word after a label is the value itself.
var labelJoiners = map[string]bool{"и": true, "а": true, "также": true, "and": true, "&": true, "+": true}

// longLabel finds a "label: value" line whose label is too long for
// labelSeparator (more than 6 words or 50 characters), e.g. a prompt of the
// methodology the template does not know. Only a colon separates here: prose
// has dashes.
func longLabel(raw string) (label string, ok bool) {
	var runes [headBuffer]rune
	var offs [headBuffer + 1]int
	f, start, _ := foldHead(raw, 0, runes[:0], offs[:0])
	body := raw[f.offs[start]:]
	i := strings.IndexAny(body, ":：")
	if i <= 0 {
		return "", false
	}
	label = strings.TrimFunc(body[:i], padding)
	_, size := utf8.DecodeRuneInString(body[i:])
	value := strings.TrimFunc(body[i+size:], padding)
	first, _ := utf8.DecodeRuneInString(label)
	if label == "" || value == "" || !unicode.IsLetter(first) {
		return "", false
	}
	return label, true
}

// closest returns the template label nearest to an unknown one, when it is
// close enough to be a typo.
func (idx *labelIndex) closest(label string, metrics []Metric) (Metric, bool) {
	norm := NormalizeLabel(label)
	n := utf8.RuneCountInString(norm)
	// What no distance can change, decided without one: a suggestion is
	// 1 or 2 edits away and fewer than a third of the label's runes, so
	// never for a label of 3 runes or fewer, nor for one that is a label.
	if n <= 3 || idx.exact[norm] {
		return Metric{}, false
	}
	best, bestD := -1, 0
	for _, e := range idx.all {
		if diff := len(e.runes) - n; diff > 2 || diff < -2 {
			continue // at least 3 edits apart: never close enough
		}
		d := levenshtein.ComputeDistance(norm, e.text)
		if best < 0 || d < bestD {
			best, bestD = e.metric, d
		}
	}
	if best < 0 || bestD == 0 || bestD > 2 || bestD*3 >= n {
		return Metric{}, false
	}
	return metrics[best], true
}
