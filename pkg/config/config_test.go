package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
)

var update = flag.Bool("update", false, "rewrite testdata/config/*.golden.yml")

const testdata = "../../testdata/config"

// env returns a lookup function over a fixed environment.
func env(vars map[string]string) config.LookupFunc {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// goodEnv is the environment good.yml is loaded with.
var goodEnv = map[string]string{
	"GOOGLE_APPLICATION_CREDENTIALS": "keys/service-account.json",
	"SIDOROV_TZ":                     "Asia/Yekaterinburg",
	"WEBHOOK_SECRET":                 "whsec-4f1b9c",
	"BITRIX24_WEBHOOK_URL":           "https://portal.example.ru/rest/1/q8w7e6r5t4y3u2i1/",
	"AMOCRM_TOKEN":                   "amo-long-lived-token-77",
	"HUBSPOT_TOKEN":                  "pat-na1-11111111-2222",
	"TELEGRAM_BOT_TOKEN":             "123456:ABC-telegram-token",
	"SMTP_PASSWORD":                  "smtp-pass-9z",
}

func problemsOf(t *testing.T, err error) *config.Error {
	t.Helper()
	require.Error(t, err)
	var cerr *config.Error
	require.ErrorAs(t, err, &cerr)
	return cerr
}

func TestBadFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(testdata, "*.bad.yml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 20)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# error: ")
			require.True(t, ok, "the first line must be `# error: <text>`")

			// What config check runs: the file, then the files it names.
			cfg, err := config.Load(file, env(map[string]string{"UNRELATED": "x"}))
			if err == nil {
				err = cfg.CheckFiles()
			}
			cerr := problemsOf(t, err)
			require.Len(t, cerr.Problems, 1, "problems:\n%v", err)
			require.ErrorContains(t, err, want)
			require.True(t, strings.HasPrefix(err.Error(), file+":"), "error %q must start with the file name", err)
		})
	}
}

func TestManyProblemsAtOnce(t *testing.T) {
	t.Parallel()
	file := filepath.Join(testdata, "many.problems.yml")
	_, err := config.Load(file, env(nil))
	cerr := problemsOf(t, err)
	require.Equal(t, file, cerr.File)

	want := []config.Problem{
		{Path: "company.timezone", Line: 3, Message: `unknown time zone "Mars/Olympus" (want an IANA name such as Europe/Moscow)`},
		{Path: "company.langauge", Line: 4, Message: `unknown key (did you mean "language"?)`},
		{Path: "deadline.time", Line: 6, Message: `"25:00" is not a time of day (want HH:MM, 00:00 to 23:59)`},
		{Path: "crm.bitrix24.webhook_url", Line: 10, Message: "required (it is ${BITRIX24_WEBHOOK_URL}, which is not set)"},
		{Path: "crm.bitrix24.entity_type_id", Line: 11, Message: `expected an integer, got "abc"`},
		{Path: "employees[1].id", Line: 16, Message: `duplicate id "ivanov" (also employees[0])`},
		{Path: "schedule.poll", Line: 19, Message: `"every 20 minutes" is not a cron expression: expected exactly 5 fields, found 3: [every 20 minutes] (want 5 fields, e.g. "*/20 17-23 * * *", or a descriptor such as @daily)`},
		{Path: "http.listen", Line: 21, Message: `"nowhere" is not host:port (e.g. 127.0.0.1:9380)`},
	}
	require.Equal(t, want, cerr.Problems)

	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, len(want))
	require.Equal(t, file+`:4: company.langauge: unknown key (did you mean "language"?)`, lines[1])
}

func loadGood(t *testing.T) *config.Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "good.yml"))
	require.NoError(t, err)
	cfg, err := config.Parse(data, "good.yml", "/srv/dayreport", env(goodEnv))
	require.NoError(t, err)
	return cfg
}

