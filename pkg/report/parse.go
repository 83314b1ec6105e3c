package report

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/document"
)

// Options tune Parse.
type Options struct {
	// Lang is the language of messages: "ru" (default) or "en".
	Lang string
}

// headerWords are the header cells of a "label | value" table, skipped silently.
var headerWords = map[string]bool{
	"показатель": true, "метрика": true, "параметр": true, "наименование": true,
	"значение": true, "количество": true, "кол-во": true, "итого": true,
	"metric": true, "value": true, "field": true, "count": true, "name": true,
}

// occurrence is where a metric was first given and with what.
type occurrence struct {
	raw   string
	loc   document.Location
	empty bool
	bad   bool
	x     float64
}

// seenMetric is a metric's first occurrence, when given.
type seenMetric struct {
	occ   occurrence
	given bool
}

// first returns the first occurrence of metric i and whether it was given.
func (p *parser) first(i int) (occurrence, bool) {
	if p.more != nil {
		return p.more[i].occ, p.more[i].given
	}
	return p.seen[i], p.given[i]
}

// record keeps occ as the first occurrence of metric i.
func (p *parser) record(i int, occ occurrence) {
	if p.more != nil {
		p.more[i] = seenMetric{occ, true}
		return
	}
	p.seen[i], p.given[i] = occ, true
}

// textRun collects the lines of a text metric until the next label line.
type textRun struct {
	metric int
	loc    document.Location
	lines  []string
}

type parser struct {
	t   *Template
	msg message
	rep *Report
	// seen is, per metric of the template (by index), its first
	// occurrence, when given (see first and record); in the parser itself
	// for a template of up to len(seen) metrics, else in more.
	seen  [16]occurrence
	given [16]bool
	more  []seenMetric
	// text is the running text value when inText; its lines reuse one
	// slice from run to run.
	text   textRun
	inText bool
	// dropped counts the errors and warnings found after keepWhileParsing
	// of them (a pasted log of 200 000 bad lines); finishing keeps its own.
	dropped   [2]int
	finishing bool
}

// Parse reads one day section against the template. It never fails: every
// problem becomes a located FieldError (or a warning) on the returned Report.
func Parse(t *Template, sec document.Section, opts Options) *Report {
	lang := opts.Lang
	if lang == "" {
		lang = "ru"
	}
	p := &parser{
		t:   t,
		msg: message{lang},
		rep: &Report{
			Date:     sec.Date,
			Start:    sec.Start,
			Metrics:  map[string]float64{},
			Comments: map[string]string{},
		},
	}
	if n := len(t.Metrics); n > len(p.seen) {
		p.more = make([]seenMetric, n)
	}
	for _, loc := range sec.Repeats {
		p.warn(FieldError{Code: CodeRepeatedDate, Location: loc, Value: sec.Date.String(), Message: p.msg.repeatedDate(sec.Date)})
	}
	for _, b := range sec.Blocks {
		switch b.Kind {
		case document.Paragraph:
			p.line(b.Text, b.Loc)
		case document.Row:
			p.row(b)
		}
	}
	p.finish()
	// Problems found at the end (a required metric never given) point back
	// into the text: list everything in reading order.
	slices.SortStableFunc(p.rep.Errors, byPlace)
	slices.SortStableFunc(p.rep.Warnings, byPlace)
	p.rep.Errors = p.msg.capped(p.rep.Errors, p.dropped[0], true)
	p.rep.Warnings = p.msg.capped(p.rep.Warnings, p.dropped[1], false)
	p.rep.detach()
	return p.rep
}

// detach copies every string the report took from the document: they are
// slices of the document's whole text, so one kept note or error value
// would keep the whole document alive (a pass over 10 000 employees kept
// every document, 120 MiB, through its results).
func (r *Report) detach() {
	r.Notes, r.LongTerm = strings.Clone(r.Notes), strings.Clone(r.LongTerm)
	for k, v := range r.Comments {
		r.Comments[k] = strings.Clone(v)
	}
	for _, errs := range [][]FieldError{r.Errors, r.Warnings} {
		for i := range errs {
			e := &errs[i]
			e.Field, e.Value, e.Message = strings.Clone(e.Field), cut(e.Value), strings.Clone(e.Message)
			e.Location.Tab, e.Location.Cell = strings.Clone(e.Location.Tab), strings.Clone(e.Location.Cell)
		}
	}
	r.Start.Tab, r.Start.Cell = strings.Clone(r.Start.Tab), strings.Clone(r.Start.Cell)
}

// byPlace orders errors by where they are in the document; cells of a sheet
// (no line, row or table) keep the order they were found in.
func byPlace(a, b FieldError) int {
	x, y := a.Location, b.Location
	return cmp.Or(cmp.Compare(x.Table, y.Table), cmp.Compare(x.Row, y.Row), cmp.Compare(x.Line, y.Line))
}

