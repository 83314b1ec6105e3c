package googlefake

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"
)

// Default grid of a new tab, as in the Sheets UI.
const (
	defaultRows = 1000
	defaultCols = 26
)

// Tab is a sheet fixture for PutSheet.
type Tab struct {
	Title string
	// SheetID is the tab's gid. Zero is kept for the first tab; a later
	// tab with zero gets a generated id.
	SheetID int64
	// Rows are the cell values, row by row: float64 (or any Go integer or
	// float) for numbers, string, bool, time.Time for a date (stored as a
	// serial number with a date format, as Sheets does), nil or "" for an
	// empty cell. Serial dates may also be given as plain float64.
	Rows [][]any
}

// spreadsheet is a stored spreadsheet.
type spreadsheet struct {
	id, title string
	tabs      []*tab // in index order
	charts    []chart
}

// chart is an embedded chart and the tab it sits on.
type chart struct {
	sheetID int64
	chart   *sheets.EmbeddedChart
}

type tab struct {
	props sheets.SheetProperties
	cells [][]*sheets.CellData // ragged; nil is an empty cell
	rules []*sheets.ConditionalFormatRule
}

// PutSheet stores a spreadsheet under id, replacing any earlier one, and
// updates its Drive metadata (by: the lastModifyingUser, as PutDoc's).
// Each tab's grid is at least 1000×26, larger
// when the rows need it.
func (s *Server) PutSheet(id, title string, tabs []Tab, by ...User) {
	b := &spreadsheet{id: id, title: title}
	seen := map[int64]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, ft := range tabs {
		sid := ft.SheetID
		if (sid == 0 && i > 0) || seen[sid] {
			sid = s.newID()
		}
		seen[sid] = true
		t := &tab{props: sheets.SheetProperties{
			SheetId: sid, Title: ft.Title, SheetType: "GRID",
			GridProperties: &sheets.GridProperties{RowCount: defaultRows, ColumnCount: defaultCols},
		}}
		if t.props.Title == "" {
			t.props.Title = "Sheet" + strconv.Itoa(i+1)
		}
		t.props.GridProperties.RowCount = max(defaultRows, int64(len(ft.Rows)))
		for r, row := range ft.Rows {
			t.props.GridProperties.ColumnCount = max(t.props.GridProperties.ColumnCount, int64(len(row)))
			for c, v := range row {
				cd, err := fixtureCell(v)
				if err != nil {
					panic(fmt.Sprintf("googlefake: PutSheet %s: %s!%s%d: %v", id, ft.Title, colName(int64(c)), r+1, err))
				}
				t.set(int64(r), int64(c), cd)
			}
		}
		b.tabs = append(b.tabs, t)
	}
	if len(b.tabs) == 0 {
		b.tabs = append(b.tabs, &tab{props: sheets.SheetProperties{
			Title: "Sheet1", SheetType: "GRID",
			GridProperties: &sheets.GridProperties{RowCount: defaultRows, ColumnCount: defaultCols},
		}})
	}
	if title == "" {
		b.title = "Untitled spreadsheet"
	}
	s.books[id] = b
	s.touchLocked(id, b.title, MIMESpreadsheet, modifierOf(by))
}

// serialEpoch is day zero of spreadsheet serial dates.
var serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// SerialDate returns the spreadsheet serial number of t's wall-clock date and
// time (days since 1899-12-30).
func SerialDate(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return wall.Sub(serialEpoch).Hours() / 24
}

func fixtureCell(v any) (*sheets.CellData, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if x == "" {
			return nil, nil
		}
		return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{StringValue: &x}}, nil
	case bool:
		return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{BoolValue: &x}}, nil
	case time.Time:
		n := SerialDate(x)
		typ, pattern := "DATE", "yyyy-mm-dd"
		if n != math.Trunc(n) {
			typ, pattern = "DATE_TIME", "yyyy-mm-dd hh:mm:ss"
		}
		return &sheets.CellData{
			UserEnteredValue:  &sheets.ExtendedValue{NumberValue: &n},
			UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: typ, Pattern: pattern}},
		}, nil
	}
	if f, ok := toFloat(v); ok {
		return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{NumberValue: &f}}, nil
	}
	return nil, fmt.Errorf("unsupported cell value %T", v)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

