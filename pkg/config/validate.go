package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dayreport/dayreport/pkg/day"
)

// checker collects validation problems.
type checker struct {
	m        *meta
	problems []Problem
}

// add records a problem at path; when the value there came from unset
// environment variables, the message says so.
func (v *checker) add(path, format string, args ...any) {
	v.addNear(path, "", format, args...)
}

// addNear is add for a setting that may be absent from the file: the line is
// that of path, else of the related setting that makes it needed, else of
// path's nearest ancestor.
func (v *checker) addNear(path, related, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if x, ok := v.m.env[path]; ok {
		msg += " (" + unsetNote(x) + ")"
	}
	if name, ok := v.m.overrides[path]; ok {
		msg += " (from $" + name + ")"
	}
	line, ok := v.m.lines[path]
	if !ok && related != "" {
		line, ok = v.m.lines[related]
	}
	if !ok {
		line = v.m.line(path)
	}
	v.problems = append(v.problems, Problem{Path: path, Line: line, Message: msg})
}

// required records a missing setting, with hint unless an unset variable
// explains it better; related is the setting that makes it needed, if any.
func (v *checker) required(path, hint string, related ...string) {
	rel := ""
	if len(related) > 0 {
		rel = related[0]
	}
	if _, ok := v.m.env[path]; ok || hint == "" {
		v.addNear(path, rel, "required")
		return
	}
	v.addNear(path, rel, "required (%s)", hint)
}

// oneOf checks an enumerated setting.
func (v *checker) oneOf(path, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.add(path, "unknown value %s (want %s)", quoteShort(value), orList(allowed))
}

// validate checks a configuration with defaults applied and fills c.locations.
func validate(c *Config, m *meta) []Problem {
	v := &checker{m: m}
	c.locations = map[string]*time.Location{}

	if loc, err := loadLocation(c.Company.Timezone); err != nil {
		v.add("company.timezone", "%v", err)
	} else {
		c.locations[c.Company.Timezone] = loc
	}
	v.oneOf("company.language", c.Company.Language, "ru", "en")
	if c.Template == "" {
		v.required("template", "a built-in template name such as sales-ru, or a path")
	}

	v.calendar(c.Calendar)
	v.deadline(c.Deadline)
	v.state(c.State)
	v.google(c.Google)

	v.oneOf("source.kind", c.Source.Kind, SourceGDoc, SourceGSheet, SourceLocal)
	if c.Source.Kind == SourceLocal && c.Local.Dir == "" {
		v.required("local.dir", "source.kind is local", "source.kind")
	}
	v.oneOf("roster", c.Roster, RosterConfig, RosterSheet)
	if c.Roster == RosterSheet && strings.TrimSpace(c.Summary.Spreadsheet) == "" {
		v.required("summary.spreadsheet", "roster is sheet: the roster is read from its Employees tab", "roster")
	}
	v.employees(c)
	v.changes(c)
	v.plans(c)
	v.crm(c.CRM)

	if w := c.Summary.Window.Days(); w < MinWindowDays || w > MaxWindowDays {
		v.add("summary.window", "must be from %dd to %dd", MinWindowDays, MaxWindowDays)
	}
	if w := c.Ledger.Horizon.Days(); w < MinWindowDays || w > MaxWindowDays {
		v.add("ledger.horizon", "must be from %dd to %dd", MinWindowDays, MaxWindowDays)
	}
	v.cron("schedule.poll", c.Schedule.Poll)
	v.cron("schedule.close_day", c.Schedule.CloseDay)
	v.cron("schedule.summary", c.Schedule.Summary)
	v.listen("http.listen", c.HTTP.Listen)
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "auto", "json", "console")

	v.notify(c)
	if c.Verify.ToleranceAbs < 0 {
		v.add("verify.tolerance_abs", "must not be negative")
	}
	if c.Verify.TolerancePct < 0 {
		v.add("verify.tolerance_pct", "must not be negative")
	}
	v.verifyFacts(c.Verify.Facts, builtinTemplate(c.Template))
	return v.problems
}

