package gdoc

import (
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

// Convert turns a Docs API document into the neutral document model.
//
// Every tab is read, nested tabs depth-first in the order the API lists them;
// a document fetched without includeTabsContent (no Tabs) is read from its Body.
// Paragraphs become Paragraph blocks located by their 1-based index among the
// tab's paragraphs (a soft line break, Shift+Enter, splits one into several
// blocks at the same location); HEADING_1…6 give the heading level, TITLE
// counts as level 1 and SUBTITLE as level 2. Tables become Row blocks located
// by table and row number, one cell per Docs cell (a cell's paragraphs joined
// by newlines); a table laid out one day per row or transposed is read as a
// grid, exactly as pkg/document reads a Markdown table, and a pinned header row
// (the Docs counterpart of the Markdown |---| separator) is marked Header. A
// one-column table is a text box: its lines are read as paragraphs. The tab
// title is in every location when the document has more than one tab.
//
// Person chips read as the person's name (or email), rich links as their
// title, date chips as their display text; a paragraph that is a date line by
// virtue of a date chip carries the chip's date, so it starts a day section
// whatever the chip's display format. Dropdown and file chips are what the
// API does not give: in real documents they are not among a paragraph's
// elements at all, only a gap in the element indexes shows where one stood
// (the client library has a dropdown element, and it is read as its chosen
// value should the API ever send it). So a value picked from a dropdown is
// never read; a line whose text ends where such a gap is (a label such as
// "Статус:" followed by a chip) gets a WarnChipNotRead warning at its
// location, so that the employee learns to type the value instead. Suggested insertions
// are dropped and suggested deletions kept, as if every suggestion were
// rejected. Page numbers, page breaks, images, footnote marks and equations
// are ignored, and so is a table of contents (it repeats the headings).
func Convert(d *docs.Document, ref day.Date) (*document.Document, []document.Warning) {
	out := &document.Document{}
	if d == nil {
		return out, nil
	}
	out.Title = d.Title
	var bodies []tabBody
	collectTabs(d.Tabs, &bodies)
	if len(bodies) == 0 && d.Body != nil {
		bodies = append(bodies, tabBody{body: d.Body})
	}
	named := len(bodies) > 1
	var warns []document.Warning
	for _, tb := range bodies {
		c := converter{ref: ref}
		if named {
			c.tab = tb.title
		}
		c.content(tb.body)
		out.Blocks = append(out.Blocks, c.blocks...)
		warns = append(warns, c.warns...)
	}
	return out, warns
}

type tabBody struct {
	title string
	body  *docs.Body
}

// collectTabs lists the tabs depth-first: a tab, then its children, then its
// next sibling — the order of the tab outline in the Docs sidebar.
func collectTabs(tabs []*docs.Tab, out *[]tabBody) {
	for _, t := range tabs {
		if t == nil {
			continue
		}
		if t.DocumentTab != nil {
			title := ""
			if p := t.TabProperties; p != nil {
				title = strings.TrimSpace(p.Title)
				if title == "" {
					title = p.TabId
				}
			}
			*out = append(*out, tabBody{title: title, body: t.DocumentTab.Body})
		}
		collectTabs(t.ChildTabs, out)
	}
}

// converter turns the body of one tab into blocks.
type converter struct {
	tab    string
	ref    day.Date
	para   int // paragraphs so far (the Line of the next one)
	tables int // tables so far
	blocks []document.Block
	warns  []document.Warning
}

func (c *converter) content(b *docs.Body) {
	if b == nil {
		return
	}
	for _, el := range b.Content {
		switch {
		case el == nil:
		case el.Paragraph != nil:
			c.paragraph(el.Paragraph)
		case el.Table != nil:
			c.table(el.Table)
		}
	}
}

func (c *converter) paragraph(p *docs.Paragraph) {
	lines, ok := renderParagraph(p)
	if !ok {
		return
	}
	c.para++
	loc := document.Location{Tab: c.tab, Line: c.para}
	for _, l := range lines {
		c.blocks = append(c.blocks, l.block(loc, c.ref))
		c.chipGap(l, loc)
	}
}

// chipGap warns when line l ends where the API left out a chip.
func (c *converter) chipGap(l line, loc document.Location) {
	if l.chipGap {
		c.warns = append(c.warns, document.Warning{Code: document.WarnChipNotRead, Loc: loc, Value: strings.TrimSpace(l.text)})
	}
}

// tableRow is a table row that survived suggestion filtering.
type tableRow struct {
	cells  [][]line
	header bool
}

func (c *converter) table(t *docs.Table) {
	if len(t.SuggestedInsertionIds) > 0 {
		return
	}
	c.tables++
	n := c.tables
	var (
		rows  []tableRow
		width int
	)
	for _, tr := range t.TableRows {
		if tr == nil || len(tr.SuggestedInsertionIds) > 0 {
			continue
		}
		var cells [][]line
		for _, tc := range tr.TableCells {
			if tc == nil || len(tc.SuggestedInsertionIds) > 0 {
				continue
			}
			cells = append(cells, cellLines(tc.Content))
		}
		width = max(width, len(cells))
		rows = append(rows, tableRow{cells: cells, header: tr.TableRowStyle != nil && tr.TableRowStyle.TableHeader})
	}
	rowLoc := func(r int) document.Location { return document.Location{Tab: c.tab, Table: n, Row: r + 1} }
	for r, row := range rows {
		for _, cell := range row.cells {
			for _, l := range cell {
				c.chipGap(l, rowLoc(r))
			}
		}
	}
	if width <= 1 {
		// A text box: one cell per row, read line by line.
		for r, row := range rows {
			for _, cell := range row.cells {
				for _, l := range cell {
					c.blocks = append(c.blocks, l.block(rowLoc(r), c.ref))
				}
			}
		}
		return
	}
	grid := make([][]any, len(rows))
	for r, row := range rows {
		grid[r] = make([]any, len(row.cells))
		for k, cell := range row.cells {
			grid[r][k] = cellValue(cell)
		}
	}
	// FromGrid recognises the day-per-row and transposed layouts as it does
	// for Markdown tables; anything else comes back as one Row per grid row.
	doc, warns := document.FromGrid(grid, "", c.ref)
	relocate := func(l document.Location) document.Location {
		if r, ok := a1Row(l.Cell); ok {
			return rowLoc(r)
		}
		return document.Location{Tab: c.tab, Table: n}
	}
	plain := len(doc.Blocks) == len(grid)
	for _, b := range doc.Blocks {
		if b.Kind == document.Paragraph {
			plain = false
		}
	}
	for i, b := range doc.Blocks {
		b.Loc = relocate(b.Loc)
		for k := range b.Cells {
			b.Cells[k].Loc = relocate(b.Cells[k].Loc)
		}
		if plain {
			b.Header = rows[i].header
		}
		c.blocks = append(c.blocks, b)
	}
	for _, w := range warns {
		w.Loc = relocate(w.Loc)
		c.warns = append(c.warns, w)
	}
}

// a1Row returns the zero-based row of an A1 reference ("B7" → 6).
func a1Row(ref string) (int, bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	n, err := strconv.Atoi(ref[i:])
	if err != nil || n < 1 {
		return 0, false
	}
	return n - 1, true
}

// cellLines renders the content of a table cell: its paragraphs, and the rows
// of a nested table as "a | b" lines.
func cellLines(content []*docs.StructuralElement) []line {
	var out []line
	for _, el := range content {
		switch {
		case el == nil:
		case el.Paragraph != nil:
			if lines, ok := renderParagraph(el.Paragraph); ok {
				out = append(out, lines...)
			}
		case el.Table != nil && len(el.Table.SuggestedInsertionIds) == 0:
			for _, tr := range el.Table.TableRows {
				if tr == nil || len(tr.SuggestedInsertionIds) > 0 {
					continue
				}
				var parts []string
				for _, tc := range tr.TableCells {
					if tc == nil || len(tc.SuggestedInsertionIds) > 0 {
						continue
					}
					if t := strings.TrimSpace(joinText(cellLines(tc.Content))); t != "" {
						parts = append(parts, t)
					}
				}
				t := strings.Join(parts, " | ")
				out = append(out, line{text: t, canon: t})
			}
		}
	}
	return out
}

// cellValue is a cell's text for the grid. A cell holding nothing but a date
// chip gives the chip's date in a form pkg/document reads whatever the chip's
// display format.
func cellValue(lines []line) string {
	if len(lines) == 1 && !lines[0].chip.IsZero() {
		if d, ok := document.ParseDate(lines[0].canon, day.Date{}); ok && d == lines[0].chip {
			return lines[0].canon
		}
	}
	return joinText(lines)
}

func joinText(lines []line) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = l.text
	}
	return strings.Join(parts, "\n")
}

