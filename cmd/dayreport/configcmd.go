package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/daemon"
	"github.com/dayreport/dayreport/pkg/report"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Configuration commands",
	}
	var printCfg bool
	check := &cobra.Command{
		Use:   "check",
		Short: "Load and validate the configuration, print every problem at once (exit 2 if any)",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath, osLookupEnv)
			if err == nil {
				// The folders and files it names, then the template itself.
				err = cfg.CheckFiles()
			}
			if err == nil {
				var t *report.Template
				if t, err = app.LoadTemplate(cfg.Template); err == nil {
					err = app.CheckChanges(cfg, t)
				}
			}
			if err != nil {
				var cerr *config.Error
				if errors.As(err, &cerr) {
					fmt.Fprintln(g.stderr, cerr.Error())
					return &exitError{code: exitUsage, err: fmt.Errorf("%s: %d problem(s)", g.configPath, len(cerr.Problems))}
				}
				return usageError(err)
			}
			if printCfg {
				return cfg.Print(g.stdout)
			}
			warnings, err := configWarnings(cfg, g.clock())
			if err != nil {
				return usageError(err)
			}
			for _, w := range warnings {
				fmt.Fprintln(g.stderr, "warning:", w)
			}
			fmt.Fprintf(g.stdout, "%s: ok (%d employees, template %s, source %s, crm %s)\n",
				g.configPath, len(cfg.Employees), cfg.Template, cfg.Source.Kind, cfg.CRM.Adapter)
			return nil
		},
	}
	check.Flags().BoolVar(&printCfg, "print", false, "print the effective configuration (defaults filled in, secrets hidden)")
	cmd.AddCommand(check)
	return cmd
}

// configWarnings are what is valid but likely to surprise: a day-of-week
// field the daemon ignores, and a production calendar that ends this year.
func configWarnings(cfg *config.Config, now time.Time) ([]string, error) {
	var out []string
	for _, s := range []struct{ key, spec string }{
		{"schedule.poll", cfg.Schedule.Poll}, {"schedule.close_day", cfg.Schedule.CloseDay}, {"schedule.summary", cfg.Schedule.Summary},
	} {
		if daemon.HasWeekdayField(s.spec) {
			out = append(out, fmt.Sprintf("%s %q: the day-of-week field is ignored; the production calendar decides the "+
				"working days (a transferred working Saturday is polled and closed, a holiday is not)", s.key, s.spec))
		}
	}
	cal, err := app.NewCalendar(cfg.Calendar)
	if err != nil {
		return nil, err
	}
	year := calendar.Today(now, cfg.CompanyLocation()).Year
	if last := cal.LastKnownYear(); last != 0 && year >= last {
		out = append(out, fmt.Sprintf("calendar: %d is the last year the production calendar knows; from 1 January %d "+
			"every pass is refused until calendar.years declares %d (its holidays and transferred working days)", last, last+1, last+1))
	}
	if cal.Provisional(year) {
		out = append(out, fmt.Sprintf("calendar: the shipped data for %d was not checked against the Government decree on "+
			"transferred days off; declare the decree's days under calendar.years if they differ", year))
	}
	return out, nil
}
