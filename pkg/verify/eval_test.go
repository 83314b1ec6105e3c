package verify_test

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/verify"
)

// The evaluation: seeded months of a sales team simulated as life, then
// judged by the real rules.
//
// Life, not the rules, decides the numbers. Each employee works a pipeline:
// calls (new calls for a junior, primary calls for a senior, both for some)
// on good, ordinary and bad days; repeat calls, proposals and invoices from
// them; an invoice is signed (or not) 1–8 working days later, a contract
// paid (or not) 1–12 working days after it is signed. The telephony counts
// the calls ±2 of what the employee counts; the CRM records invoices, a few
// of them a day after the employee reports them, and some employees report a
// day's invoices the next day. Some days nothing is done (a training day:
// the day's events move to the next day), some days there is no report. A
// report is written in the employee's evening in their time zone (Moscow,
// Yekaterinburg, Vladivostok), sometimes corrected before the deadline,
// sometimes written after the last poll before the deadline or only the next
// morning. The daemon's passes (every 20 minutes 17:00–23:40 Moscow) see
// the document's versions; the first pass after a deadline closes the day.
//
// Cheating is injected with ground truth on the evaluated days:
// overstated calls or invoices; payments or contracts invented without the
// deals behind them, in one day or one or two a day for a week; a one-off inflated number; the same numbers copied
// 3–4 days; numbers changed after the day was closed (the same evening, the
// next morning or days later).
//
// Scoring: a cheat is caught when its day carries its flag; a clean day is
// any evaluated day outside a cheat (and the two days after it), and any flag
// on it is a false flag.

const (
	employees = 20
	preDays   = 30 // the pipeline runs before dayreport sees anything
	histDays  = verify.HistoryDays
	month     = 22
	tailDays  = verify.DefaultLag + 1 // after the month: late edits, next-day reports and the follow-up of an invented payment land
	poisonGap = 2                     // days after a cheat left out of the clean days
)