func TestGoodGolden(t *testing.T) {
	t.Parallel()
	cfg := loadGood(t)
	var buf bytes.Buffer
	require.NoError(t, cfg.Print(&buf))

	golden := filepath.Join(testdata, "good.golden.yml")
	if *update {
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./pkg/config -update to create it")
	require.Equal(t, string(want), buf.String())
}

func TestGoodValues(t *testing.T) {
	t.Parallel()
	cfg := loadGood(t)

	require.Equal(t, "en", cfg.Lang())
	require.Equal(t, "Europe/Moscow", cfg.CompanyLocation().String())
	require.Equal(t, "/srv/dayreport/templates/sales.yml", cfg.Template)
	require.Equal(t, "/srv/dayreport/keys/service-account.json", cfg.Google.CredentialsFile)
	require.Equal(t, config.TimeOfDay{Hour: 18, Minute: 30}, cfg.Deadline.Time)
	require.Equal(t, 90*time.Minute, cfg.Deadline.Grace.D())
	require.Equal(t, 21, cfg.Summary.Window.Days())
	require.Zero(t, cfg.Verify.ToleranceAbs, "an explicit 0 is kept, not defaulted")
	require.True(t, cfg.Calendar.IsWorkWeekday(time.Saturday))
	require.False(t, cfg.Calendar.IsWorkWeekday(time.Sunday))
	require.Equal(t, []day.Date{day.MustParse("2026-12-31")}, cfg.Calendar.Holidays)

	require.Len(t, cfg.Employees, 3)
	ivanov, petrova, sidorov := cfg.Employees[0], cfg.Employees[1], cfg.Employees[2]
	require.Equal(t, "17", ivanov.CRMUserID, "a number is read as text")
	require.Equal(t, "Europe/Moscow", cfg.EmployeeLocation(ivanov).String())
	require.Equal(t, "Asia/Vladivostok", cfg.EmployeeLocation(petrova).String())
	require.Equal(t, "Asia/Yekaterinburg", cfg.EmployeeLocation(sidorov).String())
	require.Equal(t, "Europe/Moscow", cfg.EmployeeLocation(config.Employee{ID: "x", Timezone: "No/Where"}).String())
	require.True(t, petrova.OnLeave(day.MustParse("2026-12-01")))
	require.True(t, petrova.OnLeave(day.MustParse("2026-12-14")))
	require.False(t, petrova.OnLeave(day.MustParse("2026-12-15")))
	require.False(t, ivanov.OnLeave(day.MustParse("2026-12-05")))
	require.Nil(t, ivanov.Leave(), "no leave dates: no function to call")
	for _, d := range []string{"2026-11-30", "2026-12-01", "2026-12-14", "2026-12-15"} {
		require.Equal(t, petrova.OnLeave(day.MustParse(d)), petrova.Leave()(day.MustParse(d)), d)
	}

	require.Equal(t, goodEnv["BITRIX24_WEBHOOK_URL"], cfg.CRM.Bitrix24.WebhookURL.Value())
	require.Equal(t, map[string]int{"new_calls": 880011, "payments": 880012}, cfg.CRM.AmoCRM.Fields)
	require.Equal(t, config.DefaultHubSpotURL, cfg.CRM.HubSpot.BaseURL)
	require.Equal(t, "inline-notify-secret", cfg.Notify.Webhook.Secret.Value())
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"", "# only a comment\n", "~\n", "company: {}\n"} {
		cfg, err := config.Parse([]byte(text), "empty.yml", "/srv", env(nil))
		require.NoError(t, err, "%q", text)
		require.Equal(t, "Europe/Moscow", cfg.Company.Timezone)
		require.Equal(t, "ru", cfg.Lang())
		require.Equal(t, config.DefaultTemplate, cfg.Template)
		require.Equal(t, []string{"mon", "tue", "wed", "thu", "fri"}, cfg.Calendar.Weekdays)
		require.Equal(t, "19:00", cfg.Deadline.Time.String())
		require.Equal(t, 2*time.Hour, cfg.Deadline.Grace.D())
		require.Equal(t, "sqlite", cfg.State.Driver)
		require.Equal(t, "/srv/dayreport.db", cfg.State.Path)
		require.Equal(t, config.SourceGDoc, cfg.Source.Kind)
		require.Equal(t, config.RosterConfig, cfg.Roster)
		require.Equal(t, config.AdapterBuiltin, cfg.CRM.Adapter)
		require.Equal(t, 14, cfg.Summary.Window.Days())
		require.Equal(t, config.DefaultPoll, cfg.Schedule.Poll)
		require.Equal(t, config.DefaultCloseDay, cfg.Schedule.CloseDay)
		require.Empty(t, cfg.Schedule.Summary)
		require.Equal(t, "127.0.0.1:9380", cfg.HTTP.Listen)
		require.Equal(t, 587, cfg.Notify.Email.Port)
		require.Equal(t, 2, cfg.Verify.ToleranceAbs)
		require.Equal(t, 20, cfg.Verify.TolerancePct)
		require.Equal(t, 60, cfg.Google.ReadsPerMinute)
		require.InDelta(t, 2.0, cfg.CRM.Bitrix24.RequestsPerSecond, 0)
		require.InDelta(t, 7.0, cfg.CRM.AmoCRM.RequestsPerSecond, 0)
	}

	cfg, err := config.Parse([]byte("local: {dir: reports}\n"), "local.yml", "/srv", nil)
	require.NoError(t, err)
	require.Equal(t, config.SourceLocal, cfg.Source.Kind, "local.dir makes local the default source")

	require.NoError(t, config.Default().Validate())
	bad := config.Default()
	bad.CRM.Adapter = config.AdapterHubSpot
	err = bad.Validate()
	cerr := problemsOf(t, err)
	require.Len(t, cerr.Problems, 2)
	require.Contains(t, err.Error(), "crm.hubspot.token: required")
}

func TestRelativePaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(testdata, "relative.yml"))
	require.NoError(t, err)
	file := filepath.Join(dir, "dayreport.yaml")
	require.NoError(t, os.WriteFile(file, data, 0o600))

	cfg, err := config.Load(file, env(nil))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "templates/sales.yml"), cfg.Template)
	require.Equal(t, filepath.Join(dir, "state/dayreport.db"), cfg.State.Path)
	require.Equal(t, filepath.Join(dir, "secrets/sa.json"), cfg.Google.CredentialsFile)
	require.Equal(t, filepath.Join(dir, "reports"), cfg.Local.Dir)
	require.Equal(t, filepath.Join(dir, "out/summary.xlsx"), cfg.Summary.XLSX)

	tests := []struct {
		yaml, template, state string
	}{
		{"template: sales-ru", "sales-ru", "/cfg/dayreport.db"},
		{"template: my.yaml", "/cfg/my.yaml", "/cfg/dayreport.db"},
		{`template: 'tpl\x'`, `/cfg/tpl\x`, "/cfg/dayreport.db"},
		{"state: {path: /var/lib/dr.db}", "sales-ru", "/var/lib/dr.db"},
		{"state: {path: ':memory:'}", "sales-ru", ":memory:"},
		{"state: {path: ../dr.db}", "sales-ru", "/dr.db"},
	}
	for _, tt := range tests {
		cfg, err := config.Parse([]byte(tt.yaml), "x.yml", "/cfg", nil)
		require.NoError(t, err, tt.yaml)
		require.Equal(t, tt.template, cfg.Template, tt.yaml)
		require.Equal(t, tt.state, cfg.State.Path, tt.yaml)
		require.Empty(t, cfg.Summary.XLSX, "empty paths stay empty")
		require.Empty(t, cfg.Google.CredentialsFile, "empty paths stay empty")
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	_, err := config.Load(filepath.Join(t.TempDir(), "dayreport.yaml"), env(nil))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Contains(t, err.Error(), "dayreport.yaml: no such file; pass --config or set DAYREPORT_CONFIG")
	require.True(t, strings.HasPrefix(err.Error(), "config: "))

	_, err = config.Load("dayreport.yaml", env(nil))
	require.EqualError(t, err, "config: dayreport.yaml: no such file; pass --config or set DAYREPORT_CONFIG")
}

func TestEnvExpansion(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"HOST": "smtp.example.ru", "USER": "reports", "EMPTY": ""})
	tests := []struct {
		yaml, want string
	}{
		{"notify: {email: {host: \"${HOST}\", from: a@b.ru}}", "smtp.example.ru"},
		{"notify:\n  email:\n    host: ${HOST}\n    from: a@b.ru", "smtp.example.ru"},
		{"notify: {email: {host: 'mail.${HOST}', from: a@b.ru}}", "mail.smtp.example.ru"},
		{"notify: {email: {host: 'a$$b', from: a@b.ru}}", "a$b"},
		{"notify: {email: {host: 'a$b', from: a@b.ru}}", "a$b"},
		{"notify: {email: {host: '$${HOST}', from: a@b.ru}}", "${HOST}"},
		{"notify: {email: {host: '${HOST}${EMPTY}x', from: a@b.ru}}", "smtp.example.rux"},
	}
	for _, tt := range tests {
		cfg, err := config.Parse([]byte(tt.yaml), "x.yml", "", vars)
		require.NoError(t, err, tt.yaml)
		require.Equal(t, tt.want, cfg.Notify.Email.Host, tt.yaml)
	}

	// Unquoted in a flow mapping, ${VAR} is a YAML syntax error: say how to fix it.
	_, err := config.Parse([]byte("notify: {email: {host: ${HOST}}}\n"), "x.yml", "", vars)
	require.ErrorContains(t, err, `a ${VAR} must be quoted`)

	// Keys are never expanded.
	_, err = config.Parse([]byte("${USER}: x\n"), "x.yml", "", vars)
	require.ErrorContains(t, err, "${USER}: unknown key")

	// An unset variable in an optional setting is simply empty; one in a
	// setting that then fails says so.
	cfg, err := config.Parse([]byte("google:\n  credentials_file: ${NOPE}\n"), "x.yml", "", vars)
	require.NoError(t, err)
	require.Empty(t, cfg.Google.CredentialsFile)
	_, err = config.Parse([]byte("http: {listen: '${NOPE}:${NOPE2}x'}\n"), "x.yml", "", vars)
	require.ErrorContains(t, err, "(it uses ${NOPE} and ${NOPE2}, which are not set)")
	_, err = config.Parse([]byte("crm: {adapter: webhook, webhook: {url: 'https://${NOPE}'}}\n"), "x.yml", "", vars)
	require.ErrorContains(t, err, "crm.webhook.url: not an http(s) URL (it uses ${NOPE}, which is not set)")
}

