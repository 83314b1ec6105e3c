package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

func newCheckCmd(g *globals) *cobra.Command {
	var (
		file, employee, date, format string
	)
	cmd := &cobra.Command{
		Use:   "check (--file F | --employee ID) [--date D] [--format text|json]",
		Short: "Parse and validate one report and print every error with its location; writes nothing",
		Example: `  dayreport check --file testdata/reports/ivanov__basic.txt
  dayreport check --file report.md --date 2026-11-26 --format json
  dayreport check --employee ivanov --config config/demo.yaml --date 2026-11-05`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (file == "") == (employee == "") {
				return usageError(errors.New("check: give exactly one of --file or --employee"))
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			d, err := parseDateFlag("date", date)
			if err != nil {
				return err
			}
			cfg, err := app.LoadConfig(g.configPath, g.configExplicit || employee != "")
			if err != nil {
				return usageError(err)
			}
			tmpl, err := app.LoadTemplate(cfg.Template)
			if err != nil {
				return usageError(err)
			}
			today := calendar.Today(g.clock(), cfg.CompanyLocation())
			var res *app.CheckResult
			if file != "" {
				res, err = app.CheckFile(app.CheckRequest{File: file, Date: d, Today: today, Lang: cfg.Lang(), Template: tmpl})
			} else {
				res, err = app.CheckEmployee(cmd.Context(), cfg, tmpl, employee, d, today, g.clock)
			}
			var unknown *app.UnknownEmployeeError
			if errors.As(err, &unknown) {
				return usageError(err)
			}
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			if err := writeCheck(g.stdout, res, tmpl, cfg.Lang(), format); err != nil {
				return err
			}
			if res.Status != report.Submitted {
				return &exitError{code: exitPartial}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "a report file (.txt, .md or .csv)")
	cmd.Flags().StringVar(&employee, "employee", "", "an employee id from the configuration (reads their report from the configured source)")
	cmd.Flags().StringVar(&date, "date", "", "the day to check, YYYY-MM-DD (default: the newest day in the report)")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	return cmd
}

func checkFormat(f string) error {
	if f != formatText && f != formatJSON {
		return usageError(fmt.Errorf("--format %q: want text or json", f))
	}
	return nil
}

func parseDateFlag(name, v string) (day.Date, error) {
	if v == "" {
		return day.Date{}, nil
	}
	d, err := day.Parse(v)
	if err != nil {
		return day.Date{}, usageError(fmt.Errorf("--%s: %w", name, err))
	}
	return d, nil
}

// clock is the command's notion of now: --now when given (replays, demos), else the wall clock.
func (g *globals) clock() time.Time {
	if !g.now.IsZero() {
		return g.now
	}
	return time.Now()
}
