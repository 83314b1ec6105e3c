package pass

import (
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	planfact "github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/summary"
)

// TestFingerprintSeesEveryTab: the funnel and the plan tabs' model,
// digested employee by employee, still tell every change the Воронка,
// Итоги месяца and План-факт tabs show (so a changed note rewrites the
// workbook).
func TestFingerprintSeesEveryTab(t *testing.T) {
	t.Parallel()
	model := func() *summary.Model {
		return &summary.Model{Lang: "ru", From: day.MustParse("2026-11-16"), To: day.MustParse("2026-11-27"),
			Funnel: &funnel.Result{From: "2026-11-16", To: "2026-11-27", Funnel: funnel.Funnel{Days: 10},
				Employees: []funnel.Employee{{ID: "e1", Funnel: funnel.Funnel{Days: 10}}, {ID: "e2", Funnel: funnel.Funnel{Days: 9}}}},
			Plan: &summary.PlanModel{
				Current: &planfact.Result{Month: "2026-11", Date: "2026-11-27", WorkingDays: 20,
					Employees: []planfact.EmployeeResult{{ID: "e1", Name: "Анна", Order: []string{"calls", "signed"}}}},
				Reviews: []*planfact.Review{
					{Month: "2026-11", Date: "2026-11-27", Employees: []planfact.EmployeeReview{
						{ID: "e1", Name: "Анна", Totals: map[string]float64{"calls": 40}, PlanOrder: []string{"calls", "signed"},
							Notes: []planfact.Note{{Date: "2026-11-20", Notes: "договорились о пилоте"}}},
						{ID: "e2", Name: "Борис", Notes: []planfact.Note{{Date: "2026-11-21", LongTerm: "сеть из 40 магазинов"}}},
					}},
					{Month: "2026-10", Date: "2026-10-31", Employees: []planfact.EmployeeReview{}},
				},
				NotesLabel: "Решённые задачи", LongTermLabel: "Что это даст",
			}}
	}
	base := fingerprint(model())
	require.NotEmpty(t, base)
	require.Equal(t, base, fingerprint(model()), "the same model, another digest")

	changes := map[string]func(m *summary.Model){
		"a note": func(m *summary.Model) {
			m.Plan.Reviews[0].Employees[0].Notes[0].Notes = "договорились о поставке"
		},
		"a long-term text": func(m *summary.Model) {
			m.Plan.Reviews[0].Employees[1].Notes[0].LongTerm = "сеть из 50 магазинов"
		},
		"a total":          func(m *summary.Model) { m.Plan.Reviews[0].Employees[0].Totals["calls"] = 41 },
		"the plan columns": func(m *summary.Model) { m.Plan.Reviews[0].Employees[0].PlanOrder = []string{"signed", "calls"} },
		"an employee moved": func(m *summary.Model) {
			e := m.Plan.Reviews[0].Employees
			e[0], e[1] = e[1], e[0]
		},
		"the month before": func(m *summary.Model) {
			m.Plan.Reviews[1].Employees = append(m.Plan.Reviews[1].Employees, planfact.EmployeeReview{ID: "e1"})
		},
		"the план-факт":   func(m *summary.Model) { m.Plan.Current.WorkingDays = 19 },
		"a plan employee": func(m *summary.Model) { m.Plan.Current.Employees[0].Name = "Анна К." },
		// Not in the JSON, but it orders the План-факт rows.
		"the план-факт order": func(m *summary.Model) { m.Plan.Current.Employees[0].Order = []string{"signed", "calls"} },
		"a label":             func(m *summary.Model) { m.Plan.NotesLabel = "Итоги дня" },
		"no review":           func(m *summary.Model) { m.Plan.Reviews = m.Plan.Reviews[:1] },
		"a funnel employee":   func(m *summary.Model) { m.Funnel.Employees[1].Days = 8 },
		"the team funnel":     func(m *summary.Model) { m.Funnel.Days = 11 },
		"no funnel":           func(m *summary.Model) { m.Funnel = nil },
		"no plan at all":      func(m *summary.Model) { m.Plan = nil },
		"no current month":    func(m *summary.Model) { m.Plan.Current = nil },
	}
	seen := map[string]string{base: "the model"}
	for name, change := range changes {
		m := model()
		change(m)
		fp := fingerprint(m)
		require.NotEmpty(t, fp, name)
		require.NotContains(t, seen, fp, "%s gives the digest of %s", name, seen[fp])
		seen[fp] = name
	}
}

// TestDaysDigestSeesEveryField: a change of any field of a Сводка row
// changes the rows' digest (a field added to summary.DayRow and not to
// daysDigest fails here), and the same rows give the same digest.
func TestDaysDigestSeesEveryField(t *testing.T) {
	t.Parallel()
	base := func() summary.DayRow {
		return summary.DayRow{Date: day.MustParse("2026-11-25"), Employee: "anna", Name: "Анна", Status: "submitted",
			StatusLabel: "сдан", Metrics: map[string]float64{"new_calls": 12, "payments": 1.5}, Notes: "договорились о пилоте",
			LongTerm: "сеть магазинов", Flags: []string{"«Новые звонки» больше, чем в CRM"}, Reason: ""}
	}
	digest := func(rows ...summary.DayRow) string {
		d := newDaysDigest()
		for i := range rows {
			d.add(&rows[i])
		}
		return hex.EncodeToString(d.h.Sum(nil))
	}
	want := digest(base(), base())
	require.Equal(t, want, digest(base(), base()))
	typ := reflect.TypeFor[summary.DayRow]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		r := base()
		v := reflect.ValueOf(&r).Elem().Field(i)
		switch {
		case f.Type == reflect.TypeFor[day.Date]():
			r.Date = r.Date.AddDays(1)
		case f.Type.Kind() == reflect.String:
			v.SetString(v.String() + "!")
		case f.Type == reflect.TypeFor[map[string]float64]():
			r.Metrics = map[string]float64{"new_calls": 12, "payments": 2.5}
		case f.Type == reflect.TypeFor[[]string]():
			v.Set(reflect.Append(v, reflect.ValueOf("ещё")))
		default:
			t.Fatalf("summary.DayRow.%s (%s): teach daysDigest and this test the new field", f.Name, f.Type)
		}
		require.NotEqual(t, want, digest(r, base()), f.Name)
	}
	// Text moved between two fields is another row.
	moved := base()
	moved.Notes, moved.LongTerm = moved.Notes+moved.LongTerm, ""
	require.NotEqual(t, want, digest(moved, base()))
	swapped := base()
	swapped.Metrics = map[string]float64{"new_calls": 1.5, "payments": 12}
	require.NotEqual(t, want, digest(swapped, base()))
}