// line is one line of a paragraph (paragraphs split at soft line breaks).
type line struct {
	text    string   // as the reader sees it
	canon   string   // date chips written as DD.MM.YYYY
	heading int      // heading level of the paragraph
	chip    day.Date // the date of the line's first date chip
	// chipGap: the line has text and ends where the API left an element
	// out (a dropdown or file chip: a gap in the indexes).
	chipGap bool
}

// block makes a Paragraph block of the line. A line that is a date line when
// its date chip is read as DD.MM.YYYY carries the chip's date.
func (l line) block(loc document.Location, ref day.Date) document.Block {
	b := document.Block{Kind: document.Paragraph, Text: l.text, Heading: l.heading, Loc: loc}
	if !l.chip.IsZero() {
		probe := b
		probe.Text = l.canon
		if d, ok, _ := document.SectionDate(probe, ref); ok && d == l.chip {
			b.Date = l.chip
		}
	}
	return b
}

// headingLevel maps a named paragraph style to a heading level.
func headingLevel(s *docs.ParagraphStyle) int {
	if s == nil {
		return 0
	}
	switch s.NamedStyleType {
	case "TITLE":
		return 1
	case "SUBTITLE":
		return 2
	}
	if lvl, ok := strings.CutPrefix(s.NamedStyleType, "HEADING_"); ok {
		if n, err := strconv.Atoi(lvl); err == nil && n >= 1 && n <= 6 {
			return n
		}
	}
	return 0
}

