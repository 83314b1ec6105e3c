package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
)

// stageValue sums a funnel stage's metrics in one employee-day.
func stageValue(s report.Stage, metrics map[string]float64) (float64, bool) {
	sum, found := 0.0, false
	for _, k := range s.Metrics {
		if v, ok := metrics[k]; ok {
			sum += v
			found = true
		}
	}
	return sum, found
}

func displayDate(iso, lang string) string {
	d, err := day.Parse(iso)
	if err != nil || lang != "ru" {
		return iso
	}
	return d.Russian()
}

// writePass prints a pass result: a table of employees with their funnel
// numbers, their problems, earlier days that changed, and the CRM counts.
func writePass(w io.Writer, res *pass.Result, t *report.Template, lang, format string) error {
	if format == formatJSON {
		return writeJSON(w, res)
	}
	// Written as it is made: for 10 000 employees the text is megabytes,
	// which a builder held whole (grown by doubling) beside the result. A
	// write that fails fails the writes after it, and Flush says so.
	b := bufio.NewWriterSize(w, 64<<10)
	title := tr(lang, "Отчёты за ", "Reports for ") + displayDate(res.Date, lang)
	if res.DryRun {
		title += tr(lang, " (пробный прогон: ничего не записано)", " (dry run: nothing written)")
	}
	_, _ = b.WriteString(title + "\n\n")
	writeEmployeeTable(b, res.Employees, t, lang, false)
	if len(res.Earlier) > 0 {
		_, _ = b.WriteString("\n" + tr(lang, "Изменились другие дни:", "Other days that changed:") + "\n")
		writeEmployeeTable(b, res.Earlier, t, lang, true)
	}
	writeEmployeeProblems(b, res.Employees, lang)
	writeEmployeeProblems(b, res.Earlier, lang)
	fmt.Fprintf(b, "\nCRM (%s): %s %d, %s %d, %s %d, %s %d\n", res.CRM.Adapter,
		tr(lang, "отправлено", "pushed"), res.CRM.Pushed,
		tr(lang, "без изменений", "unchanged"), res.CRM.Unchanged,
		tr(lang, "не удалось", "failed"), res.CRM.Failed,
		tr(lang, "в очереди", "queued"), res.CRM.Queued)
	if len(res.Strays) > 0 {
		_, _ = b.WriteString("\n" + tr(lang, "Файлы отчётов, которые никто не читает:", "Report files nobody reads:") + "\n")
		for _, st := range res.Strays {
			line := fmt.Sprintf("  %s: %s %s", st.File, tr(lang, "нет сотрудника", "no employee"), st.ID)
			if st.Closest != "" {
				line += tr(lang, "; может быть, ", "; did you mean ") + st.Closest + "?"
			}
			_, _ = b.WriteString(line + "\n")
		}
	}
	if res.Closed > 0 {
		fmt.Fprintf(b, "%s: %d\n", tr(lang, "Закрыто дней (срок сдачи прошёл)", "Days closed (past their deadline)"), res.Closed)
	}
	if res.Failed > 0 {
		fmt.Fprintf(b, "%s: %d\n", tr(lang, "Не прочитаны отчёты сотрудников", "Employees whose report could not be read"), res.Failed)
	}
	writeSummaryLine(b, res.Summary, lang)
	if res.DryRun && len(res.WouldSend) > 0 {
		_, _ = b.WriteString("\n" + tr(lang, "Было бы отправлено сейчас:", "Would be sent now:") + "\n")
		for _, s := range res.WouldSend {
			fmt.Fprintf(b, "  %s: %s\n", s.To, s.Subject)
		}
	}
	return b.Flush()
}

// writeSummaryLine says where the manager summary went, or why it did not.
func writeSummaryLine(b io.Writer, s *pass.SummaryResult, lang string) {
	if s == nil {
		return
	}
	if s.Error != "" {
		fmt.Fprintf(b, "%s: %s\n", tr(lang, "Сводка не записана", "Summary not written"), s.Error)
		return
	}
	where := s.Path
	if s.Spreadsheet != "" {
		where = strings.TrimPrefix(strings.Join([]string{s.Path, s.Spreadsheet}, ", "), ", ")
	}
	fmt.Fprintf(b, "%s (%s — %s): %s\n", tr(lang, "Сводка", "Summary"), displayDate(s.From, lang), displayDate(s.To, lang), where)
}

func writeEmployeeTable(b io.Writer, list []pass.EmployeeResult, t *report.Template, lang string, withDate bool) {
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	head := []string{tr(lang, "Сотрудник", "Employee")}
	if withDate {
		head = append(head, tr(lang, "Дата", "Date"))
	}
	head = append(head, tr(lang, "Статус", "Status"))
	for _, s := range t.Funnel {
		head = append(head, s.DisplayLabel(lang))
	}
	fmt.Fprintln(tw, "  "+strings.Join(head, "\t"))
	// Each row is written in one piece from one buffer (a row's strings
	// joined anew were most of the table's garbage at 10 000 employees).
	var row []byte
	for _, e := range list {
		row = append(append(row[:0], "  "...), e.ID...)
		if withDate {
			row = append(append(row, '\t'), displayDate(e.Date, lang)...)
		}
		row = append(append(row, '\t'), e.Status.Label(lang)...)
		for _, s := range t.Funnel {
			row = append(row, '\t')
			if v, ok := stageValue(s, e.Metrics); ok {
				row = report.AppendValue(row, v, lang)
			} else {
				row = append(row, "·"...)
			}
		}
		_, _ = tw.Write(append(row, '\n'))
	}
	_ = tw.Flush()
}