func (v *checker) calendar(cal Calendar) {
	v.oneOf("calendar.country", cal.Country, "ru", "none")
	if len(cal.Weekdays) == 0 {
		v.add("calendar.weekdays", "must list at least one working day (mon..sun)")
	}
	seen := map[string]int{}
	for i, w := range cal.Weekdays {
		path := fmt.Sprintf("calendar.weekdays[%d]", i)
		if _, ok := ParseWeekday(w); !ok {
			v.add(path, "unknown weekday %s (want %s)", quoteShort(w), orList(Weekdays()))
			continue
		}
		if j, dup := seen[w]; dup {
			v.add(path, "duplicate weekday %q (also calendar.weekdays[%d])", w, j)
			continue
		}
		seen[w] = i
	}
	holidays := map[day.Date]bool{}
	for i, d := range cal.Holidays {
		if d.IsZero() {
			v.add(fmt.Sprintf("calendar.holidays[%d]", i), "empty date (want YYYY-MM-DD)")
		}
		holidays[d] = true
	}
	for i, d := range cal.Workdays {
		path := fmt.Sprintf("calendar.workdays[%d]", i)
		switch {
		case d.IsZero():
			v.add(path, "empty date (want YYYY-MM-DD)")
		case holidays[d]:
			v.add(path, "%s is also in calendar.holidays: a date is a holiday or a working day, not both", d)
		}
	}
	years := map[int]int{}
	for i, y := range cal.Years {
		path := fmt.Sprintf("calendar.years[%d]", i)
		if y.Year < 2000 || y.Year > 2100 {
			v.add(path+".year", "%d is not a year from 2000 to 2100", y.Year)
			continue
		}
		if j, dup := years[y.Year]; dup {
			v.add(path+".year", "%d is declared twice (also calendar.years[%d])", y.Year, j)
			continue
		}
		years[y.Year] = i
		off := map[day.Date]bool{}
		v.yearDates(path+".holidays", y.Year, y.Holidays, nil)
		for _, d := range y.Holidays {
			off[d] = true
		}
		v.yearDates(path+".workdays", y.Year, y.Workdays, off)
	}
}

// yearDates checks the dates a year of calendar.years lists: each a date of
// that year, and none of them among taken (the year's holidays, for its
// working days).
func (v *checker) yearDates(path string, year int, dates []day.Date, taken map[day.Date]bool) {
	for k, d := range dates {
		p := fmt.Sprintf("%s[%d]", path, k)
		switch {
		case d.IsZero():
			v.add(p, "empty date (want YYYY-MM-DD)")
		case d.Year != year:
			v.add(p, "%s is not in %d", d, year)
		case taken[d]:
			v.add(p, "%s is also in the year's holidays: a date is a holiday or a working day, not both", d)
		}
	}
}

func (v *checker) deadline(d Deadline) {
	switch {
	case d.Grace < 0:
		v.add("deadline.grace", "must not be negative")
	case d.Grace.D() >= 24*time.Hour:
		v.add("deadline.grace", "must be less than 24h")
	}
}

func (v *checker) state(s State) {
	v.oneOf("state.driver", s.Driver, "sqlite", "postgres")
	switch s.Driver {
	case "sqlite":
		if s.Path == "" {
			v.required("state.path", "the SQLite database file")
		}
	case "postgres":
		if s.DSN == "" {
			v.required("state.dsn", "the PostgreSQL connection string", "state.driver")
		}
	}
}

func (v *checker) google(g Google) {
	if g.Endpoint != "" {
		v.url("google.endpoint", g.Endpoint, false, false)
	}
	if g.ReadsPerMinute <= 0 {
		v.add("google.reads_per_minute", "must be positive")
	}
	if g.DocsReadsPerMinute <= 0 {
		v.add("google.docs_reads_per_minute", "must be positive")
	}
}

// validEmployeeID matches ^[a-z0-9][a-z0-9._-]{0,63}$ without the regexp
// engine (it runs for every employee of the roster on every start).
func validEmployeeID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// ValidateEmployee checks one employee, from the file or from the roster tab
// of the manager sheet. Paths in the problems are the employee's own keys
// ("id", "timezone", ...); lines are not known.
func ValidateEmployee(e Employee) []Problem {
	var ps []Problem
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case e.ID == "":
		add("id", "required (ids are used in file names and CRM keys)")
	case !validEmployeeID(e.ID):
		add("id", "%s is not a valid id: use 1 to 64 lowercase latin letters, digits, '.', '_' or '-', "+
			"starting with a letter or digit (ids are used in file names and CRM keys)", quoteShort(e.ID))
	}
	if e.Email != "" {
		if _, err := mail.ParseAddress(e.Email); err != nil {
			add("email", "%s is not an e-mail address", quoteShort(e.Email))
		}
	}
	if e.Timezone != "" {
		if _, err := loadLocation(e.Timezone); err != nil {
			add("timezone", "%v", err)
		}
	}
	switch {
	case e.LeaveFrom.IsZero() && !e.LeaveTo.IsZero():
		add("leave_from", "required when leave_to is set")
	case !e.LeaveFrom.IsZero() && e.LeaveTo.IsZero():
		add("leave_to", "required when leave_from is set")
	case e.LeaveTo.Before(e.LeaveFrom):
		add("leave_to", "%s is before leave_from %s", e.LeaveTo, e.LeaveFrom)
	}
	return ps
}

