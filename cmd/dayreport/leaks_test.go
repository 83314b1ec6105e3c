package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
)

// TestURLWithPasswordRefused: amocrm.base_url with user:pass@ used to pass
// `config check` and be printed whole by --print; it is now a problem of
// its key, and the password appears nowhere: not in the problem, not in
// --print (which does not print an invalid configuration), not in Print
// given such a configuration anyway.
func TestURLWithPasswordRefused(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	path := filepath.Join(t.TempDir(), "dayreport.yaml")
	text := "crm:\n  adapter: amocrm\n  amocrm:\n    base_url: https://admin:Pa55w0rd-xyz@example.amocrm.ru\n" +
		"    token: t0ken\n    catalog_id: 5501\n" +
		"employees:\n  - {id: anna, name: Анна, crm_user_id: \"7\"}\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	for _, args := range [][]string{{"config", "check"}, {"config", "check", "--print"}} {
		code, out, stderr := execCLI(t, append(args, "--config", path)...)
		require.Equal(t, 2, code, stderr)
		require.Contains(t, stderr, "crm.amocrm.base_url: holds a user name or password")
		require.NotContains(t, out+stderr, "Pa55w0rd")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("notify: {telegram: {token: \"1:x\", base_url: \"ftp://u:Pa55w0rd-xyz@h\"}}\n"), 0o644))
	code, out, stderr := execCLI(t, "config", "check", "--config", bad)
	require.Equal(t, 2, code)
	require.NotContains(t, out+stderr, "Pa55w0rd", "not even in a URL that is wrong for another reason")

	cfg := &config.Config{}
	cfg.CRM.AmoCRM.BaseURL = "https://admin:Pa55w0rd-xyz@example.amocrm.ru"
	var b bytes.Buffer
	require.NoError(t, cfg.Print(&b))
	require.NotContains(t, b.String(), "Pa55w0rd")
	require.Contains(t, b.String(), "https://example.amocrm.ru")
}