var (
	moscow      = mustLoc("Europe/Moscow")
	zones       = []*time.Location{moscow, moscow, moscow, mustLoc("Asia/Yekaterinburg"), mustLoc("Asia/Vladivostok")}
	deadlineAt  = 21 * time.Hour
	firstWorkDt = day.MustParse("2026-06-01")
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// workdays returns n working days (Monday to Friday) from d.
func workdays(d day.Date, n int) []day.Date {
	var out []day.Date
	for len(out) < n {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
		d = d.AddDays(1)
	}
	return out
}

// passTimes are the daemon's passes from d to the end of `to`: every 20 minutes 17:00–23:40 Moscow.
func passTimes(dates []day.Date) []time.Time {
	var out []time.Time
	for _, d := range dates {
		t0 := d.Time(moscow).Add(17 * time.Hour)
		for i := 0; i < 21; i++ {
			out = append(out, t0.Add(time.Duration(i)*20*time.Minute))
		}
	}
	return out
}

type employee struct {
	loc    *time.Location
	role   int // 0 junior (new calls), 1 senior (primary calls), 2 both
	base   float64
	slowCA bool // reports a day's invoices the next day now and then
}

// written is one version of a day's report: what the document held from At.
type written struct {
	at      time.Time
	metrics map[string]float64
}

type simDay struct {
	date day.Date
	// truth is what happened; facts what the CRM recorded.
	truth map[string]float64
	facts map[string]float64
	// versions of the report, by when they were written; none = no report.
	versions []written
	want     string
	key      string // the metric an invented deal was added to
	span     int    // days of a sustained cheat that starts here (its later days are skip)
	poisoned bool   // a day just after a cheat: neither clean nor a cheat
	// honest are the numbers the report held before any cheat was injected.
	honest map[string]float64
	skip   bool // the second day of a copy run, a later day of a sustained invention
}

type simEmployee struct {
	employee
	days []simDay
}

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

// simulate runs one employee's pipeline over dates and writes their reports.
func simulate(r *rand.Rand, e employee, dates []day.Date) []simDay {
	n := len(dates)
	days := make([]simDay, n)
	invoices, signed, paid := make([]float64, n+40), make([]float64, n+40), make([]float64, n+40)
	for i := range days {
		d := &days[i]
		d.date = dates[i]
		factor := 1.0
		switch x := r.Float64(); {
		case x < 0.15:
			factor = 0.6 // a bad day
		case x < 0.30:
			factor = 1.4 // a good day
		}
		zero := r.Float64() < 0.03 // a training day: nothing done, events move on
		calls := poisson(r, e.base*factor)
		repeat := binomial(r, calls, 0.3)
		proposals := binomial(r, repeat, 0.5)
		inv := binomial(r, proposals, 0.6)
		if zero {
			calls, repeat, proposals, inv = 0, 0, 0, 0
			invoices[i+1] += invoices[i]
			signed[i+1] += signed[i]
			paid[i+1] += paid[i]
			invoices[i], signed[i], paid[i] = 0, 0, 0
		}
		invoices[i] += inv
		for range int(inv) {
			if r.Float64() < 0.4 {
				s := i + 1 + r.IntN(8)
				signed[s]++
				if r.Float64() < 0.85 {
					paid[s+1+r.IntN(12)]++
				}
			}
		}
		t := map[string]float64{"repeat_calls": repeat, "proposals_sent": proposals, "feedback_calls": poisson(r, 3),
			"invoices_issued": invoices[i], "contracts_signed": signed[i], "payments": paid[i]}
		switch e.role {
		case 0:
			t["new_calls"] = calls
		case 1:
			t["primary_calls"] = calls
		default:
			nc := binomial(r, calls, 0.6)
			t["new_calls"], t["primary_calls"] = nc, calls-nc
		}
		d.truth = t
		miss := []float64{0, 0, 0, 0, 0, 1, 1, 1, -1, -1, -1, 2, -2}[r.IntN(13)]
		d.facts = map[string]float64{"new_calls+primary_calls": math.Max(0, calls+miss), "proposals_sent": proposals,
			"invoices_issued": invoices[i], "contracts_signed": signed[i], "payments": paid[i]}
	}
	// The CRM logs some invoices a day late; some employees report some a day late.
	for i := 0; i+1 < n; i++ {
		if k := binomial(r, days[i].facts["invoices_issued"], 0.1); k > 0 {
			days[i].facts["invoices_issued"] -= k
			days[i+1].facts["invoices_issued"] += k
		}
	}
	reported := make([]map[string]float64, n)
	for i := range days {
		reported[i] = maps.Clone(days[i].truth)
		reported[i]["company_rating"] = math.Round((3.5+r.Float64()*1.5)*10) / 10
	}
	if e.slowCA {
		for i := 0; i+1 < n; i++ {
			if r.Float64() < 0.3 && reported[i]["invoices_issued"] > 0 {
				reported[i]["invoices_issued"]--
				reported[i+1]["invoices_issued"]++
			}
		}
	}
	for i := range days {
		days[i].versions = writeReport(r, e, dates, i, reported[i])
	}
	return days
}

// writeReport is when and how the employee writes day i's report.
func writeReport(r *rand.Rand, e employee, dates []day.Date, i int, m map[string]float64) []written {
	local := func(d day.Date, h, mins int) time.Time {
		return d.Time(e.loc).Add(time.Duration(h)*time.Hour + time.Duration(mins)*time.Minute)
	}
	switch x := r.Float64(); {
	case x < 0.03: // no report at all
		return nil
	case x < 0.12 && i+1 < len(dates): // forgot: written the next morning
		return []written{{at: local(dates[i+1], 9+r.IntN(2), r.IntN(60)), metrics: m}}
	case x < 0.30: // written after the last poll before the deadline
		return []written{{at: local(dates[i], 20, 41+r.IntN(19)), metrics: m}}
	}
	at := local(dates[i], 17+r.IntN(3), r.IntN(60))
	if r.Float64() < 0.25 { // a first draft, corrected before the deadline
		draft := maps.Clone(m)
		draft["repeat_calls"] = math.Max(0, draft["repeat_calls"]+float64(r.IntN(5)-2))
		draft["payments"] = 0
		fix := at.Add(time.Duration(5+r.IntN(40)) * time.Minute)
		if fix.After(local(dates[i], 20, 59)) {
			fix = local(dates[i], 20, 59)
		}
		return []written{{at: at, metrics: draft}, {at: fix, metrics: m}}
	}
	return []written{{at: at, metrics: m}}
}

// seen is what the daemon's passes saw of a day: its versions with the time
// each was first seen, and the version it closed the day with.
func seen(sd simDay, loc *time.Location, passes []time.Time) verify.Versions {
	vs := verify.Versions{Deadline: sd.date.Time(loc).Add(deadlineAt)}
	if len(sd.versions) == 0 {
		return vs
	}
	// The passes from the first version on: later versions land within days.
	from, _ := slices.BinarySearchFunc(passes, sd.versions[0].at, func(p, t time.Time) int { return p.Compare(t) })
	if c, _ := slices.BinarySearchFunc(passes, vs.Deadline, func(p, t time.Time) int { return p.Compare(t) }); c < from {
		from = c
	}
	last := sd.versions[len(sd.versions)-1].at
	cur, curHash := -1, ""
	for _, p := range passes[from:] {
		if vs.ClosedAt.IsZero() && p.After(vs.Deadline) {
			vs.ClosedAt = p
		}
		k := cur
		for k+1 < len(sd.versions) && !sd.versions[k+1].at.After(p) {
			k++
		}
		if k != cur {
			cur, curHash = k, hash(sd.versions[k].metrics)
			if !slices.ContainsFunc(vs.All, func(v verify.Version) bool { return v.Hash == curHash }) {
				vs.All = append(vs.All, verify.Version{Hash: curHash, Seen: p, Metrics: sd.versions[k].metrics})
			}
		}
		if cur >= 0 && vs.ClosedAt.Equal(p) {
			v := vs.All[slices.IndexFunc(vs.All, func(v verify.Version) bool { return v.Hash == curHash })]
			vs.Closed = &v
		}
		if !vs.ClosedAt.IsZero() && p.After(last) {
			break
		}
	}
	return vs
}

func hash(m map[string]float64) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v;", k, m[k])
	}
	return b.String()
}