func (v *checker) employees(c *Config) {
	ids := make(map[string]int, len(c.Employees))
	needReport := c.Roster == RosterConfig && (c.Source.Kind == SourceGDoc || c.Source.Kind == SourceGSheet)
	for i, e := range c.Employees {
		prefix := "employees[" + strconv.Itoa(i) + "]"
		for _, p := range ValidateEmployee(e) {
			v.add(prefix+"."+p.Path, "%s", p.Message)
		}
		if e.Timezone != "" {
			if loc, err := loadLocation(e.Timezone); err == nil {
				c.locations[e.Timezone] = loc
			}
		}
		if e.ID != "" {
			if j, dup := ids[e.ID]; dup {
				v.add(prefix+".id", "duplicate id %s (also employees[%d])", quoteShort(e.ID), j)
			} else {
				ids[e.ID] = i
			}
		}
		if needReport && strings.TrimSpace(e.Report) == "" {
			v.required(prefix+".report", "a Google Doc or Sheet URL or id, since source.kind is "+c.Source.Kind)
		}
	}
}

func (v *checker) crm(c CRM) {
	v.oneOf("crm.adapter", c.Adapter, AdapterBuiltin, AdapterWebhook, AdapterBitrix24, AdapterAmoCRM, AdapterHubSpot)
	switch c.Adapter {
	case AdapterWebhook:
		if c.Webhook.URL == "" {
			v.required("crm.webhook.url", "the URL records are posted to", "crm.adapter")
		} else {
			v.url("crm.webhook.url", c.Webhook.URL.Value(), false, true)
		}
	case AdapterBitrix24:
		b := c.Bitrix24
		switch u := b.WebhookURL.Value(); {
		case u == "":
			v.required("crm.bitrix24.webhook_url", "the incoming webhook, https://<portal>/rest/<user>/<code>/", "crm.adapter")
		case v.url("crm.bitrix24.webhook_url", u, true, true):
			if !strings.Contains(u, "/rest/") {
				v.add("crm.bitrix24.webhook_url", "not an incoming-webhook URL (want https://<portal>/rest/<user>/<code>/)")
			}
		}
		v.setupID("crm.bitrix24.entity_type_id", b.EntityTypeID, "the smart process's entityTypeId")
		v.setupID("crm.bitrix24.spa_id", b.SPAID, "the smart process id used in UF_CRM_<spa_id>_* field names")
		v.rate("crm.bitrix24.requests_per_second", b.RequestsPerSecond, 0)
		for _, k := range sortedKeys(b.Fields) {
			if strings.TrimSpace(b.Fields[k]) == "" {
				v.add("crm.bitrix24.fields."+k, "empty field name")
			}
		}
	case AdapterAmoCRM:
		a := c.AmoCRM
		if a.BaseURL == "" {
			v.required("crm.amocrm.base_url", "https://<subdomain>.amocrm.ru", "crm.adapter")
		} else {
			v.url("crm.amocrm.base_url", a.BaseURL, false, false)
		}
		if a.Token == "" {
			v.required("crm.amocrm.token", "a long-lived token", "crm.adapter")
		}
		v.setupID("crm.amocrm.catalog_id", a.CatalogID, "the list (catalog) records are written to")
		v.rate("crm.amocrm.requests_per_second", a.RequestsPerSecond, DefaultAmoCRMRPS)
		for _, k := range sortedKeys(a.Fields) {
			if a.Fields[k] <= 0 {
				v.add("crm.amocrm.fields."+k, "must be a positive custom field id")
			}
		}
	case AdapterHubSpot:
		h := c.HubSpot
		if h.BaseURL != "" {
			v.url("crm.hubspot.base_url", h.BaseURL, false, false)
		}
		if h.Token == "" {
			v.required("crm.hubspot.token", "a private app token", "crm.adapter")
		}
		if strings.TrimSpace(h.ObjectType) == "" {
			v.setupRequired("crm.hubspot.object_type", "the custom object type, e.g. 2-12345678 or p_daily_reports")
		}
		for _, k := range sortedKeys(h.Fields) {
			if strings.TrimSpace(h.Fields[k]) == "" {
				v.add("crm.hubspot.fields."+k, "empty property name")
			}
		}
	}
}

// setupID checks the id of something `dayreport crm setup` creates.
func (v *checker) setupID(path string, n int, hint string) {
	switch {
	case n == 0:
		v.setupRequired(path, hint)
	case n < 0:
		v.add(path, "must be positive")
	}
}

// setupRequired records a missing setting that `dayreport crm setup`
// produces: setup itself runs without it (LoadForSetup), every other
// command is told to run setup.
func (v *checker) setupRequired(path, hint string) {
	v.required(path, hint+"; run `dayreport crm setup` and paste the block it prints", "crm.adapter")
	v.problems[len(v.problems)-1].Setup = true
}