func (t *tab) gridSize() (rows, cols int64) {
	gp := t.props.GridProperties
	if gp == nil {
		return 0, 0
	}
	return gp.RowCount, gp.ColumnCount
}

func (t *tab) cell(r, c int64) *sheets.CellData {
	if r < int64(len(t.cells)) && c < int64(len(t.cells[r])) {
		return t.cells[r][c]
	}
	return nil
}

// set stores a cell (nil clears it). Rows are copied before they change, so
// a clone of the tab that shares them is not affected.
func (t *tab) set(r, c int64, cd *sheets.CellData) {
	if cd == nil && t.cell(r, c) == nil {
		return
	}
	for int64(len(t.cells)) <= r {
		t.cells = append(t.cells, nil)
	}
	row := slices.Clone(t.cells[r])
	for int64(len(row)) <= c {
		row = append(row, nil)
	}
	row[c] = cd
	t.cells[r] = row
}

func (b *spreadsheet) tabByTitle(name string) *tab {
	for _, t := range b.tabs {
		if t.props.Title == name {
			return t
		}
	}
	for _, t := range b.tabs {
		if strings.EqualFold(t.props.Title, name) {
			return t
		}
	}
	return nil
}

func (b *spreadsheet) tabByID(id int64) *tab {
	for _, t := range b.tabs {
		if t.props.SheetId == id {
			return t
		}
	}
	return nil
}

// clone copies the spreadsheet deeply enough that changes to the copy leave
// the original alone (cells are replaced, never changed in place).
func (b *spreadsheet) clone() *spreadsheet {
	c := &spreadsheet{id: b.id, title: b.title, charts: slices.Clone(b.charts)}
	for _, t := range b.tabs {
		nt := &tab{props: t.props, rules: slices.Clone(t.rules), cells: slices.Clone(t.cells)}
		if gp := t.props.GridProperties; gp != nil {
			g := *gp
			nt.props.GridProperties = &g
		}
		c.tabs = append(c.tabs, nt)
	}
	return c
}

// props returns the tab's properties as the API sends them (index filled).
func (b *spreadsheet) apiProps(i int) *sheets.SheetProperties {
	p := b.tabs[i].props
	p.Index = int64(i)
	if gp := p.GridProperties; gp != nil {
		g := *gp
		p.GridProperties = &g
	}
	return &p
}

// api builds the spreadsheets.get answer (without grid data).
func (b *spreadsheet) api() *sheets.Spreadsheet {
	out := &sheets.Spreadsheet{
		SpreadsheetId:  b.id,
		SpreadsheetUrl: "https://docs.google.com/spreadsheets/d/" + b.id + "/edit",
		Properties: &sheets.SpreadsheetProperties{
			Title: b.title, Locale: "en_US", TimeZone: "Etc/GMT", AutoRecalc: "ON_CHANGE",
		},
	}
	for i, t := range b.tabs {
		sh := &sheets.Sheet{Properties: b.apiProps(i), ConditionalFormats: slices.Clone(t.rules)}
		for _, c := range b.charts {
			if c.sheetID == t.props.SheetId {
				sh.Charts = append(sh.Charts, c.chart)
			}
		}
		out.Sheets = append(out.Sheets, sh)
	}
	return out
}