func writeEmployeeProblems(b *bufio.Writer, list []pass.EmployeeResult, lang string) {
	for _, e := range list {
		if len(e.Errors) == 0 && len(e.Warnings) == 0 && len(e.Flags) == 0 && e.Error == "" {
			continue
		}
		who := e.ID
		if e.Date != "" {
			who += " " + displayDate(e.Date, lang)
		}
		_, _ = b.WriteString("\n" + who + ":\n")
		if e.Error != "" {
			_, _ = b.WriteString("  ✗ " + e.Error + "\n")
		}
		for _, p := range e.Errors {
			fmt.Fprintf(b, "  ✗ %-14s %s\n", p.Location.Format(lang), p.Message)
		}
		for _, p := range e.Warnings {
			fmt.Fprintf(b, "  ! %-14s %s\n", p.Location.Format(lang), p.Message)
		}
		for _, f := range e.Flags {
			fmt.Fprintf(b, "  ⚑ %s\n", f.Message)
		}
	}
}

// writeBackfill prints a backfill: one line per day with its status counts, then totals.
func writeBackfill(w io.Writer, res *pass.BackfillResult, _ *report.Template, lang, format string) error {
	if format == formatJSON {
		return writeJSON(w, res)
	}
	var b strings.Builder
	title := fmt.Sprintf("%s %s — %s", tr(lang, "Отчёты с", "Reports from"), displayDate(res.From, lang), displayDate(res.To, lang))
	if res.DryRun {
		title += tr(lang, " (пробный прогон: ничего не записано и не отправлено)", " (dry run: nothing written or sent)")
	}
	b.WriteString(title + "\n\n")
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	statuses := []report.Status{report.Submitted, report.Late, report.Invalid, report.Absent, report.OnLeave}
	head := []string{tr(lang, "Дата", "Date")}
	for _, s := range statuses {
		head = append(head, s.Label(lang))
	}
	head = append(head, tr(lang, "Кто", "Who"))
	fmt.Fprintln(tw, "  "+strings.Join(head, "\t"))
	for _, d := range res.Days {
		counts := map[report.Status]int{}
		var who []string
		for _, e := range d.Employees {
			counts[e.Status]++
			if e.Status != report.Submitted && e.Status != report.DayOff {
				who = append(who, e.ID+" ("+e.Status.Label(lang)+")")
			}
		}
		row := []string{displayDate(d.Date, lang)}
		for _, s := range statuses {
			row = append(row, fmt.Sprint(counts[s]))
		}
		row = append(row, strings.Join(who, ", "))
		fmt.Fprintln(tw, "  "+strings.Join(row, "\t"))
	}
	_ = tw.Flush()
	var changed []pass.EmployeeResult
	for _, d := range res.Days {
		changed = append(changed, d.Earlier...)
	}
	if len(changed) > 0 {
		b.WriteString("\n" + tr(lang, "Изменились другие дни:", "Other days that changed:") + "\n")
		for _, e := range changed {
			fmt.Fprintf(&b, "  %s %s → %s\n", e.ID, displayDate(e.Date, lang), e.Status.Label(lang))
		}
	}
	var flagged []string
	for _, d := range res.Days {
		for _, e := range d.Employees {
			for _, f := range e.Flags {
				flagged = append(flagged, fmt.Sprintf("  %s %s: ⚑ %s", displayDate(d.Date, lang), e.ID, f.Message))
			}
		}
	}
	if len(flagged) > 0 {
		b.WriteString("\n" + tr(lang, "Проверка (флаги, цифры отчётов не изменены):", "Checks (flags; the reported numbers are kept):") + "\n")
		b.WriteString(strings.Join(flagged, "\n") + "\n")
	}
	writeRecordCounts(&b, res, lang)
	if !res.DryRun {
		fmt.Fprintf(&b, "\nCRM (%s): %s %d, %s %d, %s %d, %s %d\n", res.CRM.Adapter,
			tr(lang, "отправлено", "pushed"), res.CRM.Pushed,
			tr(lang, "без изменений", "unchanged"), res.CRM.Unchanged,
			tr(lang, "не удалось", "failed"), res.CRM.Failed,
			tr(lang, "в очереди", "queued"), res.CRM.Queued)
	}
	writeSummaryLine(&b, res.Summary, lang)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRecordCounts says how many CRM records the backfill queued (or, in a
// dry run, would push), by status: each employee-day once.
func writeRecordCounts(b *strings.Builder, res *pass.BackfillResult, lang string) {
	total := 0
	var parts []string
	for _, st := range report.Statuses {
		if n := res.Records[st]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s %d", st.Label(lang), n))
		}
	}
	head := tr(lang, "Записей в CRM поставлено в очередь", "CRM records queued")
	if res.DryRun {
		head = tr(lang, "Было бы отправлено в CRM записей", "CRM records that would be pushed")
	}
	fmt.Fprintf(b, "\n%s: %d", head, total)
	if len(parts) > 0 {
		fmt.Fprintf(b, " (%s)", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
}
