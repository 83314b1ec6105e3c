package googlefake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// batchRequestKinds are the JSON names of every request kind the real API
// knows (the fields of sheets.Request); the fake answers the ones in
// batchHandlers and refuses the others with 400.
var batchRequestKinds = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeFor[sheets.Request]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}()

// noOpKinds only change how a sheet looks; the fake accepts and forgets them.
var noOpKinds = map[string]bool{
	"autoResizeDimensions": true, "updateDimensionProperties": true, "updateBorders": true,
	"mergeCells": true, "unmergeCells": true, "setBasicFilter": true, "clearBasicFilter": true,
}

type batchHandler func(b *spreadsheet, raw json.RawMessage, s *Server) (*sheets.Response, error)

var batchHandlers = map[string]batchHandler{
	"addSheet":                    addSheet,
	"deleteSheet":                 deleteSheet,
	"updateSheetProperties":       updateSheetProperties,
	"updateSpreadsheetProperties": updateSpreadsheetProperties,
	"appendDimension":             appendDimension,
	"updateCells":                 updateCells,
	"repeatCell":                  repeatCell,
	"addChart":                    addChart,
	"deleteEmbeddedObject":        deleteEmbeddedObject,
	"addConditionalFormatRule":    addConditionalFormatRule,
	"deleteConditionalFormatRule": deleteConditionalFormatRule,
}

