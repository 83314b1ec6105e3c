package verify

import (
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/crm"
)

// overstatedRun is overstated over several days: the days up to today with
// both a report and the CRM's facts (at most OverstatedWindow, without a
// gap), summed. Each day of an employee who adds a deal or two a day may
// stay within the day's tolerance while the days together do not; a
// carry-over between two days nets out in their sum. A stretch is flagged
// when its excess is beyond the tolerance of its recorded sum, today adds to
// it, and it is worse than any stretch ending on the day before (so the
// flag is raised on the day the excess breaks or grows, not on every day
// after). A shortfall of the next working day (when known) or of the day
// before the stretch is a carry-over and makes up for as much: a deal
// reported today and logged tomorrow is no excess.
func (c *checker) overstatedRun(key string, keys []string) {
	rep, rec, _ := excess(&c.in.Today, key, keys)
	if rep <= rec {
		return
	}
	days := []*Day{&c.in.Today}
	for i := len(c.in.History) - 1; i >= 0 && len(days) < c.o.OverstatedWindow; i-- {
		if _, _, ok := excess(&c.in.History[i], key, keys); !ok {
			break
		}
		days = append(days, &c.in.History[i])
	}
	var carry float64 // the next day's shortfall, a carry-over into it
	if nrep, nrec, ok := excess(c.in.Next, key, keys); ok && nrep < nrec {
		carry = nrec - nrep
	}
	type run struct {
		w                int
		sRep, sRec, over float64
	}
	// worst is the stretch ending on ds[0] furthest beyond its tolerance;
	// a shortfall of the day before the stretch is a carry-over into it.
	worst := func(ds []*Day, carry float64) (best run) {
		var sRep, sRec float64
		for w, d := range ds {
			r, x, _ := excess(d, key, keys)
			sRep, sRec = sRep+r, sRec+x
			if w == 0 {
				continue // one day is the single-day rule's
			}
			var before float64
			if w+1 < len(ds) {
				if r, x, _ := excess(ds[w+1], key, keys); r < x {
					before = x - r
				}
			}
			over := sRep - carry - before - sRec - c.tolerance(sRec)
			if best.w == 0 || over > best.over {
				best = run{w + 1, sRep, sRec, over}
			}
		}
		return best
	}
	now := worst(days, carry)
	if now.w == 0 || now.over <= 0 {
		return
	}
	if len(days) > 2 {
		if before := worst(days[1:], 0); before.w > 0 && before.over >= now.over {
			return
		}
	}
	from, to := days[now.w-1].Date, c.in.Today.Date
	var shown []string
	for _, k := range keys {
		if _, ok := c.in.Today.Metrics[k]; ok {
			shown = append(shown, k)
		}
	}
	tol := c.tolerance(now.sRec)
	c.flags = append(c.flags, crm.Flag{Code: Overstated, Metric: strings.Join(shown, "+"), Reported: ptr(now.sRep), Recorded: ptr(now.sRec),
		From: datePtr(from), To: datePtr(to), Threshold: ptr(now.sRec + tol),
		Message: c.msg(
			fmt.Sprintf("%s %s: в отчётах %s, в CRM %s — больше допуска (%s) за %d раб. дн. вместе",
				c.checkLabel(shown, "ru"), span(from, to, "ru"), num(now.sRep, "ru"), num(now.sRec, "ru"), c.tolText("ru"), now.w),
			fmt.Sprintf("%s %s: reported %s, the CRM recorded %s — beyond the tolerance (%s) over the %d working days together",
				c.checkLabel(shown, "en"), span(from, to, "en"), num(now.sRep, "en"), num(now.sRec, "en"), c.tolText("en"), now.w))})
}
