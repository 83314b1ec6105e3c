package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckRefusesReportsOverTheBudgets: a CSV of a million rows (32 MB)
// used to take 11 GB and a minute in `check --file`; it is now refused at
// the line where the cell budget runs out, before the rest is read, and so
// is a text of 300 000 lines. Both exit 1 with the place.
func TestCheckRefusesReportsOverTheBudgets(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "anna.csv")
	require.NoError(t, os.WriteFile(csvPath, millionRowCSV(), 0o644))
	code, _, stderr := execCLI(t, "check", "--file", csvPath, "--now", "2026-11-26T20:00:00+03:00")
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "anna.csv: line 12501: the report is too large: more than 100000 cells")

	txtPath := filepath.Join(dir, "boris.txt")
	require.NoError(t, os.WriteFile(txtPath, []byte(strings.Repeat("Звонки: 1\n", 300_000)), 0o644))
	code, _, stderr = execCLI(t, "check", "--file", txtPath, "--now", "2026-11-26T20:00:00+03:00")
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "boris.txt: line 200001: the report is too large: more than 200000 lines")
}

// millionRowCSV is the CSV of a million rows, one a day. Appended by hand:
// a million fmt.Fprintf calls were most of the test's CPU (under -race,
// minutes at load 20); the bytes are those of
// fmt.Sprintf("%02d.%02d.20%02d;%d;%d;%d;%d;%d;%d;ок\n", 1+i%28, 1+i/28%12,
// i/336%100, i%50, i%20, i%7, i%5, i%3, i%2) for each i.
func millionRowCSV() []byte {
	b := make([]byte, 0, 33<<20)
	b = append(b, "Дата;Новые звонки;Повторные звонки;Встречи;КП;Счета;Оплаты;Комментарий\n"...)
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	for i := range 1_000_000 {
		b = two(b, 1+i%28)
		b = append(b, '.')
		b = two(b, 1+i/28%12)
		b = append(b, ".20"...)
		b = two(b, i/336%100)
		for _, n := range []int{i % 50, i % 20, i % 7, i % 5, i % 3, i % 2} {
			b = append(b, ';')
			b = strconv.AppendInt(b, int64(n), 10)
		}
		b = append(b, ";ок\n"...)
	}
	return b
}
