package xlsx

import "github.com/dayreport/dayreport/pkg/summary"

// PieceRows are the rows of each tab of m laid out size items at a time,
// with the tab of no items that leads them and the widths and blocks
// measured.
func PieceRows(m *summary.Model, size int) (heads []*summary.Tab, rows [][]summary.Row, widths [][]int, blocks [][]summary.Block) {
	for _, next := range layOut(m) {
		p, err := next()
		if err != nil {
			panic(err)
		}
		p.size = size
		m := p.measure()
		n := m.rows
		widths = append(widths, m.widths)
		blocks = append(blocks, m.blocks)
		var tab []summary.Row
		for r := range p.rows() {
			tab = append(tab, r)
		}
		if n != len(tab) {
			panic("measure counts other rows")
		}
		heads = append(heads, p.head)
		rows = append(rows, tab)
	}
	return heads, rows, widths, blocks
}

// SetSpillChunk sets how much of a tab's rows a stream holds in memory
// until restore is called (not in parallel tests).
func SetSpillChunk(n int) (restore func()) {
	old := spillChunk
	spillChunk = n
	return func() { spillChunk = old }
}

// SetBufferedSave makes Write build the package in excelize's buffer before
// the file, as it did before writeTo, until restore is called (not in
// parallel tests).
func SetBufferedSave(on bool) (restore func()) {
	old := bufferedSave
	bufferedSave = on
	return func() { bufferedSave = old }
}
