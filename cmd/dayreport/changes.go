package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/pass"
)

func newChangesCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "changes [--format text|json]",
		Short: "Follow each change of the change log through the funnel: before, after, and whether the difference is real",
		Long: `changes reads the change log (changes: in the configuration, and the Изменения tab of
the manager spreadsheet) and, for each change, compares the conversion of the
transition into its stage before and after it: after runs from the change date to the
newest stored day, before is the same number of working days just before the change
(at most 20, never reaching back past the previous change of the same stage). Only
submitted and late days count. The difference is tested two-sided (the two-proportion
z-test, Fisher's exact test when counts are small) at 5 %; while it is not significant,
changes says about how many more working days at the current pace would tell.`,
		Example: `  dayreport changes --config config/demo.yaml
  dayreport changes --config config/demo.yaml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			a, cfg, err := g.openApp(cmd, true, format)
			if err != nil {
				return err
			}
			defer g.closeApp(a)
			res, err := a.FollowChanges(cmd.Context())
			if err != nil {
				return &exitError{code: exitPartial, err: err}
			}
			names := map[string]string{}
			for _, e := range a.Employees() {
				names[e.ID] = e.Name
			}
			for _, p := range res.Problems {
				fmt.Fprintln(g.stderr, "warning:", p)
			}
			return writeChanges(g.stdout, res, names, cfg.Lang(), format)
		},
	}
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	return cmd
}

// writeChanges prints the change log followed through the funnel: JSON, or
// for a person a heading and one sentence per change.
func writeChanges(w io.Writer, res *pass.Changes, names map[string]string, lang, format string) error {
	if format == formatJSON {
		return writeJSON(w, res)
	}
	var b strings.Builder
	if len(res.Changes) == 0 {
		b.WriteString(tr(lang, "В журнале изменений ничего нет: добавьте changes: в настройки (дата, этап, что изменили).\n",
			"The change log is empty: add changes: to the configuration (date, stage, what changed).\n"))
	}
	for i, c := range res.Changes {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(c.Heading(lang, names) + "\n")
		b.WriteString("  " + c.Sentence(lang) + ".\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// funnelWithChanges is the JSON of `funnel`: the funnel and the change log
// followed through it.
type funnelWithChanges struct {
	*funnel.Result
	Changes []funnel.ChangeResult `json:"changes"`
}
