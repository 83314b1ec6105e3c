package pass

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	planfact "github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

// refDigest is the digest as it was made before stringMap: every map by
// MapKeys sorted and MapIndex, buffered whole.
func refDigest(v reflect.Value, buf []byte) []byte {
	if !v.IsValid() {
		return append(buf, 0)
	}
	switch v.Kind() {
	case reflect.Map:
		if v.IsNil() {
			return append(buf, 0)
		}
		buf = append(buf, 1)
		keys := v.MapKeys()
		slices.SortFunc(keys, compareKeys)
		buf = binary.AppendUvarint(buf, uint64(len(keys)))
		for _, k := range keys {
			buf = refDigest(k, buf)
			buf = refDigest(v.MapIndex(k), buf)
		}
		return buf
	case reflect.Slice:
		if v.IsNil() {
			return append(buf, 0)
		}
		buf = append(buf, 1)
		buf = binary.AppendUvarint(buf, uint64(v.Len()))
		for i := range v.Len() {
			buf = refDigest(v.Index(i), buf)
		}
		return buf
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				buf = refDigest(v.Field(i), buf)
			}
		}
		return buf
	case reflect.Pointer:
		if v.IsNil() {
			return append(buf, 0)
		}
		return refDigest(v.Elem(), append(buf, 1))
	default:
		d := &digester{}
		d.value(v)
		return append(buf, d.buf...)
	}
}

type digestItem struct {
	Name     string
	Metrics  map[string]float64
	Statuses map[report.Status]int
	Nested   map[string]map[string]float64
	Lines    []string
	Next     *digestItem
	// note is not digested; Pair is, but for its b.
	note string
	Pair struct {
		A string
		b int
		C float64
	}
}

// TestStringMapDigest: maps of string keys digest to the bytes they did
// before (MapKeys sorted, MapIndex), nested in maps, in slices and
// pointers, empty and nil, and across the digester's flushes; structs by
// their exported fields in declaration order (the fields found once per
// type), unexported ones left out.
func TestStringMapDigest(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 4))
	word := func() string {
		return strings.Repeat(string(rune('а'+rng.IntN(32))), 1+rng.IntN(6)) + fmt.Sprint(rng.IntN(9))
	}
	var item func(depth int) *digestItem
	item = func(depth int) *digestItem {
		it := &digestItem{Name: word(), note: word()}
		it.Pair.A, it.Pair.b, it.Pair.C = word(), rng.IntN(9), rng.Float64()
		if rng.IntN(4) > 0 {
			it.Metrics = map[string]float64{}
			for range rng.IntN(12) {
				it.Metrics[word()] = rng.Float64() * 100
			}
		}
		if rng.IntN(3) > 0 {
			it.Statuses = map[report.Status]int{}
			for range rng.IntN(5) {
				it.Statuses[report.Status(word())] = rng.IntN(30)
			}
		}
		if rng.IntN(3) == 0 {
			it.Nested = map[string]map[string]float64{}
			for range rng.IntN(4) {
				m := map[string]float64{}
				for range rng.IntN(4) {
					m[word()] = float64(rng.IntN(9))
				}
				it.Nested[word()] = m
			}
		}
		for range rng.IntN(3) {
			it.Lines = append(it.Lines, strings.Repeat(word(), rng.IntN(400)))
		}
		if depth < 2 && rng.IntN(2) == 0 {
			it.Next = item(depth + 1)
		}
		return it
	}
	for range 300 {
		var items []*digestItem
		for range rng.IntN(60) {
			items = append(items, item(0))
		}
		want := sha256.Sum256(refDigest(reflect.ValueOf(items), nil))
		h := sha256.New()
		d := newDigester(h)
		d.add(items)
		require.Equal(t, want[:], h.Sum(nil))
	}
}