func TestAliasesAndMerges(t *testing.T) {
	t.Parallel()
	text := `
employees:
  - &base {id: ivanov, report: doc-1, timezone: Asia/Omsk}
  - <<: *base
    id: petrova
    report: doc-2
  - {<<: [*base], id: sidorov}
digest:
  to:
    - &boss {email: boss@example.ru}
    - *boss
notify: {console: true}
`
	cfg, err := config.Parse([]byte(text), "x.yml", "", nil)
	require.NoError(t, err)
	require.Len(t, cfg.Employees, 3)
	require.Equal(t, config.Employee{ID: "petrova", Report: "doc-2", Timezone: "Asia/Omsk"}, cfg.Employees[1])
	require.Equal(t, config.Employee{ID: "sidorov", Report: "doc-1", Timezone: "Asia/Omsk"}, cfg.Employees[2])
	require.Equal(t, cfg.Digest.To[0], cfg.Digest.To[1])

	_, err = config.Parse([]byte("employees: &a [*a]\n"), "x.yml", "", nil)
	require.Error(t, err)
	_, err = config.Parse([]byte("company: {<<: 5}\n"), "x.yml", "", nil)
	require.ErrorContains(t, err, "merge key")
}

func TestProblemText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    config.Problem
		file string
		want string
	}{
		{config.Problem{Path: "a.b", Line: 3, Message: "m"}, "f.yml", "f.yml:3: a.b: m"},
		{config.Problem{Path: "a.b", Message: "m"}, "f.yml", "f.yml: a.b: m"},
		{config.Problem{Line: 2, Message: "m"}, "f.yml", "f.yml:2: m"},
		{config.Problem{Path: "a", Message: "m"}, "", "a: m"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.p.Text(tt.file))
	}
}

func TestValueTypes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"9:05": "09:05", "00:00": "00:00", "23:59": "23:59"} {
		v, err := config.ParseTimeOfDay(in)
		require.NoError(t, err, in)
		require.Equal(t, want, v.String())
	}
	for _, in := range []string{"24:00", "12:60", "12", "1:5", "-1:00", "ab:cd", "", "12:00:00"} {
		_, err := config.ParseTimeOfDay(in)
		require.Error(t, err, in)
	}
	loc := time.FixedZone("X", 3*3600)
	require.Equal(t, time.Date(2026, 11, 26, 19, 0, 0, 0, loc),
		config.TimeOfDay{Hour: 19}.On(day.MustParse("2026-11-26"), loc))

	for in, days := range map[string]int{"2w": 14, "14d": 14, "1w": 7, "1d": 1, "366d": 366, "10d": 10} {
		w, err := config.ParseWindow(in)
		require.NoError(t, err, in)
		require.Equal(t, days, w.Days(), in)
	}
	require.Equal(t, "2w", config.Window(14).String())
	require.Equal(t, "10d", config.Window(10).String())
	for _, in := range []string{"0d", "367d", "53w", "2", "w", "2m", "-1d", "1.5w", ""} {
		_, err := config.ParseWindow(in)
		require.Error(t, err, in)
	}

	for d, want := range map[time.Duration]string{
		2 * time.Hour: "2h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s", 0: "0s",
		time.Hour + time.Second: "1h0m1s", 30 * time.Minute: "30m",
	} {
		require.Equal(t, want, config.Duration(d).String())
	}
}

