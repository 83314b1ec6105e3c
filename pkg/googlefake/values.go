package googlefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"
)

// Value input options of the values write methods.
const (
	inputRaw         = "RAW"
	inputUserEntered = "USER_ENTERED"
)

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		badRequest(w, "Invalid JSON payload received. %v", err)
		return false
	}
	return true
}

func checkInputOption(w http.ResponseWriter, opt string) bool {
	switch opt {
	case inputRaw, inputUserEntered:
		return true
	case "":
		badRequest(w, "'valueInputOption' is required but not specified")
	default:
		badRequest(w, "Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), %q", opt)
	}
	return false
}

// writeRange writes values into the range the way values.update does: from
// the range's top-left cell, ROWS or COLUMNS major, growing the grid when the
// data runs past it (a bounded range must hold the data); a JSON null leaves
// a cell alone, "" clears its value; formats stay.
func writeRange(a a1, vr *sheets.ValueRange, opt string) (*sheets.UpdateValuesResponse, error) {
	major := vr.MajorDimension
	switch major {
	case "", "DIMENSION_UNSPECIFIED":
		major = "ROWS"
	case "ROWS", "COLUMNS":
	default:
		return nil, apiErrorf("Invalid value at 'data.major_dimension', %q", major)
	}
	var nRows, nCols, cells int64
	for i, row := range vr.Values {
		for j := range row {
			r, c := a.r0+int64(i), a.c0+int64(j)
			if major == "COLUMNS" {
				r, c = a.r0+int64(j), a.c0+int64(i)
			}
			if (a.r1 != unbounded && r >= a.r1) || (a.c1 != unbounded && c >= a.c1) {
				return nil, apiErrorf("Requested writing within range [%s], but tried writing to %s",
					a.String(), outside(a, r, c))
			}
			nRows, nCols = max(nRows, r-a.r0+1), max(nCols, c-a.c0+1)
		}
	}
	rows, cols := a.tab.gridSize()
	if a.r0+nRows > rows || a.c0+nCols > cols {
		gp := a.tab.props.GridProperties
		gp.RowCount, gp.ColumnCount = max(rows, a.r0+nRows), max(cols, a.c0+nCols)
	}
	for i, row := range vr.Values {
		for j, v := range row {
			if v == nil {
				continue
			}
			r, c := a.r0+int64(i), a.c0+int64(j)
			if major == "COLUMNS" {
				r, c = a.r0+int64(j), a.c0+int64(i)
			}
			ev, format, err := inputValue(v, opt)
			if err != nil {
				return nil, err
			}
			old := a.tab.cell(r, c)
			var cd sheets.CellData
			if old != nil {
				cd = *old
			}
			cd.UserEnteredValue, cd.EffectiveValue = ev, nil
			if format != nil && (cd.UserEnteredFormat == nil || cd.UserEnteredFormat.NumberFormat == nil) {
				f := sheets.CellFormat{}
				if cd.UserEnteredFormat != nil {
					f = *cd.UserEnteredFormat
				}
				f.NumberFormat = format
				cd.UserEnteredFormat = &f
			}
			if cd.UserEnteredValue == nil && cd.UserEnteredFormat == nil && cd.Note == "" {
				a.tab.set(r, c, nil)
			} else {
				a.tab.set(r, c, &cd)
			}
			cells++
		}
	}
	out := &sheets.UpdateValuesResponse{UpdatedRows: nRows, UpdatedColumns: nCols, UpdatedCells: cells}
	if nRows > 0 && nCols > 0 {
		done := a1{tab: a.tab, r0: a.r0, c0: a.c0, r1: a.r0 + nRows, c1: a.c0 + nCols, single: nRows == 1 && nCols == 1}
		out.UpdatedRange = done.String()
	} else {
		out.UpdatedRange = a.String()
	}
	return out, nil
}

func outside(a a1, r, c int64) string {
	if a.r1 != unbounded && r >= a.r1 {
		return "row [" + strconv.FormatInt(r+1, 10) + "]"
	}
	return "column [" + colName(c) + "]"
}

