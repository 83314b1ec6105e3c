package gsheet

import (
	"encoding/json"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/day"
)

// maxPayload bounds the body of one request: under Google's recommended
// 2 MB, with room for the envelope. A write larger than this (tens of
// thousands of rows) is sent in more requests.
const maxPayload = 1_900_000

// rawValues is a tab's rows as the values request carries them, written
// with valueInputOption RAW: strings stay strings (a note "=IMPORTXML(…)"
// is that text, never a formula), numbers are numbers, dates are serial
// days (their cells get a date format), and null leaves a cell empty.
func rawValues(t *tab) [][]any {
	out := make([][]any, len(t.Rows))
	for i, r := range t.Rows {
		vals := []any{}
		last := -1
		for j, c := range r.Cells {
			var v any
			switch x := c.Value.(type) {
			case string:
				if x != "" {
					v = cut(x)
				}
			case float64:
				v = x
			case day.Date:
				if !x.IsZero() { // no date is an empty cell, not 00.01.1900
					v = day.SerialEpoch.DaysUntil(x)
				}
			}
			vals = append(vals, v)
			if v != nil {
				last = j
			}
		}
		out[i] = vals[:last+1]
	}
	return out
}

// a1Start is the A1 range of a tab from row (0-based) in column A.
func a1Start(name string, row int) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'!A" + strconv.Itoa(row+1)
}

// valueBatches splits the tabs' values into the data of values:batchUpdate
// requests, each under maxPayload: normally one.
func valueBatches(tabs []*tab) ([][]*sheets.ValueRange, error) {
	var batches [][]*sheets.ValueRange
	var cur []*sheets.ValueRange
	size := 0
	const envelope = 64 // {"valueInputOption":"RAW","data":[…]} and a range's keys
	for _, t := range tabs {
		rows := rawValues(t)
		var vr *sheets.ValueRange
		for i, r := range rows {
			b, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			n := len(b) + 1
			if vr == nil || size+n > maxPayload {
				if size+n > maxPayload && len(cur) > 0 {
					batches = append(batches, cur)
					cur, size = nil, 0
				}
				vr = &sheets.ValueRange{Range: a1Start(t.Name, i), MajorDimension: "ROWS"}
				cur = append(cur, vr)
				size += envelope + len(vr.Range)
			}
			vr.Values = append(vr.Values, r)
			size += n
		}
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches, nil
}

// requestBatches splits batchUpdate requests into batches under maxPayload:
// normally one, which Sheets applies whole or not at all.
func requestBatches(reqs []*sheets.Request) ([][]*sheets.Request, error) {
	var batches [][]*sheets.Request
	var cur []*sheets.Request
	size := 0
	for _, r := range reqs {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		n := len(b) + 1
		if size+n > maxPayload && len(cur) > 0 {
			batches = append(batches, cur)
			cur, size = nil, 0
		}
		cur = append(cur, r)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches, nil
}
