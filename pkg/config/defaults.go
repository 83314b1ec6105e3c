package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Defaults (SPEC §5, §9, §10).
const (
	DefaultTimezone       = "Europe/Moscow"
	DefaultLanguage       = "ru"
	DefaultTemplate       = "sales-ru"
	DefaultStatePath      = "dayreport.db"
	DefaultPoll           = "*/20 17-23 * * *"
	DefaultCloseDay       = "30 21 * * *"
	DefaultListen         = "127.0.0.1:9380"
	DefaultTelegramURL    = "https://api.telegram.org"
	DefaultHubSpotURL     = "https://api.hubapi.com"
	DefaultReadsPerMinute = 60
	// DefaultDocsReadsPerMinute is the Docs API's default read quota per user.
	DefaultDocsReadsPerMinute = 300
	DefaultSMTPPort           = 587
	DefaultWindowDays         = 14
	DefaultToleranceAbs       = 2
	DefaultTolerancePct       = 20
	DefaultBitrix24RPS        = 2
	DefaultAmoCRMRPS          = 7
	// DefaultHorizonDays is how far back the day ledger closes days.
	DefaultHorizonDays = 31
)

// Default returns a configuration with every default filled in and no
// employees, for building configurations in code (call Validate after).
func Default() *Config {
	c := &Config{}
	applyDefaults(c, nil)
	return c
}

// applyDefaults fills in what the file left out. given tells which numeric and
// time settings the file set explicitly (an explicit 0 stays 0).
func applyDefaults(c *Config, given map[string]bool) {
	unset := func(path string) bool { return !given[path] }
	str := func(p *string, def string) {
		*p = strings.TrimSpace(*p)
		if *p == "" {
			*p = def
		}
	}
	enum := func(p *string, def string) {
		str(p, def)
		*p = strings.ToLower(*p)
	}

	str(&c.Company.Timezone, DefaultTimezone)
	enum(&c.Company.Language, DefaultLanguage)
	str(&c.Template, DefaultTemplate)

	enum(&c.Calendar.Country, "ru")
	if len(c.Calendar.Weekdays) == 0 && unset("calendar.weekdays") {
		c.Calendar.Weekdays = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	for i, w := range c.Calendar.Weekdays {
		c.Calendar.Weekdays[i] = strings.ToLower(strings.TrimSpace(w))
	}

	if unset("deadline.time") && c.Deadline.Time == (TimeOfDay{}) {
		c.Deadline.Time = TimeOfDay{Hour: 19}
	}
	if unset("deadline.grace") && c.Deadline.Grace == 0 {
		c.Deadline.Grace = Duration(2 * time.Hour)
	}

	enum(&c.State.Driver, "sqlite")
	if c.State.Driver == "sqlite" {
		str(&c.State.Path, DefaultStatePath)
	}

	if unset("google.reads_per_minute") && c.Google.ReadsPerMinute == 0 {
		c.Google.ReadsPerMinute = DefaultReadsPerMinute
	}
	if unset("google.docs_reads_per_minute") && c.Google.DocsReadsPerMinute == 0 {
		c.Google.DocsReadsPerMinute = DefaultDocsReadsPerMinute
	}

	if strings.TrimSpace(c.Local.Dir) != "" {
		enum(&c.Source.Kind, SourceLocal)
	} else {
		enum(&c.Source.Kind, SourceGDoc)
	}
	enum(&c.Roster, RosterConfig)

	enum(&c.CRM.Adapter, AdapterBuiltin)
	if unset("crm.bitrix24.requests_per_second") && c.CRM.Bitrix24.RequestsPerSecond == 0 {
		c.CRM.Bitrix24.RequestsPerSecond = DefaultBitrix24RPS
	}
	if unset("crm.amocrm.requests_per_second") && c.CRM.AmoCRM.RequestsPerSecond == 0 {
		c.CRM.AmoCRM.RequestsPerSecond = DefaultAmoCRMRPS
	}
	str(&c.CRM.HubSpot.BaseURL, DefaultHubSpotURL)

	if c.Summary.Window == 0 {
		c.Summary.Window = DefaultWindowDays
	}
	if c.Ledger.Horizon == 0 {
		c.Ledger.Horizon = DefaultHorizonDays
	}

	str(&c.Schedule.Poll, DefaultPoll)
	str(&c.Schedule.CloseDay, DefaultCloseDay)
	c.Schedule.Summary = strings.TrimSpace(c.Schedule.Summary)

	str(&c.HTTP.Listen, DefaultListen)
	enum(&c.Log.Level, "info")
	enum(&c.Log.Format, "auto")

	str(&c.Notify.Telegram.BaseURL, DefaultTelegramURL)
	if unset("notify.email.port") && c.Notify.Email.Port == 0 {
		c.Notify.Email.Port = DefaultSMTPPort
	}

	if unset("verify.tolerance_abs") && c.Verify.ToleranceAbs == 0 {
		c.Verify.ToleranceAbs = DefaultToleranceAbs
	}
	if unset("verify.tolerance_pct") && c.Verify.TolerancePct == 0 {
		c.Verify.TolerancePct = DefaultTolerancePct
	}
}

// resolvePaths makes the file paths of c absolute against dir.
func resolvePaths(c *Config, dir string) {
	abs := func(p *string) {
		s := strings.TrimSpace(*p)
		switch {
		case s == "":
			*p = ""
		case dir == "" || filepath.IsAbs(s):
			*p = filepath.Clean(s)
		default:
			*p = filepath.Join(dir, s)
		}
	}
	if c.State.Path != ":memory:" && !strings.HasPrefix(c.State.Path, "file:") {
		abs(&c.State.Path)
	}
	abs(&c.Local.Dir)
	abs(&c.Summary.XLSX)
	abs(&c.CRM.Builtin.Facts)
	abs(&c.Google.CredentialsFile)
	if IsTemplatePath(c.Template) {
		abs(&c.Template)
	}
}

// IsTemplatePath reports whether a template setting names a file (it
// contains a path separator or ends in .yml or .yaml) rather than a built-in
// template.
func IsTemplatePath(s string) bool {
	l := strings.ToLower(s)
	return strings.ContainsAny(s, `/\`) || strings.HasSuffix(l, ".yml") || strings.HasSuffix(l, ".yaml")
}
