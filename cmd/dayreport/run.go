package main

import (
	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/daemon"
)

func newRunCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "The daemon: run the schedule until SIGINT/SIGTERM, serve health and metrics",
		Long: `run executes the configuration's schedule in the company time zone:
  poll       (default "*/20 17-23 * * *")  sync today (each employee's own today)
  close_day  (default "30 21 * * *")       close today, send the manager's digest
  summary    (default: after every pass)   write the manager summary
The cron expressions give the times; the production calendar decides the days: a
transferred working Saturday is polled and closed, a holiday is not (a day-of-week
field is ignored). Every pass first closes the days that no pass reached after their
deadline (downtime, time zones west of the company). Runs never overlap (a run due
while another is going is skipped and logged), and only one process runs a pass on
a state database at a time.

HTTP on http.listen (default 127.0.0.1:9380): /healthz, /readyz, /metrics
(Prometheus), /status (JSON: last passes, next runs). SIGINT or SIGTERM stops
taking new runs, lets the running pass finish the employee at hand (what is not
pushed stays queued for the next pass) and exits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := app.LoadConfig(g.configPath, true)
			if err != nil {
				return usageError(err)
			}
			log, err := g.logger(cfg)
			if err != nil {
				return usageError(err)
			}
			m := daemon.NewMetrics()
			m.SetBuildInfo(buildVersion())
			a, err := app.New(cmd.Context(), cfg, app.Options{Now: g.clock, Log: log, Observer: m,
				OnGoogleRequest: m.GoogleRequest, Console: g.stdout})
			if err != nil {
				return openError(err)
			}
			defer g.closeApp(a)
			d, err := daemon.New(a.Engine, m, daemon.Options{})
			if err != nil {
				return usageError(err)
			}
			// A busy port is temporary (the old process still exiting):
			// exit 1, and the unit restarts.
			if err := d.Listen(); err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			if err := d.Run(cmd.Context()); err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			return nil
		},
	}
}
