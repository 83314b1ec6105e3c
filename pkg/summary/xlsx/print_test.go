package xlsx_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// demoNames are the nine of the demo (config/demo.yaml).
var demoNames = []string{"Иван Иванов", "Анна Петрова", "Пётр Сидоров", "Ольга Морозова", "Елена Смирнова",
	"Алексей Кузнецов", "Мария Попова", "Дмитрий Волков", "Ирина Орлова"}

// demoModel is a summary like the demo's: nine employees over ten working
// days with the sales-ru template, notes, a late, an absent and an invalid
// day, verification flags, the funnel of each employee.
func demoModel() *summary.Model {
	tmpl := report.MustBuiltin("sales-ru")
	from := day.New(2026, time.October, 26)
	m := &summary.Model{Lang: "ru", From: from, To: from.AddDays(11),
		Generated: time.Date(2026, time.November, 6, 21, 30, 0, 0, time.UTC), Names: map[string]string{}}
	for _, mt := range tmpl.Metrics {
		if mt.Type != report.Text {
			m.Columns = append(m.Columns, summary.Column{Key: mt.Key, Label: mt.Label("ru"), Rating: mt.Type == report.Rating})
		}
	}
	cur := funnel.Window{From: from, To: m.To, Employees: map[string]funnel.Totals{}}
	var order []string
	for i, name := range demoNames {
		id := fmt.Sprintf("e%d", i)
		m.Names[id] = name
		order = append(order, id)
	}
	for d := range 12 {
		date := from.AddDays(d)
		if date.Weekday() == time.Saturday || date.Weekday() == time.Sunday {
			continue
		}
		for i, id := range order {
			r := summary.DayRow{Date: date, Employee: id, Name: m.Names[id], Status: report.Submitted}
			r.Metrics = map[string]float64{"new_calls": float64(20 + (i*7+d*3)%15), "repeat_calls": float64(5 + (i+d)%6),
				"proposals_sent": float64(2 + (i+d)%4), "invoices_issued": float64(1 + (i+2*d)%3),
				"contracts_signed": float64((i + d) % 2), "payments": float64((i + d + 1) % 2),
				"feedback_calls": float64(2 + (i+d)%4), "company_rating": 4 + float64((i+d)%3)/2}
			switch {
			case i == 5 && d == 3:
				r.Status, r.Metrics = report.Absent, nil
			case i == 7 && d == 2:
				r.Status = report.Invalid
				r.Reason = "строка 21: «Звонки по обратной связи»: значение не указано (и ещё 1)"
			case i == 6 && d == 10:
				r.Status = report.Late
			}
			if (i+d)%4 == 0 {
				r.Notes = "провёл демо для трёх клиентов, договорился о пилоте с ООО «Вектор» на следующий квартал"
			}
			if i == 7 && d > 6 {
				r.Flags = []string{"«Новые звонки»: в отчёте 27, в CRM 12"}
			}
			r.StatusLabel = r.Status.Label("ru")
			m.Days = append(m.Days, r)
			tot := cur.Employees[id]
			if tot.Statuses == nil {
				tot.Statuses = map[report.Status]int{}
			}
			tot.Statuses[r.Status]++
			if r.Status == report.Submitted || r.Status == report.Late {
				if tot.Metrics == nil {
					tot.Metrics = map[string]float64{}
				}
				tot.Add(r.Metrics, tmpl.Rating)
			}
			cur.Employees[id] = tot
			if r.Status == report.Absent || r.Status == report.Late {
				m.Absences = append(m.Absences, r)
			}
		}
	}
	m.Funnel = funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{Lang: "ru", Order: order})
	return m
}

// pdfTool finds a poppler tool, or skips.
func pdfTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s (poppler-utils) is not on PATH", name)
	}
	return p
}

// toPDF converts workbooks to PDF with LibreOffice and returns the folder
// of the PDFs (named after the workbooks), or skips where LibreOffice is not
// installed (.ci/run installs it).
func toPDF(t *testing.T, workbooks ...string) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if soffice, err = exec.LookPath("libreoffice"); err != nil {
			t.Skip("LibreOffice (soffice) is not on PATH")
		}
	}
	dir := t.TempDir()
	// A profile of its own, so parallel runs and a desktop session don't clash.
	profile := url.URL{Scheme: "file", Path: filepath.Join(dir, "profile")}
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	args := append([]string{"-env:UserInstallation=" + profile.String(),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir}, workbooks...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, w := range workbooks {
		require.FileExists(t, pdfOf(dir, w), "LibreOffice said: %s", out)
	}
	return dir
}