func simTeam(seed uint64) ([]simEmployee, []day.Date) {
	r := rand.New(rand.NewPCG(seed, 2026))
	dates := workdays(firstWorkDt, preDays+histDays+month+tailDays)
	team := make([]simEmployee, employees)
	for i := range team {
		e := employee{loc: zones[r.IntN(len(zones))], role: r.IntN(3), base: 12 + r.Float64()*30, slowCA: r.Float64() < 0.3}
		team[i] = simEmployee{employee: e, days: simulate(r, e, dates)}
	}
	inject(r, team, dates)
	return team, dates
}

// inject puts the cheating into the evaluated days, with ground truth.
func inject(r *rand.Rand, team []simEmployee, dates []day.Date) {
	for e := range team {
		for i := range team[e].days {
			if vs := team[e].days[i].versions; len(vs) > 0 {
				team[e].days[i].honest = vs[len(vs)-1].metrics
			}
		}
	}
	first := preDays + histDays
	taken := map[[2]int]bool{}
	pick := func(span int) (*simEmployee, int) {
		for try := 0; ; try++ {
			if try > 100000 {
				panic("no room left for a cheat")
			}
			e, d := r.IntN(len(team)), first+r.IntN(month-span+1)
			free := true
			for i := d - 2; i < d+span+poisonGap; i++ {
				free = free && !taken[[2]int{e, i}]
			}
			if free && len(team[e].days[d].versions) > 0 {
				for i := d - 2; i < d+span+poisonGap; i++ {
					taken[[2]int{e, i}] = true
				}
				for i := d + span; i < d+span+poisonGap && i < len(team[e].days); i++ {
					team[e].days[i].poisoned = true
				}
				return &team[e], d
			}
		}
	}
	// last returns the final numbers of a day's report, changed by fn in
	// every version (the cheat was in the report from the start).
	change := func(sd *simDay, fn func(m map[string]float64)) {
		for k := range sd.versions {
			m := maps.Clone(sd.versions[k].metrics)
			fn(m)
			sd.versions[k].metrics = m
		}
	}
	callKey := func(m map[string]float64) string {
		if _, ok := m["new_calls"]; ok {
			return "new_calls"
		}
		return "primary_calls"
	}
	for range 12 { // overstated calls or invoices
		e, d := pick(1)
		sd := &e.days[d]
		if r.IntN(3) == 0 {
			k := float64(3 + r.IntN(4))
			change(sd, func(m map[string]float64) { m["invoices_issued"] += k })
			sd.key = "invoices_issued"
		} else {
			// 40–140 % of a usual day's calls more, and a few.
			k := math.Round(e.base*(0.4+r.Float64())) + 3
			change(sd, func(m map[string]float64) { m[callKey(m)] += k })
			sd.key = "new_calls+primary_calls"
		}
		sd.want = verify.Overstated
	}
	for range 10 { // a burst of deals closed on paper in one day: payments or contracts with nothing behind them
		e, d := pick(1)
		sd := &e.days[d]
		key := "payments"
		if r.IntN(2) == 0 {
			key = "contracts_signed"
		}
		k := float64(4 + r.IntN(4))
		change(sd, func(m map[string]float64) { m[key] += k })
		sd.want, sd.key = inventedBurst, key
	}
	for range 10 { // deals invented day after day to look on plan: one or two more every day for 5–8 days
		span := 5 + r.IntN(4)
		e, d := pick(span)
		key := "payments"
		if r.IntN(2) == 0 {
			key = "contracts_signed"
		}
		for i := range span {
			sd := &e.days[d+i]
			k := float64(1 + r.IntN(2))
			change(sd, func(m map[string]float64) { m[key] += k })
			if i == 0 {
				sd.want, sd.span, sd.key = verify.Inconsistent, span, key
			} else {
				sd.skip = true
			}
		}
	}
	for range 6 { // copy-paste: 3 or 4 days with the first day's numbers
		span := 3 + r.IntN(2)
		e, d := pick(span)
		src := e.days[d].versions[len(e.days[d].versions)-1].metrics
		for i := 1; i < span; i++ {
			sd := &e.days[d+i]
			if len(sd.versions) == 0 {
				sd.versions = []written{{at: sd.date.Time(e.loc).Add(19 * time.Hour)}}
			}
			for k := range sd.versions {
				sd.versions[k].metrics = maps.Clone(src)
			}
			if i == 1 {
				sd.skip = true
			} else {
				sd.want = verify.CopyPaste
			}
		}
	}
	for range 10 { // a one-off inflated number the CRM does not record
		e, d := pick(1)
		var usual []float64
		key := "repeat_calls"
		if r.IntN(2) == 0 {
			key = "proposals_sent"
		}
		for _, h := range e.days[d-20 : d] {
			usual = append(usual, h.truth[key])
		}
		sort.Float64s(usual)
		v := math.Round(3*usual[len(usual)/2] + 10)
		change(&e.days[d], func(m map[string]float64) { m[key] = v })
		e.days[d].want = verify.Outlier
	}
	for range 12 { // numbers changed after the day was closed
		e, d := pick(1)
		sd := &e.days[d]
		m := maps.Clone(sd.versions[len(sd.versions)-1].metrics)
		switch r.IntN(3) {
		case 0:
			m["payments"]++
		case 1:
			m["contracts_signed"]++
		default:
			k := callKey(m)
			m[k] += float64(3 + r.IntN(8))
		}
		var at time.Time
		switch x := r.Float64(); {
		case x < 0.2: // the next morning
			at = dates[d+1].Time(e.loc).Add(time.Duration(8*60+r.IntN(180)) * time.Minute)
		default: // one to three working days later
			at = dates[d+1+r.IntN(3)].Time(e.loc).Add(time.Duration(10*60+r.IntN(8*60)) * time.Minute)
		}
		last := sd.versions[len(sd.versions)-1].at
		if at.Before(last) {
			at = last.Add(time.Hour)
		}
		sd.versions = append(sd.versions, written{at: at, metrics: m})
		sd.want = verify.EditedLate
	}
}

