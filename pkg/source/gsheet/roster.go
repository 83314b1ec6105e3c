package gsheet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
)

// RosterTabs are the names the roster tab may have (SPEC §4).
var RosterTabs = []string{"Сотрудники", "Employees"}

// rosterColumns maps a roster header (folded) to its field; Russian headers
// are accepted too.
var rosterColumns = map[string]string{
	"id": "id", "name": "name", "имя": "name", "фио": "name", "сотрудник": "name",
	"email": "email", "e-mail": "email", "почта": "email",
	"role": "role", "роль": "role",
	"report": "report", "отчёт": "report", "отчет": "report",
	"crm_user_id": "crm_user_id", "crm": "crm_user_id",
	"timezone": "timezone", "часовой пояс": "timezone",
	"leave_from": "leave_from", "отпуск с": "leave_from",
	"leave_to": "leave_to", "отпуск по": "leave_to",
	"start": "start", "начало": "start", "дата начала": "start", "первый день": "start",
	"telegram": "telegram",
}

// Roster reads the employees from the roster tab of the manager spreadsheet.
type Roster struct {
	Sheets *sheets.Service
	// ID is the spreadsheet.
	ID string
	// SourceKind is the configuration's source.kind: a roster of Google
	// reports needs a report link on every row, a local one does not.
	SourceKind string
	// Tabs, when set, reads the tab (and keeps it by the spreadsheet's
	// version); nil: read from Sheets every time.
	Tabs *Tabs
}

var _ source.Roster = (*Roster)(nil)

// Employees returns the roster's employees and the rows that are not usable
// (each reported alone; the other employees go on).
func (r *Roster) Employees(ctx context.Context) ([]config.Employee, []source.RosterProblem, error) {
	t := tabsOf(r.Tabs, r.Sheets, r.ID)
	tab, rows, err := t.Read(ctx, RosterTabs, "FORMATTED_VALUE")
	if err != nil {
		return nil, nil, readErr("roster", t.ID, err)
	}
	if tab == "" {
		return nil, nil, fmt.Errorf("roster: spreadsheet %s has no %s tab", t.ID, strings.Join(RosterTabs, " or "))
	}
	emps, probs := ParseRoster(rows, r.SourceKind)
	return emps, probs, nil
}

// ParseRoster reads the rows under a header row of known column names.
func ParseRoster(rows [][]any, sourceKind string) ([]config.Employee, []source.RosterProblem) {
	if len(rows) == 0 {
		return nil, []source.RosterProblem{{Row: 1, Message: "the roster tab is empty: want a header row (id, name, report, …)"}}
	}
	cols := map[int]string{}
	hasID := false
	for i, h := range rows[0] {
		if f, ok := rosterColumns[strings.ToLower(strings.TrimSpace(document.CellText(h)))]; ok {
			cols[i] = f
			hasID = hasID || f == "id"
		}
	}
	if !hasID {
		return nil, []source.RosterProblem{{Row: 1, Message: "the header has no id column"}}
	}
	var (
		out   []config.Employee
		probs []source.RosterProblem
	)
	seen := map[string]int{}
	for n, row := range rows[1:] {
		line := n + 2
		e, bad := rosterRow(row, cols)
		if e.ID == "" {
			if e.Name != "" || e.Report != "" {
				probs = append(probs, source.RosterProblem{Row: line, Message: "no id"})
			}
			continue // an empty row
		}
		if first, dup := seen[e.ID]; dup {
			bad = append(bad, fmt.Sprintf("duplicate id (also row %d)", first))
		}
		if e.Report == "" && sourceKind != config.SourceLocal {
			bad = append(bad, "no report link")
		}
		if len(bad) > 0 {
			probs = append(probs, source.RosterProblem{Row: line, ID: e.ID, Message: strings.Join(bad, "; ")})
			if _, dup := seen[e.ID]; !dup {
				seen[e.ID] = line
			}
			continue
		}
		if e.Name == "" {
			e.Name = e.ID
		}
		seen[e.ID] = line
		out = append(out, e)
	}
	return out, probs
}

// rosterRow reads one row into an employee and what is wrong with it.
func rosterRow(row []any, cols map[int]string) (config.Employee, []string) {
	var (
		e   config.Employee
		bad []string
	)
	for i, cell := range row {
		v := strings.TrimSpace(document.CellText(cell))
		switch cols[i] {
		case "id":
			e.ID = v
		case "name":
			e.Name = v
		case "email":
			e.Email = v
		case "role":
			e.Role = v
		case "report":
			e.Report = v
		case "crm_user_id":
			e.CRMUserID = v
		case "timezone":
			e.Timezone = v
		case "telegram":
			e.Telegram = v
		case "leave_from", "leave_to", "start":
			if v == "" {
				continue
			}
			d, err := rosterDate(v)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s %q is not a date", cols[i], v))
				continue
			}
			switch cols[i] {
			case "leave_from":
				e.LeaveFrom = d
			case "leave_to":
				e.LeaveTo = d
			default:
				e.Start = d
			}
		}
	}
	if strings.ContainsAny(e.ID, "/\\@ ") {
		bad = append(bad, fmt.Sprintf("id %q may not hold spaces, / \\ or @", e.ID))
	}
	if e.Timezone != "" {
		if _, err := time.LoadLocation(e.Timezone); err != nil {
			bad = append(bad, fmt.Sprintf("unknown time zone %q", e.Timezone))
		}
	}
	if !e.LeaveFrom.IsZero() && !e.LeaveTo.IsZero() && e.LeaveTo.Before(e.LeaveFrom) {
		bad = append(bad, "leave_to is before leave_from")
	}
	return e, bad
}

// rosterDate reads a date as people type it in a sheet: 2026-12-01 or
// 01.12.2026.
func rosterDate(s string) (day.Date, error) {
	if d, err := day.Parse(s); err == nil {
		return d, nil
	}
	if d, ok := document.ParseDate(s, day.Today(time.Now(), time.UTC)); ok {
		return d, nil
	}
	return day.Date{}, fmt.Errorf("%q is not a date", s)
}
