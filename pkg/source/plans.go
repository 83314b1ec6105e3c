package source

import "context"

// PlanRow is one row of the manager spreadsheet's План tab: an employee's
// plan by metric key, for one month ("2026-12") or every month ("").
type PlanRow struct {
	Employee string             `json:"employee"`
	Month    string             `json:"month,omitempty"`
	Metrics  map[string]float64 `json:"metrics"`
	// Row is the row of the tab (1-based); Cell names its id cell ("'План'!A3").
	Row  int    `json:"row"`
	Cell string `json:"cell"`
}

// PlanProblem is a cell or row of the План tab that could not be used, with
// where it is ("'План'!C3"); the rest of the tab is used.
type PlanProblem struct {
	Cell     string `json:"cell"`
	Employee string `json:"employee,omitempty"`
	Message  string `json:"message"`
}

// Plans is where plans come from besides the configuration (the manager
// spreadsheet's План tab, with roster: sheet). known are the metric keys a
// plan may name.
type Plans interface {
	Plans(ctx context.Context, known []string) ([]PlanRow, []PlanProblem, error)
}