// score counts a kind of cheat: caught by its own flag (hit), by any flag
// (any), of total.
type score struct{ hit, any, total int }

type evalResult struct {
	recall     map[string]*score
	clean      int
	falseFlags int
	falseBy    map[string]int
	// misses describe the cheats not caught (for -v).
	misses []string
	// delays are how many working days after an invented payment its
	// inconsistent flag came (0: the same day).
	delays []int
}

// The facts a CRM records, by profile: what the evaluation's verification
// is given of the CRM, as each adapter reads it (README, "Verification").
var (
	// recordsCallsInvoices: telephony and invoices (a builtin facts file).
	recordsCallsInvoices = []string{"new_calls+primary_calls", "invoices_issued"}
	// recordsAll: Bitrix24 (calls, estimates, smart invoices, won deals, paid invoices).
	recordsAll = []string{"new_calls+primary_calls", "proposals_sent", "invoices_issued", "contracts_signed", "payments"}
	// recordsCallsWon: amoCRM and HubSpot (calls and won deals).
	recordsCallsWon = []string{"new_calls+primary_calls", "contracts_signed"}
)

func evaluate(seeds []uint64, recorded []string) evalResult {
	res := evalResult{recall: map[string]*score{}, falseBy: map[string]int{}}
	for _, seed := range seeds {
		team, dates := simTeam(seed)
		passes := passTimes(dates)
		for _, e := range team {
			judged := make([]verify.Day, len(dates))
			edits := make([]*verify.Edit, len(dates))
			for i, sd := range e.days {
				facts := map[string]float64{}
				for _, k := range recorded {
					facts[k] = sd.facts[k]
				}
				judged[i] = verify.Day{Date: sd.date, Facts: facts}
				vs := seen(sd, e.loc, passes)
				if len(vs.All) == 0 {
					continue
				}
				cur := vs.All[len(vs.All)-1]
				judged[i].Metrics = cur.Metrics
				edits[i] = verify.LateEdit(vs, cur)
			}
			// Days before dayreport was installed are unknown to it.
			for i := range preDays {
				judged[i] = verify.Day{Date: judged[i].Date}
			}
			flagsOf := make([][]crm.Flag, len(dates))
			for i := preDays; i < len(dates); i++ {
				// As the pass gives it: the CRM's facts of the day, of the
				// days before it back to the first without a report (at most
				// the overstated window) and of the day after; the older
				// history as reported.
				hist := slices.Clone(judged[max(preDays, i-histDays):i])
				for k := range hist {
					if k < len(hist)-(verify.DefaultOverstatedWindow-1) || slices.ContainsFunc(hist[k+1:], func(d verify.Day) bool { return d.Metrics == nil }) {
						hist[k].Facts = nil
					}
				}
				in := verify.Input{Today: judged[i], History: hist, LateEdit: edits[i]}
				if i+1 < len(judged) && judged[i+1].Metrics != nil {
					next := judged[i+1]
					in.Next = &next
				}
				flagsOf[i] = verify.Check(tmpl, in, verify.Options{})
				judged[i].Flagged = doubtful(flagsOf[i])
			}
			// An invented payment may fit unpaid contracts until the real
			// payments of those contracts arrive: the balance breaks then,
			// within the lag. A flag on a later day is the cheat's when the
			// days it names as evidence take in the cheat's days; any other
			// is false.
			// Invented deals are overstated where the CRM records their
			// stage, inconsistent where it does not.
			codeFor := func(sd simDay) string {
				switch {
				case sd.want == verify.Overstated && !slices.Contains(recorded, sd.key):
					return "" // overstated against a CRM that does not record it: no such cheat
				case sd.want == verify.Overstated:
					return verify.Overstated
				case sd.want == verify.Inconsistent || sd.want == inventedBurst:
					if slices.Contains(recorded, sd.key) {
						return verify.Overstated
					}
					return verify.Inconsistent
				}
				return sd.want
			}
			type cheatSpan struct {
				from, to  day.Date
				code, key string
			}
			var invented []cheatSpan
			for i, sd := range e.days {
				if sd.want == verify.Inconsistent || sd.want == inventedBurst {
					code := verify.Inconsistent
					if slices.Contains(recorded, sd.key) {
						code = verify.Overstated
					}
					invented = append(invented, cheatSpan{sd.date, e.days[i+max(sd.span, 1)-1].date, code, sd.key})
				}
			}
			covers := func(f crm.Flag, c cheatSpan) bool {
				return f.Code == c.code && f.Metric == c.key && f.From != nil && f.To != nil && !f.From.After(c.to) && !c.from.After(*f.To)
			}
			// tampered: a cheat changed one of the metrics on day i.
			tampered := func(i int, metric string) bool {
				sd := e.days[i]
				if len(sd.versions) == 0 {
					return false
				}
				last := sd.versions[len(sd.versions)-1].metrics
				return slices.ContainsFunc(verify.SplitCheck(metric), func(k string) bool { return last[k] != sd.honest[k] })
			}
			// cheats: the flag is a cheat's, its evidence taking in days a
			// cheat changed (a flag raised on a later day for numbers
			// copied or invented before it is right, not false).
			cheats := func(f crm.Flag) bool {
				if slices.ContainsFunc(invented, func(c cheatSpan) bool { return covers(f, c) }) {
					return true
				}
				// (overstated and inconsistent sum the days they name; an
				// outlier's days are its baseline, not its evidence.)
				if f.Code != verify.Overstated && f.Code != verify.Inconsistent || f.From == nil || f.To == nil || f.Metric == "" {
					return false
				}
				for i, sd := range e.days {
					if !sd.date.Before(*f.From) && !sd.date.After(*f.To) && tampered(i, f.Metric) {
						return true
					}
				}
				return false
			}
			followUp := func(i int, c cheatSpan) bool {
				return slices.ContainsFunc(flagsOf[i], func(f crm.Flag) bool { return covers(f, c) })
			}
			has := func(i int, code string) bool {
				return slices.ContainsFunc(flagsOf[i], func(f crm.Flag) bool { return f.Code == code })
			}
			for i := preDays + histDays; i < preDays+histDays+month; i++ {
				sd := e.days[i]
				if sd.skip || judged[i].Metrics == nil && sd.want == "" {
					continue
				}
				switch {
				case sd.want != "" && codeFor(sd) == "":
					// a cheat the CRM cannot show: neither caught nor clean
				case sd.want != "":
					s := res.recall[sd.want]
					if s == nil {
						s = &score{}
						res.recall[sd.want] = s
					}
					s.total++
					code := codeFor(sd)
					hit, on := has(i, code), 0
					inventedDeals := sd.want == verify.Inconsistent || sd.want == inventedBurst
					if inventedDeals {
						span := cheatSpan{sd.date, e.days[i+max(sd.span, 1)-1].date, code, sd.key}
						hit = followUp(i, span)
						for k := i + 1; !hit && k < len(dates) && k <= i+max(sd.span, 1)-1+verify.DefaultLag; k++ {
							hit, on = followUp(k, span), k-i
						}
					}
					anyFlag := len(flagsOf[i]) > 0 || hit
					for k := i + 1; k < i+sd.span; k++ {
						anyFlag = anyFlag || len(flagsOf[k]) > 0
					}
					if anyFlag {
						s.any++
					}
					if hit {
						s.hit++
						if inventedDeals {
							res.delays = append(res.delays, on)
						}
					} else {
						res.misses = append(res.misses, fmt.Sprintf("missed: %s %s %s: %v; before %v; flags %v; versions %v",
							sd.want, e.loc, sd.date, judged[i], judged[i-1], flagsOf[i], sd.versions))
					}
				case sd.poisoned:
				default:
					var flags []crm.Flag
					for _, f := range flagsOf[i] {
						if !cheats(f) {
							flags = append(flags, f)
						}
					}
					res.clean++
					if len(flags) > 0 {
						res.falseFlags++
						for _, f := range flags {
							res.falseBy[f.Code+":"+f.Metric]++
							if f.Code == verify.Inconsistent || f.Code == verify.Overstated && f.From != nil && *f.From != *f.To {
								res.misses = append(res.misses, fmt.Sprintf("false flag: %s %s: %s", e.loc, sd.date, f.Message))
							}
						}
					}
				}
			}
		}
	}
	return res
}

