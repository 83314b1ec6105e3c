package xlsx_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dayreport/dayreport/pkg/summary/xlsx"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestOpensInLibreOffice converts a new workbook and a rewritten one (with a
// tab of the manager's) to PDF with LibreOffice, the closest check this
// machine has that a spreadsheet application reads them. It skips where
// LibreOffice is not installed (.ci/run installs it when it can).
func TestOpensInLibreOffice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.xlsx")
	require.NoError(t, xlsx.Write(fresh, sampleModel()))

	rewritten := filepath.Join(dir, "rewritten.xlsx")
	require.NoError(t, xlsx.Write(rewritten, sampleModel()))
	f, err := excelize.OpenFile(rewritten)
	require.NoError(t, err)
	_, err = f.NewSheet("Мои заметки")
	require.NoError(t, err)
	require.NoError(t, f.SetCellStr("Мои заметки", "A1", "=не формула"))
	require.NoError(t, f.SetCellInt("Мои заметки", "B1", 7))
	require.NoError(t, f.AddChart("Мои заметки", "D2", &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: "'Мои заметки'!$A$1", Values: "'Мои заметки'!$B$1:$B$1"}}}))
	require.NoError(t, f.Save())
	require.NoError(t, f.Close())
	for range 3 {
		require.NoError(t, xlsx.Write(rewritten, sampleModel()))
	}

	// A workbook of a few segments of rows, most copied from the last
	// (segments.go).
	copied := filepath.Join(dir, "copied.xlsx")
	m := largeModel(60, 10)
	require.NoError(t, xlsx.Write(copied, m))
	m.Days[300].Metrics["calls"]++
	n, err := xlsx.WriteCopying(copied, m)
	require.NoError(t, err)
	require.Positive(t, n)

	out := toPDF(t, fresh, rewritten, copied)
	for _, w := range []string{fresh, rewritten, copied} {
		pdf, err := os.ReadFile(pdfOf(out, w))
		require.NoError(t, err)
		require.Greater(t, len(pdf), 1000, w)
		require.Equal(t, "%PDF", string(pdf[:4]), w)
	}
}
