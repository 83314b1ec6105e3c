package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// TestHelpIsTranslated: every command and every flag has its Russian help,
// so a command or flag added later without one fails here.
func TestHelpIsTranslated(t *testing.T) {
	t.Parallel()
	root := newRoot(&globals{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var missing []string
	walk(root, func(c *cobra.Command) {
		path := helpPath(c)
		if c.Parent() != nil && c.Parent().Name() == "completion" {
			return // cobra's own per-shell scripts
		}
		tr, ok := helpRU[path]
		if !ok || tr.Short == "" {
			missing = append(missing, "command "+path)
			return
		}
		own := func(f *pflag.Flag) {
			if _, ok := tr.Flags[f.Name]; !ok && f.Name != "help" {
				missing = append(missing, "flag --"+f.Name+" of "+path)
			}
		}
		c.LocalNonPersistentFlags().VisitAll(own)
		c.PersistentFlags().VisitAll(own)
	})
	require.Empty(t, missing, "add them to helpRU in help.go")
}

func TestHelpLanguage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	en := configFile(t, dir, "en.yaml", "company: {language: en}\n")
	ru := configFile(t, dir, "ru.yaml", "company: {timezone: Europe/Moscow}\n")
	block := configFile(t, dir, "block.yaml", "# team\r\nemployees:\r\n  - {id: anna, name: Анна}\r\n  - {id: boris, name: 'company: ru'}\r\n"+
		"company:\r\n  # the office\r\n  timezone: Asia/Yekaterinburg\r\n\r\n  language: en\r\nsummary: {xlsx: s.xlsx}")
	alias := configFile(t, dir, "alias.yaml", "defaults: &d {language: en}\ncompany: *d\n")
	twice := configFile(t, dir, "twice.yaml", "company: {language: en}\ncompany: {language: ru}\n")
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"config says en", []string{"sync", "--config", en, "--help"}, nil, "en"},
		{"config= form", []string{"--config=" + en, "check", "-h"}, map[string]string{"LANG": "ru_RU.UTF-8"}, "en"},
		{"config without language", []string{"--config", ru}, map[string]string{"LANG": "en_US.UTF-8"}, "ru"},
		{"company block among others", []string{"--config", block}, map[string]string{"LANG": "ru_RU.UTF-8"}, "en"},
		{"company by alias", []string{"--config", alias}, nil, "en"},
		{"company twice: not YAML", []string{"--config", twice}, map[string]string{"LANG": "en_US.UTF-8"}, "en"},
		{"$DAYREPORT_CONFIG", []string{"--help"}, map[string]string{"DAYREPORT_CONFIG": en}, "en"},
		{"no config, English locale", []string{"--config", filepath.Join(dir, "none.yaml")}, map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
		{"no config, LC_ALL first", []string{"--config", filepath.Join(dir, "none.yaml")}, map[string]string{"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US"}, "ru"},
		{"no config, no locale", []string{"--config", filepath.Join(dir, "none.yaml")}, nil, "ru"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, helpLanguage(tc.args, env(tc.env)))
		})
	}
}

// TestHelpInRussian: with a Russian company, help speaks Russian, cobra's
// headings too; with language: en it stays English.
func TestHelpInRussian(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ru := configFile(t, dir, "ru.yaml", "company: {language: ru}\n")
	en := configFile(t, dir, "en.yaml", "company: {language: en}\n")

	code, out, _ := execCLI(t, "--config", ru, "sync", "--help")
	require.Equal(t, exitOK, code)
	for _, want := range []string{"sync выполняет один проход", "Использование:", "Флаги:", "Общие флаги:",
		"только прочитать и проверить", "файл настроек (или $DAYREPORT_CONFIG)", "справка по dayreport sync"} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "Usage:")

	code, out, _ = execCLI(t, "--config", ru, "--help")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "Команды:")
	require.Contains(t, out, "Начать новую команду")

	code, out, _ = execCLI(t, "--config", en, "sync", "--help")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "Usage:")
	require.Contains(t, out, "sync runs one pass")
}

// configFile writes a configuration into dir and returns its path.
func configFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}