// batchUpdate serves spreadsheets.batchUpdate: all requests apply, in order,
// or none does (the API is atomic).
func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request, b *spreadsheet) {
	var req struct {
		Requests                     []map[string]json.RawMessage `json:"requests"`
		IncludeSpreadsheetInResponse bool                         `json:"includeSpreadsheetInResponse"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	nb := b.clone()
	out := &sheets.BatchUpdateSpreadsheetResponse{SpreadsheetId: b.id}
	for i, item := range req.Requests {
		if len(item) == 0 {
			badRequest(w, "Invalid requests[%d]: No request set.", i)
			return
		}
		if len(item) > 1 {
			var names []string
			for k := range item {
				names = append(names, k)
			}
			slices.Sort(names)
			badRequest(w, "Invalid JSON payload received. Oneof field 'kind' is already set. Cannot set '%s'", names[1])
			return
		}
		for kind, raw := range item {
			if !batchRequestKinds[kind] {
				badRequest(w, "Invalid JSON payload received. Unknown name %q at 'requests[%d]': Cannot find field.", kind, i)
				return
			}
			h := batchHandlers[kind]
			if h == nil && !noOpKinds[kind] {
				badRequest(w, "Invalid requests[%d].%s: googlefake does not support this request kind", i, kind)
				return
			}
			reply := &sheets.Response{}
			if h != nil {
				var err error
				if reply, err = h(nb, raw, s); err != nil {
					badRequest(w, "Invalid requests[%d].%s: %v", i, kind, err)
					return
				}
			}
			out.Replies = append(out.Replies, reply)
		}
	}
	s.commit(nb)
	if req.IncludeSpreadsheetInResponse {
		out.UpdatedSpreadsheet = nb.api()
	}
	writeJSON(w, http.StatusOK, out)
}

func decodeKind(raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("invalid request: %w", err)
	}
	return nil
}

func addSheet(b *spreadsheet, raw json.RawMessage, s *Server) (*sheets.Response, error) {
	var req sheets.AddSheetRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	p := sheets.SheetProperties{}
	if req.Properties != nil {
		p = *req.Properties
	}
	if p.Title == "" {
		for n := len(b.tabs) + 1; ; n++ {
			if b.tabByTitle("Sheet"+strconv.Itoa(n)) == nil {
				p.Title = "Sheet" + strconv.Itoa(n)
				break
			}
		}
	}
	if b.tabByTitle(p.Title) != nil {
		return nil, apiErrorf("A sheet with the name %q already exists. Please enter another name.", p.Title)
	}
	if p.SheetId == 0 {
		p.SheetId = s.newID()
	} else if b.tabByID(p.SheetId) != nil {
		return nil, apiErrorf("Sheet with id %d already exists.", p.SheetId)
	}
	if p.SheetType == "" {
		p.SheetType = "GRID"
	}
	gp := sheets.GridProperties{}
	if p.GridProperties != nil {
		gp = *p.GridProperties
	}
	if gp.RowCount == 0 {
		gp.RowCount = defaultRows
	}
	if gp.ColumnCount == 0 {
		gp.ColumnCount = defaultCols
	}
	p.GridProperties = &gp
	idx := len(b.tabs)
	if p.Index > 0 && p.Index < int64(idx) {
		idx = int(p.Index)
	}
	p.Index = 0
	b.tabs = slices.Insert(b.tabs, idx, &tab{props: p})
	return &sheets.Response{AddSheet: &sheets.AddSheetResponse{Properties: b.apiProps(idx)}}, nil
}

func noGrid(id int64) error { return apiErrorf("No grid with id: %d", id) }

func deleteSheet(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.DeleteSheetRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(b.tabs, func(t *tab) bool { return t.props.SheetId == req.SheetId })
	if i < 0 {
		return nil, noGrid(req.SheetId)
	}
	if len(b.tabs) == 1 {
		return nil, apiErrorf("You can't remove all the sheets in a document.")
	}
	b.tabs = slices.Delete(b.tabs, i, i+1)
	b.charts = slices.DeleteFunc(b.charts, func(c chart) bool { return c.sheetID == req.SheetId })
	return &sheets.Response{}, nil
}

func updateSheetProperties(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.UpdateSheetPropertiesRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	if req.Properties == nil {
		return nil, errors.New("properties are required")
	}
	i := slices.IndexFunc(b.tabs, func(t *tab) bool { return t.props.SheetId == req.Properties.SheetId })
	if i < 0 {
		return nil, noGrid(req.Properties.SheetId)
	}
	t := b.tabs[i]
	if strings.TrimSpace(req.Fields) == "" {
		return nil, apiErrorf("At least one field must be specified in 'fields'.")
	}
	mask, err := parseFields(req.Fields)
	if err != nil {
		return nil, err
	}
	if mask == nil {
		mask = fieldMask{"title": nil, "index": nil, "hidden": nil, "tabColor": nil, "tabColorStyle": nil, "rightToLeft": nil, "gridProperties": nil}
	}
	p := req.Properties
	for k, sub := range mask {
		switch k {
		case "title":
			if o := b.tabByTitle(p.Title); o != nil && o != t {
				return nil, apiErrorf("A sheet with the name %q already exists. Please enter another name.", p.Title)
			}
			if p.Title == "" {
				return nil, errors.New("a sheet's title cannot be empty")
			}
			t.props.Title = p.Title
		case "index":
			b.tabs = slices.Delete(b.tabs, i, i+1)
			j := min(int(p.Index), len(b.tabs))
			b.tabs = slices.Insert(b.tabs, j, t)
		case "hidden":
			t.props.Hidden = p.Hidden
		case "rightToLeft":
			t.props.RightToLeft = p.RightToLeft
		case "tabColor":
			t.props.TabColor = p.TabColor
		case "tabColorStyle":
			t.props.TabColorStyle = p.TabColorStyle
		case "gridProperties":
			if err := mergeGrid(t, p.GridProperties, sub); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("googlefake cannot update sheet field %q", k)
		}
	}
	return &sheets.Response{}, nil
}

// mergeGrid applies the gridProperties part of an update mask.
func mergeGrid(t *tab, src *sheets.GridProperties, mask fieldMask) error {
	if src == nil {
		src = &sheets.GridProperties{}
	}
	dst := t.props.GridProperties
	if dst == nil {
		dst = &sheets.GridProperties{}
		t.props.GridProperties = dst
	}
	all := mask == nil
	pick := func(k string) bool { _, ok := mask[k]; return all || ok }
	for k := range mask {
		switch k {
		case "rowCount", "columnCount", "frozenRowCount", "frozenColumnCount", "hideGridlines",
			"rowGroupControlAfter", "columnGroupControlAfter":
		default:
			return fmt.Errorf("googlefake cannot update gridProperties.%s", k)
		}
	}
	if pick("rowCount") && src.RowCount > 0 {
		dst.RowCount = src.RowCount
	}
	if pick("columnCount") && src.ColumnCount > 0 {
		dst.ColumnCount = src.ColumnCount
	}
	if pick("frozenRowCount") {
		dst.FrozenRowCount = src.FrozenRowCount
	}
	if pick("frozenColumnCount") {
		dst.FrozenColumnCount = src.FrozenColumnCount
	}
	if pick("hideGridlines") {
		dst.HideGridlines = src.HideGridlines
	}
	if pick("rowGroupControlAfter") {
		dst.RowGroupControlAfter = src.RowGroupControlAfter
	}
	if pick("columnGroupControlAfter") {
		dst.ColumnGroupControlAfter = src.ColumnGroupControlAfter
	}
	// Shrinking drops what no longer fits.
	for r := range t.cells {
		if int64(r) >= dst.RowCount {
			t.cells = t.cells[:r]
			break
		}
		if int64(len(t.cells[r])) > dst.ColumnCount {
			t.cells[r] = slices.Clone(t.cells[r][:dst.ColumnCount])
		}
	}
	return nil
}

func updateSpreadsheetProperties(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.UpdateSpreadsheetPropertiesRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Fields) == "" {
		return nil, apiErrorf("At least one field must be specified in 'fields'.")
	}
	mask, err := parseFields(req.Fields)
	if err != nil {
		return nil, err
	}
	if _, ok := mask["title"]; (ok || mask == nil) && req.Properties != nil && req.Properties.Title != "" {
		b.title = req.Properties.Title
	}
	return &sheets.Response{}, nil
}

func appendDimension(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.AppendDimensionRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	t := b.tabByID(req.SheetId)
	if t == nil {
		return nil, noGrid(req.SheetId)
	}
	if req.Length <= 0 {
		return nil, errors.New("length must be positive")
	}
	gp := t.props.GridProperties
	switch req.Dimension {
	case "ROWS":
		gp.RowCount += req.Length
	case "COLUMNS":
		gp.ColumnCount += req.Length
	default:
		return nil, fmt.Errorf("invalid dimension %q", req.Dimension)
	}
	return &sheets.Response{}, nil
}

// gridRange turns a GridRange into a range on its tab, checked against the
// grid like the API does for writes (an end past the grid is an error; a
// missing end runs to the grid's edge).
func gridRange(b *spreadsheet, gr *sheets.GridRange) (a1, error) {
	if gr == nil {
		return a1{}, errors.New("range is required")
	}
	t := b.tabByID(gr.SheetId)
	if t == nil {
		return a1{}, noGrid(gr.SheetId)
	}
	a := a1{tab: t, r0: gr.StartRowIndex, c0: gr.StartColumnIndex, r1: unbounded, c1: unbounded}
	if gr.EndRowIndex > 0 {
		a.r1 = gr.EndRowIndex
	}
	if gr.EndColumnIndex > 0 {
		a.c1 = gr.EndColumnIndex
	}
	rows, cols := t.gridSize()
	if a.r1 > rows || a.c1 > cols {
		return a1{}, apiErrorf("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d", a.String(), rows, cols)
	}
	if (a.r1 != unbounded && a.r1 < a.r0) || (a.c1 != unbounded && a.c1 < a.c0) {
		return a1{}, apiErrorf("Range (%s) has its end before its start", a.String())
	}
	return a.clamp()
}

// mergeCell applies a cell update under a field mask ("userEnteredValue",
// "userEnteredFormat.numberFormat", "*" …) and returns the new cell (nil when
// nothing is left).
func mergeCell(old, src *sheets.CellData, mask fieldMask) (*sheets.CellData, error) {
	dst := map[string]any{}
	if old != nil {
		j, err := toJSONValue(old)
		if err != nil {
			return nil, err
		}
		dst = j.(map[string]any)
	}
	from := map[string]any{}
	if src != nil {
		j, err := toJSONValue(src)
		if err != nil {
			return nil, err
		}
		from = j.(map[string]any)
	}
	mergeMap(dst, from, mask)
	// What a writer sets, the fake derives: never keep a stale result.
	delete(dst, "effectiveValue")
	delete(dst, "effectiveFormat")
	delete(dst, "formattedValue")
	if len(dst) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(dst)
	if err != nil {
		return nil, err
	}
	var cd sheets.CellData
	if err := json.Unmarshal(b, &cd); err != nil {
		return nil, err
	}
	return &cd, nil
}

func mergeMap(dst, src map[string]any, mask fieldMask) {
	if _, all := mask["*"]; all || mask == nil {
		for k := range dst {
			delete(dst, k)
		}
		for k, v := range src {
			dst[k] = v
		}
		return
	}
	for k, sub := range mask {
		if sub == nil {
			if v, ok := src[k]; ok {
				dst[k] = v
			} else {
				delete(dst, k)
			}
			continue
		}
		d, _ := dst[k].(map[string]any)
		if d == nil {
			d = map[string]any{}
		}
		sm, _ := src[k].(map[string]any)
		mergeMap(d, sm, sub)
		if len(d) == 0 {
			delete(dst, k)
		} else {
			dst[k] = d
		}
	}
}

func cellMask(fields string) (fieldMask, error) {
	if strings.TrimSpace(fields) == "" {
		return nil, apiErrorf("At least one field must be specified in 'fields'.")
	}
	m, err := parseFields(fields)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = fieldMask{"*": nil}
	}
	return m, nil
}

func updateCells(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.UpdateCellsRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	mask, err := cellMask(req.Fields)
	if err != nil {
		return nil, err
	}
	var a a1
	switch {
	case req.Start != nil && req.Range != nil:
		return nil, errors.New("only one of start and range may be set")
	case req.Range != nil:
		if a, err = gridRange(b, req.Range); err != nil {
			return nil, err
		}
	case req.Start != nil:
		t := b.tabByID(req.Start.SheetId)
		if t == nil {
			return nil, noGrid(req.Start.SheetId)
		}
		var width int64
		for _, row := range req.Rows {
			width = max(width, int64(len(row.Values)))
		}
		a = a1{tab: t, r0: req.Start.RowIndex, c0: req.Start.ColumnIndex,
			r1: req.Start.RowIndex + int64(len(req.Rows)), c1: req.Start.ColumnIndex + width}
		rows, cols := t.gridSize()
		if a.r1 > rows || a.c1 > cols {
			return nil, apiErrorf("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d", a.String(), rows, cols)
		}
	default:
		return nil, errors.New("one of start and range must be set")
	}
	for r := a.r0; r < a.r1; r++ {
		var row []*sheets.CellData
		if i := r - a.r0; i < int64(len(req.Rows)) && req.Rows[i] != nil {
			row = req.Rows[i].Values
		} else if req.Range == nil {
			continue
		}
		if req.Range != nil && int64(len(req.Rows)) > a.r1-a.r0 {
			return nil, fmt.Errorf("more rows than the range %s holds", a.String())
		}
		for c := a.c0; c < a.c1; c++ {
			var src *sheets.CellData
			if j := c - a.c0; j < int64(len(row)) {
				src = row[j]
			} else if req.Range == nil {
				continue // with start, only the cells given change
			}
			cd, err := mergeCell(a.tab.cell(r, c), src, mask)
			if err != nil {
				return nil, err
			}
			a.tab.set(r, c, cd)
		}
		if req.Range != nil && int64(len(row)) > a.c1-a.c0 {
			return nil, fmt.Errorf("more cells in a row than the range %s holds", a.String())
		}
	}
	return &sheets.Response{}, nil
}

func repeatCell(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.RepeatCellRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	mask, err := cellMask(req.Fields)
	if err != nil {
		return nil, err
	}
	a, err := gridRange(b, req.Range)
	if err != nil {
		return nil, err
	}
	for r := a.r0; r < a.r1; r++ {
		for c := a.c0; c < a.c1; c++ {
			cd, err := mergeCell(a.tab.cell(r, c), req.Cell, mask)
			if err != nil {
				return nil, err
			}
			a.tab.set(r, c, cd)
		}
	}
	return &sheets.Response{}, nil
}

func addChart(b *spreadsheet, raw json.RawMessage, s *Server) (*sheets.Response, error) {
	var req sheets.AddChartRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	if req.Chart == nil || req.Chart.Spec == nil {
		return nil, errors.New("chart.spec is required")
	}
	c := *req.Chart
	if c.ChartId == 0 {
		c.ChartId = s.newID()
	} else if slices.ContainsFunc(b.charts, func(o chart) bool { return o.chart.ChartId == c.ChartId }) {
		return nil, apiErrorf("An embedded object with id %d already exists.", c.ChartId)
	}
	var sheetID int64
	pos := c.Position
	switch {
	case pos != nil && pos.OverlayPosition != nil && pos.OverlayPosition.AnchorCell != nil:
		sheetID = pos.OverlayPosition.AnchorCell.SheetId
		if b.tabByID(sheetID) == nil {
			return nil, noGrid(sheetID)
		}
	case pos != nil && pos.SheetId != 0:
		sheetID = pos.SheetId
		if b.tabByID(sheetID) == nil {
			return nil, noGrid(sheetID)
		}
	default: // newSheet, or no position: the chart gets a sheet of its own
		sheetID = s.newID()
		title := "Chart" + strconv.Itoa(len(b.charts)+1)
		for n := len(b.charts) + 2; b.tabByTitle(title) != nil; n++ {
			title = "Chart" + strconv.Itoa(n)
		}
		b.tabs = append(b.tabs, &tab{props: sheets.SheetProperties{SheetId: sheetID, Title: title, SheetType: "OBJECT"}})
		c.Position = &sheets.EmbeddedObjectPosition{SheetId: sheetID}
	}
	b.charts = append(b.charts, chart{sheetID: sheetID, chart: &c})
	return &sheets.Response{AddChart: &sheets.AddChartResponse{Chart: &c}}, nil
}

func deleteEmbeddedObject(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.DeleteEmbeddedObjectRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(b.charts, func(c chart) bool { return c.chart.ChartId == req.ObjectId })
	if i < 0 {
		return nil, apiErrorf("No embedded object with id: %d", req.ObjectId)
	}
	b.charts = slices.Delete(b.charts, i, i+1)
	return &sheets.Response{}, nil
}

func addConditionalFormatRule(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.AddConditionalFormatRuleRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	if req.Rule == nil || len(req.Rule.Ranges) == 0 {
		return nil, errors.New("rule.ranges must not be empty")
	}
	if (req.Rule.BooleanRule == nil) == (req.Rule.GradientRule == nil) {
		return nil, errors.New("exactly one of rule.booleanRule and rule.gradientRule must be set")
	}
	sid := req.Rule.Ranges[0].SheetId
	for _, gr := range req.Rule.Ranges {
		if gr.SheetId != sid {
			return nil, errors.New("all ranges of a rule must be on the same sheet")
		}
		if _, err := gridRange(b, gr); err != nil {
			return nil, err
		}
	}
	t := b.tabByID(sid)
	if req.Index > int64(len(t.rules)) || req.Index < 0 {
		return nil, fmt.Errorf("index %d is out of range (the sheet has %d rules)", req.Index, len(t.rules))
	}
	t.rules = slices.Insert(slices.Clone(t.rules), int(req.Index), req.Rule)
	return &sheets.Response{}, nil
}

func deleteConditionalFormatRule(b *spreadsheet, raw json.RawMessage, _ *Server) (*sheets.Response, error) {
	var req sheets.DeleteConditionalFormatRuleRequest
	if err := decodeKind(raw, &req); err != nil {
		return nil, err
	}
	t := b.tabByID(req.SheetId)
	if t == nil {
		return nil, noGrid(req.SheetId)
	}
	if req.Index < 0 || req.Index >= int64(len(t.rules)) {
		return nil, apiErrorf("No conditional format on sheet: %d at index: %d", req.SheetId, req.Index)
	}
	rule := t.rules[req.Index]
	t.rules = slices.Delete(slices.Clone(t.rules), int(req.Index), int(req.Index)+1)
	return &sheets.Response{DeleteConditionalFormatRule: &sheets.DeleteConditionalFormatRuleResponse{Rule: rule}}, nil
}
