package gsheet

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
)

// ChangeTabs are the names the change log tab may have.
var ChangeTabs = []string{"Изменения", "Changes"}

// changeColumns maps a change log header (folded) to its field: the keys
// of `changes:` in the configuration, or their Russian names.
var changeColumns = map[string]string{
	"date": "date", "дата": "date", "с": "date", "с даты": "date",
	"stage": "stage", "этап": "stage",
	"note": "note", "заметка": "note", "что изменили": "note", "изменение": "note", "описание": "note",
	"employees": "employees", "сотрудники": "employees", "кто": "employees",
}

// ChangeLog reads the change log the manager keeps in the Изменения tab of
// the manager spreadsheet: a header row (date, stage, note, employees, in
// English or Russian), then a change a row. A spreadsheet without the tab
// has no changes; a row that cannot be used is a problem at its cell and is
// left out alone.
type ChangeLog struct {
	Sheets *sheets.Service
	// ID is the spreadsheet.
	ID string
	// Tabs, when set, reads the tab (and keeps it by the spreadsheet's
	// version); nil: read from Sheets every time.
	Tabs *Tabs
}

var _ source.ChangeLog = (*ChangeLog)(nil)

// Changes reads the tab.
func (c *ChangeLog) Changes(ctx context.Context) ([]source.LoggedChange, []source.ChangeProblem, error) {
	t := tabsOf(c.Tabs, c.Sheets, c.ID)
	tab, rows, err := t.Read(ctx, ChangeTabs, "FORMATTED_VALUE")
	if err != nil {
		return nil, nil, readErr("change log", t.ID, err)
	}
	if tab == "" {
		return nil, nil, nil
	}
	changes, probs := ParseChanges(tab, rows)
	return changes, probs, nil
}

// ParseChanges reads the rows of the change log tab named tab under its
// header row.
func ParseChanges(tab string, rows [][]any) ([]source.LoggedChange, []source.ChangeProblem) {
	quoted := "'" + strings.ReplaceAll(tab, "'", "''") + "'!"
	at := func(col, row int) string { return quoted + columnName(col) + fmt.Sprint(row) }
	if len(rows) == 0 {
		return nil, nil // an empty tab: no changes yet
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		if f, ok := changeColumns[strings.ToLower(strings.TrimSpace(document.CellText(h)))]; ok {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	for _, need := range []string{"date", "stage"} {
		if _, ok := cols[need]; !ok {
			return nil, []source.ChangeProblem{{Cell: quoted + "1", Message: fmt.Sprintf("the header has no %s column (want date, stage, note, employees)", need)}}
		}
	}
	var (
		out   []source.LoggedChange
		probs []source.ChangeProblem
	)
	for n, row := range rows[1:] {
		line := n + 2
		cell := func(field string) string {
			i, ok := cols[field]
			if !ok || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(document.CellText(row[i]))
		}
		date, stage, note, emps := cell("date"), cell("stage"), cell("note"), cell("employees")
		if date == "" && stage == "" && note == "" && emps == "" {
			continue // an empty row
		}
		lc := source.LoggedChange{Change: config.Change{Stage: stage, Note: note},
			Row: quoted + fmt.Sprint(line), DateCell: at(cols["date"], line), StageCell: at(cols["stage"], line),
			EmployeesCell: quoted + fmt.Sprint(line)}
		if i, ok := cols["employees"]; ok {
			lc.EmployeesCell = at(i, line)
		}
		if emps != "" {
			lc.Employees = strings.FieldsFunc(emps, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' })
		}
		if date != "" {
			d, err := rosterDate(date)
			if err != nil {
				probs = append(probs, source.ChangeProblem{Cell: at(cols["date"], line), Message: fmt.Sprintf("«%s» is not a date (want 2026-11-10 or 10.11.2026)", date)})
				continue
			}
			lc.Date = d
		}
		out = append(out, lc)
	}
	return out, probs
}

// columnName is the A1 name of a 0-based column: 0 → A, 26 → AA.
func columnName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