func (s *Server) serveSheets(w http.ResponseWriter, r *http.Request, segs []string) {
	// segs: v4 spreadsheets {id}[:batchUpdate] [values[:batchGet…] [{range}[:clear|:append]]]
	if len(segs) < 3 {
		notFound(w)
		return
	}
	id, method, _ := strings.Cut(segs[2], ":")
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[id]
	if !ok {
		notFound(w)
		return
	}
	route := r.Method + " " + method
	switch {
	case len(segs) == 3 && route == "GET ":
		s.getSpreadsheet(w, r, b)
	case len(segs) == 3 && route == "POST batchUpdate":
		s.batchUpdate(w, r, b)
	case len(segs) == 4 && r.Method == http.MethodGet && segs[3] == "values:batchGet":
		s.valuesBatchGet(w, r, b)
	case len(segs) == 4 && r.Method == http.MethodPost && segs[3] == "values:batchUpdate":
		s.valuesBatchUpdate(w, r, b)
	case len(segs) == 4 && r.Method == http.MethodPost && segs[3] == "values:batchClear":
		s.valuesBatchClear(w, r, b)
	case len(segs) == 5 && segs[3] == "values":
		rng, verb, _ := cutLast(segs[4], ":")
		switch r.Method + " " + verb {
		case "GET ":
			s.valuesGet(w, r, b, rng)
		case "PUT ":
			s.valuesUpdate(w, r, b, rng)
		case "POST clear":
			s.valuesClear(w, b, rng)
		case "POST append":
			s.valuesAppend(w, r, b, rng)
		default:
			notFound(w)
		}
	default:
		notFound(w)
	}
}

// cutLast splits at the last sep when what follows is a method name
// (letters only), so a ":" inside a range stays in the range.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	verb := s[i+len(sep):]
	for _, c := range []byte(verb) {
		if !isLetter(c) {
			return s, "", false
		}
	}
	if verb != "clear" && verb != "append" {
		return s, "", false
	}
	return s[:i], verb, true
}

