// Package setup is `dayreport crm setup`: it prepares the configured CRM
// for its adapter from the credentials alone — Bitrix24's smart process and
// user fields, amoCRM's list and custom fields, HubSpot's custom object and
// properties — finding what a previous run made, so that running it again
// creates nothing, and returns the configuration block to paste. Each
// adapter package does its own part (bitrix24.Setup, amocrm.Setup,
// hubspot.Setup); this package picks it and writes the report.
package setup

import (
	"context"
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
)

// Metric is a metric of the report template that gets a field in the CRM.
type Metric = crm.SetupMetric

// Options are the settings of one run.
type Options struct {
	// DryRun reads what the CRM holds and reports what would be created,
	// creating nothing.
	DryRun bool
}

// Run prepares the CRM of c for its adapter and returns the report: one
// comment line per thing found or created (or to be created, on a dry run),
// then the YAML block to paste into the configuration next to the
// credentials. The report holds no secret.
func Run(ctx context.Context, c config.CRM, metrics []Metric, opts Options) (string, error) {
	var (
		steps []crm.SetupStep
		block string
		err   error
	)
	switch c.Adapter {
	case "", config.AdapterBuiltin:
		return "# builtin: the records live in the state database; nothing to create.\n", nil
	case config.AdapterWebhook:
		return "# webhook: nothing to create; the receiver must upsert by the Idempotency-Key header.\n", nil
	case config.AdapterBitrix24:
		var m bitrix24.Mapping
		m, err = bitrix24.Setup(ctx, c.Bitrix24, bitrix24.SetupOptions{Metrics: metrics, DryRun: opts.DryRun})
		steps, block = m.Steps, m.YAML()
	case config.AdapterAmoCRM:
		var m amocrm.Mapping
		m, err = amocrm.Setup(ctx, c.AmoCRM, amocrm.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: metrics, DryRun: opts.DryRun}})
		steps, block = m.Steps, m.YAML()
	case config.AdapterHubSpot:
		var m hubspot.Mapping
		m, err = hubspot.Setup(ctx, c.HubSpot, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: metrics, DryRun: opts.DryRun}})
		steps, block = m.Steps, m.YAML()
	default:
		return "", fmt.Errorf("crm setup: unknown adapter %q", c.Adapter)
	}
	var b strings.Builder
	for _, st := range steps {
		fmt.Fprintf(&b, "# %s: %s\n", c.Adapter, st.Text(opts.DryRun))
	}
	if err != nil {
		return b.String(), fmt.Errorf("crm setup: %w", err)
	}
	if opts.DryRun {
		b.WriteString("# dry run: nothing was created; run without --dry-run to create it and print the block to paste.\n")
		return b.String(), nil
	}
	b.WriteString("# Paste into the configuration, next to the credentials:\n")
	b.WriteString(block)
	return b.String(), nil
}
