package xlsx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplacerAcrossWrites: the drawing prefix is put back wherever the
// writes of a stream happen to cut it.
func TestReplacerAcrossWrites(t *testing.T) {
	t.Parallel()
	in := "<sheetData></sheetData>" + string(drawingOwnNS) + `"rId1"></drawing>` + string(drawingOwnNS) + `"rId2"/></worksheet>`
	want := strings.ReplaceAll(in, string(drawingOwnNS), string(drawingR))
	for size := 1; size <= len(in); size++ {
		var out bytes.Buffer
		r := &replacer{w: &out, old: drawingOwnNS, new: drawingR}
		for rest := in; rest != ""; {
			n := min(size, len(rest))
			_, err := r.Write([]byte(rest[:n]))
			require.NoError(t, err)
			rest = rest[n:]
		}
		require.NoError(t, r.Close())
		require.Equal(t, want, out.String(), "writes of %d bytes", size)
	}
}