// TestReviewDigestIsWhole: a month review a stream made, whose employees'
// reviews are made as they are read, digests as the same review made
// whole; a review that differs digests otherwise; and every exported field
// of plan.Review is one digester.review digests.
func TestReviewDigestIsWhole(t *testing.T) {
	t.Parallel()
	var fields []string
	for f := range reflect.TypeFor[planfact.Review]().Fields() {
		if f.IsExported() {
			fields = append(fields, f.Name)
		}
	}
	require.Equal(t, []string{"Month", "Date", "Employees"}, fields, "digester.review digests these")

	cal, err := calendar.New(calendar.Options{Country: "ru"})
	require.NoError(t, err)
	m := planfact.Month{Year: 2026, Month: time.November}
	review := func(calls float64, plans bool) *planfact.Review {
		in := planfact.Input{Month: m, Date: day.MustParse("2026-11-20"), Calendar: cal, Metrics: []string{"new_calls"}}
		for _, id := range []string{"ivanov", "petrova", "sidorov"} {
			e := planfact.Employee{ID: id, Name: "Сотрудник " + id}
			if plans {
				e.Plan = map[string]float64{"new_calls": 400}
			}
			in.Employees = append(in.Employees, e)
		}
		s := planfact.NewStream(in)
		for i, d := range cal.Workdays(m.First(), day.MustParse("2026-11-20")) {
			for k, e := range in.Employees {
				st := report.Submitted
				if (i+k)%5 == 0 {
					st = report.Late
				}
				pd := planfact.Day{Date: d, Status: st, Metrics: map[string]float64{"new_calls": calls + float64(k), "payments": 0}}
				if (i+k)%4 == 0 {
					pd.Notes, pd.Flags = "договорились о пилоте", []string{"overstated"}
				}
				require.NoError(t, s.Add(e.ID, pd))
			}
		}
		return s.Review(s.Result())
	}
	for _, plans := range []bool{false, true} {
		lazy := digestOf(&summary.PlanModel{Reviews: []*planfact.Review{review(20, plans)}})
		whole := digestOf(&summary.PlanModel{Reviews: []*planfact.Review{review(20, plans).Whole()}})
		require.Equal(t, whole, lazy)
		require.NotEqual(t, lazy, digestOf(&summary.PlanModel{Reviews: []*planfact.Review{review(21, plans)}}))
	}
	require.NotEqual(t, digestOf(&summary.PlanModel{Reviews: []*planfact.Review{review(20, false)}}),
		digestOf(&summary.PlanModel{Reviews: []*planfact.Review{review(20, true)}}))
}

// TestFunnelDigestIsWhole: a funnel funnel.Stream made, whose employees'
// funnels are built as they are read, digests as the same funnel made
// whole (alone, and in a model as the summary's fingerprint digests it);
// and calls moved from one employee to another, which leave the team's
// funnel as it was, digest otherwise.
func TestFunnelDigestIsWhole(t *testing.T) {
	t.Parallel()
	tmpl := report.MustBuiltin("sales-ru")
	window := func(from, to string, moved float64) funnel.Window {
		w := funnel.Window{From: day.MustParse(from), To: day.MustParse(to), Employees: map[string]funnel.Totals{}}
		for i, id := range []string{"ivanov", "petrova", "sidorov"} {
			calls := 60 + float64(10*i)
			switch id {
			case "ivanov":
				calls += moved
			case "petrova":
				calls -= moved
			}
			w.Employees[id] = funnel.Totals{Days: 5 + i, Statuses: map[report.Status]int{report.Submitted: 5, report.Absent: i},
				Metrics: map[string]float64{"new_calls": calls, "repeat_calls": 30, "proposals_sent": 12,
					"invoices_issued": 6, "contracts_signed": 2, "payments": 1}}
		}
		return w
	}
	opts := funnel.Options{Order: []string{"sidorov", "ivanov", "petrova"}}
	for _, withPrev := range []bool{false, true} {
		stream := func(moved float64) *funnel.Result {
			var prev funnel.Window
			if withPrev {
				prev = window("2026-11-02", "2026-11-13", 5)
			}
			return funnel.Stream(tmpl, window("2026-11-16", "2026-11-27", moved), prev, opts)
		}
		whole := digestOf(stream(0).Whole())
		require.NotEmpty(t, whole)
		require.Equal(t, whole, digestOf(stream(0)))
		require.Equal(t, digestOf(&summary.Model{Funnel: stream(0).Whole()}), digestOf(&summary.Model{Funnel: stream(0)}))

		moved := stream(10)
		require.Equal(t, stream(0).Stages, moved.Stages, "the team's funnel is the same")
		require.NotEqual(t, whole, digestOf(moved))
		require.Equal(t, digestOf(moved.Whole()), digestOf(stream(10)))
	}
}

