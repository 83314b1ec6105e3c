package verify_test

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/verify"
)

// A synthetic month: 20 employees × 22 working days of honest reports with
// noise (after 22 days of history, so that outliers can be judged from the
// first day), with injected overstatements, copy-paste runs, late edits and
// one-off outliers. The evaluation prints recall per flag and the share of
// clean employee-days that got any flag, and asserts the goals: recall
// ≥ 95 %, false flags ≤ 2 %.

const (
	employees = 20
	warmup    = 22
	month     = 22
)

type synthDay struct {
	reported map[string]float64
	facts    map[string]float64
	lateEdit *verify.Edit
	// want is the flag this day must raise ("" for a clean day); skip marks
	// days that are neither (the second day of a copy-paste run: two equal
	// days are not yet evidence).
	want string
	skip bool
}

// poisson draws a Poisson count (Knuth for small means, normal above 30).
func poisson(r *rand.Rand, mean float64) float64 {
	if mean > 30 {
		return math.Max(0, math.Round(mean+r.NormFloat64()*math.Sqrt(mean)))
	}
	l, k, p := math.Exp(-mean), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func binomial(r *rand.Rand, n float64, p float64) float64 {
	k := 0.0
	for range int(n) {
		if r.Float64() < p {
			k++
		}
	}
	return k
}

// honestDay is one day of an employee who reports what happened: the CRM
// logged the same calls (±1 for a call logged a minute after midnight) and
// exactly the same invoices, contracts and payments.
func honestDay(r *rand.Rand, base float64) synthDay {
	calls := poisson(r, base)
	repeat := binomial(r, calls, 0.3)
	proposals := binomial(r, repeat, 0.5)
	invoices := binomial(r, proposals, 0.6)
	signed := binomial(r, invoices, 0.35)
	paid := binomial(r, signed, 0.8)
	feedback := poisson(r, 3)
	rep := map[string]float64{"new_calls": calls, "repeat_calls": repeat, "proposals_sent": proposals,
		"invoices_issued": invoices, "contracts_signed": signed, "payments": paid, "feedback_calls": feedback,
		"company_rating": math.Round((3.5+r.Float64()*1.5)*10) / 10}
	facts := map[string]float64{"new_calls": math.Max(0, calls+float64(r.IntN(3)-1)), "invoices_issued": invoices,
		"contracts_signed": signed, "payments": paid}
	return synthDay{reported: rep, facts: facts}
}

func synthMonth(seed uint64) [][]synthDay {
	r := rand.New(rand.NewPCG(seed, 2026))
	team := make([][]synthDay, employees)
	for e := range team {
		base := 15 + r.Float64()*25
		for range warmup + month {
			team[e] = append(team[e], honestDay(r, base))
		}
	}
	// Free evaluated days per employee, so that injections do not overlap
	// and leave two clean days between them.
	taken := map[[2]int]bool{}
	pick := func(span int) (int, int) {
		for {
			e, d := r.IntN(employees), warmup+r.IntN(month-span+1)
			free := true
			for i := d - 2; i < d+span+2; i++ {
				free = free && !taken[[2]int{e, i}]
			}
			if free {
				for i := d - 2; i < d+span+2; i++ {
					taken[[2]int{e, i}] = true
				}
				return e, d
			}
		}
	}
	for range 20 { // overstatement: calls or invoices inflated
		e, d := pick(1)
		day := &team[e][d]
		key := "new_calls"
		if r.IntN(3) == 0 {
			key = "invoices_issued"
		}
		day.reported[key] = math.Round(day.facts[key]*(1.4+r.Float64()) + 3)
		day.want = verify.Overstated
	}
	for range 8 { // copy-paste: 3 or 4 days with the first day's numbers
		span := 3 + r.IntN(2)
		e, d := pick(span)
		for i := 1; i < span; i++ {
			day := &team[e][d+i]
			day.reported = maps.Clone(team[e][d].reported)
			day.facts = maps.Clone(team[e][d].facts) // the CRM agrees: the numbers are the point, not the facts
			if i == 1 {
				day.skip = true
			} else {
				day.want = verify.CopyPaste
			}
		}
	}
	for range 15 { // late edits: the numbers changed the morning after
		e, d := pick(1)
		day := &team[e][d]
		before := maps.Clone(day.reported)
		before["proposals_sent"]++
		day.lateEdit = &verify.Edit{At: time.Date(2026, 11, 27, 9, 15, 0, 0, time.UTC), Before: before, After: day.reported}
		day.want = verify.EditedLate
	}
	for range 15 { // one-off outliers in a number the CRM does not record: 3× the usual and more
		e, d := pick(1)
		var usual []float64
		for _, h := range team[e][d-20 : d] {
			usual = append(usual, h.reported["repeat_calls"])
		}
		sort.Float64s(usual)
		day := &team[e][d]
		day.reported["repeat_calls"] = math.Round(3*usual[len(usual)/2] + 10)
		day.want = verify.Outlier
	}
	return team
}

func TestEvaluationSyntheticMonth(t *testing.T) {
	t.Parallel()
	type score struct{ hit, total int }
	recall := map[string]*score{}
	clean, falseFlags := 0, 0
	falseBy := map[string]int{}
	for _, seed := range evalSeeds {
		team := synthMonth(seed)
		for _, days := range team {
			var history []verify.Day
			for i, sd := range days {
				cur := verify.Day{Date: today.AddDays(i), Metrics: sd.reported}
				if i >= warmup && !sd.skip {
					flags := verify.Check(tmpl, verify.Input{Today: cur, History: history, Facts: sd.facts, LateEdit: sd.lateEdit}, verify.Options{})
					got := map[string]bool{}
					for _, f := range flags {
						got[f.Code] = true
					}
					if sd.want == "" {
						clean++
						if len(flags) > 0 {
							falseFlags++
							for _, f := range flags {
								falseBy[f.Code+":"+f.Metric]++
							}
						}
					} else {
						s := recall[sd.want]
						if s == nil {
							s = &score{}
							recall[sd.want] = s
						}
						s.total++
						if got[sd.want] {
							s.hit++
						}
					}
				}
				history = append(history, cur)
			}
		}
	}
	codes := make([]string, 0, len(recall))
	for c := range recall {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	rate := float64(falseFlags) / float64(clean)
	report := fmt.Sprintf("%d seeded months", len(evalSeeds)) + fmt.Sprintf(" × %d employees × %d working days:\n", employees, month)
	for _, c := range codes {
		s := recall[c]
		report += fmt.Sprintf("  recall %-12s %3d/%3d = %5.1f %%\n", c, s.hit, s.total, 100*float64(s.hit)/float64(s.total))
	}
	report += fmt.Sprintf("  false flags on clean days: %d/%d = %.2f %% %v\n", falseFlags, clean, 100*rate, falseBy)
	t.Log(report)
	for _, c := range codes {
		s := recall[c]
		require.GreaterOrEqual(t, float64(s.hit)/float64(s.total), 0.95, "recall of %s\n%s", c, report)
	}
	require.LessOrEqual(t, rate, 0.02, report)
	require.Len(t, codes, 4)
}

// evalSeeds are the months evaluated; more seeds only make the figures steadier.
var evalSeeds = []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
