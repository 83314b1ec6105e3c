// Package config loads, checks and prints the dayreport configuration file
// (SPEC §10).
//
// Loading is strict and reports every problem at once: the YAML is parsed into
// a node tree, `${VAR}` references in values are expanded from the given
// environment, every key is matched against the types below (an unknown or
// duplicate key is a problem with its path and line), values are decoded,
// defaults are filled in, relative paths are made absolute against the
// directory of the file, and the result is validated. A failed load returns an
// *Error listing each Problem as "FILE:LINE: PATH: MESSAGE".
//
// Credentials are Secret values: they print as "[hidden]" through fmt, JSON,
// YAML and Config.Print, and no problem message ever repeats one. Config.Secrets
// returns the raw values so that the logging layer can scrub them.
//
// A *Config is read-only once loaded and safe for concurrent use.
package config

import (
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// Config is the whole configuration file.
type Config struct {
	Company   Company    `yaml:"company"`
	Template  string     `yaml:"template"`
	Calendar  Calendar   `yaml:"calendar"`
	Deadline  Deadline   `yaml:"deadline"`
	State     State      `yaml:"state"`
	Google    Google     `yaml:"google"`
	Source    Source     `yaml:"source"`
	Local     Local      `yaml:"local"`
	Employees []Employee `yaml:"employees"`
	Roster    string     `yaml:"roster"`
	Plans     Plans      `yaml:"plans,omitempty"`
	CRM       CRM        `yaml:"crm"`
	Summary   Summary    `yaml:"summary"`
	Schedule  Schedule   `yaml:"schedule"`
	HTTP      HTTP       `yaml:"http"`
	Log       Log        `yaml:"log"`
	Notify    Notify     `yaml:"notify"`
	Reminders []Reminder `yaml:"reminders"`
	Digest    Digest     `yaml:"digest"`
	Feedback  Feedback   `yaml:"feedback"`
	Verify    Verify     `yaml:"verify"`
	Ledger    Ledger     `yaml:"ledger"`
	Changes   []Change   `yaml:"changes,omitempty"`

	// locations caches the time zones named in the file (company and
	// employees), keyed by IANA name; filled by validation, read-only after.
	locations map[string]*time.Location
	// file and meta are the file's name and what was learnt of it, for the
	// problems of CheckFiles.
	file string
	meta *meta
}

// Company holds company-wide settings.
type Company struct {
	Timezone string `yaml:"timezone"` // IANA name; default Europe/Moscow
	Language string `yaml:"language"` // ru | en; default ru
}

// Calendar decides which days are working days (SPEC §5).
type Calendar struct {
	Country  string     `yaml:"country"`            // ru (default) | none: weekly pattern only
	Weekdays []string   `yaml:"weekdays"`           // mon..sun; default mon-fri
	Holidays []day.Date `yaml:"holidays,omitempty"` // extra days off
	Workdays []day.Date `yaml:"workdays,omitempty"` // extra working days
	// Years declares the production calendar of years the shipped data does
	// not cover (country ru: 2025-2027): a year listed here is covered, with
	// its holidays and transferred working days. A pass for a day of a year
	// that is neither shipped nor declared is refused.
	Years []CalendarYear `yaml:"years,omitempty"`
}

// CalendarYear is one declared year of the production calendar.
type CalendarYear struct {
	Year     int        `yaml:"year"`
	Holidays []day.Date `yaml:"holidays,omitempty"` // days off (holidays and transferred days off)
	Workdays []day.Date `yaml:"workdays,omitempty"` // transferred working days (a working Saturday)
}

// Ledger bounds the day ledger (SPEC §5): how far back a pass closes the
// working days that no pass reached after their deadline.
type Ledger struct {
	// Horizon is the most days back a pass closes (default 31d); the first
	// install and an employee's start bound it too.
	Horizon Window `yaml:"horizon"`
}

// Deadline is the local time by which a day's report is due, plus grace.
type Deadline struct {
	Time  TimeOfDay `yaml:"time"`  // default 19:00
	Grace Duration  `yaml:"grace"` // default 2h; 0 <= grace < 24h
}

// State is the state database.
type State struct {
	Driver string `yaml:"driver"`        // sqlite (default) | postgres
	Path   string `yaml:"path"`          // sqlite file; default dayreport.db next to the config
	DSN    Secret `yaml:"dsn,omitempty"` // postgres connection string
}

// Google configures access to Google Docs, Sheets and Drive.
type Google struct {
	CredentialsFile string `yaml:"credentials_file"` // service-account JSON; empty = application default credentials
	Subject         string `yaml:"subject"`          // domain-wide delegation: the user to act as
	Endpoint        string `yaml:"endpoint"`         // base URL override (emulators, tests): no auth is sent
	ReadsPerMinute  int    `yaml:"reads_per_minute"` // default 60
	// DocsReadsPerMinute is the Docs read quota per user (default 300,
	// Google's default; raise it only with a raised quota).
	DocsReadsPerMinute int `yaml:"docs_reads_per_minute"`
	// Folder is the Drive folder holding the employees' report documents
	// (an id or URL): one files.list call per 1000 documents tells which
	// changed. Empty: one metadata call per document.
	Folder string `yaml:"folder"`
}

// Source kinds.
const (
	SourceGDoc   = "gdoc"
	SourceGSheet = "gsheet"
	SourceLocal  = "local"
)

// Source says how to read a bare report id (a Doc or Sheet URL decides by itself).
type Source struct {
	Kind string `yaml:"kind"` // gdoc | gsheet | local; default local when local.dir is set, else gdoc
}

// Local is the local-folder source: <dir>/<employee id>.txt|.md|.csv.
type Local struct {
	Dir string `yaml:"dir"`
}

// Employee is one person who writes reports; the roster tab has the same fields (SPEC §4).
type Employee struct {
	ID        string   `yaml:"id"`
	Name      string   `yaml:"name"`
	Email     string   `yaml:"email,omitempty"`
	Role      string   `yaml:"role,omitempty"`
	Report    string   `yaml:"report,omitempty"` // Doc or Sheet URL or id
	CRMUserID string   `yaml:"crm_user_id,omitempty"`
	Timezone  string   `yaml:"timezone,omitempty"` // default: the company's
	LeaveFrom day.Date `yaml:"leave_from,omitempty"`
	LeaveTo   day.Date `yaml:"leave_to,omitempty"`
	Telegram  string   `yaml:"telegram,omitempty"` // chat id for reminders
	// Start is the employee's first day: no day exists before it (no
	// absence, no record, no reminder). Zero: since dayreport first saw them.
	Start day.Date `yaml:"start,omitempty"`
}

// OnLeave reports whether d falls within the employee's leave dates.
func (e Employee) OnLeave(d day.Date) bool { return onLeave(e.LeaveFrom, e.LeaveTo, d) }

// Leave is OnLeave for a caller that keeps it per employee, nil when the
// employee has no leave dates. It holds the two dates alone: the method
// value e.OnLeave holds a copy of the whole Employee (over 200 bytes), kept
// for each of 10 000 employees while a month's plan-fact is built.
func (e Employee) Leave() func(day.Date) bool {
	from, to := e.LeaveFrom, e.LeaveTo
	if from.IsZero() || to.IsZero() {
		return nil
	}
	return func(d day.Date) bool { return onLeave(from, to, d) }
}

func onLeave(from, to, d day.Date) bool {
	if from.IsZero() || to.IsZero() {
		return false
	}
	return !d.Before(from) && !d.After(to)
}

// Roster kinds.
const (
	RosterConfig = "config"
	RosterSheet  = "sheet"
)

// CRM adapter names.
const (
	AdapterBuiltin  = "builtin"
	AdapterWebhook  = "webhook"
	AdapterBitrix24 = "bitrix24"
	AdapterAmoCRM   = "amocrm"
	AdapterHubSpot  = "hubspot"
)

// CRM selects and configures the CRM adapter (SPEC §6).
type CRM struct {
	Adapter  string      `yaml:"adapter"` // builtin (default) | webhook | bitrix24 | amocrm | hubspot
	Builtin  BuiltinCRM  `yaml:"builtin"`
	Webhook  WebhookCRM  `yaml:"webhook"`
	Bitrix24 Bitrix24CRM `yaml:"bitrix24"`
	AmoCRM   AmoCRM      `yaml:"amocrm"`
	HubSpot  HubSpot     `yaml:"hubspot"`
}

// BuiltinCRM is the CRM kept in the state database.
type BuiltinCRM struct {
	// Facts is a CSV of what the CRM "recorded" (date, crm_user_id, metric,
	// value), loaded on every start: the demo's stand-in for a real CRM's
	// call log, so that verification has facts to check reports against.
	Facts string `yaml:"facts"`
}

// WebhookCRM posts each record as signed JSON to a URL.
type WebhookCRM struct {
	URL    Secret `yaml:"url,omitempty"`
	Secret Secret `yaml:"secret,omitempty"` // HMAC key for X-Dayreport-Signature
}

// Bitrix24CRM writes smart-process items through an incoming webhook.
type Bitrix24CRM struct {
	WebhookURL        Secret            `yaml:"webhook_url,omitempty"` // https://<portal>/rest/<user>/<code>/
	EntityTypeID      int               `yaml:"entity_type_id"`
	SPAID             int               `yaml:"spa_id"`
	RequestsPerSecond float64           `yaml:"requests_per_second"` // default 2
	Fields            map[string]string `yaml:"fields,omitempty"`    // metric key -> UF field name
}

// AmoCRM writes catalog (list) elements through API v4.
type AmoCRM struct {
	BaseURL           string         `yaml:"base_url"` // https://<sub>.amocrm.ru
	Token             Secret         `yaml:"token,omitempty"`
	CatalogID         int            `yaml:"catalog_id"`
	RequestsPerSecond float64        `yaml:"requests_per_second"` // default 7, at most 7
	Fields            map[string]int `yaml:"fields,omitempty"`    // metric key -> custom field id
}

// HubSpot writes a custom object through batch upsert.
type HubSpot struct {
	BaseURL    string            `yaml:"base_url"` // default https://api.hubapi.com
	Token      Secret            `yaml:"token,omitempty"`
	ObjectType string            `yaml:"object_type"`
	Fields     map[string]string `yaml:"fields,omitempty"` // metric key -> property name
}

// Summary is the manager summary (SPEC §8).
type Summary struct {
	Spreadsheet string `yaml:"spreadsheet"` // id or URL
	XLSX        string `yaml:"xlsx"`        // local .xlsx file
	Window      Window `yaml:"window"`      // default 2w
}

// Schedule holds the daemon's cron expressions (SPEC §9), in the company
// time zone. They give the times; the production calendar, not the cron
// day-of-week field, decides the days (a transferred working Saturday is
// polled and closed, a holiday is not), so a day-of-week field other than *
// is ignored (config check warns).
type Schedule struct {
	Poll     string `yaml:"poll"`      // default "*/20 17-23 * * *"
	CloseDay string `yaml:"close_day"` // default "30 21 * * *"
	Summary  string `yaml:"summary"`   // default "": after every pass
}

// HTTP is the health and metrics listener.
type HTTP struct {
	Listen string `yaml:"listen"` // host:port; default 127.0.0.1:9380
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug | info (default) | warn | error
	Format string `yaml:"format"` // auto (default) | json | console
}

// Notify configures the channels for reminders and the digest (SPEC §11).
type Notify struct {
	Telegram Telegram      `yaml:"telegram"`
	Email    Email         `yaml:"email"`
	Webhook  NotifyWebhook `yaml:"webhook"`
	Console  bool          `yaml:"console"` // print messages to stdout instead
}

// Telegram is the Telegram bot used for messages.
type Telegram struct {
	Token   Secret `yaml:"token,omitempty"`
	BaseURL string `yaml:"base_url"` // default https://api.telegram.org
}

// Email is the SMTP server used for messages.
type Email struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"` // default 587
	Username string `yaml:"username"`
	Password Secret `yaml:"password,omitempty"`
	From     string `yaml:"from"`
}