// lineBuilder accumulates one line of a paragraph.
type lineBuilder struct {
	text, canon strings.Builder
	chip        day.Date
	gapAtEnd    bool // nothing was written since an index gap
}

// write adds text to the line; visible text after a gap means the line does
// not end at it.
func (b *lineBuilder) write(text, canon string) {
	b.text.WriteString(text)
	b.canon.WriteString(canon)
	if strings.TrimSpace(text) != "" {
		b.gapAtEnd = false
	}
}

// renderParagraph renders a paragraph's elements as lines. ok is false for a
// paragraph that exists only as a suggested insertion.
func renderParagraph(p *docs.Paragraph) ([]line, bool) {
	heading := headingLevel(p.ParagraphStyle)
	cur := &lineBuilder{}
	var builders []*lineBuilder
	suggestedOnly := len(p.Elements) > 0
	var end int64 = -1 // the furthest index an element reached so far
	for _, e := range p.Elements {
		if e == nil {
			continue
		}
		// Elements tile the paragraph's indexes; a gap is an element the
		// API left out (a dropdown or file chip).
		if end >= 0 && e.StartIndex > end {
			cur.gapAtEnd = true
		}
		end = max(end, e.EndIndex)
		text, canon, chip, inserted := elementText(e)
		if inserted {
			continue
		}
		suggestedOnly = false
		if chip.IsZero() {
			// Text runs: "\n" ends the paragraph, "\v" is a soft line break.
			for _, r := range text {
				switch r {
				case '\n', '\r':
				case '\v', '\u2028':
					builders = append(builders, cur)
					cur = &lineBuilder{}
				default:
					cur.write(string(r), string(r))
				}
			}
			continue
		}
		cur.write(text, canon)
		if cur.chip.IsZero() {
			cur.chip = chip
		}
	}
	if suggestedOnly {
		return nil, false
	}
	builders = append(builders, cur)
	out := make([]line, len(builders))
	for i, b := range builders {
		text := b.text.String()
		out[i] = line{text: text, canon: b.canon.String(), heading: heading, chip: b.chip,
			chipGap: b.gapAtEnd && strings.TrimSpace(text) != ""}
	}
	return out, true
}

