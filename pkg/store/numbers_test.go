package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

var counted = []report.Status{report.Submitted, report.Late}

// naiveSums is Sums computed the slow, obvious way over EachDay.
func naiveSums(t testing.TB, s *Store, q SumsQuery) map[string]Sums {
	t.Helper()
	out := map[string]Sums{}
	isCounted := map[report.Status]bool{report.Submitted: true, report.Late: true}
	require.NoError(t, s.EachDay(context.Background(), q.From, q.To, func(d Day) error {
		e, ok := out[d.Employee]
		if !ok {
			e = Sums{Employee: d.Employee, Statuses: map[report.Status]int{}, Metrics: map[string]float64{}}
		}
		e.Statuses[d.Status]++
		if isCounted[d.Status] {
			e.Days++
			for _, m := range q.Metrics {
				if v, ok := d.Metrics[m]; ok {
					e.Metrics[m] += v
				}
			}
			r, ok := d.Metrics[q.Rating]
			w, wok := d.Metrics[q.Weight]
			if ok && wok && w > 0 {
				e.RatingSum += r * w
				e.RatingWeight += w
			}
		}
		out[d.Employee] = e
		return nil
	}))
	return out
}

func requireSums(t *testing.T, want map[string]Sums, got []Sums) {
	t.Helper()
	require.Len(t, got, len(want))
	for _, g := range got {
		w := want[g.Employee]
		require.Equal(t, w.Statuses, g.Statuses, g.Employee)
		require.Equal(t, w.Days, g.Days, g.Employee)
		require.Len(t, g.Metrics, len(w.Metrics), g.Employee)
		for k, v := range w.Metrics {
			require.InDelta(t, v, g.Metrics[k], 1e-6, "%s %s", g.Employee, k)
		}
		require.InDelta(t, w.RatingSum, g.RatingSum, 1e-6, g.Employee)
		require.InDelta(t, w.RatingWeight, g.RatingWeight, 1e-6, g.Employee)
	}
}

var sumMetrics = []string{"new_calls", "repeat_calls", "payments", "feedback_calls", "company_rating"}

func randomDays(t testing.TB, s *Store, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	statuses := []report.Status{report.Submitted, report.Submitted, report.Submitted, report.Late, report.Invalid, report.Absent, report.OnLeave}
	for i := range n {
		d := Day{Employee: fmt.Sprintf("e%02d", rng.IntN(7)), Date: testDate.AddDays(rng.IntN(40)), Status: statuses[rng.IntN(len(statuses))]}
		if d.Status != report.Absent && d.Status != report.OnLeave {
			d.Metrics = map[string]float64{"new_calls": float64(rng.IntN(40)), "payments": float64(rng.IntN(3))}
			if rng.IntN(2) == 0 {
				d.Metrics["feedback_calls"] = float64(rng.IntN(4))
				d.Metrics["company_rating"] = float64(1+rng.IntN(9)) / 2
			}
			if rng.IntN(3) == 0 {
				d.Metrics["repeat_calls"] = float64(i % 11)
			}
		}
		_, err := s.SaveDay(context.Background(), DayUpdate{Adapter: "builtin", Day: d})
		require.NoError(t, err)
	}
}

// TestSumsMatchNaive: the SQL totals equal the obvious loop over every day,
// for windows inside, across and outside the data, after overwrites.
func TestSumsMatchNaive(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		randomDays(t, s, 600, 7)
		for _, w := range [][2]day.Date{
			{testDate, testDate.AddDays(39)},
			{testDate.AddDays(5), testDate.AddDays(12)},
			{testDate.AddDays(-30), testDate.AddDays(-1)},
			{{}, {}},
		} {
			q := SumsQuery{From: w[0], To: w[1], Counted: counted, Metrics: sumMetrics, Rating: "company_rating", Weight: "feedback_calls"}
			got, err := s.Sums(t.Context(), q)
			require.NoError(t, err)
			requireSums(t, naiveSums(t, s, q), got)
		}
	})
}

func TestSumsWithoutWeight(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		for i, r := range []float64{5, 4, 3} {
			_, err := s.SaveDay(t.Context(), DayUpdate{Day: Day{Employee: "a", Date: testDate.AddDays(i), Status: report.Submitted,
				Metrics: map[string]float64{"company_rating": r}}})
			require.NoError(t, err)
		}
		got, err := s.Sums(t.Context(), SumsQuery{Counted: counted, Rating: "company_rating"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.InDelta(t, 12, got[0].RatingSum, 0)
		require.InDelta(t, 3, got[0].RatingWeight, 0)
		require.Empty(t, got[0].Metrics)
	})
}

