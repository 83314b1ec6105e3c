package xlsx_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// fromDays is m with its Сводка rows given by DaysFrom in uneven batches
// (a date of a team, a lone row, the rest), each batch's slice overwritten
// once yield returns, as the pass's reader reuses it, and its funnel and
// plan built by FunnelFrom and PlanFrom; calls counts the builds.
func fromDays(m *summary.Model, calls *int) *summary.Model {
	c := *m
	rows, f, pl := m.Days, m.Funnel, m.Plan
	c.Days, c.Funnel, c.Plan = nil, nil, nil
	c.FunnelFrom = func() (*funnel.Result, error) { *calls++; return f, nil }
	c.PlanFrom = func() (*summary.PlanModel, error) { *calls++; return pl, nil }
	c.DaysFrom = func(yield func([]summary.DayRow) error) error {
		*calls++
		var buf []summary.DayRow
		for i := 0; i < len(rows); {
			n := min(len(rows)-i, []int{1, 777, 2500}[i%3])
			buf = append(buf[:0], rows[i:i+n]...)
			if err := yield(buf); err != nil {
				return err
			}
			for k := range buf {
				buf[k] = summary.DayRow{Name: "overwritten"}
			}
			i += n
		}
		return nil
	}
	return &c
}

// TestDaysFromGivesTheSameWorkbook: the Сводка rows streamed from DaysFrom
// (read again for each use, never held), and the funnel and the plan built
// for their tabs, make the very bytes of the
// workbook of a model holding them, written anew and over an existing
// workbook, and Collect gives back the rows.
func TestDaysFromGivesTheSameWorkbook(t *testing.T) {
	t.Parallel()
	m := largeModel(1200, 3)
	m.Plan = &summary.PlanModel{Reviews: monthReviews(1200, 3, 4), NotesLabel: "Решённые задачи", LongTermLabel: "Что это даст"}
	var whole bytes.Buffer
	require.NoError(t, xlsx.Encode(&whole, m))

	calls := 0
	var streamed bytes.Buffer
	require.NoError(t, xlsx.Encode(&streamed, fromDays(m, &calls)))
	require.True(t, bytes.Equal(whole.Bytes(), streamed.Bytes()), "the workbook of streamed days differs")
	// The days read for the measure and for the rows, the funnel and the
	// plan built once each.
	require.Equal(t, 4, calls)
	require.NotNil(t, m.Plan)
	require.NotEmpty(t, m.Plan.Reviews)
	require.NotNil(t, m.Funnel)

	dir := t.TempDir()
	for _, name := range []string{"held.xlsx", "streamed.xlsx"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), whole.Bytes(), 0o600))
	}
	require.NoError(t, xlsx.Write(filepath.Join(dir, "held.xlsx"), m))
	require.NoError(t, xlsx.Write(filepath.Join(dir, "streamed.xlsx"), fromDays(m, &calls)))
	held, err := os.ReadFile(filepath.Join(dir, "held.xlsx"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "streamed.xlsx"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(held, got), "rewritten over a workbook, the streamed days differ")

	c := fromDays(m, &calls)
	require.NoError(t, c.Collect())
	require.Nil(t, c.DaysFrom)
	require.Nil(t, c.FunnelFrom)
	require.Nil(t, c.PlanFrom)
	require.Equal(t, m.Days, c.Days)
	require.Same(t, m.Funnel, c.Funnel)
	require.Same(t, m.Plan, c.Plan)
}

// TestDaysFromFailure: a read of the days, or a build of the funnel, that
// fails fails the write, naming the tab, and leaves no workbook.
func TestDaysFromFailure(t *testing.T) {
	t.Parallel()
	m := largeModel(50, 2)
	m.Days = nil
	m.DaysFrom = func(yield func([]summary.DayRow) error) error {
		return errors.New("state: database is locked")
	}
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	err := xlsx.Write(path, m)
	require.ErrorContains(t, err, "database is locked")
	require.ErrorContains(t, err, "Сводка")
	require.NoFileExists(t, path)

	m = largeModel(50, 2)
	m.Funnel = nil
	m.FunnelFrom = func() (*funnel.Result, error) { return nil, errors.New("state: disk I/O error") }
	err = xlsx.Write(path, m)
	require.ErrorContains(t, err, "disk I/O error")
	require.ErrorContains(t, err, "Воронка")
	require.NoFileExists(t, path)
}

// TestStreamedFunnelGivesTheSameWorkbook: a funnel that builds each
// employee's funnel as the Воронка tab reads it (funnel.Stream: the pass's
// summary) makes the very bytes of the workbook of the same funnel built
// whole, written anew and over an existing workbook, across several of the
// tab's pieces, with and without a previous window.
func TestStreamedFunnelGivesTheSameWorkbook(t *testing.T) {
	t.Parallel()
	tmpl := report.MustBuiltin("sales-ru")
	const n = 450 // two pieces of the tab and a part of one
	window := func(from, to string, shift int) funnel.Window {
		w := funnel.Window{From: day.MustParse(from), To: day.MustParse(to), Employees: map[string]funnel.Totals{}}
		for i := range n {
			if (i+shift)%7 == 3 {
				continue // no day in the window
			}
			calls := float64(20 + (i*13+shift)%50)
			w.Employees[fmt.Sprintf("e%04d", i)] = funnel.Totals{Days: 1 + i%10,
				Statuses: map[report.Status]int{report.Submitted: 1 + i%10, report.Absent: i % 3},
				Metrics: map[string]float64{"new_calls": calls, "repeat_calls": calls / 2, "proposals_sent": calls / 5,
					"invoices_issued": float64(i % 6), "contracts_signed": float64(i % 3), "payments": float64(i % 2)},
				RatingSum: float64(i % 5 * 4), RatingWeight: float64(i % 5)}
		}
		return w
	}
	var order []string
	for i := n - 1; i >= 0; i -= 2 {
		order = append(order, fmt.Sprintf("e%04d", i))
	}
	cur := window("2026-11-16", "2026-11-27", 0)
	for _, prev := range []funnel.Window{window("2026-11-02", "2026-11-13", 1), {}} {
		opts := funnel.Options{Order: order}
		m := largeModel(300, 2)
		m.Funnel = funnel.Compute(tmpl, cur, prev, opts)
		var whole bytes.Buffer
		require.NoError(t, xlsx.Encode(&whole, m))

		streamed := *m
		streamed.Funnel = nil
		streamed.FunnelFrom = func() (*funnel.Result, error) { return funnel.Stream(tmpl, cur, prev, opts), nil }
		var got bytes.Buffer
		require.NoError(t, xlsx.Encode(&got, &streamed))
		require.True(t, bytes.Equal(whole.Bytes(), got.Bytes()), "the workbook of a streamed funnel differs")

		dir := t.TempDir()
		for _, name := range []string{"held.xlsx", "streamed.xlsx"} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), whole.Bytes(), 0o600))
		}
		require.NoError(t, xlsx.Write(filepath.Join(dir, "held.xlsx"), m))
		require.NoError(t, xlsx.Write(filepath.Join(dir, "streamed.xlsx"), &streamed))
		held, err := os.ReadFile(filepath.Join(dir, "held.xlsx"))
		require.NoError(t, err)
		over, err := os.ReadFile(filepath.Join(dir, "streamed.xlsx"))
		require.NoError(t, err)
		require.True(t, bytes.Equal(held, over), "rewritten over a workbook, the streamed funnel differs")
	}
}
