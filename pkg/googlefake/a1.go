package googlefake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// unbounded marks an open end of a range ("A:B" has no last row).
const unbounded = -1

// a1 is a parsed A1 range on a tab: rows r0..r1 and columns c0..c1, ends
// exclusive (unbounded when open); single when written as one cell.
type a1 struct {
	tab            *tab
	r0, c0, r1, c1 int64
	single         bool
}

// parseA1 reads a range the way the Sheets API does: "Sheet!A1:B2",
// "'Q1/Q2'!A:B", "'It”s'!A1", "Лист1" (a whole tab), "A1:C3" (on the first
// tab), open ends ("A5:B", "A:B", "2:3"), $-anchors. Sheet names match
// case-insensitively.
func (b *spreadsheet) parseA1(rng string) (a1, error) {
	name, cells, hasSheet, err := splitA1(rng)
	if err != nil {
		return a1{}, err
	}
	var t *tab
	switch {
	case hasSheet:
		t = b.tabByTitle(name)
		if t == nil {
			return a1{}, fmt.Errorf("no sheet %q", name)
		}
	case cells == "":
		return a1{}, errors.New("empty range")
	default:
		// No "!": a tab's name if there is such a tab, else cells on the
		// first tab.
		if t = b.tabByTitle(cells); t != nil {
			cells = ""
		} else if len(b.tabs) > 0 {
			t = b.tabs[0]
		} else {
			return a1{}, errors.New("no sheets")
		}
	}
	out := a1{tab: t, r0: 0, c0: 0, r1: unbounded, c1: unbounded}
	if cells == "" {
		return out, nil
	}
	from, to, isPair := strings.Cut(cells, ":")
	fc, fr, err := parseCellRef(from)
	if err != nil {
		return a1{}, err
	}
	if !isPair {
		switch {
		case fc >= 0 && fr >= 0:
			return a1{tab: t, r0: fr, c0: fc, r1: fr + 1, c1: fc + 1, single: true}, nil
		case fc >= 0:
			out.c0, out.c1 = fc, fc+1
		default:
			out.r0, out.r1 = fr, fr+1
		}
		return out, nil
	}
	tc, tr, err := parseCellRef(to)
	if err != nil {
		return a1{}, err
	}
	// A column-only start ("A:B") and a row-only start ("2:3") need the
	// same kind of end.
	if (fr < 0 && tr >= 0 && fc >= 0 && tc < 0) || (fc < 0 && tc >= 0 && fr >= 0 && tr < 0) {
		return a1{}, errors.New("mixed range ends")
	}
	out.c0, out.r0 = max(fc, 0), max(fr, 0)
	if tc >= 0 {
		out.c1 = tc + 1
	}
	if tr >= 0 {
		out.r1 = tr + 1
	}
	if out.c1 != unbounded && out.c1 <= out.c0 {
		out.c0, out.c1 = out.c1-1, out.c0+1
	}
	if out.r1 != unbounded && out.r1 <= out.r0 {
		out.r0, out.r1 = out.r1-1, out.r0+1
	}
	return out, nil
}

// splitA1 separates the sheet name (unquoted) from the cells part.
func splitA1(rng string) (name, cells string, hasSheet bool, err error) {
	if strings.HasPrefix(rng, "'") {
		var b strings.Builder
		i := 1
		for {
			if i >= len(rng) {
				return "", "", false, errors.New("unterminated quote")
			}
			if rng[i] == '\'' {
				if i+1 < len(rng) && rng[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				i++
				break
			}
			b.WriteByte(rng[i])
			i++
		}
		rest := rng[i:]
		if rest == "" {
			return b.String(), "", true, nil
		}
		if rest[0] != '!' {
			return "", "", false, errors.New("expected ! after the sheet name")
		}
		return b.String(), rest[1:], true, nil
	}
	if i := strings.LastIndexByte(rng, '!'); i >= 0 {
		return rng[:i], rng[i+1:], true, nil
	}
	return "", rng, false, nil
}

// parseCellRef reads "B12", "$B$12", "B" or "12": the 0-based column and row,
// -1 for the missing part.
func parseCellRef(ref string) (col, row int64, err error) {
	ref = strings.ReplaceAll(strings.TrimSpace(ref), "$", "")
	if ref == "" {
		return 0, 0, errors.New("empty cell reference")
	}
	i := 0
	col = -1
	for i < len(ref) && isLetter(ref[i]) {
		if col < 0 {
			col = 0
		}
		c := ref[i] | 0x20 // lower case
		col = col*26 + int64(c-'a'+1)
		if col > 18278 { // ZZZ
			return 0, 0, fmt.Errorf("bad column in %q", ref)
		}
		i++
	}
	if col > 0 {
		col--
	}
	row = -1
	if i < len(ref) {
		n, err := strconv.ParseInt(ref[i:], 10, 64)
		if err != nil || n < 1 {
			return 0, 0, fmt.Errorf("bad row in %q", ref)
		}
		row = n - 1
	}
	if col < 0 && row < 0 {
		return 0, 0, fmt.Errorf("bad cell reference %q", ref)
	}
	return col, row, nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// colName turns a 0-based column into letters: 0 → A, 26 → AA.
func colName(c int64) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b)
}

// quoteSheet writes a sheet name as the API echoes it: bare when it is a
// plain identifier that cannot be mistaken for a cell, quoted (with ”
// for ') otherwise.
func quoteSheet(name string) string {
	plain := name != ""
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isLetter(c) && c != '_' && (i == 0 || c < '0' || c > '9') {
			plain = false
			break
		}
	}
	if plain {
		if _, _, err := parseCellRef(name); err == nil && looksLikeCell(name) {
			plain = false
		}
	}
	if plain {
		return name
	}
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// looksLikeCell reports whether name is letters followed by digits (A1, AB12).
func looksLikeCell(name string) bool {
	i := 0
	for i < len(name) && isLetter(name[i]) {
		i++
	}
	if i == 0 || i == len(name) || i > 3 {
		return false
	}
	for _, c := range []byte(name[i:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// clamp bounds the range to the tab's grid; a start outside it is an error
// like the API's "exceeds grid limits".
func (r a1) clamp() (a1, error) {
	rows, cols := r.tab.gridSize()
	if r.r0 >= rows || r.c0 >= cols {
		return r, apiErrorf("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d", r.String(), rows, cols)
	}
	if r.r1 == unbounded || r.r1 > rows {
		r.r1 = rows
	}
	if r.c1 == unbounded || r.c1 > cols {
		r.c1 = cols
	}
	return r, nil
}

// String writes the range as the API echoes it ("'Q1/Q2'!A1:Z1000"); open
// ends print as such.
func (r a1) String() string {
	s := quoteSheet(r.tab.props.Title) + "!"
	if r.single {
		return s + colName(r.c0) + strconv.FormatInt(r.r0+1, 10)
	}
	end := ""
	if r.c1 != unbounded {
		end = colName(r.c1 - 1)
	}
	if r.r1 != unbounded {
		end += strconv.FormatInt(r.r1, 10)
	}
	return s + colName(r.c0) + strconv.FormatInt(r.r0+1, 10) + ":" + end
}
