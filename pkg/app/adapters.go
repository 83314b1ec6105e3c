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

// CRMSetup creates on the CRM what the configured adapter needs, where its
// API allows it, and returns the configuration to paste (SPEC §6).
func CRMSetup(ctx context.Context, cfg *config.Config) (string, error) {
	switch cfg.CRM.Adapter {
	case "", config.AdapterBuiltin:
		return "# builtin: the records live in the state database; nothing to create.\n", nil
	case config.AdapterWebhook:
		return "# webhook: nothing to create; the receiver must upsert by the Idempotency-Key header.\n", nil
	case config.AdapterBitrix24:
		t, err := LoadTemplate(cfg.Template)
		if err != nil {
			return "", err
		}
		var metrics []bitrix24.Metric
		for _, m := range t.Metrics {
			if m.Type == report.Count || m.Type == report.Rating {
				metrics = append(metrics, bitrix24.Metric{Key: m.Key, Label: m.Label(cfg.Lang())})
			}
		}
		m, err := bitrix24.Setup(ctx, cfg.CRM.Bitrix24, bitrix24.SetupOptions{Metrics: metrics})
		if err != nil {
			return "", fmt.Errorf("crm setup: %w", err)
		}
		return m.YAML(), nil
	}
	return "", fmt.Errorf("crm setup: %s: the API does not allow it; create the objects by hand as the README describes", cfg.CRM.Adapter)
}