// TestFunnelDigestOfTheTab: a streamed funnel digested from the employees'
// funnels as the Воронка tab builds them (a piece at a time, a piece built
// again, none) digests as digestOf digests it whole; so does one whose
// employees the tab built out of order (digested anew); and the employees
// are the last field of funnel.Result, which the streamed digest needs.
func TestFunnelDigestOfTheTab(t *testing.T) {
	t.Parallel()
	var last string
	for f := range reflect.TypeFor[funnel.Result]().Fields() {
		if f.IsExported() {
			last = f.Name
		}
	}
	require.Equal(t, "Employees", last, "newFunnelDigest digests the employees last")

	tmpl := report.MustBuiltin("sales-ru")
	cur := funnel.Window{From: day.MustParse("2026-11-16"), To: day.MustParse("2026-11-27"), Employees: map[string]funnel.Totals{}}
	prev := funnel.Window{From: day.MustParse("2026-11-02"), To: day.MustParse("2026-11-13"), Employees: map[string]funnel.Totals{}}
	for i := range 7 {
		id := fmt.Sprintf("e%d", i)
		m := map[string]float64{"new_calls": float64(40 + 7*i), "repeat_calls": float64(20 + i), "proposals_sent": 9,
			"invoices_issued": float64(i), "contracts_signed": 2, "payments": 1}
		cur.Employees[id] = funnel.Totals{Days: 5, Metrics: m, Statuses: map[report.Status]int{report.Submitted: 5, report.Late: i % 2}}
		if i%3 != 0 {
			prev.Employees[id] = funnel.Totals{Days: 4, Metrics: m}
		}
	}
	stream := func() *funnel.Result {
		return funnel.Stream(tmpl, cur, prev, funnel.Options{Order: []string{"e6", "e2"}})
	}
	want := digestOf(stream().Whole())
	require.Equal(t, want, digestOf(stream()))

	cases := map[string]struct {
		pieces [][2]int
		anew   bool
	}{
		"pieces in order":     {pieces: [][2]int{{0, 0}, {0, 3}, {3, 5}, {5, 7}}},
		"a piece built again": {pieces: [][2]int{{0, 3}, {0, 3}, {3, 7}, {5, 7}}},
		"not laid out":        {anew: true},
		"out of order":        {pieces: [][2]int{{3, 7}, {0, 3}}, anew: true},
		"not to the end":      {pieces: [][2]int{{0, 3}}, anew: true},
	}
	for name, c := range cases {
		f := stream()
		fd := newFunnelDigest(f)
		for _, p := range c.pieces {
			require.Len(t, f.Slice(p[0], p[1]).Employees, p[1]-p[0])
		}
		complete := !fd.off && fd.next == f.Len()
		require.Equal(t, !c.anew, complete, name)
		if complete {
			require.Nil(t, fd.f, "%s: the funnel let go once digested", name)
		}
		require.Equal(t, want, fd.digest(), name)
		require.Equal(t, want, fd.digest(), name+", asked again")
	}
	none := funnel.Stream(tmpl, funnel.Window{From: cur.From, To: cur.To}, prev, funnel.Options{})
	require.Equal(t, digestOf(funnel.Stream(tmpl, funnel.Window{From: cur.From, To: cur.To}, prev, funnel.Options{}).Whole()),
		newFunnelDigest(none).digest(), "no employee")
}
