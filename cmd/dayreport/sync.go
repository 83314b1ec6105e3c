package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
)

// openApp loads the configuration and wires the app for a pass command.
// Console messages (the demo's reminders and digest) go to stdout with text
// output and to stderr when stdout carries JSON.
func (g *globals) openApp(cmd *cobra.Command, dryRun bool, format string) (*app.App, *config.Config, error) {
	cfg, err := app.LoadConfig(g.configPath, true)
	if err != nil {
		return nil, nil, usageError(err)
	}
	log, err := g.logger(cfg)
	if err != nil {
		return nil, nil, usageError(err)
	}
	console := g.stdout
	if format == formatJSON {
		console = g.stderr
	}
	a, err := app.New(cmd.Context(), cfg, app.Options{Now: g.clock, Log: log, DryRun: dryRun, Console: console})
	if err != nil {
		return nil, nil, openError(err)
	}
	return a, cfg, nil
}

// logger writes zerolog to stderr: console format on a terminal, JSON lines
// otherwise; secrets of the configuration are scrubbed from every line.
func (g *globals) logger(cfg *config.Config) (zerolog.Logger, error) {
	level := cfg.Log.Level
	if g.logLevel != "" {
		level = g.logLevel
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	var w io.Writer = app.NewScrubber(g.stderr, cfg.Secrets())
	term := false
	if f, ok := g.stderr.(*os.File); ok {
		term = isatty.IsTerminal(f.Fd())
	}
	if cfg.Log.Format == "console" || cfg.Log.Format == "auto" && term {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// today is the pass date when --date is not given: today in the company time zone.
func (g *globals) today(cfg *config.Config) day.Date {
	return calendar.Today(g.clock(), cfg.CompanyLocation())
}

func newSyncCmd(g *globals) *cobra.Command {
	var (
		date, format     string
		dryRun, noNotify bool
	)
	cmd := &cobra.Command{
		Use:   "sync [--date D] [--dry-run] [--no-notify] [--format text|json]",
		Short: "One full pass for a day: read, validate, store, push to the CRM, send what is due",
		Long: `sync runs one pass: it first closes every working day whose deadline has passed in the
employee's own time zone and that no pass closed yet (back to the ledger's horizon:
the first install, the employee's start, at most ledger.horizon days), then reads each
employee's document and judges the day (default: today in the company time zone) and
the week before it, stores the days, pushes their CRM records, writes the manager
summary, and sends the reminders and error lists that are due (once each).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runPass(cmd, date, format, dryRun, pass.Request{Kind: pass.KindSync, NoNotify: noNotify})
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "the day, YYYY-MM-DD (default: today in the company time zone)")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "read and validate only: nothing is written or sent anywhere; lists the messages that would be sent now")
	cmd.Flags().BoolVar(&noNotify, "no-notify", false, "send no reminder, error list or digest in this run")
	return cmd
}

func newCloseDayCmd(g *globals) *cobra.Command {
	var (
		date, format            string
		force, dryRun, noNotify bool
	)
	cmd := &cobra.Command{
		Use:   "close-day [--date D] [--force] [--dry-run] [--no-notify] [--format text|json]",
		Short: "After the deadline: mark everyone without a report absent, push the records, send the digest",
		Long: `close-day runs a pass that closes the day: every employee whose deadline has passed and
who has no report for a working day is marked absent, and the records are pushed (as every
pass does, it also closes earlier days that no pass reached). A report that appears later
turns absent into late. Employees whose deadline has not passed yet (a later time zone)
stay open unless --force is given. It then sends the manager's digest of the day, once:
a rerun does not send it again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runPass(cmd, date, format, dryRun, pass.Request{Kind: pass.KindCloseDay, Force: force, NoNotify: noNotify})
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "the day, YYYY-MM-DD (default: today in the company time zone)")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	cmd.Flags().BoolVar(&force, "force", false, "close the day even for employees whose deadline has not passed yet")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "read and validate only: nothing is written or sent anywhere; lists what would be sent")
	cmd.Flags().BoolVar(&noNotify, "no-notify", false, "send no reminder, error list or digest in this run")
	return cmd
}

func (g *globals) runPass(cmd *cobra.Command, date, format string, dryRun bool, req pass.Request) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	d, err := parseDateFlag("date", date)
	if err != nil {
		return err
	}
	a, cfg, err := g.openApp(cmd, dryRun, format)
	if err != nil {
		return err
	}
	defer g.closeApp(a)
	if d.IsZero() {
		d = g.today(cfg)
	}
	req.Date = d
	res, err := a.Run(cmd.Context(), req)
	if err != nil {
		return passError(err)
	}
	if err := writePass(g.stdout, res, a.Template, cfg.Lang(), format); err != nil {
		return err
	}
	if res.Partial() {
		return &exitError{code: exitPartial}
	}
	return nil
}

// passError maps a pass that could not run: a day the production calendar
// does not know (2: a configuration to complete), anything else (1) — another
// pass holding the lock included: nothing ran, and it is worth trying again.
func passError(err error) error {
	if errors.Is(err, calendar.ErrNotCovered) {
		return usageError(err)
	}
	return &exitError{code: exitPartial, err: err}
}

func newBackfillCmd(g *globals) *cobra.Command {
	var (
		from, to, format string
		replay, dryRun   bool
		noNotify, yes    bool
	)
	cmd := &cobra.Command{
		Use:   "backfill --from D --to D [--replay] [--dry-run] [--no-notify] [--format text|json]",
		Short: "Run sync for every working day in a range; idempotent",
		Long: `backfill runs a pass for every working day of the range, oldest first. A day before an
employee's start does not exist for them. A pass over days no pass closed has no evidence
of lateness: what it finds is submitted (or invalid), what it does not find is absent.
It sends nothing, unless --replay runs each day as it would have run just after that
day's deadline (the reminders and the last day's digest included). --dry-run writes and
sends nothing and prints what it would push, by status. At a terminal it first says what
it will push and asks to go on (--yes does not ask).`,
		Example: `  dayreport backfill --config config/demo.yaml --from 2026-10-26 --to 2026-11-06 --replay`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			f, err := parseDateFlag("from", from)
			if err != nil {
				return err
			}
			t, err := parseDateFlag("to", to)
			if err != nil {
				return err
			}
			if f.IsZero() || t.IsZero() || t.Before(f) {
				return usageError(errors.New("backfill: --from and --to are required and --from must not be after --to"))
			}
			opts := pass.BackfillOptions{Replay: replay, NoNotify: noNotify}
			if g.interactive && !dryRun && !yes {
				ok, err := g.confirmBackfill(cmd, f, t, opts)
				if err != nil || !ok {
					return err
				}
			}
			a, cfg, err := g.openApp(cmd, dryRun, format)
			if err != nil {
				return err
			}
			defer g.closeApp(a)
			if isTerminal(g.stderr) {
				opts.Progress = func(done, total int, d day.Date) {
					const width = 30
					n := done * width / max(total, 1)
					fmt.Fprintf(g.stderr, "\r[%s%s] %d/%d %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total, d)
					if done == total {
						fmt.Fprintln(g.stderr)
					}
				}
			}
			res, err := a.Backfill(cmd.Context(), f, t, opts)
			if err != nil {
				return passError(err)
			}
			if err := writeBackfill(g.stdout, res, a.Template, cfg.Lang(), format); err != nil {
				return err
			}
			if res.Partial() {
				return &exitError{code: exitPartial}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD")
	cmd.Flags().StringVar(&format, "format", formatText, "output format: text or json")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "write and send nothing; print what would be pushed, by status")
	cmd.Flags().BoolVar(&noNotify, "no-notify", false, "with --replay: send none of the replayed reminders, error lists and digest")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask at a terminal before pushing")
	cmd.Flags().BoolVar(&replay, "replay", false, "run each day's pass as it would have run just after that day's deadline (reproduces late reports from a source that keeps history)")
	return cmd
}

// confirmBackfill runs the backfill dry, says what the real one would push
// and asks to go on; false (nothing done) unless the answer is yes.
func (g *globals) confirmBackfill(cmd *cobra.Command, from, to day.Date, opts pass.BackfillOptions) (bool, error) {
	dry, cfg, err := g.openApp(cmd, true, formatText)
	if err != nil {
		return false, err
	}
	preview := opts
	preview.Progress = nil
	res, err := dry.Backfill(cmd.Context(), from, to, preview)
	g.closeApp(dry)
	if err != nil {
		return false, passError(err)
	}
	lang := cfg.Lang()
	var b strings.Builder
	writeRecordCounts(&b, res, lang)
	total := 0
	for _, n := range res.Records {
		total += n
	}
	if total == 0 {
		return true, nil
	}
	fmt.Fprint(g.stderr, strings.TrimLeft(b.String(), "\n"))
	fmt.Fprint(g.stderr, tr(lang, "Продолжить? [д/Н] ", "Go on? [y/N] "))
	line, _ := bufio.NewReader(g.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes", "д", "да":
		return true, nil
	}
	fmt.Fprintln(g.stderr, tr(lang, "Отменено: ничего не записано и не отправлено.", "Cancelled: nothing written or sent."))
	return false, nil
}

// closeApp releases the state database; a failure to close is reported, not fatal.
func (g *globals) closeApp(a *app.App) {
	if err := a.Close(); err != nil {
		fmt.Fprintln(g.stderr, "dayreport: close the state database:", err)
	}
}
