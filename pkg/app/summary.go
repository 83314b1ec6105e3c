package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// SummaryResult says where a pass wrote the manager summary.
type SummaryResult struct {
	Path string `json:"path,omitempty"`
	// Spreadsheet is the manager's Google Sheet written, when configured.
	Spreadsheet string `json:"spreadsheet,omitempty"`
	From        string `json:"from"`
	To          string `json:"to"`
	Error       string `json:"error,omitempty"`
}

// Summary builds the manager summary (SPEC §8) of the window ending on `to`.
func (a *App) Summary(ctx context.Context, to day.Date) (*summary.Model, error) {
	from := a.WindowEnding(to)
	m := &summary.Model{Lang: a.lang, From: from, To: to, Generated: a.now().In(a.cfg.CompanyLocation()), Names: map[string]string{}}
	for _, mt := range a.tmpl.Metrics {
		if mt.Type == report.Count || mt.Type == report.Rating {
			m.Columns = append(m.Columns, summary.Column{Key: mt.Key, Label: mt.Label(a.lang), Rating: mt.Type == report.Rating})
		}
	}
	rank := map[string]int{}
	for i, e := range a.employees() {
		m.Names[e.ID] = e.Name
		rank[e.ID] = i
	}
	err := a.store.EachDay(ctx, from, to, func(d store.Day) error {
		if d.Status == report.DayOff {
			return nil // a weekend or holiday without a report is not a row
		}
		row := summary.DayRow{Date: d.Date, Employee: d.Employee, Name: m.Names[d.Employee], Status: d.Status,
			StatusLabel: d.Status.Label(a.lang), Metrics: d.Metrics, Notes: d.Notes}
		for _, f := range d.Flags {
			row.Flags = append(row.Flags, f.Message)
			check := summary.CheckRow{Date: d.Date, Employee: d.Employee, Name: row.Name, Code: f.Code, Metric: f.Metric,
				Reported: f.Reported, Recorded: f.Recorded, Message: f.Message}
			if mt, ok := a.tmpl.Metric(f.Metric); ok {
				check.MetricLabel = mt.Label(a.lang)
			}
			m.Checks = append(m.Checks, check)
		}
		m.Days = append(m.Days, row)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	// By date, then in roster order (employees no longer listed last, by id).
	order := func(id string) int {
		if r, ok := rank[id]; ok {
			return r
		}
		return len(rank)
	}
	byDay := func(x, y summary.DayRow) int {
		return cmp.Or(x.Date.Compare(y.Date), cmp.Compare(order(x.Employee), order(y.Employee)), cmp.Compare(x.Employee, y.Employee))
	}
	slices.SortStableFunc(m.Days, byDay)
	slices.SortStableFunc(m.Checks, func(x, y summary.CheckRow) int {
		return byDay(summary.DayRow{Date: x.Date, Employee: x.Employee}, summary.DayRow{Date: y.Date, Employee: y.Employee})
	})
	for _, r := range m.Days {
		if r.Status == report.Absent || r.Status == report.Late {
			m.Absences = append(m.Absences, r)
		}
	}
	if m.Funnel, err = a.Funnel(ctx, from, to); err != nil {
		return nil, err
	}
	return m, nil
}

// writeSummary writes the summary of the window ending on `to` wherever the
// configuration asks (summary.xlsx); nil when it asks for none.
func (a *App) writeSummary(ctx context.Context, to day.Date) *SummaryResult {
	if a.dryRun || a.cfg.Summary.XLSX == "" && a.sheetWriter == nil {
		return nil
	}
	res := &SummaryResult{Path: a.cfg.Summary.XLSX, From: a.WindowEnding(to).String(), To: to.String()}
	if a.sheetWriter != nil {
		res.Spreadsheet = a.cfg.Summary.Spreadsheet
	}
	m, err := a.Summary(ctx, to)
	if err == nil && a.cfg.Summary.XLSX != "" {
		err = xlsx.Write(a.cfg.Summary.XLSX, m)
	}
	// The sheet is written even when the workbook failed, and the other way round.
	if a.sheetWriter != nil && m != nil {
		err = errors.Join(err, a.sheetWriter.Write(ctx, a.cfg.Summary.Spreadsheet, m))
	}
	if err != nil {
		res.Error = err.Error()
		a.log.Error().Err(err).Msg("write the summary; the next pass writes it again")
		return res
	}
	a.log.Debug().Str("path", res.Path).Str("spreadsheet", res.Spreadsheet).Msg("summary written")
	return res
}