func TestSecretsNeverShow(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"BITRIX24_WEBHOOK_URL": "https://portal.example.ru/rest/1/s3cr3tcode0001/",
		"AMOCRM_TOKEN":         "s3cr3t-amo-0002",
		"PG_DSN":               "postgres://dr:s3cr3t-pg-0003@db/dayreport",
		"SMTP_PASSWORD":        "s3cr3t-smtp-0004",
	}
	inline := []string{"s3cr3t-tg-0005", "https://hooks.example.ru/s3cr3t-0006", "s3cr3t-hmac-0007",
		"s3cr3t-hub-0008", "https://notify.example.ru/s3cr3t-0009", "s3cr3t-nhmac-0010"}
	text := fmt.Sprintf(`
state: {driver: postgres, dsn: "${PG_DSN}"}
crm:
  adapter: bitrix24
  bitrix24: {webhook_url: "${BITRIX24_WEBHOOK_URL}", entity_type_id: 1040, spa_id: 7}
  amocrm: {base_url: "https://x.amocrm.ru", token: "${AMOCRM_TOKEN}", catalog_id: 1}
  webhook: {url: %q, secret: %q}
  hubspot: {token: %q, object_type: p_reports}
notify:
  telegram: {token: %q}
  email: {host: smtp.example.ru, from: a@example.ru, password: "${SMTP_PASSWORD}"}
  webhook: {url: %q, secret: %q}
`, inline[1], inline[2], inline[3], inline[0], inline[4], inline[5])
	all := append([]string{}, inline...)
	for _, v := range secrets {
		all = append(all, v)
	}
	all = append(all, "s3cr3tcode0001", "s3cr3t-pg-0003")

	cfg, err := config.Parse([]byte(text), "s.yml", "/srv", env(secrets))
	require.NoError(t, err)

	var printed bytes.Buffer
	require.NoError(t, cfg.Print(&printed))
	require.Contains(t, printed.String(), "[hidden]")
	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	outputs := map[string]string{
		"print": printed.String(),
		"fmt":   fmt.Sprintf("%v %+v %#v %v", cfg, cfg, cfg, cfg.CRM),
		"fmt*":  fmt.Sprintf("%v %+v %#v", *cfg, *cfg, *cfg),
		"json":  string(js),
	}
	for name, out := range outputs {
		for _, s := range all {
			require.NotContains(t, out, s, name)
		}
	}

	got := cfg.Secrets()
	for _, s := range secrets {
		require.Contains(t, got, s)
	}
	for _, s := range inline {
		require.Contains(t, got, s)
	}
	require.Contains(t, got, "s3cr3tcode0001", "the code of a Bitrix24 webhook")
	require.Contains(t, got, "s3cr3t-pg-0003", "the password of a DSN")
	for i := 1; i < len(got); i++ {
		require.GreaterOrEqual(t, len(got[i-1]), len(got[i]), "longest first")
	}

	// Invalid configurations that contain the secrets: no message repeats them.
	badSecrets := map[string]string{
		"BITRIX24_WEBHOOK_URL": "http://portal.example.ru/rest/1/s3cr3tcode0001/",
		"PG_DSN":               "postgres://dr:s3cr3t-pg-0003@db/dayreport",
	}
	bad := `
state: {driver: postgres, dsn: {value: "${PG_DSN}"}}
crm:
  adapter: bitrix24
  bitrix24: {webhook_url: "${BITRIX24_WEBHOOK_URL}", entity_type_id: 1040, spa_id: 7, webhok_url: "s3cr3t-typo-0011"}
  hubspot: {token: "s3cr3t-hub-0008${", object_type: p}
notify:
  webhook: {url: "ftp://u:s3cr3t-nhmac-0010@notify.example.ru/s3cr3t-0009", secret: "s3cr3t${1X}-0012"}
  telegram: {token: [s3cr3t-tg-0005]}
`
	_, err = config.Parse([]byte(bad), "bad.yml", "/srv", env(badSecrets))
	cerr := problemsOf(t, err)
	require.GreaterOrEqual(t, len(cerr.Problems), 6, "%v", err)
	for _, s := range append(all, "s3cr3t-typo-0011", "s3cr3t", "0012") {
		require.NotContains(t, err.Error(), s)
	}
	require.Contains(t, err.Error(), "crm.bitrix24.webhook_url: not an https URL")
	require.Contains(t, err.Error(), "notify.webhook.url: not an http(s) URL")
}