func (v *checker) rate(path string, r, limit float64) {
	switch {
	case r <= 0:
		v.add(path, "must be positive")
	case limit > 0 && r > limit:
		v.add(path, "must be at most %s: the CRM blocks clients that exceed it", strconv.FormatFloat(limit, 'f', -1, 64))
	}
}

// url checks an http(s) (or https only) URL and reports whether it is one. A
// secret URL is never quoted.
func (v *checker) url(path, raw string, httpsOnly, secret bool) bool {
	want := "an http(s) URL"
	if httpsOnly {
		want = "an https URL"
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	// Plain http to the loopback interface is a local fake or emulator, not
	// a secret crossing the network.
	loopback := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
	ok := err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" && (!httpsOnly || loopback))
	if !ok {
		if secret {
			v.add(path, "not %s", want)
		} else {
			v.add(path, "%s is not %s", quoteShort(withoutUserinfo(raw)), want)
		}
		return false
	}
	// A URL that is not a secret is printed (config check --print, logs):
	// a password in it (https://user:pass@…) would be too.
	if !secret && u.User != nil {
		v.add(path, "holds a user name or password (user:pass@…): a URL here is printed and logged; "+
			"put the credentials in their secret keys")
		return false
	}
	return true
}

// withoutUserinfo is raw with a user:password@ part cut out (for messages).
func withoutUserinfo(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 && !strings.ContainsAny(rest[:at], "/?#") {
			return scheme + "://" + rest[at+1:]
		}
	}
	return raw
}

// cron checks a schedule expression with the parser the daemon uses.
func (v *checker) cron(path, spec string) {
	if spec == "" {
		return
	}
	if err := parseCron(spec); err != nil {
		v.add(path, "%s is not a cron expression: %v (want 5 fields, e.g. %q, or a descriptor such as @daily)",
			quoteShort(spec), err, DefaultPoll)
	}
}

// parseCron parses a standard cron expression, turning parser panics into errors.
func parseCron(spec string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("unparsable")
		}
	}()
	if (strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=")) && !strings.Contains(spec, " ") {
		return errors.New("a time zone prefix needs a schedule after it")
	}
	_, err = cron.ParseStandard(spec)
	return err
}

func (v *checker) listen(path, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		var n int
		n, err = strconv.Atoi(port)
		if err == nil && (n < 0 || n > 65535) {
			err = errors.New("port out of range")
		}
	}
	if err != nil {
		v.add(path, "%s is not host:port (e.g. %s)", quoteShort(addr), DefaultListen)
	}
}

func (v *checker) notify(c *Config) {
	n := c.Notify
	if n.Telegram.BaseURL != "" {
		v.url("notify.telegram.base_url", n.Telegram.BaseURL, false, false)
	}
	e := n.Email
	if e.Host != "" {
		if e.From == "" {
			v.required("notify.email.from", "notify.email.host is set: the sender address", "notify.email.host")
		}
		if e.Port < 1 || e.Port > 65535 {
			v.add("notify.email.port", "must be from 1 to 65535")
		}
	}
	if e.From != "" {
		if _, err := mail.ParseAddress(e.From); err != nil {
			v.add("notify.email.from", "%s is not an e-mail address", quoteShort(e.From))
		}
	}
	if n.Webhook.URL != "" {
		v.url("notify.webhook.url", n.Webhook.URL.Value(), false, true)
	}
	telegram := n.Telegram.Token != "" || n.Console
	email := e.Host != "" || n.Console
	anyChannel := telegram || email || n.Webhook.URL != ""

	for i := range c.Reminders {
		path := fmt.Sprintf("reminders[%d].at", i)
		if v.m.fromFile && !v.m.present(path) {
			v.required(path, "a local time, HH:MM")
		}
	}
	if len(c.Reminders) > 0 && !anyChannel {
		v.add("reminders", "no channel to send them: set notify.telegram.token, notify.email.host, notify.webhook.url or notify.console")
	}
	for i, to := range c.Digest.To {
		path := fmt.Sprintf("digest.to[%d]", i)
		if strings.TrimSpace(to.Telegram) == "" && strings.TrimSpace(to.Email) == "" {
			v.add(path, "empty contact: set telegram (a chat id) or email")
			continue
		}
		if to.Telegram != "" && !telegram {
			v.add(path+".telegram", "notify.telegram.token is not set, so Telegram messages cannot be sent")
		}
		if to.Email != "" {
			if _, err := mail.ParseAddress(to.Email); err != nil {
				v.add(path+".email", "%s is not an e-mail address", quoteShort(to.Email))
			} else if !email {
				v.add(path+".email", "notify.email.host is not set, so e-mail cannot be sent")
			}
		}
	}
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
