package setup_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
	"github.com/dayreport/dayreport/pkg/crm/hubspot/hubspotfake"
	"github.com/dayreport/dayreport/pkg/crm/setup"
)

// lookupNone is an empty environment.
func lookupNone(string) (string, bool) { return "", false }

// account is one fake CRM and the configuration holding only its
// credentials.
type account struct {
	crm     string                         // the crm section, credentials only
	created func() int                     // how many things were created so far
	secrets []string                       // none may be printed
	check   func(t *testing.T, out string) // what the block must name
}

func accounts(t *testing.T) map[string]account {
	b24 := bitrix24fake.New(t, bitrix24fake.Options{})
	amo := amocrmfake.New(t, amocrmfake.Options{Token: "amo-setup-token-5a1f", Limit: 1000})
	hs := hubspotfake.New(t, hubspotfake.Options{Token: "pat-na1-setup-token-77"})
	return map[string]account{
		"bitrix24": {
			crm: fmt.Sprintf("crm:\n  adapter: bitrix24\n  bitrix24:\n    webhook_url: %q\n", b24.WebhookURL()),
			created: func() int {
				return count(b24.Requests(), func(r bitrix24fake.Request) bool {
					return r.Method == "crm.type.add" || r.Method == "userfieldconfig.add"
				})
			},
			secrets: []string{b24.Code()},
			check: func(t *testing.T, out string) {
				require.Contains(t, out, "entity_type_id: ")
				require.Contains(t, out, "new_calls: UF_CRM_")
			},
		},
		"amocrm": {
			crm: fmt.Sprintf("crm:\n  adapter: amocrm\n  amocrm:\n    base_url: %q\n    token: amo-setup-token-5a1f\n", amo.URL),
			created: func() int {
				return count(amo.Requests(), func(r amocrmfake.Request) bool { return r.Method == http.MethodPost })
			},
			secrets: []string{"amo-setup-token-5a1f"},
			check: func(t *testing.T, out string) {
				require.Contains(t, out, "catalog_id: ")
				require.Contains(t, out, "_status: ")
			},
		},
		"hubspot": {
			crm: fmt.Sprintf("crm:\n  adapter: hubspot\n  hubspot:\n    base_url: %q\n    token: pat-na1-setup-token-77\n", hs.URL),
			created: func() int {
				return len(hs.Schemas()) + propertyCount(hs.Schemas())
			},
			secrets: []string{"pat-na1-setup-token-77"},
			check: func(t *testing.T, out string) {
				require.Contains(t, out, "object_type: 2-")
			},
		},
	}
}

// TestSetupFromCredentials is the command's contract end to end, for every
// CRM against its fake: a configuration holding only the credentials fails
// `config check` with "run `dayreport crm setup`", loads for setup, setup
// creates what the adapter needs and prints a block; a second run creates
// nothing and prints the same block; pasted next to the credentials, the
// block makes `config check` pass (config.Load and the template, as the
// command does) and the adapter builds from it.
func TestSetupFromCredentials(t *testing.T) {
	t.Parallel()
	for name, acc := range accounts(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "dayreport.yaml")
			base := "state: {path: " + filepath.Join(dir, "state.db") + "}\n" + acc.crm
			require.NoError(t, os.WriteFile(path, []byte(base), 0o600))

			_, err := config.Load(path, lookupNone)
			require.ErrorContains(t, err, "run `dayreport crm setup`", "config check asks for setup")

			cfg, err := config.LoadForSetup(path, lookupNone)
			require.NoError(t, err)
			plan, err := app.CRMSetup(t.Context(), cfg, setup.Options{DryRun: true})
			require.NoError(t, err)
			require.Contains(t, plan, "would create")
			require.Zero(t, acc.created(), "a dry run creates nothing")

			out, err := app.CRMSetup(t.Context(), cfg)
			require.NoError(t, err)
			require.Positive(t, acc.created())
			require.Contains(t, out, "created ")
			acc.check(t, out)
			for _, s := range acc.secrets {
				require.NotContains(t, out, s, "the report holds no secret")
			}

			created := acc.created()
			again, err := app.CRMSetup(t.Context(), cfg)
			require.NoError(t, err)
			require.Equal(t, created, acc.created(), "a second run creates nothing")
			require.NotContains(t, again, "created ")
			require.Equal(t, block(out), block(again), "the same block")

			require.NoError(t, os.WriteFile(path, []byte(paste(t, base, out)), 0o600))
			checked, err := config.Load(path, lookupNone)
			require.NoError(t, err, "config check passes with the block pasted")
			_, err = app.LoadTemplate(checked.Template)
			require.NoError(t, err)
			require.NoError(t, newAdapter(checked.CRM), "the adapter builds from it")
		})
	}
}

// newAdapter builds the configured adapter, as a pass would.
func newAdapter(c config.CRM) error {
	var err error
	switch c.Adapter {
	case config.AdapterBitrix24:
		_, err = bitrix24.New(c.Bitrix24, bitrix24.Options{})
	case config.AdapterAmoCRM:
		_, err = amocrm.New(c.AmoCRM, amocrm.Options{})
	case config.AdapterHubSpot:
		_, err = hubspot.New(c.HubSpot, hubspot.Options{})
	default:
		err = fmt.Errorf("no adapter %q", c.Adapter)
	}
	return err
}

// count is how many of xs match.
func count[T any](xs []T, match func(T) bool) int {
	n := 0
	for _, x := range xs {
		if match(x) {
			n++
		}
	}
	return n
}

// propertyCount is how many properties the schemas hold.
func propertyCount(schemas []hubspotfake.Schema) int {
	n := 0
	for _, sc := range schemas {
		n += len(sc.Properties)
	}
	return n
}

// block is the YAML after the report's comment lines.
func block(out string) string {
	_, after, _ := strings.Cut(out, "# Paste into the configuration, next to the credentials:\n")
	return after
}

// paste merges the printed block into the configuration, as a person
// pasting it into the crm section would.
func paste(t *testing.T, base, out string) string {
	t.Helper()
	var cfg, add map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(base), &cfg))
	require.NoError(t, yaml.Unmarshal([]byte(out), &add), "the whole report is YAML (comments and the block)")
	merge(cfg, add)
	b, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	return string(b)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sub, ok := v.(map[string]any); ok {
			if d, ok := dst[k].(map[string]any); ok {
				merge(d, sub)
				continue
			}
		}
		dst[k] = v
	}
}
