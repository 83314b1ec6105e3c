package xlsx

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/summary"
)

// TestMeasuresComment: the tabs' measures read back from the package's
// comment as written (names with spaces, quotes and Cyrillic; a tab of no
// rows); a tab with blocks is not kept; a comment that is not ours, or
// broken anywhere, gives no guesses at all.
func TestMeasuresComment(t *testing.T) {
	t.Parallel()
	var ms measures
	ms.add("Сводка", measured{rows: 100_001, widths: []int{10, 0, 42}, titles: map[int]bool{}})
	ms.add(`Итоги "месяца" 2`, measured{rows: 0, titles: map[int]bool{}})
	ms.add("Воронка", measured{rows: 7, widths: []int{3}, blocks: []summary.Block{{First: 1, Last: 2}}})
	c := ms.encode()
	got := decodeMeasures(c)
	require.Len(t, got, 2)
	require.Equal(t, 100_001, got["Сводка"].rows)
	require.Equal(t, []int{10, 0, 42}, got["Сводка"].widths)
	require.True(t, sameMeasure(got["Сводка"], measured{rows: 100_001, widths: []int{10, 0, 42}}))
	require.False(t, sameMeasure(got["Сводка"], measured{rows: 100_001, widths: []int{10, 0}}))
	require.Contains(t, got, `Итоги "месяца" 2`)
	for _, bad := range []string{"", "a zip comment", c[:len(c)-3] + "x\n", c + "\"unterminated 1\n", c + "\"no rows\"\n",
		c + "\"negative\" -1\n", measuresPrefix + "\"Сводка\" 1e9\n"} {
		require.Nil(t, decodeMeasures(bad), "%q", bad)
	}
}