// inventedBurst is the cheat class of deals invented in a single day; the
// sustained invention over several days is verify.Inconsistent's own class.
const inventedBurst = "invented_burst"

// doubtful is what the pass marks Flagged: a day whose numbers a flag puts in doubt.
func doubtful(flags []crm.Flag) bool {
	for _, f := range flags {
		if f.Code != verify.EditedLate {
			return true
		}
	}
	return false
}

func TestEvaluationSyntheticMonth(t *testing.T) {
	t.Parallel()
	checkEvaluation(t, evalSeeds, recordsCallsInvoices, unrecordedDeals)
}

// unrecordedDeals are the floors of invented deals where the CRM records
// neither contracts nor payments (see checkEvaluation).
var unrecordedDeals = map[string]float64{verify.Inconsistent: 0.55, inventedBurst: 0.65}

// TestEvaluationHeldOut judges months the thresholds were not chosen on.
func TestEvaluationHeldOut(t *testing.T) {
	t.Parallel()
	checkEvaluation(t, heldOutSeeds, recordsCallsInvoices, unrecordedDeals)
}

// TestEvaluationByCRM judges the months with what each CRM adapter records:
// where the CRM records contracts and payments, invented deals are
// overstated.
func TestEvaluationByCRM(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		recorded []string
		floors   map[string]float64
	}{
		{"bitrix24", recordsAll, nil},
		// Invented contracts are overstated, invented payments (half of
		// the cheats) are the conversion's.
		{"amocrm-hubspot", recordsCallsWon, map[string]float64{verify.Inconsistent: 0.80, inventedBurst: 0.75}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkEvaluation(t, evalSeeds[:10], c.recorded, c.floors)
		})
	}
}