func (p *parser) fail(e FieldError) {
	if len(p.rep.Errors) >= keepWhileParsing && !p.finishing {
		p.dropped[0]++
		return
	}
	p.rep.Errors = append(p.rep.Errors, e)
}

func (p *parser) warn(e FieldError) {
	if len(p.rep.Warnings) >= keepWhileParsing && !p.finishing {
		p.dropped[1]++
		return
	}
	p.rep.Warnings = append(p.rep.Warnings, e)
}

// line handles one paragraph: a label line, a continuation of running text, an
// unknown label, or chatter.
func (p *parser) line(text string, loc document.Location) {
	if m, rest, ok := p.t.labels.match(text); ok {
		p.closeText()
		value := valueAfterLabel(rest)
		if p.t.Metrics[m].Type == Text {
			if v, ok := labelContinues(rest); ok {
				value = v
			}
		}
		p.assign(m, value, loc)
		return
	}
	if p.inText {
		p.text.lines = append(p.text.lines, text)
		return
	}
	if label, value, ok := labelSeparator(text); ok && value != "" {
		p.unknown(label, loc)
		return
	}
	if label, ok := longLabel(text); ok {
		// Too long for a label we could suggest a fix for, but its text
		// would be lost: say so where it is.
		p.unknown(clip(label), loc)
	}
}

func (p *parser) unknown(label string, loc document.Location) {
	if len(p.rep.Warnings) >= keepWhileParsing {
		p.dropped[1]++ // counted only: no suggestion looked for
		return
	}
	var suggestion *Metric
	if m, ok := p.t.labels.closest(label, p.t.Metrics); ok {
		suggestion = &m
	}
	p.warn(FieldError{Code: CodeUnknownLabel, Location: loc, Value: label, Message: p.msg.unknownLabel(label, suggestion)})
}

// row handles a table row: label cell, value cell.
func (p *parser) row(b document.Block) {
	if b.Header {
		return
	}
	var filled []int
	for i, c := range b.Cells {
		if strings.TrimSpace(c.Text) != "" {
			filled = append(filled, i)
		}
	}
	switch {
	case len(filled) == 0:
		if p.inText {
			p.text.lines = append(p.text.lines, "")
		}
		return
	case len(filled) == 1 && filled[0] > 0 || len(b.Cells) == 1:
		c := b.Cells[filled[0]]
		p.line(c.Text, c.Loc)
		return
	}
	labelCell := b.Cells[filled[0]]
	valueCell := document.Cell{Loc: labelCell.Loc}
	if filled[0]+1 < len(b.Cells) {
		valueCell = b.Cells[filled[0]+1]
	}
	m, rest, ok := p.t.labels.match(labelCell.Text)
	if !ok {
		if p.inText {
			p.text.lines = append(p.text.lines, b.Text)
			return
		}
		label := strings.TrimFunc(labelCell.Text, padding)
		if !headerWords[NormalizeLabel(label)] && strings.TrimSpace(valueCell.Text) != "" {
			p.unknown(label, labelCell.Loc)
		}
		return
	}
	p.closeText()
	value := strings.TrimFunc(valueCell.Text, padding)
	if value == "" {
		// "Label: value" typed into the label cell with the value cell empty.
		if v := valueAfterLabel(rest); v != "" {
			value, valueCell.Loc = v, labelCell.Loc
		}
	}
	p.assign(m, value, valueCell.Loc)
}

// assign reads the value of metric i found at loc.
func (p *parser) assign(i int, raw string, loc document.Location) {
	mt := p.t.Metrics[i]
	if mt.Type == Text {
		if p.text.lines == nil {
			p.text.lines = make([]string, 0, 4) // an answer, its next lines, a blank one
		}
		p.text = textRun{metric: i, loc: loc, lines: append(p.text.lines[:0], raw)}
		p.inText = true
		return
	}
	occ := occurrence{raw: raw, loc: loc, empty: raw == ""}
	var (
		x       float64
		comment string
		bad     *valueErr
		given   = true
	)
	switch mt.Type {
	case Count:
		if raw != "" {
			x, comment, bad = parseCount(raw)
		}
	case Rating:
		if raw != "" {
			x, comment, given, bad = parseRating(raw)
			occ.empty = !given
		}
	}
	if bad == nil && given && !occ.empty && (x < mt.Min || x > mt.Max || math.IsInf(x, 0)) {
		bad = &valueErr{CodeOutOfBounds}
	}
	occ.bad, occ.x = bad != nil, x
	if first, dup := p.first(i); dup {
		if !sameValue(first, occ) {
			p.fail(FieldError{Code: CodeDuplicate, Field: mt.Key, Location: loc, Value: raw,
				Message: p.msg.duplicate(mt, first.raw, raw, first.loc.Format(p.msg.lang))})
			delete(p.rep.Metrics, mt.Key)
		}
		return
	}
	p.record(i, occ)
	switch {
	case bad != nil:
		p.fail(FieldError{Code: bad.code, Field: mt.Key, Location: loc, Value: raw, Message: p.msg.value(bad.code, mt, raw)})
	case occ.empty:
		// Reported as empty: checked as missing in finish when required.
	default:
		p.rep.Metrics[mt.Key] = x
		if comment != "" {
			p.rep.Comments[mt.Key] = comment
		}
	}
}

