package gsheet

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
)

// PlanTabs are the names the plan tab may have.
var PlanTabs = []string{"План", "Plan"}

// planIDColumns and planMonthColumns are the headers of the employee and the
// month columns (folded); every other header but a name is a metric key.
var (
	planIDColumns    = []string{"id", "сотрудник", "employee"}
	planMonthColumns = []string{"month", "месяц"}
	// planNameColumns are read by people only (a name beside the id).
	planNameColumns = []string{"name", "имя", "фио"}
)

// PlanTab reads the plans from the План tab of the manager spreadsheet: a
// row per employee (and month), a column per metric key. A spreadsheet
// without the tab has no plans there.
type PlanTab struct {
	Sheets *sheets.Service
	// ID is the spreadsheet.
	ID string
	// Tabs, when set, reads the tab (and keeps it by the spreadsheet's
	// version); nil: read from Sheets every time.
	Tabs *Tabs
}

var _ source.Plans = (*PlanTab)(nil)

// Plans returns the tab's rows and the cells that are not usable.
func (p *PlanTab) Plans(ctx context.Context, known []string) ([]source.PlanRow, []source.PlanProblem, error) {
	t := tabsOf(p.Tabs, p.Sheets, p.ID)
	tab, values, err := t.Read(ctx, PlanTabs, "UNFORMATTED_VALUE")
	if err != nil {
		return nil, nil, readErr("plans", t.ID, err)
	}
	if tab == "" {
		return nil, nil, nil
	}
	rows, probs := ParsePlans(tab, values, known)
	return rows, probs, nil
}

// ParsePlans reads the rows of a План tab under its header row: the
// employee's id, an optional month (YYYY-MM; empty: every month), and a
// number per metric key. Every problem names its cell; a bad cell leaves
// that number out, a bad row that row.
func ParsePlans(tab string, rows [][]any, known []string) ([]source.PlanRow, []source.PlanProblem) {
	cell := func(col, row int) string {
		return fmt.Sprintf("'%s'!%s%d", tab, columnName(col), row)
	}
	if len(rows) == 0 {
		return nil, nil // an empty tab: no plans yet
	}
	var probs []source.PlanProblem
	idCol, monthCol := -1, -1
	metrics := map[int]string{}
	for i, h := range rows[0] {
		name := strings.ToLower(strings.TrimSpace(document.CellText(h)))
		switch {
		case name == "", slices.Contains(planNameColumns, name):
		case slices.Contains(planIDColumns, name):
			idCol = i
		case slices.Contains(planMonthColumns, name):
			monthCol = i
		case known == nil || slices.Contains(known, name):
			metrics[i] = name
		default:
			msg := fmt.Sprintf("unknown metric %q", name)
			if s := config.Suggest(name, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (want " + strings.Join(known, ", ") + ")"
			}
			probs = append(probs, source.PlanProblem{Cell: cell(i, 1), Message: msg + "; the column is not read"})
		}
	}
	if idCol < 0 {
		return nil, append(probs, source.PlanProblem{Cell: cell(0, 1), Message: "the header has no id column"})
	}
	var out []source.PlanRow
	seen := map[string]int{}
	for n, row := range rows[1:] {
		line := n + 2
		at := func(i int) string {
			if i < 0 || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(document.CellText(row[i]))
		}
		id := at(idCol)
		if id == "" {
			continue // an empty row, or a note under the table
		}
		pr := source.PlanRow{Employee: id, Month: at(monthCol), Metrics: map[string]float64{}, Row: line, Cell: cell(idCol, line)}
		if pr.Month != "" && !config.ValidMonth(pr.Month) {
			probs = append(probs, source.PlanProblem{Cell: cell(monthCol, line), Employee: id,
				Message: fmt.Sprintf("%q is not a month (want YYYY-MM, e.g. 2026-12); the row is not read", pr.Month)})
			continue
		}
		key := id + "|" + pr.Month
		if first, dup := seen[key]; dup {
			probs = append(probs, source.PlanProblem{Cell: cell(idCol, line), Employee: id,
				Message: fmt.Sprintf("a second row for %s (also row %d); the row is not read", planWhat(id, pr.Month), first)})
			continue
		}
		seen[key] = line
		for _, i := range slices.Sorted(maps.Keys(metrics)) {
			raw := at(i)
			if raw == "" {
				continue
			}
			x, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(raw, " ", ""), ",", "."), 64)
			if err != nil {
				probs = append(probs, source.PlanProblem{Cell: cell(i, line), Employee: id, Message: fmt.Sprintf("%q is not a number", raw)})
				continue
			}
			if msg := config.ValidatePlanValue(metrics[i], x, nil); msg != "" {
				probs = append(probs, source.PlanProblem{Cell: cell(i, line), Employee: id, Message: msg})
				continue
			}
			pr.Metrics[metrics[i]] = x
		}
		out = append(out, pr)
	}
	return out, probs
}

func planWhat(id, month string) string {
	if month == "" {
		return id
	}
	return id + " in " + month
}
