package report

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAppendValueIsFormatValue: a number appended in place (the pass
// table's numbers) is the text a person would type — the shortest decimal,
// a decimal comma in Russian — after what was there.
func TestAppendValueIsFormatValue(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 4.5, -4.5, 0.1 + 0.2, 1e21, 1e-7, 123456789.125, 1e300, math.SmallestNonzeroFloat64,
		math.Inf(1), math.NaN(), 20, 33.333333333333336} {
		for _, lang := range []string{"ru", "en"} {
			want := strconv.FormatFloat(x, 'f', -1, 64)
			if lang == "ru" {
				want = strings.Replace(want, ".", ",", 1)
			}
			require.Equal(t, want, string(AppendValue([]byte("x\t"), x, lang)[2:]), "%v %s", x, lang)
			require.Equal(t, want, FormatValue(x, lang), "%v %s", x, lang)
		}
	}
}
