package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
)

// Exit statuses of SPEC §2.
const (
	exitOK      = 0
	exitPartial = 1
	exitUsage   = 2
)

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks a bad flag or configuration (exit 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// openError maps a failure to wire the app: the configuration's (exit 2:
// a restart will not fix it), or a temporary one — the disk, the state
// database, the network — (exit 1: a supervisor restarts on it).
func openError(err error) error {
	if app.IsConfigError(err) {
		return usageError(err)
	}
	return &exitError{code: exitPartial, err: err}
}

// globals are the flags every command takes.
type globals struct {
	configPath     string
	configExplicit bool
	nowFlag        string
	now            time.Time
	logLevel       string
	stdout, stderr io.Writer
	// stdin answers questions when interactive (a person at a terminal).
	stdin       io.Reader
	interactive bool
}

// run executes the command line and returns the process exit status; it
// asks questions only when standard input and error are a terminal.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIO(ctx, args, os.Stdin, stdout, stderr, isTerminal(os.Stdin) && isTerminal(stderr))
}

// isTerminal reports whether f is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && isatty.IsTerminal(file.Fd())
}

// runIO is run with its input and whether a person answers there.
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, interactive bool) int {
	g := &globals{stdout: stdout, stderr: stderr, stdin: stdin, interactive: interactive}
	root := newRoot(g)
	localizeHelp(root, helpLanguage(args, os.Getenv))
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "dayreport:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors: unknown command or flag.
	fmt.Fprintln(stderr, "dayreport:", err)
	return exitUsage
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "dayreport",
		Short: "Daily sales reports: collect, validate, push to the CRM, mark absences, show the funnel",
		Long: `dayreport reads each sales employee's end-of-day report (Google Doc, Google Sheet
or a local file), validates it against a report template, pushes one record per
employee per day into the CRM, marks everyone without a report as absent, checks
the numbers against the CRM, and writes a funnel summary for the manager.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			g.configExplicit = cmd.Flags().Changed("config")
			if !g.configExplicit {
				if env := os.Getenv("DAYREPORT_CONFIG"); env != "" {
					g.configPath, g.configExplicit = env, true
				}
			}
			if g.nowFlag != "" {
				t, err := time.Parse(time.RFC3339, g.nowFlag)
				if err != nil {
					return usageError(fmt.Errorf("--now: want RFC 3339 like 2026-11-26T21:30:00+03:00: %w", err))
				}
				g.now = t
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&g.configPath, "config", app.DefaultConfigPath, "configuration file (or $DAYREPORT_CONFIG)")
	root.PersistentFlags().StringVar(&g.nowFlag, "now", "", "pretend the clock reads this RFC 3339 time (replays, demos, tests)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "", "log level: debug, info, warn, error (default: the config's log.level)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(newCheckCmd(g), newConfigCmd(g), newVersionCmd(g),
		newSyncCmd(g), newCloseDayCmd(g), newBackfillCmd(g), newFunnelCmd(g), newRunCmd(g), newCRMCmd(g))
	root.AddCommand(newPlanCmd(g), newMonthCmd(g))
	root.AddCommand(newInitCmd(g))
	root.AddCommand(newChangesCmd(g))
	return root
}
