package document

import (
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// splitLines splits text into lines, accepting \n, \r\n and \r endings and
// dropping a leading byte-order mark.
func splitLines(text string) []string {
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// FromText reads plain text: every line is a paragraph located by its line number.
func FromText(text string) *Document {
	lines := splitLines(text)
	doc := &Document{Blocks: make([]Block, 0, len(lines))}
	for i, line := range lines {
		doc.Blocks = append(doc.Blocks, Block{Kind: Paragraph, Text: line, Loc: Location{Line: i + 1}})
	}
	return doc
}

// FromMarkdown reads Markdown: "#" headings carry their level, pipe tables become
// rows (the header row is marked, the |---| separator dropped), and a table whose
// header has a date column ("Дата"/"Date") is read as one day per row. ref resolves
// year-less dates in such a table.
func FromMarkdown(text string, ref day.Date) *Document {
	lines := splitLines(text)
	doc := &Document{Blocks: make([]Block, 0, len(lines))}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if isTableLine(line) {
			j := i
			for j < len(lines) && isTableLine(lines[j]) {
				j++
			}
			doc.Blocks = append(doc.Blocks, markdownTable(lines[i:j], i+1, ref)...)
			i = j - 1
			continue
		}
		level, rest := markdownHeading(line)
		doc.Blocks = append(doc.Blocks, Block{Kind: Paragraph, Text: rest, Heading: level, Loc: Location{Line: i + 1}})
	}
	return doc
}

func markdownHeading(line string) (int, string) {
	t := strings.TrimLeft(line, " ")
	n := 0
	for n < len(t) && n < 7 && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return 0, line
	}
	return n, strings.TrimSpace(strings.TrimRight(strings.TrimSpace(t[n:]), "#"))
}

func isTableLine(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) > 1 && t[0] == '|'
}

// splitTableRow splits "| a | b \| c |" into cells, honouring \| escapes.
func splitTableRow(line string) []string {
	t := strings.TrimSpace(line)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	var cells []string
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '\\' && i+1 < len(t) && t[i+1] == '|':
			b.WriteByte('|')
			i++
		case t[i] == '|':
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(t[i])
		}
	}
	return append(cells, strings.TrimSpace(b.String()))
}

func isSeparatorRow(cells []string) bool {
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" || strings.Trim(c, ":-") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return len(cells) > 0
}

// markdownTable turns table lines (first at line number first) into blocks.
func markdownTable(lines []string, first int, ref day.Date) []Block {
	type row struct {
		cells []string
		line  int
	}
	var rows []row
	headerRow := -1
	for k, l := range lines {
		cells := splitTableRow(l)
		if isSeparatorRow(cells) {
			if k == 1 {
				headerRow = 0
			}
			continue
		}
		rows = append(rows, row{cells: cells, line: first + k})
	}
	grid := make([][]any, len(rows))
	for k, r := range rows {
		grid[k] = make([]any, len(r.cells))
		for c, v := range r.cells {
			grid[k][c] = v
		}
	}
	loc := func(r, _ int) Location { return Location{Line: rows[r].line} }
	if blocks, ok := dayPerRowBlocks(grid, ref, loc); ok {
		return blocks
	}
	out := make([]Block, 0, len(rows))
	for k, r := range rows {
		cells := make([]Cell, len(r.cells))
		for c, v := range r.cells {
			cells[c] = Cell{Text: v, Loc: Location{Line: r.line}}
		}
		b := NewRow(cells, Location{Line: r.line})
		b.Header = k == headerRow
		out = append(out, b)
	}
	return out
}
