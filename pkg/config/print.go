package config

import (
	"fmt"
	"io"
	"sort"

	"gopkg.in/yaml.v3"
)

// Print writes the effective configuration (defaults filled in, paths
// absolute) as YAML. Every secret is shown as "[hidden]"; empty ones are left out.
func (c *Config) Print(w io.Writer) error {
	if _, err := io.WriteString(w, "# effective configuration; secrets are shown as [hidden]\n"); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	// URLs that are not secrets are printed; a user:password@ part in one
	// (refused by validation, but Print does not rely on it) is not.
	shown := *c
	shown.CRM.AmoCRM.BaseURL = withoutUserinfo(shown.CRM.AmoCRM.BaseURL)
	shown.CRM.HubSpot.BaseURL = withoutUserinfo(shown.CRM.HubSpot.BaseURL)
	shown.Notify.Telegram.BaseURL = withoutUserinfo(shown.Notify.Telegram.BaseURL)
	shown.Google.Endpoint = withoutUserinfo(shown.Google.Endpoint)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&shown); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config: print: %w", err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
