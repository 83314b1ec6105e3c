// Package gsheet writes the manager summary (summary.Model) into the
// manager's Google Sheet. It owns the four tabs of the model and nothing
// else: every write deletes and recreates them with the same sheet ids (so
// links to them keep working, and no chart or conditional-format rule piles
// up), and never touches another tab. A write costs two Sheets requests
// whatever the number of employees: one spreadsheets.get for the tab list
// and one spreadsheets.batchUpdate holding everything — unless that would
// exceed Google's recommended 2 MB, when the batchUpdate is split. User text is written
// as stringValue: it can never become a formula.
package gsheet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	srcsheet "github.com/dayreport/dayreport/pkg/source/gsheet"
	"github.com/dayreport/dayreport/pkg/summary"
)

// Writer writes summaries through a Sheets client with the spreadsheets scope.
type Writer struct {
	svc *sheets.Service
}

// New returns a Writer.
func New(svc *sheets.Service) *Writer { return &Writer{svc: svc} }

// Write rewrites the model's four tabs in the spreadsheet (an id or a URL).
func (w *Writer) Write(ctx context.Context, spreadsheet string, m *summary.Model) error {
	link, err := srcsheet.ParseLink(spreadsheet)
	if err != nil {
		return fmt.Errorf("summary sheet: %w", err)
	}
	id := link.ID
	meta, err := w.svc.Spreadsheets.Get(id).Fields("sheets.properties(sheetId,title,index)").Context(ctx).Do()
	if err != nil {
		return describe(id, err)
	}
	tabs := summary.TabNames(m.Lang).All()
	own := map[string]*sheets.SheetProperties{}
	used := map[int64]string{}
	for _, s := range meta.Sheets {
		if s.Properties == nil {
			continue
		}
		used[s.Properties.SheetId] = s.Properties.Title
		for _, t := range tabs {
			if s.Properties.Title == t {
				own[t] = s.Properties
			}
		}
	}
	var reqs []*sheets.Request
	for _, t := range tabs {
		if p, ok := own[t]; ok {
			reqs = append(reqs, &sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: p.SheetId}})
		}
	}
	next := int64(len(meta.Sheets) - len(own))
	b := builder{m: m}
	b.build()
	for i, t := range tabs {
		// A new sheet has 1000 × 26 cells; a larger summary asks for more.
		rows, cols := gridSize(b.tabs[i])
		props := &sheets.SheetProperties{Title: t, GridProperties: &sheets.GridProperties{FrozenRowCount: 1,
			RowCount: max(1000, rows+1), ColumnCount: max(26, cols)}}
		if p, ok := own[t]; ok && p.SheetId != 0 {
			props.SheetId, props.Index = p.SheetId, p.Index
		} else if ok {
			// Id 0 cannot be asked for (it means "choose one"): the tab
			// keeps its place under a new id.
			props.SheetId, props.Index = freeID(t, used), p.Index
			used[props.SheetId] = t
		} else {
			props.SheetId, props.Index = freeID(t, used), next
			used[props.SheetId] = t
			next++
		}
		if t == tabs[1] {
			props.GridProperties.FrozenRowCount = 0
		}
		props.ForceSendFields = []string{"Index", "SheetId"}
		reqs = append(reqs, &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: props}})
		b.ids = append(b.ids, props.SheetId)
	}
	reqs = append(reqs, b.requests()...)
	for _, batch := range batches(reqs, maxPayload) {
		_, err = w.svc.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: batch}).Context(ctx).Do()
		if err != nil {
			return describe(id, err)
		}
	}
	return nil
}

// maxPayload is Google's recommended largest request body (2 MB).
const maxPayload = 2 << 20

// chunkRows is how many rows one updateCells carries when a write is split.
const chunkRows = 500

// batches returns the requests in one batch when they fit in limit bytes;
// otherwise it cuts large updateCells into chunks of rows and packs the
// requests, in order, into as few batches under the limit as it can.
func batches(reqs []*sheets.Request, limit int) [][]*sheets.Request {
	if size(reqs) <= limit {
		return [][]*sheets.Request{reqs}
	}
	var split []*sheets.Request
	for _, r := range reqs {
		u := r.UpdateCells
		if u == nil || len(u.Rows) <= chunkRows {
			split = append(split, r)
			continue
		}
		for i := 0; i < len(u.Rows); i += chunkRows {
			end := min(i+chunkRows, len(u.Rows))
			split = append(split, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
				Start:  &sheets.GridCoordinate{SheetId: u.Start.SheetId, RowIndex: u.Start.RowIndex + int64(i)},
				Rows:   u.Rows[i:end],
				Fields: u.Fields,
			}})
		}
	}
	var out [][]*sheets.Request
	var cur []*sheets.Request
	curSize := 0
	for _, r := range split {
		n := size([]*sheets.Request{r})
		if len(cur) > 0 && curSize+n > limit {
			out = append(out, cur)
			cur, curSize = nil, 0
		}
		cur, curSize = append(cur, r), curSize+n
	}
	return append(out, cur)
}