// TestSumsSpillPastSlots: a template with more numeric metrics than columns
// still sums every one of them.
func TestSumsSpillPastSlots(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		metrics, keys := pastSlots()
		for i := range 3 {
			_, err := s.SaveDay(t.Context(), DayUpdate{Day: Day{Employee: "a", Date: testDate.AddDays(i), Status: report.Submitted, Metrics: metrics}})
			require.NoError(t, err)
		}
		got, err := s.Sums(t.Context(), SumsQuery{Counted: counted, Metrics: keys})
		require.NoError(t, err)
		require.Len(t, got, 1)
		for i, k := range keys {
			require.InDelta(t, float64(3*i), got[0].Metrics[k], 0, k)
		}
	})
}

// pastSlots are more numeric metrics than day_numbers has columns, each
// worth its index.
func pastSlots() (map[string]float64, []string) {
	metrics := map[string]float64{}
	var keys []string
	for i := range numberSlots + 5 {
		k := fmt.Sprintf("m%02d", i)
		metrics[k] = float64(i)
		keys = append(keys, k)
	}
	return metrics, keys
}

// TestMigrationFillsNumbers: days stored before migration 005 get their
// numbers from the migration itself.
func TestMigrationFillsNumbers(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		randomDays(t, s, 200, 3)
		q := SumsQuery{Counted: counted, Metrics: sumMetrics, Rating: "company_rating", Weight: "feedback_calls"}
		before, err := s.Sums(t.Context(), q)
		require.NoError(t, err)

		dir := "migrations"
		if isPostgres(t) {
			dir = "migrations_postgres"
		}
		b, err := embedded.ReadFile(dir + "/005_day_numbers.sql")
		require.NoError(t, err)
		backfill := string(b)[strings.Index(string(b), "-- Days stored before this migration."):]
		require.NoError(t, s.write(t.Context(), func(tx *txn) error {
			for _, stmt := range []string{`DELETE FROM day_numbers`, `DELETE FROM metric_slots`, backfill} {
				if _, err := tx.ExecContext(t.Context(), stmt); err != nil {
					return err
				}
			}
			return nil
		}))
		after, err := s.Sums(t.Context(), q)
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
}

// BenchmarkSums: the totals of a window over a million stored employee-days
// (1000 employees × 1000 days), the whole table in the window.
func BenchmarkSums(b *testing.B) {
	ctx := context.Background()
	s := fileStore(b, tempDB(b), nil)
	const rows = 1_000_000
	seedNumbers(b, s, rows)
	q := SumsQuery{From: day.MustParse("2020-01-01"), To: day.MustParse("2030-01-01"), Counted: counted,
		Metrics: []string{"new_calls", "primary_calls", "repeat_calls", "proposals_sent", "invoices_issued", "contracts_signed", "payments", "feedback_calls"},
		Rating:  "company_rating", Weight: "feedback_calls"}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		got, err := s.Sums(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		n++
		if len(got) != 1000 {
			b.Fatalf("%d employees", len(got))
		}
	}
	b.ReportMetric(float64(rows*n)/time.Since(start).Seconds(), "days/s")
}

// seedNumbers fills days and day_numbers with n rows the fast way (one SQL
// statement each), as SaveDay would have.
func seedNumbers(t testing.TB, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	keys := []string{"new_calls", "primary_calls", "repeat_calls", "proposals_sent", "invoices_issued", "contracts_signed", "payments", "feedback_calls", "company_rating"}
	require.NoError(t, s.write(ctx, func(tx *txn) error {
		for i, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO metric_slots (metric, slot) VALUES (?, ?)`, k, i); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO day_numbers (employee, date, status, v0, v1, v2, v3, v4, v5, v6, v7, v8)
			SELECT printf('emp%04d', i % 1000), date('2020-01-01', '+' || (i / 1000) || ' days'),
				CASE i % 10 WHEN 0 THEN 'absent' WHEN 1 THEN 'late' ELSE 'submitted' END,
				i % 97, i % 7, i % 13, i % 11, i % 9, i % 3, i % 5, i % 4, 4.5
			FROM seq`, n)
		return err
	}))
}

