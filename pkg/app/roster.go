package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

// rosterTabs are the names the roster tab may have (SPEC §4).
var rosterTabs = []string{"Сотрудники", "Employees"}

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
	"telegram": "telegram",
}

// rosterReader reads the employees from the manager spreadsheet's roster tab.
type rosterReader struct {
	sheets *sheets.Service
	id     string
}

// RosterProblem is a roster row that could not be used.
type RosterProblem struct {
	Row     int    `json:"row"`
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// read returns the roster's employees and the rows that are not usable (each
// reported alone; the other employees go on).
func (r *rosterReader) read(ctx context.Context, cfg *config.Config) ([]config.Employee, []RosterProblem, error) {
	meta, err := r.sheets.Spreadsheets.Get(r.id).Fields("sheets.properties.title").Context(ctx).Do()
	if err != nil {
		return nil, nil, fmt.Errorf("roster: spreadsheet %s: %w", r.id, err)
	}
	tab := ""
	for _, s := range meta.Sheets {
		for _, name := range rosterTabs {
			if s.Properties != nil && strings.EqualFold(s.Properties.Title, name) {
				tab = s.Properties.Title
			}
		}
	}
	if tab == "" {
		return nil, nil, fmt.Errorf("roster: spreadsheet %s has no %s tab", r.id, strings.Join(rosterTabs, " or "))
	}
	vr, err := r.sheets.Spreadsheets.Values.Get(r.id, gsheet.A1Range(tab)).
		ValueRenderOption("FORMATTED_VALUE").Context(ctx).Do()
	if err != nil {
		return nil, nil, fmt.Errorf("roster: %s!%s: %w", r.id, tab, err)
	}
	emps, probs := parseRoster(vr.Values, cfg)
	return emps, probs, nil
}

// parseRoster reads the rows under a header row of known column names.
func parseRoster(rows [][]any, cfg *config.Config) ([]config.Employee, []RosterProblem) {
	if len(rows) == 0 {
		return nil, []RosterProblem{{Row: 1, Message: "the roster tab is empty: want a header row (id, name, report, …)"}}
	}
	cols := map[int]string{}
	for i, h := range rows[0] {
		if f, ok := rosterColumns[strings.ToLower(strings.TrimSpace(document.CellText(h)))]; ok {
			cols[i] = f
		}
	}
	var (
		out   []config.Employee
		probs []RosterProblem
	)
	if !hasField(cols, "id") {
		return nil, []RosterProblem{{Row: 1, Message: "the header has no id column"}}
	}
	seen := map[string]int{}
	for n, row := range rows[1:] {
		line := n + 2
		var e config.Employee
		var bad []string
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
			case "leave_from", "leave_to":
				if v == "" {
					continue
				}
				d, err := rosterDate(v)
				if err != nil {
					bad = append(bad, fmt.Sprintf("%s %q is not a date", cols[i], v))
					continue
				}
				if cols[i] == "leave_from" {
					e.LeaveFrom = d
				} else {
					e.LeaveTo = d
				}
			}
		}
		if e.ID == "" {
			if e.Name != "" || e.Report != "" {
				probs = append(probs, RosterProblem{Row: line, Message: "no id"})
			}
			continue // an empty row
		}
		if strings.ContainsAny(e.ID, "/\\@ ") {
			bad = append(bad, fmt.Sprintf("id %q may not hold spaces, / \\ or @", e.ID))
		}
		if first, dup := seen[e.ID]; dup {
			bad = append(bad, fmt.Sprintf("duplicate id (also row %d)", first))
		}
		if e.Timezone != "" {
			if _, err := time.LoadLocation(e.Timezone); err != nil {
				bad = append(bad, fmt.Sprintf("unknown time zone %q", e.Timezone))
			}
		}
		if !e.LeaveFrom.IsZero() && !e.LeaveTo.IsZero() && e.LeaveTo.Before(e.LeaveFrom) {
			bad = append(bad, "leave_to is before leave_from")
		}
		if e.Report == "" && cfg.Source.Kind != config.SourceLocal {
			bad = append(bad, "no report link")
		}
		if len(bad) > 0 {
			probs = append(probs, RosterProblem{Row: line, ID: e.ID, Message: strings.Join(bad, "; ")})
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

func hasField(cols map[int]string, f string) bool {
	for _, c := range cols {
		if c == f {
			return true
		}
	}
	return false
}

// rosterDate reads a leave date as people type it in a sheet: 2026-12-01 or
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

// employees is the roster of the current pass: the config's, or the last
// one read from the manager spreadsheet.
func (a *App) employees() []config.Employee {
	a.rosterMu.Lock()
	defer a.rosterMu.Unlock()
	if a.roster != nil {
		return a.roster
	}
	return a.cfg.Employees
}

// refreshRoster reads the roster tab when the roster lives there. A roster
// that cannot be read keeps the last one read (a first one is an error);
// unusable rows come back as problems, each for its employee alone.
func (a *App) refreshRoster(ctx context.Context) ([]RosterProblem, error) {
	if a.rosterSrc == nil {
		return nil, nil
	}
	emps, probs, err := a.rosterSrc.read(ctx, a.cfg)
	a.rosterMu.Lock()
	defer a.rosterMu.Unlock()
	if err != nil {
		if a.roster != nil {
			a.log.Warn().Err(err).Msg("the roster tab could not be read; the last roster read is used")
			return nil, nil
		}
		return nil, err
	}
	a.roster = emps
	return probs, nil
}
