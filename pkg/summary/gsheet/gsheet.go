// Package gsheet writes the manager summary of SPEC §8 into the manager's
// Google Sheet (summary.spreadsheet): the four tabs of a summary.Model
// (Сводка, Воронка, Отсутствия, Проверка; Summary, Funnel, Absences, Checks
// in English), as summary.Model.Layout lays them out for the local workbook
// of pkg/summary/xlsx too, rewritten whole on every pass. Every other tab of
// the spreadsheet — the manager's own notes — is never named in a request,
// so it is never touched.
//
// A write costs the same few requests whatever the number of employees:
//
//  1. spreadsheets.get, reading only the tabs' properties and the ids of
//     charts and conditional formats (getFields);
//  2. spreadsheets.batchUpdate: add the missing tabs (with ids the writer
//     chooses, so that they can be dressed in the same batch), grow and
//     freeze the grids, delete the chart and the conditional formats the
//     previous pass left on the summary's tabs, clear the tabs, set number
//     formats, fills and wrapping (notes, flags, reasons, a table's header)
//     over whole ranges, add the status colours as conditional formats and
//     the team funnel as a chart (counts as columns, the conversion into
//     each stage as a line, the weakest stage's column red and its
//     transition in the subtitle);
//  3. spreadsheets.values.batchUpdate with valueInputOption RAW: every
//     value, user text as text (a note "=IMPORTXML(…)" stays that text),
//     numbers as numbers, dates as serial days under a DD.MM.YYYY format.
//
// A request whose body would pass Google's recommended 2 MB is split into
// several, which only a summary far past 1000 employees × 10 days needs
// (that one measures about 1.4 MB and 1.6 MB).
//
// Printing: the Sheets API has no page setup (paper, orientation, scale,
// repeated rows, page breaks are only in the Sheets print dialog), so what
// the local workbook sets for print is left to the manager here; the frozen
// header row and the wrapped columns are the same as in the workbook.
//
// Retries (quota, 5xx) belong to the client's transport (pkg/google), not to
// this package. A batchUpdate that Google applied but whose answer was lost
// is safe to repeat once the tabs exist: the chart keeps its id (deleted and
// added again) and the number of status rules is the same on every pass.
// Between the batchUpdate and the values request the tabs are briefly
// empty; if the values request fails, the next pass writes them again.
package gsheet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/summary"
)

// Writer writes summaries into Google Sheets.
type Writer struct {
	svc *sheets.Service
	// Account is the service account's e-mail (client_email of its key).
	// When set, the advice for a spreadsheet the writer may not edit names it.
	Account string
}

// New returns a Writer over a Sheets client with the spreadsheets scope
// (google.NewSheets(ctx, opts, true)).
func New(svc *sheets.Service) *Writer {
	return &Writer{svc: svc}
}

// Write rewrites the summary tabs of m (summary.TabNames(m.Lang)) in the
// spreadsheet, given as an id or a link, creating the tabs that are missing
// and leaving every other tab alone. Errors name the spreadsheet and say
// what to do about a spreadsheet that is missing or not shared.
func (w *Writer) Write(ctx context.Context, spreadsheet string, m *summary.Model) error {
	id, err := SpreadsheetID(spreadsheet)
	if err != nil {
		return fmt.Errorf("gsheet: summary.spreadsheet: %w", err)
	}
	if m == nil {
		return fmt.Errorf("gsheet: spreadsheet %s: no summary to write", id)
	}
	tabs := layout(m)

	book, err := w.svc.Spreadsheets.Get(id).Fields(googleapi.Field(getFields)).Context(ctx).Do()
	if err != nil {
		return w.fail(id, "reading its tabs", err)
	}
	reqs, err := plan(book, tabs)
	if err != nil {
		return fmt.Errorf("gsheet: spreadsheet %s: %w", id, err)
	}
	batches, err := requestBatches(reqs)
	if err != nil {
		return fmt.Errorf("gsheet: spreadsheet %s: %w", id, err)
	}
	data, err := valueBatches(tabs)
	if err != nil {
		return fmt.Errorf("gsheet: spreadsheet %s: %w", id, err)
	}
	for _, b := range batches {
		_, err := w.svc.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: b}).
			Fields("spreadsheetId").Context(ctx).Do()
		if err != nil {
			return w.fail(id, "rewriting the summary tabs", err)
		}
	}
	for _, d := range data {
		_, err := w.svc.Spreadsheets.Values.BatchUpdate(id, &sheets.BatchUpdateValuesRequest{
			ValueInputOption: "RAW", Data: d,
		}).Fields("spreadsheetId").Context(ctx).Do()
		if err != nil {
			return w.fail(id, "writing the summary values", err)
		}
	}
	return nil
}

// fail wraps an API error with the spreadsheet and advice for the errors a
// manager can fix.
func (w *Writer) fail(id, doing string, err error) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch {
		case ge.Code == http.StatusTooManyRequests || (ge.Code == http.StatusForbidden && rateLimited(ge)):
			return fmt.Errorf("gsheet: spreadsheet %s: %s: the Sheets quota stayed spent through every retry; "+
				"the next pass writes the summary again (lower google.writes_per_minute if this repeats): %w", id, doing, err)
		case ge.Code == http.StatusForbidden:
			who := "the service account's e-mail (client_email in its key file)"
			if w.Account != "" {
				who = w.Account + " (the service account)"
			}
			return fmt.Errorf("gsheet: spreadsheet %s: %s: permission denied (403): share the spreadsheet with %s as an editor: %w",
				id, doing, who, err)
		case ge.Code == http.StatusNotFound:
			return fmt.Errorf("gsheet: spreadsheet %s: %s: not found (404): check summary.spreadsheet "+
				"(the id is the part of the spreadsheet's link between /d/ and /edit) and that the spreadsheet still exists: %w",
				id, doing, err)
		}
	}
	return fmt.Errorf("gsheet: spreadsheet %s: %s: %w", id, doing, err)
}

// rateLimited tells a 403 for a spent quota from a 403 for a missing share.
func rateLimited(ge *googleapi.Error) bool {
	for _, e := range ge.Errors {
		if e.Reason == "rateLimitExceeded" || e.Reason == "userRateLimitExceeded" {
			return true
		}
	}
	return strings.Contains(ge.Body, "RATE_LIMIT_EXCEEDED")
}
