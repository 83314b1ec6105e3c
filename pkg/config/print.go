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
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
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