func checkEvaluation(t *testing.T, seeds []uint64, recorded []string, floors map[string]float64) {
	t.Helper()
	res := evaluate(seeds, recorded)
	codes := slices.Sorted(maps.Keys(res.recall))
	rate := float64(res.falseFlags) / float64(res.clean)
	report := fmt.Sprintf("%d seeded months (seeds %d–%d) × %d employees × %d working days, the CRM recording %v:\n",
		len(seeds), seeds[0], seeds[len(seeds)-1], employees, month, recorded)
	for _, c := range codes {
		s := res.recall[c]
		report += fmt.Sprintf("  recall %-12s %3d/%3d = %5.1f %% (any flag: %5.1f %%)\n", c, s.hit, s.total,
			100*float64(s.hit)/float64(s.total), 100*float64(s.any)/float64(s.total))
	}
	report += fmt.Sprintf("  false flags on clean days: %d/%d = %.2f %% %v\n", res.falseFlags, res.clean, 100*rate, res.falseBy)
	report += fmt.Sprintf("  inconsistent raised after the invented deals by (working days): %v\n", res.delays)
	t.Log(report)
	if testing.Verbose() {
		for _, m := range res.misses {
			t.Log(m)
		}
	}
	// Every cheat that leaves a trace outside an honest day's spread is
	// caught by its own flag at least 95 % of the time. Deals invented
	// without the CRM recording that stage are the known gap (see the
	// README, "Verification"): a burst of four contracts on the day of an
	// employee who signs one or two a day is within an honest day's spread,
	// so no rule can flag it without flagging honest days as often; floors
	// hold what the employee's own conversion reaches there.
	for _, c := range codes {
		floor, ok := floors[c]
		if !ok {
			floor = 0.95
		}
		s := res.recall[c]
		require.GreaterOrEqual(t, float64(s.hit)/float64(s.total), floor, "recall of %s\n%s", c, report)
	}
	require.LessOrEqual(t, rate, 0.01, report)
	require.Len(t, codes, 6)
}

// evalSeeds are the months evaluated; more seeds only make the figures steadier.
var evalSeeds = []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}

// heldOutSeeds were not looked at while the thresholds were chosen.
var heldOutSeeds = []uint64{21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40}
