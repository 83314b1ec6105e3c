package gsheet

import (
	"fmt"
	"strings"
)

// labels are the fixed texts of the summary in one language. They are the
// texts of the local workbook (pkg/summary/xlsx), which keeps its own
// unexported, so that both writers read the same to the manager.
type labels struct {
	Date, Employee, ID, Status, Notes, Flags string

	FunnelTitle, Generated, NoData                    string
	Stage, Count, Conversion, Was, Change, Days       string
	Weakest, NotEnoughData, Rating, Previous, Trend   string
	Behind, Versus, ForTeam, Statuses, DaysWithStatus string
	ChartTitle                                        string

	Metric, Reported, Recorded, Message string

	// Comma is the decimal separator of numbers written into text ("29,9 %").
	Comma bool
}

// pct writes a conversion into text: "29,9 %" in Russian, "29.9%" in English.
func (l *labels) pct(v float64) string {
	if l.Comma {
		return strings.Replace(fmt.Sprintf("%.1f", v*100), ".", ",", 1) + " %"
	}
	return fmt.Sprintf("%.1f%%", v*100)
}

// decimal writes a rating into text with two decimals.
func (l *labels) decimal(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	if l.Comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

var russian = labels{
	Date: "Дата", Employee: "Сотрудник", ID: "ID", Status: "Статус", Notes: "Заметки", Flags: "Флаги",

	FunnelTitle: "Воронка продаж", Generated: "Сформировано", NoData: "нет данных",
	Stage: "Этап", Count: "Количество", Conversion: "Конверсия", Was: "Было", Change: "Изменение",
	Days:    "Дней с данными",
	Weakest: "Слабое место", NotEnoughData: "недостаточно данных",
	Rating:   "Оценка компании (взвешенная)",
	Previous: "Предыдущий период", Trend: "Изменение конверсии",
	Behind: "Отстаёт от команды", Versus: "против", ForTeam: "у команды",
	Statuses: "Статусы дней", DaysWithStatus: "Дней",
	ChartTitle: "Воронка команды",

	Metric: "Показатель", Reported: "В отчёте", Recorded: "В CRM", Message: "Сообщение",
	Comma: true,
}

var english = labels{
	Date: "Date", Employee: "Employee", ID: "ID", Status: "Status", Notes: "Notes", Flags: "Flags",

	FunnelTitle: "Sales funnel", Generated: "Generated", NoData: "no data",
	Stage: "Stage", Count: "Count", Conversion: "Conversion", Was: "Was", Change: "Change",
	Days:    "Days with data",
	Weakest: "Weakest transition", NotEnoughData: "not enough data",
	Rating:   "Company rating (weighted)",
	Previous: "Previous window", Trend: "Conversion trend",
	Behind: "Behind the team", Versus: "vs", ForTeam: "for the team",
	Statuses: "Day statuses", DaysWithStatus: "Days",
	ChartTitle: "Team funnel",

	Metric: "Metric", Reported: "Reported", Recorded: "In CRM", Message: "Message",
}

// labelsFor follows summary.TabNames: English for "en", Russian otherwise.
func labelsFor(lang string) *labels {
	if lang == "en" {
		return &english
	}
	return &russian
}
