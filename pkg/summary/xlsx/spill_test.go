package xlsx_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// TestSpillGivesTheSameWorkbook: a stream that moves its rows to its
// temporary file every few KiB (release.go) writes the very bytes of one
// that holds a tab in memory, as excelize alone does up to 16 MiB, with
// every tab of a team of 300 large enough to move many times.
func TestSpillGivesTheSameWorkbook(t *testing.T) {
	m := largeModel(300, 10)
	restore := xlsx.SetSpillChunk(math.MaxInt)
	var whole bytes.Buffer
	err := xlsx.Encode(&whole, m)
	restore()
	require.NoError(t, err)

	for _, chunk := range []int{1, 4 << 10, 64 << 10} {
		restore := xlsx.SetSpillChunk(chunk)
		var spilled bytes.Buffer
		err := xlsx.Encode(&spilled, m)
		restore()
		require.NoError(t, err)
		require.True(t, bytes.Equal(whole.Bytes(), spilled.Bytes()), "moved every %d bytes, the workbook differs", chunk)
	}
}
