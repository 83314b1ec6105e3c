package app

import (
	"context"
	"strings"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

// CheckChanges checks the configuration's change log against the template:
// every change names a funnel stage a transition leads to. The error is a
// located *config.Error.
func CheckChanges(cfg *config.Config, t *report.Template) error {
	return cfg.CheckChangeStages(StageKeys(t))
}

// StageKeys are the template's funnel stage keys in order.
func StageKeys(t *report.Template) []string {
	out := make([]string, 0, len(t.Funnel))
	for _, s := range t.Funnel {
		out = append(out, s.Key)
	}
	return out
}

// wireChangeLog reads the change log tab (Изменения) of the manager
// spreadsheet, when there is one.
func wireChangeLog(ctx context.Context, d *pass.Deps, g googleWiring) error {
	if strings.TrimSpace(g.cfg.Summary.Spreadsheet) == "" {
		return nil
	}
	svc, id, err := g.managerSheet(ctx)
	if err != nil {
		return err
	}
	d.ChangeLog = &gsheet.ChangeLog{Sheets: svc, ID: id}
	return nil
}
