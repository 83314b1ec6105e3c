package xlsx

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// A stream must know a tab's measure (its rows, its columns' widths, its
// blocks) before its first row, so every tab used to be laid out twice: once
// to measure it, once to write it, and the Сводка tab's 100 000 rows of a
// team of 10 000 were read from the store twice. A tab of no blocks (the
// tables: Сводка, Отсутствия, Проверки) is nearly always measured as the
// last write measured it, so the workbook keeps each such tab's measure in
// the package's comment, and the next write takes it as a guess: it writes
// the tab on the guess, measuring the rows as they go, and when the measure
// is not the guess (a new day's rows, a wider note) the workbook is built
// again from nothing, measured first as before. A guess that holds gives
// the same bytes as the measure would (TestGuessedMeasures).

// measuresPrefix starts the package's comment.
const measuresPrefix = "dayreport-measures/1\n"

// errRemeasure ends a build whose guessed measure was wrong.
var errRemeasure = errors.New("a tab's measure is not the last write's: built again")

// guessable says whether a tab of measure m may be written on it next time.
func guessable(m measured) bool { return len(m.blocks) == 0 && len(m.titles) == 0 }

// sameMeasure says whether a tab written on guess g measured got.
func sameMeasure(g, got measured) bool {
	return g.rows == got.rows && slices.Equal(g.widths, got.widths) && guessable(got)
}

// measures are the guessable tabs' measures of a build, by tab.
type measures struct {
	names []string
	of    map[string]measured
}

func (ms *measures) add(name string, m measured) {
	if !guessable(m) {
		return
	}
	if ms.of == nil {
		ms.of = map[string]measured{}
	}
	if _, ok := ms.of[name]; !ok {
		ms.names = append(ms.names, name)
	}
	ms.of[name] = m
}

// encode is the package comment: a line per tab, its quoted name, rows and
// widths ("" when it would not fit a zip comment).
func (ms *measures) encode() string {
	if len(ms.names) == 0 {
		return ""
	}
	b := []byte(measuresPrefix)
	for _, n := range ms.names {
		m := ms.of[n]
		b = strconv.AppendQuote(b, n)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(m.rows), 10)
		for _, w := range m.widths {
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(w), 10)
		}
		b = append(b, '\n')
	}
	if len(b) > 0xffff {
		return ""
	}
	return string(b)
}

// decodeMeasures reads a package comment; nil when it holds none.
func decodeMeasures(comment string) map[string]measured {
	rest, ok := strings.CutPrefix(comment, measuresPrefix)
	if !ok {
		return nil
	}
	out := map[string]measured{}
	for line := range strings.Lines(rest) {
		line = strings.TrimSuffix(line, "\n")
		q, err := strconv.QuotedPrefix(line)
		if err != nil {
			return nil
		}
		name, err := strconv.Unquote(q)
		if err != nil {
			return nil
		}
		fields := strings.Fields(line[len(q):])
		if len(fields) == 0 {
			return nil
		}
		m := measured{titles: map[int]bool{}}
		for i, f := range fields {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 || n > 1<<24 {
				return nil
			}
			if i == 0 {
				m.rows = n
			} else {
				m.widths = append(m.widths, n)
			}
		}
		out[name] = m
	}
	return out
}