// inputValue converts a written JSON value: RAW keeps strings as strings;
// USER_ENTERED reads "=…" as a formula, numbers, TRUE/FALSE, ISO dates
// (yyyy-mm-dd, with a DATE format), and a leading ' as "plain text".
func inputValue(v any, opt string) (*sheets.ExtendedValue, *sheets.NumberFormat, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, nil, fmt.Errorf("bad number %s", x)
		}
		return &sheets.ExtendedValue{NumberValue: &f}, nil, nil
	case float64:
		return &sheets.ExtendedValue{NumberValue: &x}, nil, nil
	case bool:
		return &sheets.ExtendedValue{BoolValue: &x}, nil, nil
	case string:
		if x == "" {
			return nil, nil, nil
		}
		if opt == inputRaw {
			return &sheets.ExtendedValue{StringValue: &x}, nil, nil
		}
		switch {
		case strings.HasPrefix(x, "'"):
			s := x[1:]
			return &sheets.ExtendedValue{StringValue: &s}, nil, nil
		case strings.HasPrefix(x, "=") && len(x) > 1:
			return &sheets.ExtendedValue{FormulaValue: &x}, nil, nil
		case strings.EqualFold(x, "true") || strings.EqualFold(x, "false"):
			b := strings.EqualFold(x, "true")
			return &sheets.ExtendedValue{BoolValue: &b}, nil, nil
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return &sheets.ExtendedValue{NumberValue: &f}, nil, nil
		}
		if t, err := time.Parse("2006-01-02", strings.TrimSpace(x)); err == nil {
			n := SerialDate(t)
			return &sheets.ExtendedValue{NumberValue: &n}, &sheets.NumberFormat{Type: "DATE", Pattern: "yyyy-mm-dd"}, nil
		}
		return &sheets.ExtendedValue{StringValue: &x}, nil, nil
	}
	return nil, nil, apiErrorf("Invalid values: unsupported value %v", v)
}

// writeStart is the range a write goes to. A single cell is only the
// anchor of the data (values.update "A1" writes a whole block); the grid
// grows when the data runs past it.
func writeStart(b *spreadsheet, rng string) (a1, error) {
	a, err := b.parseA1(rng)
	if err != nil {
		return a, apiErrorf("Unable to parse range: %s", rng)
	}
	if a.single {
		a.single, a.r1, a.c1 = false, unbounded, unbounded
	}
	return a, nil
}

func (s *Server) valuesUpdate(w http.ResponseWriter, r *http.Request, b *spreadsheet, rng string) {
	opt := r.URL.Query().Get("valueInputOption")
	if !checkInputOption(w, opt) {
		return
	}
	var vr sheets.ValueRange
	if !decodeBody(w, r, &vr) {
		return
	}
	if vr.Range != "" && vr.Range != rng {
		if a, err := b.parseA1(vr.Range); err != nil || a.String() != mustA1(b, rng) {
			badRequest(w, "Requested writing within range [%s], but tried writing to [%s]", rng, vr.Range)
			return
		}
	}
	nb := b.clone()
	a, err := writeStart(nb, rng)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	resp, err := writeRange(a, &vr, opt)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	resp.SpreadsheetId = b.id
	s.commit(nb)
	writeJSON(w, http.StatusOK, resp)
}

func mustA1(b *spreadsheet, rng string) string {
	a, err := b.parseA1(rng)
	if err != nil {
		return rng
	}
	return a.String()
}