func TestSecretFormatting(t *testing.T) {
	t.Parallel()
	s := config.Secret("tok")
	require.Equal(t, "[hidden]", s.String())
	require.Equal(t, "[hidden]", fmt.Sprintf("%v|%s|%#v|%+v", s, s, s, s)[:8])
	require.Equal(t, "tok", s.Value())
	js, err := json.Marshal(struct{ S, E config.Secret }{S: s})
	require.NoError(t, err)
	require.JSONEq(t, `{"S":"[hidden]","E":""}`, string(js))
	require.Empty(t, config.Secret("").String())
	require.Empty(t, config.Secret("").GoString())
	require.Empty(t, (&config.Config{}).Secrets())
}

func TestErrorsAs(t *testing.T) {
	t.Parallel()
	_, err := config.Parse([]byte("log: {level: loud}\n"), "x.yml", "", nil)
	wrapped := fmt.Errorf("startup: %w", err)
	var cerr *config.Error
	require.ErrorAs(t, wrapped, &cerr)
	require.Equal(t, []config.Problem{{Path: "log.level", Line: 1, Message: `unknown value "loud" (want debug, info, warn or error)`}}, cerr.Problems)
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(testdata, "*.yml"))
	require.NoError(f, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Add([]byte("schedule: {poll: 'TZ=UTC'}\n"))
	lookup := env(goodEnv)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse(data, "fuzz.yml", "/srv", lookup)
		if err != nil {
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error is not a *config.Error: %v", err)
			}
			if len(cerr.Problems) == 0 {
				t.Fatal("an *Error without problems")
			}
			return
		}
		var buf bytes.Buffer
		if err := cfg.Print(&buf); err != nil {
			t.Fatal(err)
		}
		_ = cfg.Secrets()
		_ = cfg.CompanyLocation()
	})
}

// TestListenOverride: $DAYREPORT_HTTP_LISTEN replaces http.listen, so that a
// container listens on all its interfaces with a configuration written for
// a host; a bad value is a problem that names the variable.
func TestListenOverride(t *testing.T) {
	t.Parallel()
	file := filepath.Join(testdata, "good.yml")
	for _, tc := range []struct {
		name, value, want string
	}{
		{"unset", "", ":9380"},
		{"set", "0.0.0.0:9380", "0.0.0.0:9380"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vars := maps.Clone(goodEnv)
			if tc.value != "" {
				vars["DAYREPORT_HTTP_LISTEN"] = tc.value
			}
			cfg, err := config.Load(file, env(vars))
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg.HTTP.Listen)
		})
	}
	vars := maps.Clone(goodEnv)
	vars["DAYREPORT_HTTP_LISTEN"] = "everywhere"
	_, err := config.Load(file, env(vars))
	require.ErrorContains(t, err, `http.listen: "everywhere" is not host:port (e.g. 127.0.0.1:9380) (from $DAYREPORT_HTTP_LISTEN)`)
}

// TestSetupPending: a config holding only a CRM's credentials loads for
// `dayreport crm setup` (which produces the rest), and fails everywhere
// else with problems that say to run setup; any other problem still fails
// setup too.
func TestSetupPending(t *testing.T) {
	t.Parallel()
	for file, paths := range map[string][]string{
		"setup_bitrix24.yml": {"crm.bitrix24.entity_type_id", "crm.bitrix24.spa_id"},
		"setup_amocrm.yml":   {"crm.amocrm.catalog_id"},
		"setup_hubspot.yml":  {"crm.hubspot.object_type"},
	} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(testdata, file)
			cfg, err := config.LoadForSetup(path, env(nil))
			require.NoError(t, err)
			require.NotNil(t, cfg)

			_, err = config.Load(path, env(nil))
			cerr := problemsOf(t, err)
			var got []string
			for _, p := range cerr.Problems {
				require.True(t, p.Setup, "%s", p.Path)
				require.Contains(t, p.Message, "run `dayreport crm setup`", p.Path)
				require.Positive(t, p.Line, "located at the adapter")
				got = append(got, p.Path)
			}
			require.Equal(t, paths, got)
		})
	}
	// A problem setup does not solve fails setup as well.
	_, err := config.LoadForSetup(filepath.Join(testdata, "bitrix24_not_https.bad.yml"), env(nil))
	require.ErrorContains(t, err, "not an https URL")
	// So does an id that is there but wrong.
	_, err = config.LoadForSetup(filepath.Join(testdata, "amocrm_too_fast.bad.yml"), env(nil))
	require.ErrorContains(t, err, "must be at most 7")
}
