// Package stats holds the significance tests behind a change's before/after
// comparison: is the conversion after a process change different from the
// one before, or is the difference what chance alone would give?
//
// Two proportions x1/n1 and x2/n2 are compared with the two-sided
// two-proportion z-test (pooled variance) when every expected cell of the
// 2×2 table is at least 5, and with Fisher's exact test otherwise. The math
// is written out here (math.Erfc for the normal tail, math.Lgamma for the
// hypergeometric probabilities); the package is pure.
package stats

import "math"

// Alpha is the significance level: a p-value below it is significant.
const Alpha = 0.05

// MinExpected is the smallest expected cell count for which the normal
// approximation of the z-test is trusted; below it the exact test is used.
const MinExpected = 5

// Method names the test that gave a p-value.
type Method string

// The tests.
const (
	ZTest  Method = "z"
	Fisher Method = "fisher"
)

// Result is a two-sided comparison of two proportions.
type Result struct {
	// PValue is the two-sided p-value, 0 to 1.
	PValue float64
	// Method is the test used.
	Method Method
}

// Significant reports whether the difference is significant at Alpha.
func (r Result) Significant() bool { return r.PValue < Alpha }

// Compare tests whether x1 of n1 and x2 of n2 differ: Fisher's exact test
// when an expected cell is below MinExpected, the z-test otherwise. ok is
// false when a proportion is not defined: an n of zero or less, a negative
// x, or an x above its n.
func Compare(x1, n1, x2, n2 int) (Result, bool) {
	if n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2 {
		return Result{}, false
	}
	if minExpected(x1, n1, x2, n2) < MinExpected {
		return Result{PValue: FisherExact(x1, n1, x2, n2), Method: Fisher}, true
	}
	_, p := TwoProportionZ(float64(x1), float64(n1), float64(x2), float64(n2))
	return Result{PValue: p, Method: ZTest}, true
}

// minExpected is the smallest expected count of the 2×2 table
// [[x1, n1-x1], [x2, n2-x2]] under the hypothesis of one proportion.
func minExpected(x1, n1, x2, n2 int) float64 {
	n := float64(n1 + n2)
	yes, no := float64(x1+x2), float64(n1+n2-x1-x2)
	return min(float64(n1)*yes, float64(n1)*no, float64(n2)*yes, float64(n2)*no) / n
}

// TwoProportionZ is the two-proportion z-test with the pooled proportion:
// z = (p2 - p1) / sqrt(p(1-p)(1/n1 + 1/n2)), p = (x1+x2)/(n1+n2), and the
// two-sided p-value P(|Z| ≥ |z|) = erfc(|z|/√2). Counts may be fractional
// (a projection). Two equal proportions, or a pooled proportion of 0 or 1
// (nothing to tell apart), give z = 0 and p = 1.
func TwoProportionZ(x1, n1, x2, n2 float64) (z, p float64) {
	if n1 <= 0 || n2 <= 0 {
		return 0, 1
	}
	pool := (x1 + x2) / (n1 + n2)
	se := math.Sqrt(pool * (1 - pool) * (1/n1 + 1/n2))
	diff := x2/n2 - x1/n1
	if se == 0 || math.IsNaN(se) || diff == 0 {
		return 0, 1
	}
	z = diff / se
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}

// FisherExact is the two-sided p-value of Fisher's exact test on the 2×2
// table [[x1, n1-x1], [x2, n2-x2]]: the sum of the hypergeometric
// probabilities of every table with the same margins that is no more
// likely than the one observed (R's fisher.test rule, with its relative
// tolerance of 1e-7 for ties).
func FisherExact(x1, n1, x2, n2 int) float64 {
	k := x1 + x2 // the first column's total
	lo, hi := max(0, k-n2), min(k, n1)
	if lo >= hi {
		return 1 // one table only: the margins decide everything
	}
	obs := logHypergeom(x1, n1, n2, k)
	var p float64
	for x := lo; x <= hi; x++ {
		if l := logHypergeom(x, n1, n2, k); l <= obs+1e-7 {
			p += math.Exp(l)
		}
	}
	return min(p, 1)
}

// logHypergeom is log P(X = x) for X the first row's count of the first
// column: C(n1, x) C(n2, k-x) / C(n1+n2, k).
func logHypergeom(x, n1, n2, k int) float64 {
	return logChoose(n1, x) + logChoose(n2, k-x) - logChoose(n1+n2, k)
}

// logChoose is log C(n, k) by log-gamma.
func logChoose(n, k int) float64 {
	return lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1)
}

func lgamma(n int) float64 {
	v, _ := math.Lgamma(float64(n))
	return v
}

// Pace is one side of a comparison as counts over working days, for a
// projection at the same rate.
type Pace struct {
	Days     int
	From, To float64
}

// DaysNeeded is about how many more working days, at the current pace of
// each side, the z-test needs before the difference it sees now becomes
// significant: after grows a day at a time at its own rate, and before grows
// with it (the same number of days as after) up to beforeMax days, at its
// rate. ok is false when no number of days up to limit would do: the two
// conversions are equal, a side has no days or no base to project from, or
// the difference is too small to tell within limit days.
func DaysNeeded(before, after Pace, beforeMax, limit int) (int, bool) {
	if before.Days <= 0 || after.Days <= 0 || before.From <= 0 || after.From <= 0 {
		return 0, false
	}
	if before.To/before.From == after.To/after.From {
		return 0, false
	}
	for k := 1; k <= limit; k++ {
		a := float64(after.Days+k) / float64(after.Days)
		bDays := max(before.Days, min(after.Days+k, beforeMax))
		b := float64(bDays) / float64(before.Days)
		if _, p := TwoProportionZ(before.To*b, before.From*b, after.To*a, after.From*a); p < Alpha {
			return k, true
		}
	}
	return 0, false
}
