package stats_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/stats"
)

func TestTwoProportionZAgainstReference(t *testing.T) {
	t.Parallel()
	// R: prop.test(c(15, 25), c(50, 50), correct = FALSE) gives
	// X-squared = 4.1667, p-value = 0.04123; z is its square root:
	// p = 40/100 = 0.4, se = sqrt(0.4·0.6·(1/50+1/50)) = 0.09798,
	// z = (0.5-0.3)/0.09798 = 2.0412.
	z, p := stats.TwoProportionZ(15, 50, 25, 50)
	require.InDelta(t, 2.0412, z, 5e-5)
	require.InDelta(t, 4.1667, z*z, 5e-5)
	require.InDelta(t, 0.04123, p, 5e-6)

	// The sign follows the second proportion; the p-value does not.
	z, p2 := stats.TwoProportionZ(25, 50, 15, 50)
	require.InDelta(t, -2.0412, z, 5e-5)
	require.InDelta(t, p, p2, 1e-12)

	// By hand: 25/83 against 37/84, pooled 62/167 = 0.37126,
	// se = sqrt(0.37126·0.62874·(1/83+1/84)) = 0.074776,
	// z = (0.44048-0.30120)/0.074776 = 1.8626, p = erfc(1.8626/√2) = 0.0625.
	z, p = stats.TwoProportionZ(25, 83, 37, 84)
	require.InDelta(t, 1.8626, z, 5e-4)
	require.InDelta(t, 0.0625, p, 5e-4)

	// Nothing to tell apart: equal, all zero, all one, or no base.
	for _, c := range [][4]float64{{10, 50, 10, 50}, {0, 30, 0, 40}, {30, 30, 40, 40}, {0, 0, 5, 10}} {
		z, p := stats.TwoProportionZ(c[0], c[1], c[2], c[3])
		require.Zero(t, z, "%v", c)
		require.InDelta(t, 1.0, p, 1e-12, "%v", c)
	}
}

func TestFisherExactAgainstReference(t *testing.T) {
	t.Parallel()
	// The lady tasting tea: [[3,1],[1,3]], two-sided p = 34/70 = 0.4857.
	require.InDelta(t, 34.0/70, stats.FisherExact(3, 4, 1, 4), 1e-12)
	// Wikipedia's dieting example: 1 of 12 men against 9 of 12 women,
	// two-sided p = 0.002759.
	require.InDelta(t, 0.002759, stats.FisherExact(1, 12, 9, 12), 5e-7)
	// By hand: 0 of 20 against 5 of 20. The margins allow x1 = 0..5;
	// P(0) = P(5) = C(20,5)/C(40,5) = 15504/658008 and every other table is
	// more likely, so p = 2·15504/658008 = 0.0471241.
	require.InDelta(t, 2*15504.0/658008, stats.FisherExact(0, 20, 5, 20), 1e-12)
	// Zero counts everywhere: one table only.
	require.InDelta(t, 1.0, stats.FisherExact(0, 10, 0, 10), 1e-12)
	require.InDelta(t, 1.0, stats.FisherExact(7, 7, 3, 3), 1e-12)
	// Symmetric in the rows.
	require.InDelta(t, stats.FisherExact(1, 12, 9, 12), stats.FisherExact(9, 12, 1, 12), 1e-12)
}

func TestComparePicksTheTest(t *testing.T) {
	t.Parallel()
	// Small counts: the exact test.
	r, ok := stats.Compare(3, 4, 1, 4)
	require.True(t, ok)
	require.Equal(t, stats.Fisher, r.Method)
	require.InDelta(t, 34.0/70, r.PValue, 1e-12)
	require.False(t, r.Significant())
	r, ok = stats.Compare(0, 20, 5, 20) // expected 2.5 signed a side
	require.True(t, ok)
	require.Equal(t, stats.Fisher, r.Method)
	require.InDelta(t, 2*15504.0/658008, r.PValue, 1e-12)
	require.True(t, r.Significant())

	// Every expected cell at least 5: the z-test.
	r, ok = stats.Compare(15, 50, 25, 50)
	require.True(t, ok)
	require.Equal(t, stats.ZTest, r.Method)
	require.InDelta(t, 0.04123, r.PValue, 5e-6)
	require.True(t, r.Significant())

	r, ok = stats.Compare(25, 83, 37, 84)
	require.True(t, ok)
	require.Equal(t, stats.ZTest, r.Method)
	require.False(t, r.Significant())

	// Zero successes on both sides: exact, nothing to tell.
	r, ok = stats.Compare(0, 40, 0, 35)
	require.True(t, ok)
	require.Equal(t, stats.Fisher, r.Method)
	require.InDelta(t, 1.0, r.PValue, 1e-12)
	require.False(t, r.Significant())

	// No days after the change yet (n2 = 0), nothing before, or more
	// conversions than the base (not a proportion): no test.
	for _, c := range [][4]int{{25, 83, 0, 0}, {0, 0, 3, 10}, {12, 10, 3, 10}, {-1, 10, 3, 10}} {
		_, ok := stats.Compare(c[0], c[1], c[2], c[3])
		require.False(t, ok, "%v", c)
	}
}

func TestDaysNeeded(t *testing.T) {
	t.Parallel()
	before := stats.Pace{Days: 10, From: 83, To: 25}
	after := stats.Pace{Days: 10, From: 84, To: 37}
	k, ok := stats.DaysNeeded(before, after, 20, 250)
	require.True(t, ok)
	// The answer is the first k at which the projected test crosses 5 %.
	scale := func(p stats.Pace, days int) (float64, float64) {
		f := float64(days) / float64(p.Days)
		return p.To * f, p.From * f
	}
	at := func(k int) float64 {
		x1, n1 := scale(before, min(10+k, 20))
		x2, n2 := scale(after, 10+k)
		_, p := stats.TwoProportionZ(x1, n1, x2, n2)
		return p
	}
	require.Less(t, at(k), stats.Alpha)
	require.GreaterOrEqual(t, at(k-1), stats.Alpha)
	require.Equal(t, 2, k, "20 days before against 12 after: 50/166 against 44.4/100.8 is p = 0.021")

	// A before window cut short by an earlier change stays as it is.
	k2, ok := stats.DaysNeeded(before, after, 10, 250)
	require.True(t, ok)
	require.Greater(t, k2, k)

	// No difference, no days, no base: never.
	for _, c := range [][2]stats.Pace{
		{{Days: 10, From: 80, To: 20}, {Days: 10, From: 40, To: 10}},
		{{Days: 10, From: 80, To: 20}, {Days: 0}},
		{{Days: 10, From: 0}, {Days: 10, From: 40, To: 10}},
	} {
		_, ok := stats.DaysNeeded(c[0], c[1], 20, 250)
		require.False(t, ok, "%v", c)
	}
	// A difference too small to show within the limit.
	_, ok = stats.DaysNeeded(stats.Pace{Days: 5, From: 100, To: 30}, stats.Pace{Days: 5, From: 100, To: 30.5}, 20, 30)
	require.False(t, ok)
	require.False(t, math.IsNaN(at(0)))
}
