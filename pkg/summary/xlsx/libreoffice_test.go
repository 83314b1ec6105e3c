package xlsx_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if soffice, err = exec.LookPath("libreoffice"); err != nil {
			t.Skip("LibreOffice (soffice) is not on PATH")
		}
	}
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

	// A profile of its own, so parallel runs and a desktop session don't clash.
	profile := url.URL{Scheme: "file", Path: filepath.Join(dir, "profile")}
	out := filepath.Join(dir, "pdf")
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile.String(),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", out, fresh, rewritten)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", output)

	for _, name := range []string{"fresh.pdf", "rewritten.pdf"} {
		pdf, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err, "LibreOffice said: %s", output)
		require.Greater(t, len(pdf), 1000, name)
		require.Equal(t, "%PDF", string(pdf[:4]), name)
	}
}
