package verify

import (
	"fmt"
	"math"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// conversion is the second half of inconsistent: more of a later stage in
// the last days than the employee's own pipeline explains.
//
// The balance proves a report impossible; it cannot see a few invented deals
// while contracts of the last weeks are still unpaid or invoices unsigned,
// since those could have been paid or signed now. What it cannot prove, the
// employee's own pace makes unlikely. Over the known days before a stretch
// (at least ConversionMinHistory, flagged days left out) the employee turned
// a share ρ of the earlier stage into the later one; the earlier stage of
// the stretch and of the Lag days before it then makes ρ × its daily mean a
// day expected. A count spreads like a negative binomial of that mean whose
// variance is φ times the mean, φ being the spread of the employee's daily
// later stage (variance over mean, at least 1: deals signed together spread
// wider than single events). For the stretches of 1 to ConversionWindow
// known days ending today, a later stage so high that the chance of it is
// under ConversionAlpha is flagged; the flag names the stretch that stands
// out most, the count, the expected count and the limit. It is raised when
// today makes that stretch stand out more than any ending on the days
// before, not again on every day after.
//
// This is a statistical rule: a burst of four deals on the day of an
// employee who signs one or two a day is within an honest day's spread and
// goes unflagged (the evaluation in eval_test.go measures what it catches).
func (c *checker) conversion(p [2]string, a, b report.Metric, earlier func(Day) float64) bool {
	days := append(c.in.History[:len(c.in.History):len(c.in.History)], c.in.Today)
	best, ok := c.conversionAt(days, p, earlier)
	if !ok || best.z <= 0 {
		return false
	}
	// Raised on the day the excess appears or grows, not on every day after.
	for back := 1; back <= c.o.ConversionWindow && back < len(days); back++ {
		if days[len(days)-1-back].Metrics == nil {
			continue
		}
		if prev, ok := c.conversionAt(days[:len(days)-back], p, earlier); ok && prev.z >= best.z {
			return false
		}
	}
	from, to := best.from, c.in.Today.Date
	c.flags = append(c.flags, crm.Flag{Code: Inconsistent, Metric: p[1], Reported: ptr(best.obs), Recorded: ptr(round1(best.expected)),
		From: datePtr(from), To: datePtr(to), Threshold: ptr(round1(best.limit)),
		Message: c.msg(
			fmt.Sprintf("«%s» %s: %s — при обычной для сотрудника конверсии «%s» → «%s» %s %% ожидалось около %s (порог %s); «%s» за %d раб. дн. до этого и в эти дни: %s",
				b.Label("ru"), span(from, to, "ru"), num(best.obs, "ru"), a.Label("ru"), b.Label("ru"), num(round1(100*best.rho), "ru"),
				num(round1(best.expected), "ru"), num(round1(best.limit), "ru"), a.Label("ru"), c.o.Lag, num(best.earlier, "ru")),
			fmt.Sprintf("%q %s: %s — at the employee's usual conversion %q → %q of %s %% about %s were expected (limit %s); %q in the %d working days before and on these days: %s",
				b.Label("en"), span(from, to, "en"), num(best.obs, "en"), a.Label("en"), b.Label("en"), num(round1(100*best.rho), "en"),
				num(round1(best.expected), "en"), num(round1(best.limit), "en"), a.Label("en"), c.o.Lag, num(best.earlier, "en")))})
	return true
}

type stretch struct {
	from                         day.Date
	obs, expected, limit, rho, z float64
	earlier                      float64
}

// conversionAt judges the stretches ending on the last of days; ok is false
// when there is not enough history to judge.
func (c *checker) conversionAt(days []Day, p [2]string, earlier func(Day) float64) (best stretch, ok bool) {
	n := len(days)
	if n == 0 || days[n-1].Metrics == nil {
		return stretch{}, false
	}
	// The known days of the stretches, newest first.
	var idx []int
	for i := n - 1; i >= 0 && len(idx) < c.o.ConversionWindow; i-- {
		if days[i].Metrics != nil {
			idx = append(idx, i)
		}
	}
	best.z = math.Inf(-1)
	var obs float64
	for w, i := range idx {
		if days[i].Flagged && i != n-1 {
			break // a stretch reaching into a flagged day was judged then
		}
		obs += days[i].Metrics[p[1]]
		// The baseline: known, unflagged days before the stretch.
		var sumA, sumB, sumB2 float64
		k := 0
		for _, d := range days[:i] {
			if d.Metrics == nil || d.Flagged {
				continue
			}
			x := d.Metrics[p[1]]
			sumA, sumB, sumB2, k = sumA+earlier(d), sumB+x, sumB2+x*x, k+1
		}
		if k < c.o.ConversionMinHistory || sumA <= 0 {
			continue
		}
		rho := sumB / sumA
		// The earlier stage's daily mean over the stretch and the Lag days before it.
		var recentA float64
		known := 0
		for j := max(0, i-c.o.Lag); j < n; j++ {
			if days[j].Metrics != nil {
				recentA += earlier(days[j])
				known++
			}
		}
		mean := sumB / float64(k)
		phi := 1.0
		if mean > 0 {
			phi = math.Max(1, (sumB2/float64(k)-mean*mean)/mean)
		}
		width := float64(w + 1)
		expected := rho * recentA / float64(known) * width
		tail := negBinomTail(obs, math.Max(expected, 0.05), phi)
		if tail >= c.o.ConversionAlpha {
			continue
		}
		limit := negBinomQuantile(math.Max(expected, 0.05), phi, c.o.ConversionAlpha)
		z := -math.Log(tail)
		if z > best.z {
			best = stretch{from: days[i].Date, obs: obs, expected: expected, limit: limit, rho: rho, z: z, earlier: recentA}
		}
		ok = true
	}
	if !ok {
		return stretch{}, true
	}
	return best, true
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// negBinomTail is P(X ≥ k) for a count of mean mu whose variance is phi × mu
// (a negative binomial; a Poisson when phi is 1).
func negBinomTail(k, mu, phi float64) float64 {
	if k <= 0 {
		return 1
	}
	var cdf float64
	for x := 0.0; x < k; x++ {
		cdf += math.Exp(negBinomLogPMF(x, mu, phi))
	}
	return math.Max(0, 1-cdf)
}

// negBinomQuantile is the largest count whose tail is still at least alpha:
// a count above it is flagged.
func negBinomQuantile(mu, phi, alpha float64) float64 {
	var cdf float64
	for x := 0.0; ; x++ {
		cdf += math.Exp(negBinomLogPMF(x, mu, phi))
		if 1-cdf < alpha || x > 10000 {
			return x
		}
	}
}

func negBinomLogPMF(x, mu, phi float64) float64 {
	if phi <= 1.0001 {
		lg, _ := math.Lgamma(x + 1)
		return x*math.Log(mu) - mu - lg
	}
	r := mu / (phi - 1)
	p := 1 / phi // success probability: mean r(1-p)/p = mu, variance mu/p = phi mu
	a, _ := math.Lgamma(x + r)
	b, _ := math.Lgamma(r)
	c, _ := math.Lgamma(x + 1)
	return a - b - c + r*math.Log(p) + x*math.Log(1-p)
}
