package source

import (
	"context"

	"github.com/dayreport/dayreport/pkg/config"
)

// ChangeProblem is a row of the change log tab that could not be used: that
// change alone is left out.
type ChangeProblem struct {
	// Cell is where the problem is, as the manager finds it ('Изменения'!C4),
	// or the row ('Изменения'!4) when it is about the whole row.
	Cell    string
	Message string
}

// ChangeLog is where the manager keeps the change log besides the
// configuration: the Изменения tab of the manager spreadsheet. Changes are
// checked as far as the tab alone tells (dates, required cells); stages and
// employees are checked by the caller, which knows the template and the roster.
type ChangeLog interface {
	Changes(ctx context.Context) ([]LoggedChange, []ChangeProblem, error)
}

// LoggedChange is a change read from a tab, with where it was read.
type LoggedChange struct {
	config.Change
	// Row is the A1 reference of its row ('Изменения'!4), and DateCell,
	// StageCell and EmployeesCell the cells of its date, stage and
	// employees, for problems the caller finds.
	Row, DateCell, StageCell, EmployeesCell string
}