// sameValue compares two occurrences of a metric: by number when both read
// as numbers ("12" and "12 шт" agree), else by normalised text.
func sameValue(a, b occurrence) bool {
	if !a.bad && !b.bad && !a.empty && !b.empty {
		return a.x == b.x
	}
	return NormalizeLabel(a.raw) == NormalizeLabel(b.raw)
}

// closeText ends a running text value and stores it.
func (p *parser) closeText() {
	if !p.inText {
		return
	}
	p.inText = false
	run := &p.text
	mt := p.t.Metrics[run.metric]
	text := joinText(run.lines)
	occ := occurrence{raw: text, loc: run.loc, empty: text == ""}
	if first, dup := p.first(run.metric); dup {
		// A text metric's occurrences are all text: compared as written.
		if first.raw != text {
			p.fail(FieldError{Code: CodeDuplicate, Field: mt.Key, Location: run.loc, Value: clip(text),
				Message: p.msg.duplicate(mt, clip(first.raw), clip(text), first.loc.Format(p.msg.lang))})
			*p.rep.text(mt.Key) = ""
		}
		return
	}
	p.record(run.metric, occ)
	if utf8.RuneCountInString(text) > mt.MaxLen {
		p.fail(FieldError{Code: CodeTooLong, Field: mt.Key, Location: run.loc, Value: clip(text), Message: p.msg.value(CodeTooLong, mt, text)})
		return
	}
	*p.rep.text(mt.Key) = text
}

// clip shortens long text for an error's Value.
func clip(s string) string {
	const maxRunes = 60
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	return string([]rune(s)[:maxRunes]) + "…"
}

// joinText trims every line, drops blank lines at both ends and collapses runs
// of blank lines inside into one.
func joinText(lines []string) string {
	if len(lines) == 1 && !strings.Contains(lines[0], "\n") {
		return strings.TrimFunc(lines[0], isSpace) // the usual one-line answer: no copy
	}
	size := 0
	for _, piece := range lines {
		size += len(piece) + 1
	}
	var b strings.Builder
	b.Grow(size)
	blank, written := false, false
	for _, piece := range lines {
		for rest, more := piece, true; more; {
			var l string
			l, rest, more = strings.Cut(rest, "\n")
			l = strings.TrimFunc(l, isSpace)
			if l == "" {
				blank = written
				continue
			}
			if written {
				b.WriteByte('\n')
			}
			if blank {
				b.WriteByte('\n')
				blank = false
			}
			b.WriteString(l)
			written = true
		}
	}
	return b.String()
}

// finish closes running text and checks required metrics and alternatives.
func (p *parser) finish() {
	p.closeText()
	p.finishing = true
	for i, mt := range p.t.Metrics {
		occ, present := p.first(i)
		if !mt.Required || present && !occ.empty {
			continue
		}
		loc := p.rep.Start
		if present {
			loc = occ.loc
		}
		p.fail(FieldError{Code: CodeMissing, Field: mt.Key, Location: loc, Message: p.msg.value(CodeMissing, mt, "")})
	}
	for _, group := range p.t.OneOf {
		p.checkOneOf(group)
	}
}

func (p *parser) checkOneOf(group []string) {
	if len(group) == 0 {
		return
	}
	loc := p.rep.Start
	emptyFound := false
	for _, k := range group {
		var (
			occ     occurrence
			present bool
		)
		if i, ok := p.t.byKey[k]; ok {
			occ, present = p.first(i)
		}
		if present && (!occ.empty || occ.bad) {
			return // given, or already reported as wrong
		}
		if present && !emptyFound {
			loc, emptyFound = occ.loc, true
		}
	}
	metrics := make([]Metric, 0, len(group))
	for _, k := range group {
		mt, _ := p.t.Metric(k)
		metrics = append(metrics, mt)
	}
	p.fail(FieldError{Code: CodeOneOf, Field: group[0], Location: loc, Message: p.msg.oneOf(metrics)})
}
