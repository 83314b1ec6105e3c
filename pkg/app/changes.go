package app

import (
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
func wireChangeLog(d *pass.Deps, g googleWiring) {
	if g.tabs != nil {
		d.ChangeLog = &gsheet.ChangeLog{Tabs: g.tabs}
	}
}
