package main

import (
	"bytes"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/dayreport/dayreport/pkg/app"
)

// Help in the company's language. The commands are written in English;
// when the company's language is Russian, localizeHelp replaces each
// command's texts and flag descriptions with those of helpRU (keyed by the
// command's path without "dayreport": "", "sync", "config check") and
// cobra's own headings with a Russian template. A text missing from the
// table stays English (TestHelpIsTranslated lists them).
//
// The configuration is loaded by each command, after cobra has printed any
// help, so the language is found before: helpLanguage reads only
// company.language of the file --config, $DAYREPORT_CONFIG or
// ./dayreport.yaml names; without a readable file, LC_ALL, LC_MESSAGES or
// LANG starting with "en" means English; anything else is Russian, the
// product's default.

// helpText is what a command says about itself.
type helpText struct {
	Short, Long, Example string
	// Flags are the descriptions of its own flags by name.
	Flags map[string]string
}

var helpRU = map[string]helpText{
	"": {
		Short: "Ежедневные отчёты отдела продаж: сбор, проверка, запись в CRM, отсутствия, воронка",
		Long: `dayreport читает ежедневный отчёт каждого менеджера по продажам (Google Doc,
Google Sheet или локальный файл), проверяет его по шаблону отчёта, записывает
в CRM одну запись на сотрудника за день, отмечает отсутствующими тех, кто не
сдал отчёт, сверяет цифры с CRM и пишет руководителю сводку с воронкой.`,
		Flags: map[string]string{
			"config":    "файл настроек (или $DAYREPORT_CONFIG)",
			"now":       "считать, что часы показывают это время RFC 3339 (повторы, демо, тесты)",
			"log-level": "уровень журнала: debug, info, warn, error (по умолчанию log.level из настроек)",
		},
	},
	"check": {
		Short: "Разобрать и проверить один отчёт, вывести каждую ошибку с её местом; ничего не записывает",
		Example: `  dayreport check --file testdata/reports/ivanov__basic.txt
  dayreport check --file report.md --date 2026-11-26 --format json
  dayreport check --employee ivanov --config config/demo.yaml --date 2026-11-05`,
		Flags: map[string]string{
			"file":     "файл отчёта (.txt, .md или .csv)",
			"employee": "id сотрудника из настроек (отчёт читается из настроенного источника); id различают регистр",
			"date":     "день для проверки, ГГГГ-ММ-ДД (по умолчанию самый новый день в отчёте)",
			"format":   "формат вывода: text или json",
		},
	},
	"config": {Short: "Команды настроек"},
	"config check": {
		Short: "Загрузить и проверить настройки, вывести все ошибки сразу (код 2, если они есть)",
		Flags: map[string]string{"print": "вывести действующие настройки (со значениями по умолчанию, секреты скрыты)"},
	},
	"crm": {Short: "Команды CRM"},
	"crm setup": {
		Short: "Создать в CRM то, что нужно адаптеру, и вывести блок настроек для вставки",
		Long: `setup нужны только учётные данные CRM в настройках. Он находит или создаёт то, во что
пишет адаптер, и выводит блок для вставки в раздел crm:

  bitrix24  смарт-процесс «Ежедневные отчёты» (crm.type.list / crm.type.add) и по
            пользовательскому полю на показатель, статус, заметки, флаги и ссылку
            (userfieldconfig.list / userfieldconfig.add): entity_type_id, spa_id, fields
  amocrm    список «Ежедневные отчёты» (/api/v4/catalogs) и его поля
            (/api/v4/catalogs/{id}/custom_fields): catalog_id, fields
  hubspot   пользовательский объект «daily_reports» (/crm/v3/schemas) и его свойства
            (/crm/v3/properties/{objectType}): object_type, fields

Повторный запуск ничего нового не создаёт. --dry-run читает CRM и выводит, что было
бы создано, ничего не создавая. Какие права нужны токену, написано в README.`,
		Flags: map[string]string{
			"dry-run": "вывести, что было бы создано, ничего не создавая",
		},
	},
	"funnel": {
		Short: "Воронка по сохранённым отчётам: на каком этапе команда теряет больше всего клиентов",
		Long: `funnel складывает сохранённые отчёты за период (сданные и сданные с опозданием дни;
дни отсутствия и с ошибками — это нет данных, а не нули) в воронку шаблона отчёта,
выводит по каждому этапу количество и конверсию из предыдущего и отмечает слабое
место: самую низкую конверсию среди переходов, где на предыдущем этапе не меньше 10.
Для сравнения показан предыдущий период той же длины.

--to по умолчанию самый новый сохранённый день (не позже сегодняшнего), --from — начало
окна сводки (summary.window, по умолчанию 2w: эта неделя и предыдущая).
--by employee добавляет таблицу по каждому сотруднику и где он сильнее всего отстаёт от
команды; в JSON есть и то и другое, а под "changes" — журнал изменений, прослеженный по
воронке (см. dayreport changes).`,
		Example: `  dayreport funnel --config config/demo.yaml
  dayreport funnel --config config/demo.yaml --from 2026-10-26 --to 2026-11-06 --by employee
  dayreport funnel --config config/demo.yaml --format json`,
		Flags: map[string]string{
			"from":   "первый день, ГГГГ-ММ-ДД (по умолчанию начало окна сводки)",
			"to":     "последний день, ГГГГ-ММ-ДД (по умолчанию самый новый сохранённый день)",
			"by":     "team (команда) или employee — добавить таблицу по каждому сотруднику",
			"format": "формат вывода: text или json",
		},
	},
	"changes": {
		Short: "Проследить каждое изменение из журнала по воронке: до, после и настоящая ли это разница",
		Long: `changes читает журнал изменений (changes: в настройках и вкладка «Изменения» таблицы
руководителя) и для каждого изменения сравнивает конверсию перехода в его этап до и после
него: «после» — от даты изменения до самого нового сохранённого дня, «до» — столько же
рабочих дней перед изменением (не больше 20 и не раньше предыдущего изменения того же
этапа). Считаются только сданные и сданные с опозданием дни. Разница проверяется
двусторонним тестом (z-тест для двух долей, точный тест Фишера при малых числах) на
уровне 5 %; пока она не значима, changes говорит, сколько ещё примерно рабочих дней
при нынешнем темпе нужно, чтобы это выяснить.`,
		Example: `  dayreport changes --config config/demo.yaml
  dayreport changes --config config/demo.yaml --format json`,
		Flags: map[string]string{
			"format": "формат вывода: text или json",
		},
	},
	"run": {
		Short: "Демон: выполняет расписание до SIGINT/SIGTERM, отдаёт состояние и метрики",
		Long: `run выполняет расписание из настроек в часовом поясе компании:
  poll       (по умолчанию "*/20 17-23 * * *")  sync за сегодня (у каждого сотрудника — его сегодня)
  close_day  (по умолчанию "30 21 * * *")       закрыть день, отправить итоги дня руководителю
  summary    (по умолчанию после каждого прохода)  записать сводку руководителю
Выражения cron задают время; дни решает производственный календарь: перенесённая рабочая
суббота проходит и закрывается, праздник — нет (поле дня недели не учитывается). Каждый
проход сначала закрывает дни, до которых после их срока не дошёл ни один проход (простой
сервера, часовые пояса западнее компании). Запуски не пересекаются (пришедший во время
другого пропускается и пишется в журнал), и проход по базе состояния одновременно ведёт
только один процесс.

HTTP на http.listen (по умолчанию 127.0.0.1:9380): /healthz, /readyz, /metrics
(Prometheus), /status (JSON: последние проходы, следующие запуски). SIGINT или SIGTERM
прекращает новые запуски, даёт текущему проходу закончить сотрудника (не отправленное
остаётся в очереди до следующего прохода) и завершает работу.`,
	},
	"sync": {
		Short: "Полный проход за день: прочитать, проверить, сохранить, записать в CRM, отправить то, что пора",
		Long: `sync выполняет один проход: сначала закрывает каждый рабочий день, срок которого прошёл в
часовом поясе сотрудника и который ещё не закрыт (назад до горизонта: первая установка,
start сотрудника, не больше ledger.horizon дней), затем читает документ каждого сотрудника
и оценивает день (по умолчанию сегодня в часовом поясе компании) и неделю до него,
сохраняет дни, отправляет записи в CRM, пишет сводку руководителю и отправляет
напоминания и списки ошибок, которым пора (каждое один раз).`,
		Flags: map[string]string{
			"date":      "день, ГГГГ-ММ-ДД (по умолчанию сегодня в часовом поясе компании)",
			"format":    "формат вывода: text или json",
			"dry-run":   "только прочитать и проверить: ничего не записывается и не отправляется; выводит сообщения, которые ушли бы сейчас",
			"no-notify": "не отправлять в этом запуске ни напоминаний, ни списков ошибок, ни итогов дня",
		},
	},
	"close-day": {
		Short: "После срока: отметить отсутствующими не сдавших отчёт, записать в CRM, отправить итоги дня",
		Long: `close-day выполняет проход, закрывающий день: каждый сотрудник, чей срок прошёл, а
отчёта за рабочий день нет, отмечается отсутствующим, и записи отправляются в CRM (как и
любой проход, он закрывает и более ранние дни, до которых не дошёл ни один проход). Отчёт,
появившийся позже, превращает «отсутствовал» в «сдан с опозданием». Сотрудники, чей срок
ещё не наступил (другой часовой пояс), остаются открытыми, если не указан --force. Затем
руководителю уходят итоги дня — один раз: повторный запуск их не отправляет.`,
		Flags: map[string]string{
			"date":      "день, ГГГГ-ММ-ДД (по умолчанию сегодня в часовом поясе компании)",
			"format":    "формат вывода: text или json",
			"force":     "закрыть день и для сотрудников, чей срок ещё не наступил",
			"dry-run":   "только прочитать и проверить: ничего не записывается и не отправляется; выводит то, что было бы отправлено",
			"no-notify": "не отправлять в этом запуске ни напоминаний, ни списков ошибок, ни итогов дня",
		},
	},
	"backfill": {
		Short: "Выполнить sync за каждый рабочий день диапазона; повторный запуск ничего не меняет",
		Long: `backfill выполняет проход за каждый рабочий день диапазона, от старых к новым. Дня до
start сотрудника для него нет. Проход по дням, которые не закрывал ни один проход, не
знает об опозданиях: найденный отчёт — «сдан» (или «с ошибками»), ненайденный —
«отсутствовал». Ничего не отправляет, если не указан --replay: тогда каждый день
проходит так, как прошёл бы сразу после своего срока (с напоминаниями и итогами
последнего дня). --dry-run ничего не записывает и не отправляет и выводит, сколько
записей ушло бы в CRM, по статусам. В терминале сначала говорит, что отправит, и
спрашивает подтверждение (--yes — не спрашивать).`,
		Example: `  dayreport backfill --config config/demo.yaml --from 2026-10-26 --to 2026-11-06 --replay`,
		Flags: map[string]string{
			"from":      "первый день, ГГГГ-ММ-ДД",
			"to":        "последний день, ГГГГ-ММ-ДД",
			"format":    "формат вывода: text или json",
			"replay":    "выполнить проход каждого дня так, как он прошёл бы сразу после срока этого дня (воспроизводит опоздания по источнику с историей)",
			"dry-run":   "ничего не записывать и не отправлять; вывести, сколько записей ушло бы в CRM, по статусам",
			"no-notify": "с --replay: не отправлять воспроизведённые напоминания, списки ошибок и итоги дня",
			"yes":       "не спрашивать подтверждения в терминале",
		},
	},
	"init": {
		Short: "Начать новую команду: настройки с комментариями, папка отчётов с примером на каждого сотрудника, путь сводки",
		Example: `  dayreport init --dir sales --employees "Иван Иванов, Анна Петрова"
  dayreport config check --config sales/dayreport.yaml`,
		Flags: map[string]string{
			"dir":       "папка новой команды (по умолчанию текущая)",
			"employees": "сотрудники через запятую: «Имя Фамилия, …» (id получаются из фамилий латиницей)",
		},
	},
	"version":    {Short: "Вывести версию"},
	"help":       {Short: "Справка по любой команде"},
	"completion": {Short: "Создать сценарий автодополнения для оболочки"},
}

