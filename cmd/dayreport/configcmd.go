package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/config"
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
				_, err = app.LoadTemplate(cfg.Template)
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
			fmt.Fprintf(g.stdout, "%s: ok (%d employees, template %s, source %s, crm %s)\n",
				g.configPath, len(cfg.Employees), cfg.Template, cfg.Source.Kind, cfg.CRM.Adapter)
			return nil
		},
	}
	check.Flags().BoolVar(&printCfg, "print", false, "print the effective configuration (defaults filled in, secrets hidden)")
	cmd.AddCommand(check)
	return cmd
}
