package xlsx_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// TestSaveIsExcelizesWrite: the workbook written straight to its file is
// the very file excelize's Write gave through its buffer, new and rewritten
// over a workbook with a tab of the manager's (which goes through excelize's
// own model of the old file), for a team large enough that every tab spills.
func TestSaveIsExcelizesWrite(t *testing.T) {
	m := largeModel(300, 10)
	m2 := largeModel(120, 7)
	write := func(buffered bool) (fresh, rewritten []byte) {
		restore := xlsx.SetBufferedSave(buffered)
		defer restore()
		dir := t.TempDir()
		path := filepath.Join(dir, "summary.xlsx")
		require.NoError(t, xlsx.Write(path, m))
		fresh, err := os.ReadFile(path)
		require.NoError(t, err)

		f := open(t, path)
		_, err = f.NewSheet("Мои заметки")
		require.NoError(t, err)
		require.NoError(t, f.SetCellStr("Мои заметки", "A1", "=HYPERLINK(\"x\") позвонить Иванову"))
		require.NoError(t, f.Save())
		require.NoError(t, f.Close())
		require.NoError(t, xlsx.Write(path, m2))
		rewritten, err = os.ReadFile(path)
		require.NoError(t, err)
		requireOnly(t, dir, "summary.xlsx")
		return fresh, rewritten
	}
	wantFresh, wantRewritten := write(true)
	gotFresh, gotRewritten := write(false)
	require.Equal(t, wantFresh, gotFresh, "a new workbook")
	require.Equal(t, wantRewritten, gotRewritten, "a workbook rewritten next to the manager's tab")
	require.Greater(t, len(gotFresh), 64<<10)
}
