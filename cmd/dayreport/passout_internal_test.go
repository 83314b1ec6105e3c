package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/report"
)

// TestAppendValueIsFormatValue: the pass table's numbers, appended in
// place, are report.FormatValue's text in both languages.
func TestAppendValueIsFormatValue(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 4.5, -4.5, 0.1 + 0.2, 1e21, 1e-7, 123456789.125, 1e300, math.SmallestNonzeroFloat64,
		math.Inf(1), math.NaN(), 20, 33.333333333333336} {
		for _, lang := range []string{"ru", "en"} {
			require.Equal(t, report.FormatValue(x, lang), string(appendValue([]byte("x\t"), x, lang)[2:]), "%v %s", x, lang)
		}
	}
}