// NotifyWebhook posts messages as JSON to a URL.
type NotifyWebhook struct {
	URL    Secret `yaml:"url,omitempty"`
	Secret Secret `yaml:"secret,omitempty"`
}

// Reminder is a reminder sent at a local time to those without a valid report.
type Reminder struct {
	At TimeOfDay `yaml:"at"`
}

// Digest is the daily digest sent after close-day.
type Digest struct {
	To []Contact `yaml:"to"`
}

// Contact is a digest recipient: a Telegram chat id, an e-mail address, or both.
type Contact struct {
	Telegram string `yaml:"telegram,omitempty"`
	Email    string `yaml:"email,omitempty"`
}

// Feedback configures feedback to employees.
type Feedback struct {
	DocComments bool `yaml:"doc_comments"` // comment report errors in the employee's Doc
}

// Verify configures the cross-check against CRM facts (SPEC §7).
type Verify struct {
	ToleranceAbs int `yaml:"tolerance_abs"` // default 2
	TolerancePct int `yaml:"tolerance_pct"` // default 20
	// Facts maps what a CRM records (calls, proposals, invoices, won,
	// payments) to the template's metric it checks; default calls →
	// new_calls, proposals → proposals_sent, invoices → invoices_issued,
	// won → contracts_signed, payments → payments.
	Facts map[string]string `yaml:"facts,omitempty"`
}
