package app

import (
	"fmt"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
	"github.com/dayreport/dayreport/pkg/crm/webhook"
	"github.com/dayreport/dayreport/pkg/store"
)

// newAdapter builds the configured CRM adapter (SPEC §6). Every one is
// wrapped in the app's crm.Retrier; none retries by itself.
func newAdapter(cfg *config.Config, s *store.Store) (crm.Adapter, error) {
	var (
		a   crm.Adapter
		err error
	)
	switch cfg.CRM.Adapter {
	case "", config.AdapterBuiltin:
		return builtin.New(s), nil
	case config.AdapterWebhook:
		a, err = webhook.New(cfg.CRM.Webhook, webhook.Options{})
	case config.AdapterHubSpot:
		a, err = hubspot.New(cfg.CRM.HubSpot, hubspot.Options{})
	default:
		return nil, fmt.Errorf("crm: unknown adapter %q (want builtin, webhook, bitrix24, amocrm or hubspot)", cfg.CRM.Adapter)
	}
	if err != nil {
		return nil, fmt.Errorf("crm.%s: %w", cfg.CRM.Adapter, err)
	}
	return a, nil
}
