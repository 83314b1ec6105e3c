package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"
)

func init() {
	helpRU["plan"] = helpText{
		Short: "План-факт за месяц: план, факт, % и прогноз по темпу для каждого сотрудника и команды",
		Long: `plan сравнивает план месяца (plans в настройках) с фактом: суммой сданных и сданных
с опозданием дней месяца по --date включительно. Прогноз — темп сотрудника (факт ÷
прошедшие рабочие дни) × его рабочие дни в месяце; рабочие дни — по производственному
календарю, без отпуска и дней до начала работы (start). Где CRM знает факты по
показателю, рядом с фактом стоит actual_crm.

--date по умолчанию сегодня (в часовом поясе компании), --month — месяц этой даты;
для прошедшего месяца без --date считается весь месяц.`,
		Example: `  dayreport plan --config config/demo.yaml --month 2026-11 --date 2026-11-06
  dayreport plan --config config/demo.yaml --format json`,
		Flags: map[string]string{
			"month":  "месяц, ГГГГ-ММ (по умолчанию месяц --date)",
			"date":   "день, по который считается факт, ГГГГ-ММ-ДД (по умолчанию сегодня)",
			"format": "формат вывода: text или json",
		},
	}
	helpRU["month"] = helpText{
		Short: "Итоги месяца для премий: дни по статусам, итоги, флаги проверки, план-факт и свободный текст",
		Long: `month подводит итоги месяца по каждому сотруднику: сколько дней сдано, сдано с опозданием,
пропущено и т. д., сумма каждого показателя по сданным дням, флаги проверки по кодам,
план-факт (если планы заданы) и по датам то, что сотрудник написал о решённых задачах и
о том, что это даст в долгосрочной перспективе.

--month по умолчанию текущий месяц (в часовом поясе компании); план-факт считается по
--date (по умолчанию конец месяца или сегодня, если месяц ещё идёт).`,
		Example: `  dayreport month --config config/demo.yaml --month 2026-11
  dayreport month --config config/demo.yaml --month 2026-11 --date 2026-11-06 --format json`,
		Flags: map[string]string{
			"month":  "месяц, ГГГГ-ММ (по умолчанию текущий)",
			"date":   "день, по который считается план-факт, ГГГГ-ММ-ДД (по умолчанию конец месяца или сегодня)",
			"format": "формат вывода: text или json",
		},
	}
}

// parseMonthFlag reads --month; zero when not given.
func parseMonthFlag(s string) (plan.Month, bool, error) {
	if s == "" {
		return plan.Month{}, false, nil
	}
	m, err := plan.ParseMonth(s)
	if err != nil {
		return plan.Month{}, false, usageError(fmt.Errorf("--month: %w", err))
	}
	return m, true, nil
}

// planDate is the day a month's figures run to: --date, else today, but
// never past the month's end.
func planDate(m plan.Month, date, today day.Date) day.Date {
	if !date.IsZero() {
		return date
	}
	if today.After(m.Last()) {
		return m.Last()
	}
	return today
}