func (s *Server) valuesBatchUpdate(w http.ResponseWriter, r *http.Request, b *spreadsheet) {
	var req sheets.BatchUpdateValuesRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if !checkInputOption(w, req.ValueInputOption) {
		return
	}
	nb := b.clone()
	out := &sheets.BatchUpdateValuesResponse{SpreadsheetId: b.id}
	touched := map[*tab]bool{}
	for _, vr := range req.Data {
		a, err := writeStart(nb, vr.Range)
		if err != nil {
			badRequest(w, "%s", err.Error())
			return
		}
		resp, err := writeRange(a, vr, req.ValueInputOption)
		if err != nil {
			badRequest(w, "%s", err.Error())
			return
		}
		resp.SpreadsheetId = b.id
		out.Responses = append(out.Responses, resp)
		out.TotalUpdatedRows += resp.UpdatedRows
		out.TotalUpdatedColumns += resp.UpdatedColumns
		out.TotalUpdatedCells += resp.UpdatedCells
		if resp.UpdatedCells > 0 {
			touched[a.tab] = true
		}
	}
	out.TotalUpdatedSheets = int64(len(touched))
	s.commit(nb)
	writeJSON(w, http.StatusOK, out)
}

// clearRange removes the values (not the formats) of a clamped range.
func clearRange(a a1) {
	for r := a.r0; r < a.r1 && r < int64(len(a.tab.cells)); r++ {
		for c := a.c0; c < a.c1 && c < int64(len(a.tab.cells[r])); c++ {
			old := a.tab.cells[r][c]
			if old == nil || old.UserEnteredValue == nil {
				continue
			}
			cd := *old
			cd.UserEnteredValue, cd.EffectiveValue = nil, nil
			if cd.UserEnteredFormat == nil && cd.Note == "" {
				a.tab.set(r, c, nil)
			} else {
				a.tab.set(r, c, &cd)
			}
		}
	}
}

func (s *Server) valuesBatchClear(w http.ResponseWriter, r *http.Request, b *spreadsheet) {
	var req sheets.BatchClearValuesRequest
	if !decodeBody(w, r, &req) {
		return
	}
	nb := b.clone()
	out := &sheets.BatchClearValuesResponse{SpreadsheetId: b.id}
	for _, rng := range req.Ranges {
		a, ok := rangeFor(w, nb, rng)
		if !ok {
			return
		}
		clearRange(a)
		out.ClearedRanges = append(out.ClearedRanges, a.String())
	}
	s.commit(nb)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) valuesClear(w http.ResponseWriter, b *spreadsheet, rng string) {
	nb := b.clone()
	a, ok := rangeFor(w, nb, rng)
	if !ok {
		return
	}
	clearRange(a)
	s.commit(nb)
	writeJSON(w, http.StatusOK, &sheets.ClearValuesResponse{SpreadsheetId: b.id, ClearedRange: a.String()})
}

// valuesAppend writes the values after the last row holding a value in the
// range's columns (a simplification of the API's table detection).
func (s *Server) valuesAppend(w http.ResponseWriter, r *http.Request, b *spreadsheet, rng string) {
	opt := r.URL.Query().Get("valueInputOption")
	if !checkInputOption(w, opt) {
		return
	}
	var vr sheets.ValueRange
	if !decodeBody(w, r, &vr) {
		return
	}
	nb := b.clone()
	a, err := writeStart(nb, rng)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	table := a
	table.r1 = unbounded
	if table.single {
		table.single, table.c1 = false, unbounded
	}
	table, err = table.clamp()
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	next := table.r0
	for row := table.r0; row < table.r1; row++ {
		for c := table.c0; c < table.c1; c++ {
			if renderValue(table.tab.cell(row, c), renderOpts{value: renderUnformatted}) != nil {
				next = row + 1
				break
			}
		}
	}
	at := a1{tab: a.tab, r0: next, c0: a.c0, r1: unbounded, c1: unbounded}
	resp, err := writeRange(at, &vr, opt)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	resp.SpreadsheetId = b.id
	s.commit(nb)
	writeJSON(w, http.StatusOK, &sheets.AppendValuesResponse{SpreadsheetId: b.id, TableRange: table.String(), Updates: resp})
}

// commit replaces a spreadsheet with its changed copy and bumps its Drive
// metadata: the change is the caller's (the service account). s.mu is held.
func (s *Server) commit(nb *spreadsheet) {
	s.books[nb.id] = nb
	s.touchLocked(nb.id, nb.title, "", caller)
}
