package app

import (
	"context"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
	"github.com/dayreport/dayreport/pkg/crm/setup"
	"github.com/dayreport/dayreport/pkg/crm/webhook"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
)

// newAdapter builds the configured CRM adapter (SPEC §6). Every one is
// wrapped in the app's crm.Retrier; none retries by itself.
func newAdapter(cfg *config.Config, s *store.Store, timeout time.Duration) (crm.Adapter, error) {
	var (
		a   crm.Adapter
		err error
	)
	switch cfg.CRM.Adapter {
	case "", config.AdapterBuiltin:
		return builtin.New(s), nil
	case config.AdapterWebhook:
		a, err = webhook.New(cfg.CRM.Webhook, webhook.Options{Timeout: timeout})
	case config.AdapterBitrix24:
		a, err = bitrix24.New(cfg.CRM.Bitrix24, bitrix24.Options{Timeout: timeout})
	case config.AdapterAmoCRM:
		a, err = amocrm.New(cfg.CRM.AmoCRM, amocrm.Options{Timeout: timeout})
	case config.AdapterHubSpot:
		a, err = hubspot.New(cfg.CRM.HubSpot, hubspot.Options{Timeout: timeout})
	default:
		return nil, fmt.Errorf("crm: unknown adapter %q (want builtin, webhook, bitrix24, amocrm or hubspot)", cfg.CRM.Adapter)
	}
	if err != nil {
		return nil, fmt.Errorf("crm.%s: %w", cfg.CRM.Adapter, err)
	}
	return a, nil
}

// CRMSetup creates on the CRM what the configured adapter needs, from its
// credentials alone, finding what an earlier run made (a second run creates
// nothing), and returns the report: what was found and created, and the
// configuration block to paste (SPEC §6). With opts' DryRun it creates
// nothing and reports what it would create. On error the report says what
// was done before it.
func CRMSetup(ctx context.Context, cfg *config.Config, opts ...setup.Options) (string, error) {
	var o setup.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var metrics []setup.Metric
	switch cfg.CRM.Adapter {
	case config.AdapterBitrix24, config.AdapterAmoCRM, config.AdapterHubSpot:
		t, err := LoadTemplate(cfg.Template)
		if err != nil {
			return "", err
		}
		for _, m := range t.Metrics {
			if m.Type == report.Count || m.Type == report.Rating {
				metrics = append(metrics, setup.Metric{Key: m.Key, Label: m.Label(cfg.Lang())})
			}
		}
	}
	return setup.Run(ctx, cfg.CRM, metrics, o)
}