func newPlanCmd(g *globals) *cobra.Command {
	var month, date, format string
	cmd := &cobra.Command{
		Use:   "plan [--month YYYY-MM] [--date D] [--format text|json]",
		Short: "План-факт of a month: plan, actual, % and the run-rate forecast per employee and for the team",
		Long: `plan compares the month's plan (plans in the configuration) with the actual: the sum of
the month's submitted and late days up to --date inclusive. The forecast is the
employee's pace (actual ÷ working days elapsed) × their working days in the month, by
the production calendar, without leave and the days before their start. Where the CRM
has facts for a metric, actual_crm stands beside actual.

--date defaults to today in the company time zone, --month to the month of that date;
a past month without --date counts the whole month.`,
		Example: `  dayreport plan --config config/demo.yaml --month 2026-11 --date 2026-11-06
  dayreport plan --config config/demo.yaml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, cfg, m, d, err := g.openMonth(cmd, month, date, format)
			if err != nil {
				return err
			}
			defer g.closeApp(a)
			res, err := a.Plan(cmd.Context(), m, planDate(m, d, g.today(cfg)), pass.PlanOptions{CRM: true})
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			return writePlan(g.stdout, res, a, cfg.Lang(), format)
		},
	}
	cmd.Flags().StringVar(&month, "month", "", "month, YYYY-MM (default: the month of --date)")
	cmd.Flags().StringVar(&date, "date", "", "the day the actual runs to, YYYY-MM-DD (default: today)")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	return cmd
}

// openMonth is what plan and month share: the flags checked, the app opened
// (read-only) and the month chosen: --month, else the month of --date, else
// the month of today in the company time zone.
func (g *globals) openMonth(cmd *cobra.Command, month, date, format string) (*app.App, *config.Config, plan.Month, day.Date, error) {
	var none plan.Month
	if err := checkFormat(format); err != nil {
		return nil, nil, none, day.Date{}, err
	}
	m, hasMonth, err := parseMonthFlag(month)
	if err != nil {
		return nil, nil, none, day.Date{}, err
	}
	d, err := parseDateFlag("date", date)
	if err != nil {
		return nil, nil, none, day.Date{}, err
	}
	a, cfg, err := g.openApp(cmd, true, format)
	if err != nil {
		return nil, nil, none, day.Date{}, err
	}
	switch {
	case hasMonth:
	case !d.IsZero():
		m = plan.MonthOf(d)
	default:
		m = plan.MonthOf(g.today(cfg))
	}
	return a, cfg, m, d, nil
}

func newMonthCmd(g *globals) *cobra.Command {
	var month, date, format string
	cmd := &cobra.Command{
		Use:   "month [--month YYYY-MM] [--date D] [--format text|json]",
		Short: "The month review for bonuses: days by status, totals, flags, план-факт and the free text",
		Long: `month reviews a month per employee: how many days were submitted, late, absent and so
on, the total of every metric over the submitted and late days, the verification flags
by code, the plan figures (when plans exist), and by date what the employee wrote about
the tasks solved and what they give in the long term.

--month defaults to the current month in the company time zone; the plan figures run
to --date (default: the month's end, or today within the month).`,
		Example: `  dayreport month --config config/demo.yaml --month 2026-11
  dayreport month --config config/demo.yaml --month 2026-11 --date 2026-11-06 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, cfg, m, d, err := g.openMonth(cmd, month, date, format)
			if err != nil {
				return err
			}
			defer g.closeApp(a)
			rv, err := a.Review(cmd.Context(), m, d)
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			return writeReview(g.stdout, rv, m, a, cfg, format)
		},
	}
	cmd.Flags().StringVar(&month, "month", "", "month, YYYY-MM (default: the current month)")
	cmd.Flags().StringVar(&date, "date", "", "the day the plan figures run to, YYYY-MM-DD (default: the month's end, or today)")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	return cmd
}

// metricLabel names a metric key by the template's display label.
func metricLabel(t *report.Template, lang string) func(string) string {
	return func(k string) string {
		if mt, ok := t.Metric(k); ok {
			return mt.Label(lang)
		}
		return k
	}
}

// writePlan prints a план-факт: JSON (the Result), or per employee and for
// the team a table of plan, actual, %, forecast and forecast % with the
// metrics behind the pace marked.
func writePlan(w io.Writer, res *plan.Result, a *app.App, lang, format string) error {
	if format == formatJSON {
		return writeJSON(w, res)
	}
	label := metricLabel(a.Template, lang)
	m, _ := plan.ParseMonth(res.Month)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s, %s %s (%s: %d)\n", tr(lang, "План-факт за", "Plan vs actual,"), m.Name(lang),
		tr(lang, "на", "as of"), displayDate(res.Date, lang), tr(lang, "рабочих дней в месяце", "working days in the month"), res.WorkingDays)
	if !res.Planned() {
		fmt.Fprintf(&b, "\n%s\n", tr(lang, "На этот месяц планов нет (plans в настройках).", "No plans for this month (plans in the configuration)."))
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, e := range res.Employees {
		if len(e.Metrics) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %s %d, %s %d\n", nameOf(e.Name, e.ID), tr(lang, "рабочих дней", "working days"), e.WorkingDays,
			tr(lang, "прошло", "elapsed"), e.ElapsedDays)
		writeFigures(&b, e.Order, e.Metrics, label, lang)
	}
	fmt.Fprintf(&b, "\n%s\n", tr(lang, "Команда", "Team"))
	writeFigures(&b, res.Team.Order, res.Team.Metrics, label, lang)
	if line := res.BehindLine(label, lang); line != "" {
		fmt.Fprintf(&b, "\n%s\n", line)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func nameOf(name, id string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}

func writeFigures(out *strings.Builder, order []string, figs map[string]plan.Figures, label func(string) string, lang string) {
	var b strings.Builder
	defer func() {
		for _, l := range strings.SplitAfter(b.String(), "\n") {
			out.WriteString(strings.TrimRight(l, " \n"))
			if strings.HasSuffix(l, "\n") {
				out.WriteByte('\n')
			}
		}
	}()
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	withCRM := false
	for _, f := range figs {
		withCRM = withCRM || f.ActualCRM != nil
	}
	head := []string{tr(lang, "Показатель", "Metric"), tr(lang, "План", "Plan"), tr(lang, "Факт", "Actual")}
	if withCRM {
		head = append(head, tr(lang, "В CRM", "In CRM"))
	}
	head = append(head, "%", tr(lang, "Прогноз", "Forecast"), tr(lang, "% прогноза", "Forecast %"))
	fmt.Fprintln(tw, "  "+strings.Join(head, "\t"))
	for _, k := range order {
		f := figs[k]
		mark := ""
		if f.Behind() {
			mark = tr(lang, "◀ отстаёт", "◀ behind")
		}
		row := []string{label(k), plan.Number(&f.Plan, lang), plan.Number(&f.Actual, lang)}
		if withCRM {
			row = append(row, plan.Number(f.ActualCRM, lang))
		}
		row = append(row, plan.Percent(f.Percent, lang), plan.Number(f.Forecast, lang), plan.Percent(f.ForecastPercent, lang), mark)
		fmt.Fprintln(tw, "  "+strings.Join(row, "\t"))
	}
	_ = tw.Flush()
}

// writeReview prints the month review: JSON (the Review), or per employee
// the days by status, the totals, the flags, the plan and the free text.
func writeReview(w io.Writer, rv *plan.Review, m plan.Month, a *app.App, cfg *config.Config, format string) error {
	if format == formatJSON {
		return writeJSON(w, rv)
	}
	lang := cfg.Lang()
	label := metricLabel(a.Template, lang)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", tr(lang, "Итоги месяца:", "The month review:"), m.Name(lang))
	for i := range rv.Len() {
		e := rv.Employee(i)
		fmt.Fprintf(&b, "\n%s\n", nameOf(e.Name, e.ID))
		var days []string
		for _, s := range report.Statuses {
			if n := e.Days[s]; n > 0 {
				days = append(days, fmt.Sprintf("%s %d", s.Label(lang), n))
			}
		}
		if len(days) == 0 {
			days = []string{tr(lang, "нет дней", "no days")}
		}
		fmt.Fprintf(&b, "  %s: %s\n", tr(lang, "Дни", "Days"), strings.Join(days, ", "))
		var totals []string
		for _, mt := range a.Template.Metrics {
			if x, ok := e.Totals[mt.Key]; ok && mt.Type == report.Count {
				totals = append(totals, fmt.Sprintf("%s %s", mt.Label(lang), report.FormatValue(x, lang)))
			}
		}
		if len(totals) > 0 {
			fmt.Fprintf(&b, "  %s: %s\n", tr(lang, "Итого", "Totals"), strings.Join(totals, ", "))
		}
		if len(e.Flags) > 0 {
			var flags []string
			for _, code := range slices.Sorted(maps.Keys(e.Flags)) {
				flags = append(flags, fmt.Sprintf("%s %d", code, e.Flags[code]))
			}
			fmt.Fprintf(&b, "  %s: %s\n", tr(lang, "Флаги проверки", "Flags"), strings.Join(flags, ", "))
		}
		if len(e.Plan) > 0 {
			fmt.Fprintf(&b, "  %s:\n", tr(lang, "План-факт", "Plan vs actual"))
			writeFigures(&b, e.PlanOrder, e.Plan, label, lang)
		}
		for _, n := range e.Notes {
			fmt.Fprintf(&b, "  %s:", displayDate(n.Date, lang))
			if n.Notes != "" {
				fmt.Fprintf(&b, " %s", indentText(n.Notes))
			}
			if n.LongTerm != "" {
				fmt.Fprintf(&b, "\n    → %s", indentText(n.LongTerm))
			}
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// indentText keeps a multi-line text under its date.
func indentText(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }
