package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm/setup"
)

func newCRMCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "crm", Short: "CRM commands"}
	var dryRun bool
	setupCmd := &cobra.Command{
		Use:   "setup",
		Short: "Create on the CRM what the adapter needs and print the configuration block to paste",
		Long: `setup needs only the CRM's credentials in the configuration. It finds or creates
what the adapter writes to, and prints the block to paste into the crm section:

  bitrix24  the smart process "Ежедневные отчёты" (crm.type.list / crm.type.add) and one
            user field per metric, status, notes, flags and link (userfieldconfig.list /
            userfieldconfig.add): entity_type_id, spa_id, fields
  amocrm    the list "Ежедневные отчёты" (/api/v4/catalogs) and its custom fields
            (/api/v4/catalogs/{id}/custom_fields): catalog_id, fields
  hubspot   the custom object "daily_reports" (/crm/v3/schemas) and its properties
            (/crm/v3/properties/{objectType}): object_type, fields

Running it again creates nothing new. --dry-run reads the CRM and prints what would
be created, creating nothing. The README says which rights the token needs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Setup produces ids the configuration cannot have yet: it loads
			// without them (every other command requires them).
			cfg, err := config.LoadForSetup(g.configPath, osLookupEnv)
			if err != nil {
				return usageError(err)
			}
			out, err := app.CRMSetup(cmd.Context(), cfg, setup.Options{DryRun: dryRun})
			fmt.Fprint(g.stdout, out)
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			return nil
		},
	}
	setupCmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be created, creating nothing")
	cmd.AddCommand(setupCmd)
	return cmd
}