// pdfOf is the PDF LibreOffice makes of workbook in dir.
func pdfOf(dir, workbook string) string {
	return filepath.Join(dir, strings.TrimSuffix(filepath.Base(workbook), ".xlsx")+".pdf")
}

// printedPage is one page of the PDF: its text, and the median height of
// its words in points (a line of 11 pt Calibri is 14.3 pt high at 100 %).
type printedPage struct {
	text   string
	height float64
}

var wordBox = regexp.MustCompile(`yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"`)

func printedPages(t *testing.T, pdf string) []printedPage {
	t.Helper()
	info, err := exec.Command(pdfTool(t, "pdfinfo"), pdf).Output()
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
	require.NotNil(t, m, "%s", info)
	require.Contains(t, string(info), "841.89 x 595.", "A4 landscape")
	n, _ := strconv.Atoi(string(m[1]))
	pdftotext := pdfTool(t, "pdftotext")
	pages := make([]printedPage, n)
	for i := range pages {
		p := strconv.Itoa(i + 1)
		text, err := exec.Command(pdftotext, "-layout", "-f", p, "-l", p, pdf, "-").Output()
		require.NoError(t, err)
		boxes, err := exec.Command(pdftotext, "-bbox", "-f", p, "-l", p, pdf, "-").Output()
		require.NoError(t, err)
		var heights []float64
		for _, b := range wordBox.FindAllStringSubmatch(string(boxes), -1) {
			y0, _ := strconv.ParseFloat(b[1], 64)
			y1, _ := strconv.ParseFloat(b[2], 64)
			heights = append(heights, y1-y0)
		}
		sort.Float64s(heights)
		pages[i].text = string(text)
		if len(heights) > 0 {
			pages[i].height = heights[len(heights)/2]
		}
	}
	return pages
}

// minWordHeight is the median word height of a readable page: 11 pt type
// printed at 70 % or more, 7.7 pt.
const minWordHeight = 14.3 * 0.7

// TestPrintedAsAManagerReadsIt prints a workbook like the demo's through
// LibreOffice and reads the PDF as the manager would: every page A4
// landscape with readable type; Сводка a page of numbers and a page of the
// same days' notes, the header on each; Воронка one page wide, the team
// funnel with its chart on its first page, no employee's funnel cut.
func TestPrintedAsAManagerReadsIt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	require.NoError(t, xlsx.Write(path, demoModel()))
	pages := printedPages(t, pdfOf(toPDF(t, path), path))

	byTab := map[string][]printedPage{}
	for i, p := range pages {
		first := strings.Fields(p.text)
		require.NotEmpty(t, first, "page %d is not blank", i+1)
		byTab[first[0]] = append(byTab[first[0]], p)
		require.GreaterOrEqual(t, p.height, minWordHeight, "page %d (%s): type too small", i+1, first[0])
		require.Contains(t, p.text, fmt.Sprintf("Страница %d из %d", i+1, len(pages)))
	}
	t.Logf("%d pages: Сводка %d, Воронка %d, Отсутствия %d, Проверка %d", len(pages),
		len(byTab["Сводка"]), len(byTab["Воронка"]), len(byTab["Отсутствия"]), len(byTab["Проверка"]))

	days := byTab["Сводка"]
	require.Len(t, days, 6, "90 rows on three pages, each as numbers and then notes")
	for i, p := range days {
		require.Contains(t, p.text, "Сотрудник", "the header on every page")
		if i%2 == 0 {
			require.Contains(t, p.text, "Подписано", "numbers first")
		} else {
			require.Contains(t, p.text, "Заметки", "then the same days' notes")
			require.NotContains(t, p.text, "Подписано")
		}
	}
	require.Contains(t, days[0].text, "Причина")
	require.Contains(t, strings.Join(strings.Fields(days[0].text), " "), "«Звонки по обратной")

	funnelPages := byTab["Воронка"]
	require.LessOrEqual(t, len(funnelPages), 5, "nine employees, two or more a page")
	team := funnelPages[0].text
	for _, want := range []string{"Воронка продаж", "Оплаты", "Воронка команды: этапы и конверсия", "Слабое место"} {
		require.Contains(t, team, want, "the team funnel and its chart on the first page")
	}
	for _, name := range demoNames {
		found := 0
		for _, p := range funnelPages {
			if i := strings.Index(p.text, name); i >= 0 {
				found++
				rest := p.text[i:]
				require.Contains(t, rest, "Оплаты", "%s: the stage table on the same page as the name", name)
				require.Contains(t, rest, "Статусы дней", "%s: the block ends on the page it starts", name)
			}
		}
		require.Equal(t, 1, found, "%s: one block", name)
	}
}
