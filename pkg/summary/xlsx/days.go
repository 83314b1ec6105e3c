package xlsx

import (
	"strings"

	"github.com/dayreport/dayreport/pkg/summary"
)

// writeDays fills the Сводка tab: a row per employee-day with the metrics of
// the template, coloured by status.
func writeDays(s *sheet, l *summary.Labels, cols []summary.Column, rows []summary.DayRow) {
	head := []cell{txt(l.Date), txt(l.Employee), txt(l.ID), txt(l.Status)}
	for _, c := range cols {
		head = append(head, txt(c.Label))
	}
	head = append(head, txt(l.Notes), txt(l.Flags))
	s.line(header, head...)
	for _, r := range rows {
		cells := dayCells(r)
		for _, c := range cols {
			k := count
			if c.Rating {
				k = rating
			}
			// A metric the employee did not give is no data, not a zero.
			if v, ok := r.Metrics[c.Key]; ok {
				cells = append(cells, num(v, k))
			} else {
				cells = append(cells, blank(k))
			}
		}
		cells = append(cells, txt(r.Notes), txt(strings.Join(r.Flags, "; ")))
		s.line(toneOf(r.Status), cells...)
	}
	s.table(len(head), 2)
}

// writeAbsences fills the Отсутствия tab: the absent and late days.
func writeAbsences(s *sheet, l *summary.Labels, rows []summary.DayRow) {
	s.line(header, txt(l.Date), txt(l.Employee), txt(l.ID), txt(l.Status))
	for _, r := range rows {
		s.line(toneOf(r.Status), dayCells(r)...)
	}
	s.table(4, 2)
}

func dayCells(r summary.DayRow) []cell {
	return []cell{dat(r.Date), txt(r.Name), txt(r.Employee), txt(r.StatusLabel)}
}

// writeChecks fills the Проверка tab: what the employee reported against
// what the CRM recorded.
func writeChecks(s *sheet, l *summary.Labels, rows []summary.CheckRow) {
	s.line(header, txt(l.Date), txt(l.Employee), txt(l.ID), txt(l.Metric),
		txt(l.Reported), txt(l.Recorded), txt(l.Message))
	for _, r := range rows {
		s.line(plain, dat(r.Date), txt(r.Name), txt(r.Employee), txt(r.MetricLabel),
			optional(r.Reported, number), optional(r.Recorded, number), txt(r.Message))
	}
	s.table(7, 2)
}