// elementText renders one paragraph element. canon differs from text only for
// a date chip, whose date is returned too. inserted reports a suggested
// insertion, which is left out.
func elementText(e *docs.ParagraphElement) (text, canon string, chip day.Date, inserted bool) {
	switch {
	case e.TextRun != nil:
		return e.TextRun.Content, e.TextRun.Content, day.Date{}, len(e.TextRun.SuggestedInsertionIds) > 0
	case e.Person != nil:
		var t string
		if pp := e.Person.PersonProperties; pp != nil {
			t = pp.Name
			if strings.TrimSpace(t) == "" {
				t = pp.Email
			}
		}
		return t, t, day.Date{}, len(e.Person.SuggestedInsertionIds) > 0
	case e.RichLink != nil:
		var t string
		if rp := e.RichLink.RichLinkProperties; rp != nil {
			t = rp.Title
			if strings.TrimSpace(t) == "" {
				t = rp.Uri
			}
		}
		return t, t, day.Date{}, len(e.RichLink.SuggestedInsertionIds) > 0
	case e.Dropdown != nil:
		var t string
		if dp := e.Dropdown.DropdownProperties; dp != nil {
			t = dp.DisplayValue
		}
		return t, t, day.Date{}, len(e.Dropdown.SuggestedInsertionIds) > 0
	case e.DateElement != nil:
		text, canon, chip = dateChip(e.DateElement.DateElementProperties)
		return text, canon, chip, len(e.DateElement.SuggestedInsertionIds) > 0
	}
	// autoText (page numbers), page and column breaks, inline images, footnote
	// references, equations, horizontal rules: no text of the report.
	return "", "", day.Date{}, false
}

// dateChip renders a date chip: its display text, and DD.MM.YYYY of its date.
func dateChip(p *docs.DateElementProperties) (text, canon string, d day.Date) {
	if p == nil {
		return "", "", day.Date{}
	}
	text = p.DisplayText
	d, ok := chipDate(p)
	if !ok {
		return text, text, day.Date{}
	}
	canon = d.Time(time.UTC).Format("02.01.2006")
	if strings.TrimSpace(text) == "" {
		text = canon
	}
	return text, canon, d
}

// chipDate reads the day a date chip names: its timestamp in its time zone,
// or its display text when the timestamp is missing. When both are there and
// the display text reads as the next or previous day, the timestamp was
// midnight in another zone than the one recorded and the display text wins.
func chipDate(p *docs.DateElementProperties) (day.Date, bool) {
	shown, shownOK := document.ParseDate(p.DisplayText, day.Date{})
	at, ok := chipTime(p.Timestamp)
	if !ok {
		return shown, shownOK
	}
	loc := time.UTC
	if p.TimeZoneId != "" {
		if l, err := time.LoadLocation(p.TimeZoneId); err == nil {
			loc = l
		}
	}
	d := day.Of(at.In(loc))
	if shownOK && shown != d {
		if diff := d.DaysUntil(shown); diff == 1 || diff == -1 {
			return shown, true
		}
	}
	return d, true
}

// chipTime parses a google-datetime (RFC 3339), or seconds since the epoch.
func chipTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(int64(f), 0).UTC(), true
	}
	return time.Time{}, false
}
