package report_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/report"
)

// TestOneLabelPerMetric: a funnel stage made of one metric is shown under
// that metric's display label, so the manager reads the same name in every
// tab, the funnel and the digest (issue 26: «Выставлено счетов и договоров»
// in one place, «Счета и договоры» in another).
func TestOneLabelPerMetric(t *testing.T) {
	t.Parallel()
	for _, name := range report.BuiltinNames() {
		tmpl := report.MustBuiltin(name)
		for _, st := range tmpl.Funnel {
			if len(st.Metrics) != 1 {
				continue
			}
			mt, ok := tmpl.Metric(st.Metrics[0])
			require.True(t, ok, "%s: stage %s", name, st.Key)
			for _, lang := range []string{"ru", "en"} {
				require.Equal(t, mt.Label(lang), st.DisplayLabel(lang), "%s: stage %s in %s", name, st.Key, lang)
			}
		}
	}
}
