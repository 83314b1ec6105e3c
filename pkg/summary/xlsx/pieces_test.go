package xlsx_test

import (
	"testing"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
	"github.com/stretchr/testify/require"
)

// TestPiecesMakeTheLayout: a tab laid out a slice of the model at a time is
// the tab laid out whole (pieces.go relies on how summary lays tabs out).
func TestPiecesMakeTheLayout(t *testing.T) {
	t.Parallel()
	empty := &summary.Model{}
	noFunnel := sampleModel()
	noFunnel.Funnel = nil
	for name, m := range map[string]*summary.Model{
		"sample": sampleModel(), "large": largeModel(23, 3), "empty": empty, "no funnel": noFunnel,
	} {
		whole := m.Layout().All()
		for _, size := range []int{1, 2, 7, 1000} {
			heads, rows, widths := xlsx.PieceRows(m, size)
			require.Len(t, heads, len(whole))
			for i, tab := range whole {
				require.Equal(t, tab.Rows, rows[i], "%s: tab %s in pieces of %d", name, tab.Name, size)
				require.Equal(t, tab.Name, heads[i].Name)
				require.Equal(t, tab.Table, heads[i].Table)
				require.Equal(t, tab.Chart, heads[i].Chart)
				require.Equal(t, tab.Widths(), widths[i])
			}
		}
	}
}
