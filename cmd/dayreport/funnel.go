package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newFunnelCmd(g *globals) *cobra.Command {
	var from, to, by, format string
	cmd := &cobra.Command{
		Use:   "funnel [--from D] [--to D] [--by team|employee] [--format text|json]",
		Short: "Funnel conversion from the stored reports: where the team loses the most clients",
		Long: `funnel adds up the stored reports of a window (submitted and late days; absent and
invalid days are no data, not zeros) into the funnel of the report template, prints
each stage's count and conversion from the stage before, and marks the weakest
transition: the lowest conversion among those whose previous stage has at least 10.
The window of equal length just before is shown for the trend.

--to defaults to the newest stored day (never after today), --from to the start of the
configured summary window (summary.window, default 2w: that week and the one before).
--by employee adds a table per employee with where they fall furthest below the team;
the JSON always carries both, and the change log followed through the funnel under
"changes" (see dayreport changes).`,
		Example: `  dayreport funnel --config config/demo.yaml
  dayreport funnel --config config/demo.yaml --from 2026-10-26 --to 2026-11-06 --by employee
  dayreport funnel --config config/demo.yaml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if by != "team" && by != "employee" {
				return usageError(fmt.Errorf("--by %q: want team or employee", by))
			}
			f, err := parseDateFlag("from", from)
			if err != nil {
				return err
			}
			t, err := parseDateFlag("to", to)
			if err != nil {
				return err
			}
			a, cfg, err := g.openApp(cmd, true, format)
			if err != nil {
				return err
			}
			defer g.closeApp(a)
			if t.IsZero() {
				last, ok, err := a.LastDay(cmd.Context())
				if err != nil {
					return &exitError{code: exitPartial, err: err}
				}
				t = g.today(cfg)
				if ok {
					t = last
				}
			}
			if f.IsZero() {
				f = a.WindowEnding(t)
			}
			if t.Before(f) {
				return usageError(errors.New("funnel: --from must not be after --to"))
			}
			res, err := a.Funnel(cmd.Context(), f, t)
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			names := map[string]string{}
			for _, e := range cfg.Employees {
				names[e.ID] = e.Name
			}
			if format == formatJSON {
				ch, err := a.FollowChanges(cmd.Context())
				if err != nil {
					return &exitError{code: exitPartial, err: err}
				}
				return writeJSON(g.stdout, funnelWithChanges{Result: res, Changes: ch.Changes})
			}
			return writeFunnel(g.stdout, res, names, cfg.Lang(), format, by == "employee")
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (default: the start of the summary window)")
	cmd.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD (default: the newest stored day)")
	cmd.Flags().StringVar(&by, "by", "team", "team, or employee to add a table per employee")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	return cmd
}