func (s *Server) getSpreadsheet(w http.ResponseWriter, r *http.Request, b *spreadsheet) {
	q := r.URL.Query()
	out := b.api()
	withData, err := parseBoolParam(q.Get("includeGridData"))
	if err != nil {
		badRequest(w, "Invalid value at 'include_grid_data' (TYPE_BOOL), %q", q.Get("includeGridData"))
		return
	}
	if rs := q["ranges"]; len(rs) > 0 || withData {
		var ranges []a1
		for _, rs := range rs {
			a, err := b.parseA1(rs)
			if err == nil {
				a, err = a.clamp()
			}
			if err != nil {
				badRequest(w, "Unable to parse range: %s", rs)
				return
			}
			ranges = append(ranges, a)
		}
		keep := out.Sheets[:0]
		for i, sh := range out.Sheets {
			t := b.tabs[i]
			var mine []a1
			for _, a := range ranges {
				if a.tab == t {
					mine = append(mine, a)
				}
			}
			if len(ranges) > 0 && len(mine) == 0 {
				continue
			}
			if withData {
				if len(mine) == 0 {
					whole, _ := a1{tab: t, r1: unbounded, c1: unbounded}.clamp()
					mine = []a1{whole}
				}
				for _, a := range mine {
					sh.Data = append(sh.Data, gridData(a))
				}
			}
			keep = append(keep, sh)
		}
		out.Sheets = keep
	}
	j, err := masked(out, q.Get("fields"))
	if err != nil {
		badRequest(w, "Invalid field selection %s", q.Get("fields"))
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// gridData is a range's cells as includeGridData returns them.
func gridData(a a1) *sheets.GridData {
	g := &sheets.GridData{StartRow: a.r0, StartColumn: a.c0}
	last := int64(-1)
	var rows []*sheets.RowData
	for r := a.r0; r < a.r1; r++ {
		rd := &sheets.RowData{}
		lastC := int64(-1)
		var vals []*sheets.CellData
		for c := a.c0; c < a.c1; c++ {
			cd := a.tab.cell(r, c)
			if cd == nil {
				vals = append(vals, &sheets.CellData{})
				continue
			}
			full := *cd
			full.EffectiveValue = effectiveValue(cd)
			full.FormattedValue = formatted(cd)
			full.EffectiveFormat = cd.UserEnteredFormat
			vals = append(vals, &full)
			lastC = c
		}
		if lastC >= 0 {
			rd.Values = vals[:lastC-a.c0+1]
			last = r
		}
		rows = append(rows, rd)
	}
	if last >= 0 {
		g.RowData = rows[:last-a.r0+1]
	}
	return g
}

// Value rendering options of the values methods.
const (
	renderFormatted   = "FORMATTED_VALUE"
	renderUnformatted = "UNFORMATTED_VALUE"
	renderFormula     = "FORMULA"
	dateSerial        = "SERIAL_NUMBER"
	dateFormatted     = "FORMATTED_STRING"
)

type renderOpts struct {
	major, value, date string
}

func parseRenderOpts(q map[string][]string) (renderOpts, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	o := renderOpts{major: get("majorDimension"), value: get("valueRenderOption"), date: get("dateTimeRenderOption")}
	switch o.major {
	case "", "DIMENSION_UNSPECIFIED":
		o.major = "ROWS"
	case "ROWS", "COLUMNS":
	default:
		return o, apiErrorf("Invalid value at 'major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), %q", o.major)
	}
	switch o.value {
	case "":
		o.value = renderFormatted
	case renderFormatted, renderUnformatted, renderFormula:
	default:
		return o, apiErrorf("Invalid value at 'value_render_option' (type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), %q", o.value)
	}
	switch o.date {
	case "":
		o.date = dateSerial
	case dateSerial, dateFormatted:
	default:
		return o, apiErrorf("Invalid value at 'date_time_render_option' (type.googleapis.com/google.apps.sheets.v4.DateTimeRenderOption), %q", o.date)
	}
	return o, nil
}

// readRange renders a clamped range as the values methods do: trailing empty
// cells of each row (or column) and trailing empty rows dropped, empty cells
// inside as "", no values at all when the range is empty.
func readRange(a a1, o renderOpts) *sheets.ValueRange {
	vr := &sheets.ValueRange{Range: a.String(), MajorDimension: o.major}
	outer0, outer1, inner0, inner1 := a.r0, a.r1, a.c0, a.c1
	at := func(i, j int64) *sheets.CellData { return a.tab.cell(i, j) }
	if o.major == "COLUMNS" {
		outer0, outer1, inner0, inner1 = a.c0, a.c1, a.r0, a.r1
		at = func(i, j int64) *sheets.CellData { return a.tab.cell(j, i) }
	}
	var values [][]any
	lastRow := -1
	for i := outer0; i < outer1; i++ {
		row := []any{}
		lastCell := -1
		for j := inner0; j < inner1; j++ {
			v := renderValue(at(i, j), o)
			if v == nil {
				row = append(row, "")
				continue
			}
			row = append(row, v)
			lastCell = len(row) - 1
		}
		row = row[:lastCell+1]
		values = append(values, row)
		if lastCell >= 0 {
			lastRow = len(values) - 1
		}
	}
	if lastRow >= 0 {
		vr.Values = values[:lastRow+1]
	}
	return vr
}

// renderValue is one cell's value under the render options; nil when empty.
func renderValue(cd *sheets.CellData, o renderOpts) any {
	if cd == nil || cd.UserEnteredValue == nil {
		return nil
	}
	uv := cd.UserEnteredValue
	if uv.FormulaValue != nil && o.value == renderFormula {
		return *uv.FormulaValue
	}
	ev := effectiveValue(cd)
	if ev == nil {
		return nil
	}
	if o.value == renderFormatted {
		return formatted(cd)
	}
	switch {
	case ev.NumberValue != nil:
		if o.date == dateFormatted && isDateFormat(cd.UserEnteredFormat) {
			return formatted(cd)
		}
		return *ev.NumberValue
	case ev.StringValue != nil:
		if *ev.StringValue == "" {
			return nil
		}
		return *ev.StringValue
	case ev.BoolValue != nil:
		return *ev.BoolValue
	case ev.ErrorValue != nil:
		return formatted(cd)
	}
	return nil
}

// effectiveValue is what a cell computes to. The fake does not evaluate
// formulas: a formula cell's effective value is its EffectiveValue when a
// writer set one, else the formula text.
func effectiveValue(cd *sheets.CellData) *sheets.ExtendedValue {
	if cd == nil || cd.UserEnteredValue == nil {
		return nil
	}
	if f := cd.UserEnteredValue.FormulaValue; f != nil {
		if cd.EffectiveValue != nil {
			return cd.EffectiveValue
		}
		return &sheets.ExtendedValue{StringValue: f}
	}
	return cd.UserEnteredValue
}

func isDateFormat(f *sheets.CellFormat) bool {
	if f == nil || f.NumberFormat == nil {
		return false
	}
	switch f.NumberFormat.Type {
	case "DATE", "DATE_TIME", "TIME":
		return true
	}
	return false
}

// formatted is a cell's displayed text. Numbers print plainly (integers
// without a fraction); dates follow their pattern's yyyy, mm, dd, hh, ss
// (mm after hh is minutes), default yyyy-mm-dd.
func formatted(cd *sheets.CellData) string {
	ev := effectiveValue(cd)
	if ev == nil {
		return ""
	}
	switch {
	case ev.NumberValue != nil:
		n := *ev.NumberValue
		if isDateFormat(cd.UserEnteredFormat) {
			return formatSerial(n, cd.UserEnteredFormat.NumberFormat)
		}
		return formatNumber(n)
	case ev.StringValue != nil:
		return *ev.StringValue
	case ev.BoolValue != nil:
		if *ev.BoolValue {
			return "TRUE"
		}
		return "FALSE"
	case ev.ErrorValue != nil:
		switch ev.ErrorValue.Type {
		case "DIVIDE_BY_ZERO":
			return "#DIV/0!"
		case "VALUE":
			return "#VALUE!"
		case "REF":
			return "#REF!"
		case "NAME":
			return "#NAME?"
		case "NUM":
			return "#NUM!"
		case "N_A":
			return "#N/A"
		}
		return "#ERROR!"
	}
	return ""
}

func formatNumber(n float64) string {
	if n == math.Trunc(n) && math.Abs(n) < 1e15 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

func formatSerial(n float64, nf *sheets.NumberFormat) string {
	t := serialEpoch.Add(time.Duration(math.Round(n*86400)) * time.Second)
	pattern := nf.Pattern
	if pattern == "" {
		switch nf.Type {
		case "DATE_TIME":
			pattern = "yyyy-mm-dd hh:mm:ss"
		case "TIME":
			pattern = "hh:mm:ss"
		default:
			pattern = "yyyy-mm-dd"
		}
	}
	var b strings.Builder
	afterHour := false
	for i := 0; i < len(pattern); {
		rest := strings.ToLower(pattern[i:])
		switch {
		case strings.HasPrefix(rest, "yyyy"):
			fmt.Fprintf(&b, "%04d", t.Year())
			i += 4
		case strings.HasPrefix(rest, "yy"):
			fmt.Fprintf(&b, "%02d", t.Year()%100)
			i += 2
		case strings.HasPrefix(rest, "mm"):
			if afterHour {
				fmt.Fprintf(&b, "%02d", t.Minute())
			} else {
				fmt.Fprintf(&b, "%02d", int(t.Month()))
			}
			i += 2
		case strings.HasPrefix(rest, "dd"):
			fmt.Fprintf(&b, "%02d", t.Day())
			i += 2
		case strings.HasPrefix(rest, "hh"):
			fmt.Fprintf(&b, "%02d", t.Hour())
			afterHour = true
			i += 2
		case strings.HasPrefix(rest, "ss"):
			fmt.Fprintf(&b, "%02d", t.Second())
			i += 2
		default:
			b.WriteByte(pattern[i])
			i++
		}
	}
	return b.String()
}

// rangeFor parses and clamps a range of the request, answering 400 when it
// cannot.
func rangeFor(w http.ResponseWriter, b *spreadsheet, rng string) (a1, bool) {
	a, err := b.parseA1(rng)
	if err != nil {
		badRequest(w, "Unable to parse range: %s", rng)
		return a1{}, false
	}
	a, err = a.clamp()
	if err != nil {
		badRequest(w, "%s", err.Error())
		return a1{}, false
	}
	return a, true
}

func (s *Server) valuesBatchGet(w http.ResponseWriter, r *http.Request, b *spreadsheet) {
	q := r.URL.Query()
	o, err := parseRenderOpts(q)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	out := &sheets.BatchGetValuesResponse{SpreadsheetId: b.id}
	for _, rng := range q["ranges"] {
		a, ok := rangeFor(w, b, rng)
		if !ok {
			return
		}
		out.ValueRanges = append(out.ValueRanges, readRange(a, o))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) valuesGet(w http.ResponseWriter, r *http.Request, b *spreadsheet, rng string) {
	o, err := parseRenderOpts(r.URL.Query())
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	a, ok := rangeFor(w, b, rng)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, readRange(a, o))
}

// Cells returns a tab's values as UNFORMATTED_VALUE reads them (numbers as
// float64, formulas as their text unless an effective value was set), rows
// and cells past the last value dropped; nil when there is no such
// spreadsheet or tab.
func (s *Server) Cells(spreadsheetID, tab string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[spreadsheetID]
	if !ok {
		return nil
	}
	t := b.tabByTitle(tab)
	if t == nil {
		return nil
	}
	a, err := a1{tab: t, r1: unbounded, c1: unbounded}.clamp()
	if err != nil {
		return nil
	}
	vr := readRange(a, renderOpts{major: "ROWS", value: renderUnformatted, date: dateSerial})
	return vr.Values
}

// CellData returns copies of a tab's stored cells (user-entered value, format,
// note), ragged like the store; nil when there is no such tab.
func (s *Server) CellData(spreadsheetID, tab string) [][]*sheets.CellData {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[spreadsheetID]
	if !ok {
		return nil
	}
	t := b.tabByTitle(tab)
	if t == nil {
		return nil
	}
	out := make([][]*sheets.CellData, len(t.cells))
	for i, row := range t.cells {
		out[i] = make([]*sheets.CellData, len(row))
		for j, cd := range row {
			if cd != nil {
				c := *cd
				out[i][j] = &c
			}
		}
	}
	return out
}

// SheetProperties returns the tabs' properties in index order (index set).
func (s *Server) SheetProperties(spreadsheetID string) []*sheets.SheetProperties {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[spreadsheetID]
	if !ok {
		return nil
	}
	out := make([]*sheets.SheetProperties, len(b.tabs))
	for i := range b.tabs {
		out[i] = b.apiProps(i)
	}
	return out
}

// SheetTitles returns the tab titles in index order.
func (s *Server) SheetTitles(spreadsheetID string) []string {
	var out []string
	for _, p := range s.SheetProperties(spreadsheetID) {
		out = append(out, p.Title)
	}
	return out
}

// Charts returns the spreadsheet's embedded charts, in the order they were
// added.
func (s *Server) Charts(spreadsheetID string) []*sheets.EmbeddedChart {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[spreadsheetID]
	if !ok {
		return nil
	}
	out := make([]*sheets.EmbeddedChart, len(b.charts))
	for i, c := range b.charts {
		out[i] = c.chart
	}
	return out
}

// Rules returns a tab's conditional format rules in order.
func (s *Server) Rules(spreadsheetID, tab string) []*sheets.ConditionalFormatRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[spreadsheetID]
	if !ok {
		return nil
	}
	t := b.tabByTitle(tab)
	if t == nil {
		return nil
	}
	return slices.Clone(t.rules)
}