// TestSumsMemoryFlat: what Sums allocates depends on the number of employees
// and statuses, not on the number of days it adds up.
func TestSumsMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("a large table")
	}
	allocs := func(rows int) float64 {
		s := fileStore(t, tempDB(t), nil)
		seedNumbers(t, s, rows)
		q := SumsQuery{Counted: counted, Metrics: []string{"new_calls", "payments"}, Rating: "company_rating", Weight: "feedback_calls"}
		return testing.AllocsPerRun(2, func() {
			got, err := s.Sums(context.Background(), q)
			require.NoError(t, err)
			require.Len(t, got, 1000)
		})
	}
	small, large := allocs(10_000), allocs(100_000)
	require.InDelta(t, small, large, small*0.1, "10 000 days: %v allocations, 100 000 days: %v", small, large)
}

// TestSumsOfAMetricNeverStored: a metric asked for that no day ever held a
// number of, while columns are free, sums to nothing without the scan of
// the days' JSON, and that scan would have found nothing either.
func TestSumsOfAMetricNeverStored(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		randomDays(t, s, 50, 3)
		q := SumsQuery{Counted: counted, Metrics: append(slices.Clone(sumMetrics), "never_reported")}
		got, err := s.Sums(t.Context(), q)
		require.NoError(t, err)
		require.NotEmpty(t, got)
		scanned := make([]Sums, len(got))
		for i, g := range got {
			_, has := g.Metrics["never_reported"]
			require.False(t, has, g.Employee)
			scanned[i] = Sums{Employee: g.Employee, Metrics: map[string]float64{}}
		}
		require.NoError(t, s.spilledSums(t.Context(), q, []string{"never_reported"}, scanned))
		for _, sc := range scanned {
			require.Empty(t, sc.Metrics, sc.Employee)
		}
	})
}

// TestDateSumsAreSums: the team's totals date by date are what Sums gives
// for that date, added over the employees — for a window inside, across
// and outside the data, with a metric never stored, and past the 32
// columns (the spill from the days' JSON).
func TestDateSumsAreSums(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		randomDays(t, s, 600, 11)
		check := func(q SumsQuery) {
			t.Helper()
			got, err := s.DateSums(t.Context(), q)
			require.NoError(t, err)
			var want []DateSums
			for d := q.From; !d.After(q.To); d = d.AddDays(1) {
				one := q
				one.From, one.To = d, d
				sums, err := s.Sums(t.Context(), one)
				require.NoError(t, err)
				total := DateSums{Date: d, Metrics: map[string]float64{}}
				days := 0
				for _, e := range sums {
					days += e.Days
					for k, v := range e.Metrics {
						total.Metrics[k] += v
					}
				}
				if days > 0 {
					want = append(want, total)
				}
			}
			require.Len(t, got, len(want), "%s..%s", q.From, q.To)
			for i := range want {
				require.Equal(t, want[i].Date, got[i].Date)
				require.Equal(t, want[i].Metrics, got[i].Metrics, want[i].Date.String())
			}
		}
		metrics := append(slices.Clone(sumMetrics), "never_reported")
		for _, w := range [][2]int{{0, 39}, {5, 12}, {-10, 3}, {38, 60}, {50, 60}} {
			check(SumsQuery{From: testDate.AddDays(w[0]), To: testDate.AddDays(w[1]), Counted: counted, Metrics: metrics})
		}
	})
}

// TestDateSumsSpillPastSlots: past the 32 columns, DateSums adds the rest
// from the days' JSON.
func TestDateSumsSpillPastSlots(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		metrics, keys := pastSlots()
		for _, emp := range []string{"a", "b"} {
			for i := range 3 {
				_, err := s.SaveDay(t.Context(), DayUpdate{Day: Day{Employee: emp, Date: testDate.AddDays(i), Status: report.Submitted, Metrics: metrics}})
				require.NoError(t, err)
			}
		}
		got, err := s.DateSums(t.Context(), SumsQuery{From: testDate, To: testDate.AddDays(5), Counted: counted, Metrics: keys})
		require.NoError(t, err)
		require.Len(t, got, 3)
		for _, g := range got {
			for i, k := range keys {
				require.InDelta(t, float64(2*i), g.Metrics[k], 0, k)
			}
		}
	})
}