// usageRU is cobra's usage template with Russian headings.
const usageRU = `Использование:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [команда]{{end}}{{if gt (len .Aliases) 0}}

Другие имена:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Примеры:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Команды:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Флаги:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Общие флаги:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

Другие разделы справки:{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

Справка по команде: "{{.CommandPath}} [команда] --help".{{end}}
`

// localizeHelp gives the command tree the help texts of lang ("ru" or
// "en"). English is what the commands say already.
func localizeHelp(root *cobra.Command, lang string) {
	if lang != "ru" {
		return
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetUsageTemplate(usageRU)
	walk(root, func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		t, ok := helpRU[helpPath(c)]
		if !ok {
			return
		}
		if t.Short != "" {
			c.Short = t.Short
		}
		if t.Long != "" {
			c.Long = t.Long
		} else if c.Long != "" {
			c.Long = t.Short // the English long text would follow a Russian short one
		}
		if t.Example != "" {
			c.Example = t.Example
		}
		translate := func(f *pflag.Flag) {
			if u, ok := t.Flags[f.Name]; ok {
				f.Usage = u
			}
		}
		c.LocalNonPersistentFlags().VisitAll(translate)
		c.PersistentFlags().VisitAll(translate)
		if h := c.Flags().Lookup("help"); h != nil {
			h.Usage = "справка по " + strings.TrimSpace("dayreport "+helpPath(c))
		}
	})
}