// size is the JSON size of requests.
func size(reqs []*sheets.Request) int {
	b, err := json.Marshal(reqs)
	if err != nil {
		return 0
	}
	return len(b)
}

// freeID is a stable sheet id for a tab title, not taken by another tab.
func freeID(title string, used map[int64]string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte("dayreport:" + title))
	id := int64(h.Sum32() & 0x7fffffff)
	for {
		if _, taken := used[id]; !taken {
			return id
		}
		id = (id + 1) & 0x7fffffff
	}
}

// describe says what to do about a failed write; it names the spreadsheet,
// never credentials.
func describe(id string, err error) error {
	var g *googleapi.Error
	if errors.As(err, &g) {
		switch g.Code {
		case 403:
			return fmt.Errorf("summary sheet %s: no access: share the spreadsheet with the service account's e-mail as an editor: %w", id, err)
		case 404:
			return fmt.Errorf("summary sheet %s: not found: check summary.spreadsheet: %w", id, err)
		}
	}
	return fmt.Errorf("summary sheet %s: %w", id, err)
}

// gridSize is how many rows and columns the rows need.
func gridSize(rows []*sheets.RowData) (r, c int64) {
	for _, row := range rows {
		c = max(c, int64(len(row.Values)))
	}
	return int64(len(rows)), c
}

// builder turns the model into the cells, rules and chart of the four tabs.
type builder struct {
	m      *summary.Model
	ids    []int64 // sheet ids of the tabs, in summary.Tabs order
	tabs   [4][]*sheets.RowData
	funnel funnelTab
}

// build lays out the rows of every tab.
func (b *builder) build() {
	b.funnel = b.funnelRows()
	b.tabs = [4][]*sheets.RowData{b.daysRows(b.m.Days), b.funnel.rows, b.daysRows(b.m.Absences), b.checkRows()}
}

func (b *builder) requests() []*sheets.Request {
	days := b.tabs[0]
	var reqs []*sheets.Request
	for i, rows := range b.tabs {
		reqs = append(reqs, cells(b.ids[i], rows))
	}
	if n := len(b.funnel.stages); n > 0 {
		reqs = append(reqs, b.chart(b.funnel.first, n))
	}
	for i, tab := range []int{0, 2} {
		rows := len(b.m.Days)
		if i == 1 {
			rows = len(b.m.Absences)
		}
		if rows > 0 {
			reqs = append(reqs, b.statusRules(b.ids[tab], rows, len(days[0].Values))...)
		}
	}
	return reqs
}

// lang-dependent header texts.
func (b *builder) t(ru, en string) string {
	if b.m.Lang == "en" {
		return en
	}
	return ru
}

func (b *builder) daysRows(list []summary.DayRow) []*sheets.RowData {
	head := []string{b.t("Дата", "Date"), b.t("Сотрудник", "Employee"), "ID", b.t("Статус", "Status")}
	for _, c := range b.m.Columns {
		head = append(head, c.Label)
	}
	head = append(head, b.t("Заметки", "Notes"), b.t("Флаги", "Flags"))
	rows := []*sheets.RowData{headerRow(head)}
	for _, d := range list {
		r := []*sheets.CellData{date(serial(d.Date)), text(d.Name), text(d.Employee), text(d.StatusLabel)}
		for _, c := range b.m.Columns {
			v, ok := d.Metrics[c.Key]
			switch {
			case !ok:
				r = append(r, &sheets.CellData{})
			case c.Rating:
				r = append(r, number(v, "0.0"))
			default:
				r = append(r, number(v, "0"))
			}
		}
		r = append(r, text(d.Notes), text(strings.Join(d.Flags, "; ")))
		rows = append(rows, &sheets.RowData{Values: r})
	}
	return rows
}

func (b *builder) checkRows() []*sheets.RowData {
	rows := []*sheets.RowData{headerRow([]string{b.t("Дата", "Date"), b.t("Сотрудник", "Employee"), "ID",
		b.t("Показатель", "Metric"), b.t("В отчёте", "Reported"), b.t("В CRM", "Recorded"), b.t("Сообщение", "Message")})}
	for _, c := range b.m.Checks {
		r := []*sheets.CellData{date(serial(c.Date)), text(c.Name), text(c.Employee), text(c.MetricLabel), optNumber(c.Reported), optNumber(c.Recorded), text(c.Message)}
		rows = append(rows, &sheets.RowData{Values: r})
	}
	return rows
}

// funnelTab is the Воронка tab's rows and where the team's stages are.
type funnelTab struct {
	rows   []*sheets.RowData
	first  int // row index of the first team stage
	stages []int
}

