// Package scaffold starts a new team (`dayreport init`): a configuration
// with Russian comments, a report folder with a filled example report per
// employee in the text format the parser reads, and the path of the
// manager's workbook. It writes nothing over an existing file.
package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// The files of a new team, relative to its folder.
const (
	ConfigFile = "dayreport.yaml"
	ReportsDir = "reports"
	Summary    = "summary.xlsx"
)

// Team is what to start.
type Team struct {
	// Dir is the team's folder; it is created when missing.
	Dir    string
	People []Person
	// Today is the date of the example reports: today in the company's
	// time zone.
	Today day.Date
	// Template is the report template (sales-ru).
	Template *report.Template
	// Timezone is the company's IANA time zone.
	Timezone string
}

// ExistsError is a start that would overwrite files: nothing was written.
type ExistsError struct {
	Paths []string
}

func (e *ExistsError) Error() string {
	return "init: would overwrite " + strings.Join(e.Paths, ", ") + ": nothing written (choose another --dir or remove them)"
}

// Write writes the team's configuration and example reports and returns
// their paths, or an *ExistsError naming the files that are already there.
func Write(t Team) ([]string, error) {
	files, err := t.files()
	if err != nil {
		return nil, err
	}
	var exists []string
	for _, f := range files {
		if _, err := os.Lstat(f.path); err == nil || !errors.Is(err, fs.ErrNotExist) {
			exists = append(exists, f.path)
		}
	}
	if len(exists) > 0 {
		return nil, &ExistsError{Paths: exists}
	}
	if err := os.MkdirAll(filepath.Join(t.Dir, ReportsDir), 0o755); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	var written []string
	for _, f := range files {
		// O_EXCL: a file that appeared since the check is not overwritten.
		w, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return written, fmt.Errorf("init: %w", err)
		}
		_, err = w.Write(f.data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, fmt.Errorf("init: %w", err)
		}
		written = append(written, f.path)
	}
	return written, nil
}

type file struct {
	path string
	data []byte
}

// files are the configuration, then a report per person.
func (t Team) files() ([]file, error) {
	cfg, err := t.config()
	if err != nil {
		return nil, err
	}
	out := []file{{filepath.Join(t.Dir, ConfigFile), cfg}}
	for _, p := range t.People {
		out = append(out, file{filepath.Join(t.Dir, ReportsDir, p.ID+".txt"), []byte(t.example())})
	}
	return out, nil
}

// exampleValues fill the example report: a plausible junior's day.
var exampleValues = map[string]float64{
	"new_calls": 20, "repeat_calls": 6, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1,
	"payments": 1, "feedback_calls": 3, "company_rating": 4.5,
}

// example is a filled report for today, as an employee would write it.
func (t Team) example() string {
	r := &report.Report{Date: t.Today, Metrics: map[string]float64{},
		Notes: "Пример: замените цифры своими и пишите каждый день новый раздел с датой сверху."}
	for _, mt := range t.Template.Metrics {
		if mt.Type == report.Text || !mt.Required && exampleValues[mt.Key] == 0 {
			continue
		}
		v, ok := exampleValues[mt.Key]
		if !ok {
			v = max(mt.Min, 1)
		}
		r.Metrics[mt.Key] = v
	}
	// The form lists every metric; a junior's example leaves out the
	// optional ones it does not report (a senior's primary calls).
	var lines []string
	for _, line := range strings.Split(report.Render(t.Template, r, "ru"), "\n") {
		if !strings.HasSuffix(line, ": ") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// quote writes a string as a YAML scalar whatever it holds: a JSON string
// is a YAML double-quoted one.
func quote(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

var configText = template.Must(template.New("config").Funcs(template.FuncMap{"quote": quote}).Parse(`# Настройки dayreport для команды (создано командой dayreport init).
# Проверка: dayreport config check --config {{.Config}}
# Первый проход: dayreport backfill --config {{.Config}} --from {{.Today}} --to {{.Today}}
# Все настройки и их значения: README.md и docs/SPEC.md, раздел 10.
# Пути ниже — относительно этого файла.

company:
  timezone: {{.Timezone}}   # часовой пояс компании: по нему решается, какой сегодня день
  language: ru              # ru или en: язык сообщений, сводки и справки

template: sales-ru           # шаблон отчёта: встроенный sales-ru или путь к своему YAML

calendar:
  country: ru                # производственный календарь России: праздники и переносы

deadline:
  time: "19:00"              # срок сдачи отчёта по времени сотрудника
  grace: 2h                  # отсрочка; после неё не сдавший отмечается отсутствующим

state:
  path: dayreport.db         # база состояния (SQLite): отчёты, статусы, очередь в CRM

# Отчёты лежат в папке: <id сотрудника>.txt или .md (текст, как в примерах),
# или <id>.csv (выгрузка таблицы). Чтобы читать Google Docs, смотрите README.
source:
  kind: local
local:
  dir: {{.Reports}}

crm:
  adapter: builtin           # записи хранятся в базе состояния; bitrix24, amocrm, hubspot, webhook — см. README

summary:
  xlsx: {{.Summary}}         # книга руководителя: Сводка, Воронка, Отсутствия, Проверка
  window: 2w                 # за какой период: эта неделя и предыдущая

# Напоминания и сводка руководителю: раскомментируйте и укажите канал (README).
# reminders:
#   - at: "18:30"
# notify:
#   telegram: {token: "${TELEGRAM_BOT_TOKEN}"}

# Сотрудники: id — латиницей, строчными буквами; он же имя файла отчёта.
employees:
{{- range .People}}
  - {id: {{.ID}}, name: {{quote .Name}}}
{{- end}}
`))

func (t Team) config() ([]byte, error) {
	var b bytes.Buffer
	err := configText.Execute(&b, map[string]any{
		"Config":   filepath.Join(t.Dir, ConfigFile),
		"Today":    t.Today.String(),
		"Timezone": t.Timezone,
		"Reports":  ReportsDir,
		"Summary":  Summary,
		"People":   t.People,
	})
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	return b.Bytes(), nil
}
