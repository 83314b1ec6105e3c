package xlsx_test

import (
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

func ptr(v float64) *float64 { return &v }

// stages is a hand-made funnel; conversions are computed the way funnel does.
func stages(labels []string, counts ...float64) []funnel.Stage {
	keys := []string{"calls", "repeat", "proposals", "invoices", "signed", "paid"}
	out := make([]funnel.Stage, len(counts))
	for i, c := range counts {
		out[i] = funnel.Stage{Key: keys[i], Label: labels[i], Count: c}
		if i > 0 && counts[i-1] > 0 {
			out[i].Conversion = ptr(c / counts[i-1])
		}
	}
	return out
}

var stageLabels = []string{"Звонки", "Повторные", "КП", "Счета", "Подписано", "Оплачено"}

// sampleModel is a realistic summary: three employees over two days with every
// kind of day, the team funnel of the task (weakest: invoices → signed, 30%),
// the window before, and one verification flag.
func sampleModel() *summary.Model {
	d1, d2 := day.New(2026, time.March, 2), day.New(2026, time.March, 3)
	rows := []summary.DayRow{
		{Date: d1, Employee: "ivanov", Name: "Иванов Иван", Status: report.Submitted,
			Metrics: map[string]float64{"calls": 60, "repeat": 20, "proposals": 10, "rating": 4.5},
			Notes:   "Клиент просит скидку", Flags: []string{"звонков больше, чем в CRM"}},
		{Date: d1, Employee: "petrova", Name: "Петрова Анна", Status: report.Late,
			Metrics: map[string]float64{"calls": 40, "repeat": 12}},
		{Date: d1, Employee: "sidorov", Name: "Сидоров Пётр", Status: report.Absent},
		{Date: d2, Employee: "ivanov", Name: "Иванов Иван", Status: report.Invalid,
			Notes: "Не смог заполнить КП"},
		{Date: d2, Employee: "petrova", Name: "Петрова Анна", Status: report.Submitted,
			Metrics: map[string]float64{"calls": 20, "repeat": 8, "proposals": 10, "rating": 4.0}},
		{Date: d2, Employee: "sidorov", Name: "Сидоров Пётр", Status: report.OnLeave},
	}
	for i := range rows {
		rows[i].StatusLabel = rows[i].Status.Label("ru")
	}
	team := funnel.Funnel{
		Stages: stages(stageLabels, 120, 40, 20, 10, 3, 2),
		Weakest: &funnel.Transition{From: "invoices", To: "signed", FromLabel: "Счета",
			ToLabel: "Подписано", Conversion: 0.3},
		Days: 3, Rating: ptr(4.3333),
	}
	prev := funnel.Funnel{Stages: stages(stageLabels, 100, 30, 15, 8, 4, 3), Days: 6}
	prev.Weakest = &funnel.Transition{From: "calls", To: "repeat", FromLabel: "Звонки",
		ToLabel: "Повторные", Conversion: 0.3}
	var trend []funnel.Change
	for i, s := range team.Stages {
		c := funnel.Change{Key: s.Key, Label: s.Label, Conversion: s.Conversion, Previous: prev.Stages[i].Conversion}
		if c.Conversion != nil && c.Previous != nil {
			c.Delta = ptr(*c.Conversion - *c.Previous)
		}
		trend = append(trend, c)
	}
	emp := func(id string, counts ...float64) funnel.Employee {
		return funnel.Employee{ID: id, Funnel: funnel.Funnel{Stages: stages(stageLabels, counts...), Days: 1}}
	}
	ivanov := emp("ivanov", 60, 20, 10, 5, 1, 1)
	ivanov.Behind = &funnel.Gap{Transition: funnel.Transition{From: "invoices", To: "signed",
		FromLabel: "Счета", ToLabel: "Подписано", Conversion: 0.2}, Team: 1.0 / 3, Gap: 0.2 - 1.0/3}
	ivanov.Statuses = map[report.Status]int{report.Submitted: 1, report.Invalid: 1}
	petrova := emp("petrova", 60, 20, 10, 5, 2, 1)
	petrova.Weakest = &funnel.Transition{From: "calls", To: "repeat", FromLabel: "Звонки",
		ToLabel: "Повторные", Conversion: 1.0 / 3}
	petrova.Statuses = map[report.Status]int{report.Submitted: 1, report.Late: 1}
	sidorov := emp("sidorov")
	sidorov.Statuses = map[report.Status]int{report.Absent: 1, report.OnLeave: 1}

	return &summary.Model{
		Lang: "ru", From: d1, To: day.New(2026, time.March, 15),
		Generated: time.Date(2026, time.March, 3, 18, 30, 0, 0, time.FixedZone("MSK", 3*3600)),
		Columns: []summary.Column{
			{Key: "calls", Label: "Звонки"}, {Key: "repeat", Label: "Повторные"},
			{Key: "proposals", Label: "КП"}, {Key: "rating", Label: "Оценка", Rating: true},
		},
		Days: rows,
		Funnel: &funnel.Result{
			From: "2026-03-02", To: "2026-03-15", Funnel: team,
			Statuses: map[report.Status]int{report.Submitted: 2, report.Late: 1, report.Absent: 1,
				report.Invalid: 1, report.OnLeave: 1},
			Previous:  &funnel.Previous{From: "2026-02-16", To: "2026-03-01", Funnel: prev},
			Trend:     trend,
			Employees: []funnel.Employee{ivanov, petrova, sidorov},
		},
		Names:    map[string]string{"ivanov": "Иванов Иван", "petrova": "Петрова Анна"},
		Absences: []summary.DayRow{rows[1], rows[2]},
		Checks: []summary.CheckRow{{Date: d1, Employee: "ivanov", Name: "Иванов Иван", Code: "more_than_crm",
			Metric: "calls", MetricLabel: "Звонки", Reported: ptr(60), Recorded: ptr(48),
			Message: "в отчёте 60 звонков, в CRM 48"}},
	}
}