func (b *builder) funnelRows() funnelTab {
	var ft funnelTab
	add := func(cells ...*sheets.CellData) { ft.rows = append(ft.rows, &sheets.RowData{Values: cells}) }
	f := b.m.Funnel
	add(bold(b.t("Воронка продаж", "Sales funnel") + ": " + b.m.From.Russian() + " – " + b.m.To.Russian()))
	if f == nil {
		add(text(b.t("нет данных", "no data")))
		return ft
	}
	table := func(fn funnelStages, record bool) {
		add(bold(b.t("Этап", "Stage")), bold(b.t("Количество", "Count")), bold(b.t("Конверсия", "Conversion")))
		if record {
			ft.first = len(ft.rows)
		}
		for _, s := range fn.Stages {
			c := []*sheets.CellData{text(s.Label), number(s.Count, "0"), optPercent(s.Conversion)}
			if fn.Weakest != nil && s.Key == fn.Weakest.To {
				for _, x := range c {
					highlight(x)
				}
			}
			if record {
				ft.stages = append(ft.stages, len(ft.rows))
			}
			add(c...)
		}
		if w := fn.Weakest; w != nil {
			add(text(fmt.Sprintf("%s: %s → %s", b.t("Слабое место", "Weakest transition"), w.FromLabel, w.ToLabel)), percent(w.Conversion))
		} else {
			add(text(b.t("Слабое место: недостаточно данных", "Weakest transition: not enough data")))
		}
		if fn.Rating != nil {
			add(text(b.t("Оценка компании (взвешенная)", "Company rating (weighted)")), number(*fn.Rating, "0.00"))
		}
	}
	table(funnelStages{f.Stages, f.Weakest, f.Rating}, true)
	if p := f.Previous; p != nil {
		add()
		add(bold(b.t("Предыдущий период", "Previous window") + ": " + p.From + " – " + p.To))
		table(funnelStages{p.Stages, p.Weakest, p.Rating}, false)
	}
	for _, e := range f.Employees {
		add()
		name := b.m.Names[e.ID]
		if name == "" {
			name = e.ID
		}
		add(bold(name))
		table(funnelStages{e.Stages, e.Weakest, e.Rating}, false)
		if g := e.Behind; g != nil {
			add(text(fmt.Sprintf("%s: %s → %s", b.t("Отстаёт от команды", "Behind the team"), g.FromLabel, g.ToLabel)),
				percent(g.Conversion), percent(g.Team))
		}
	}
	return ft
}

// chart is a bar chart of the team's stage counts (Sheets has no funnel
// chart: bars in stage order read as one).
func (b *builder) chart(first, n int) *sheets.Request {
	rng := func(col int64) []*sheets.ChartSourceRange {
		return []*sheets.ChartSourceRange{{Sources: []*sheets.GridRange{{SheetId: b.ids[1],
			StartRowIndex: int64(first), EndRowIndex: int64(first + n), StartColumnIndex: col, EndColumnIndex: col + 1}}}}
	}
	return &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
		Spec: &sheets.ChartSpec{Title: b.t("Воронка команды", "Team funnel"), BasicChart: &sheets.BasicChartSpec{
			ChartType: "BAR", LegendPosition: "NO_LEGEND",
			Domains: []*sheets.BasicChartDomain{{Domain: &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{Sources: rng(0)[0].Sources}}, Reversed: true}},
			Series:  []*sheets.BasicChartSeries{{Series: &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{Sources: rng(1)[0].Sources}}}},
		}},
		Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{
			AnchorCell: &sheets.GridCoordinate{SheetId: b.ids[1], RowIndex: 1, ColumnIndex: 5}}},
	}}}
}

// statusRules colour absent rows red and late rows yellow.
func (b *builder) statusRules(sheet int64, rows, cols int) []*sheets.Request {
	rng := []*sheets.GridRange{{SheetId: sheet, StartRowIndex: 1, EndRowIndex: int64(rows + 1), StartColumnIndex: 0, EndColumnIndex: int64(cols)}}
	rule := func(status report.Status, c *sheets.Color, idx int64) *sheets.Request {
		formula := fmt.Sprintf(`=$D2="%s"`, status.Label(b.m.Lang))
		return &sheets.Request{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{Index: idx, Rule: &sheets.ConditionalFormatRule{
			Ranges: rng, BooleanRule: &sheets.BooleanRule{
				Condition: &sheets.BooleanCondition{Type: "CUSTOM_FORMULA", Values: []*sheets.ConditionValue{{UserEnteredValue: formula}}},
				Format:    &sheets.CellFormat{BackgroundColor: c}}}}}
	}
	return []*sheets.Request{
		rule(report.Absent, &sheets.Color{Red: 0.96, Green: 0.8, Blue: 0.8}, 0),
		rule(report.Late, &sheets.Color{Red: 1, Green: 0.95, Blue: 0.7}, 1),
	}
}

type funnelStages struct {
	Stages  []funnel.Stage
	Weakest *funnel.Transition
	Rating  *float64
}
