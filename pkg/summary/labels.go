package summary

import (
	"fmt"
	"strings"
)

// Labels are the fixed texts of the summary in one language, shared by the
// local workbook (pkg/summary/xlsx) and the Google Sheet
// (pkg/summary/gsheet), so that both read the same to the manager.
// Everything the manager reads is here, so a translation is one struct.
type Labels struct {
	Date, Employee, ID, Status, Reason, Notes, Flags string

	FunnelTitle, Generated, NoData                    string
	Stage, Count, Conversion, Was, Change, Days       string
	Weakest, NotEnoughData, Rating, Previous, Trend   string
	Behind, Versus, ForTeam, Statuses, DaysWithStatus string
	ChartTitle                                        string
	// Page numbers a printed page, with &P for its number and &N for the
	// number of pages (a header/footer code of spreadsheets).
	Page string

	Metric, Reported, Recorded, Message string

	// Comma is the decimal separator of numbers written into text ("29,9 %").
	Comma bool
}

// Pct writes a conversion into text: "29,9 %" in Russian, "29.9%" in English.
func (l *Labels) Pct(v float64) string {
	if l.Comma {
		return strings.Replace(fmt.Sprintf("%.1f", v*100), ".", ",", 1) + " %"
	}
	return fmt.Sprintf("%.1f%%", v*100)
}

// Decimal writes a rating into text with two decimals.
func (l *Labels) Decimal(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	if l.Comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

var russian = Labels{
	Date: "Дата", Employee: "Сотрудник", ID: "ID", Status: "Статус", Reason: "Причина", Notes: "Заметки", Flags: "Флаги",

	FunnelTitle: "Воронка продаж", Generated: "Сформировано", NoData: "нет данных",
	Stage: "Этап", Count: "Количество", Conversion: "Конверсия", Was: "Было", Change: "Изменение",
	Days:    "Дней с данными",
	Weakest: "Слабое место", NotEnoughData: "недостаточно данных",
	Rating:   "Оценка компании (взвешенная)",
	Previous: "Предыдущий период", Trend: "Изменение конверсии",
	Behind: "Отстаёт от команды", Versus: "против", ForTeam: "у команды",
	Statuses: "Статусы дней", DaysWithStatus: "Дней",
	ChartTitle: "Воронка команды: этапы и конверсия",
	Page:       "Страница &P из &N",

	Metric: "Показатель", Reported: "В отчёте", Recorded: "В CRM", Message: "Сообщение",
	Comma: true,
}

var english = Labels{
	Date: "Date", Employee: "Employee", ID: "ID", Status: "Status", Reason: "Reason", Notes: "Notes", Flags: "Flags",

	FunnelTitle: "Sales funnel", Generated: "Generated", NoData: "no data",
	Stage: "Stage", Count: "Count", Conversion: "Conversion", Was: "Was", Change: "Change",
	Days:    "Days with data",
	Weakest: "Weakest transition", NotEnoughData: "not enough data",
	Rating:   "Company rating (weighted)",
	Previous: "Previous window", Trend: "Conversion trend",
	Behind: "Behind the team", Versus: "vs", ForTeam: "for the team",
	Statuses: "Day statuses", DaysWithStatus: "Days",
	ChartTitle: "Team funnel: stages and conversion",
	Page:       "Page &P of &N",

	Metric: "Metric", Reported: "Reported", Recorded: "In CRM", Message: "Message",
}

// LabelsFor follows TabNames: English for "en", Russian otherwise.
func LabelsFor(lang string) *Labels {
	if lang == "en" {
		return &english
	}
	return &russian
}
