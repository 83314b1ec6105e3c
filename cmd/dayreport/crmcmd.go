package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
)

func newCRMCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "crm", Short: "CRM commands"}
	cmd.AddCommand(&cobra.Command{
		Use:   "setup",
		Short: "Create on the CRM what the adapter needs (where its API allows) and print the field mapping for the config",
		Long: `setup creates, for bitrix24, the smart process "Ежедневные отчёты" (crm.type.add) and
one user field per metric, status, notes, flags and link (userfieldconfig.add), and
prints the crm.bitrix24 section to paste into the configuration. Running it again
creates nothing new. For amocrm and hubspot the README says what to create by hand.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := app.LoadConfig(g.configPath, true)
			if err != nil {
				return usageError(err)
			}
			out, err := app.CRMSetup(cmd.Context(), cfg)
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			fmt.Fprint(g.stdout, out)
			return nil
		},
	})
	return cmd
}