// walk calls f on c and every command under it.
func walk(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walk(sub, f)
	}
}

// helpPath is a command's path without the program's name: "config check".
func helpPath(c *cobra.Command) string {
	path := c.CommandPath()
	if root := c.Root(); root != nil {
		path = strings.TrimPrefix(strings.TrimPrefix(path, root.Name()), " ")
	}
	return path
}

// helpLanguage is the language of help for the command line args: the
// company.language of the configuration it names (--config, else
// $DAYREPORT_CONFIG, else ./dayreport.yaml), else the locale's.
func helpLanguage(args []string, getenv func(string) string) string {
	path := getenv("DAYREPORT_CONFIG")
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			path = v
		} else if a == "--config" && i+1 < len(args) {
			path = args[i+1]
		}
	}
	if path == "" {
		path = app.DefaultConfigPath
	}
	if data, err := os.ReadFile(path); err == nil {
		if lang, ok := configLanguage(data); ok {
			return lang
		}
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := getenv(v); l != "" {
			if strings.HasPrefix(l, "en") {
				return "en"
			}
			return "ru"
		}
	}
	return "ru"
}

// configLanguage is the company.language of a configuration file's text
// (ru unless it says en); ok is false when the text is not YAML. Only the
// company block is parsed when it can be told apart (a top-level
// "company:" line and the indented lines after it, with no anchor, alias
// or merge key in it): the whole file, with the roster of a large team,
// is parsed once more by the command itself.
func configLanguage(data []byte) (string, bool) {
	var c struct {
		Company struct {
			Language string `yaml:"language"`
		} `yaml:"company"`
	}
	text := data
	if block, ok := companyBlock(data); ok {
		text = block
	}
	if yaml.Unmarshal(text, &c) != nil {
		if len(text) == len(data) || yaml.Unmarshal(data, &c) != nil {
			return "", false
		}
	}
	if c.Company.Language == "en" {
		return "en", true
	}
	return "ru", true // the configuration's default
}

// companyBlock cuts the top-level company mapping out of a one-document
// configuration; ok is false when it cannot be told apart safely.
func companyBlock(data []byte) ([]byte, bool) {
	var (
		block []byte
		in    bool
		found int
	)
	for line := range bytes.Lines(data) {
		body := bytes.TrimRight(line, "\r\n")
		top := len(body) > 0 && body[0] != ' ' && body[0] != '\t' && body[0] != '#'
		if top && (bytes.HasPrefix(body, []byte("---")) || bytes.HasPrefix(body, []byte("..."))) {
			return nil, false // a document marker: parse it whole
		}
		if top {
			in = false
			if rest, ok := bytes.CutPrefix(body, []byte("company")); ok && len(bytes.TrimLeft(rest, " ")) > 0 && bytes.TrimLeft(rest, " ")[0] == ':' {
				in = true
				found++
			}
		}
		if in {
			block = append(block, line...)
			if !bytes.HasSuffix(block, []byte("\n")) {
				block = append(block, '\n')
			}
		}
	}
	if found != 1 || bytes.ContainsAny(block, "&*") || bytes.Contains(block, []byte("<<")) {
		return nil, false
	}
	return block, true
}
