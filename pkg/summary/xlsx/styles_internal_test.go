package xlsx

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

// TestStyleIDs: every look the summary lays out has its own place in the
// styles' dense cache, and a style id asked again, in any order, is the one
// given first, the one the map of looks holds; a kind or a tone beyond the
// cache is asked of the map alone. rowFill gives each row its fill.
func TestStyleIDs(t *testing.T) {
	t.Parallel()
	s := newStyles(excelize.NewFile())
	var looks []look
	places := map[int]look{}
	for k := summary.Text; k <= summary.Prose; k++ {
		for tn := summary.Plain; tn <= summary.Weak; tn++ {
			for f := noFill; f < numFills; f++ {
				for _, ruled := range []bool{false, true} {
					l := look{kind: k, tone: tn, fill: f, ruled: ruled}
					key := denseKey(l)
					require.GreaterOrEqual(t, key, 0, "%+v", l)
					require.Less(t, key, denseLooks, "%+v", l)
					require.NotContains(t, places, key, "%+v and %+v share a place", l, places[key])
					places[key] = l
					looks = append(looks, l)
				}
			}
		}
	}
	first := map[look]int{}
	for _, l := range looks {
		id, err := s.id(l)
		require.NoError(t, err)
		first[l] = id
	}
	for i := len(looks) - 1; i >= 0; i-- {
		l := looks[i]
		id, err := s.id(l)
		require.NoError(t, err)
		require.Equal(t, first[l], id, "%+v", l)
		require.Equal(t, s.ids[l], id, "%+v", l)
	}
	beyond := look{kind: summary.Prose + 1, tone: summary.Weak + 1, fill: headerFill}
	require.Equal(t, -1, denseKey(beyond))
	id, err := s.id(beyond)
	require.NoError(t, err)
	again, err := s.id(beyond)
	require.NoError(t, err)
	require.Equal(t, id, again)

	for row, want := range map[string]struct {
		r summary.Row
		f fill
	}{
		"header":               {summary.Row{Tone: summary.Header, Status: report.Absent}, headerFill},
		"weakest stage":        {summary.Row{Tone: summary.Weak}, weakFill},
		"absent day":           {summary.Row{Status: report.Absent}, absentFill},
		"late day":             {summary.Row{Status: report.Late}, lateFill},
		"invalid day":          {summary.Row{Status: report.Invalid}, invalidFill},
		"submitted day":        {summary.Row{Status: report.Submitted}, noFill},
		"a title over a day":   {summary.Row{Tone: summary.Title, Status: report.Late}, lateFill},
		"a plain row, no date": {summary.Row{}, noFill},
	} {
		require.Equal(t, want.f, rowFill(want.r), row)
	}
}
