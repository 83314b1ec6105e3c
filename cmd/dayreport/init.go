package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/scaffold"
)

// defaultEmployees start a team when --employees is not given.
const defaultEmployees = "Иван Иванов, Анна Петрова"

func newInitCmd(g *globals) *cobra.Command {
	var dir, employees string
	cmd := &cobra.Command{
		Use:   "init [--dir D] [--employees \"Имя Фамилия, …\"]",
		Short: "Start a new team: a commented config, a report folder with an example per employee, a summary path",
		Example: `  dayreport init --dir sales --employees "Иван Иванов, Анна Петрова"
  dayreport config check --config sales/dayreport.yaml`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			people, err := scaffold.People(employees)
			if err != nil {
				return usageError(fmt.Errorf("init: --employees: %w", err))
			}
			for _, p := range people {
				if ps := config.ValidateEmployee(config.Employee{ID: p.ID, Name: p.Name}); len(ps) > 0 {
					return usageError(fmt.Errorf("init: %s: %s", p.Name, ps[0].Message))
				}
			}
			def := config.Default()
			written, err := scaffold.Write(scaffold.Team{
				Dir: dir, People: people, Template: report.MustBuiltin(def.Template), Timezone: def.Company.Timezone,
				Today: calendar.Today(g.clock(), def.CompanyLocation()),
			})
			var exists *scaffold.ExistsError
			if errors.As(err, &exists) {
				return usageError(err)
			}
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			for _, p := range written {
				fmt.Fprintln(g.stdout, p)
			}
			today := calendar.Today(g.clock(), def.CompanyLocation())
			fmt.Fprintf(g.stdout, "\ndayreport config check --config %s\n", written[0])
			fmt.Fprintf(g.stdout, "dayreport backfill --config %s --from %s --to %s\n", written[0], today, today)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the new team's folder (default: the current one)")
	cmd.Flags().StringVar(&employees, "employees", defaultEmployees,
		"employees, comma-separated \"Name Surname, …\" (ids are their surnames in Latin)")
	return cmd
}
