package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
	"github.com/dayreport/dayreport/pkg/source/gdrive"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
	"github.com/dayreport/dayreport/pkg/source/local"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
	sheetsummary "github.com/dayreport/dayreport/pkg/summary/gsheet"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
	"google.golang.org/api/sheets/v4"
)

// googleWiring builds the Google clients of a configuration: each with the
// scopes it needs and no more, all counted by one hook.
type googleWiring struct {
	cfg       *config.Config
	onRequest func(api string, code int)
	tune      func(*google.Options)
	// limiters are shared by every client built from this wiring (see
	// shared); nil: each options() sizes its own.
	limiters *google.Limiters
	// manager is the manager spreadsheet's Drive version and tabs is its
	// tab reader, shared by the roster, the plans, the change log and the
	// summary writer (set by wireSources; nil without a spreadsheet).
	manager *managerVersion
	tabs    *gsheet.Tabs
}

// shared returns the wiring with one set of limiters for every client it
// builds: the Docs, Sheets and Drive clients of the source, the manager
// spreadsheet's and the commenter's all count against one quota.
func (g googleWiring) shared() googleWiring {
	g.limiters = g.options().Limiters
	return g
}

// options are the Google clients' options from the configuration, with the
// wiring's shared limiters when it has them.
func (g googleWiring) options() google.Options {
	c := g.cfg.Google
	opts := google.Options{CredentialsFile: c.CredentialsFile, Subject: c.Subject, Endpoint: c.Endpoint,
		ReadsPerMinute: c.ReadsPerMinute, DocsReadsPerMinute: c.DocsReadsPerMinute, OnRequest: g.onRequest}
	if g.tune != nil {
		g.tune(&opts)
	}
	opts.Limiters = g.limiters
	if opts.Limiters == nil {
		opts.Limiters = google.NewLimiters(opts)
	}
	return opts
}

// wireSources sets the report source, its watcher that spares unchanged
// documents a read (Drive's versions; a local file's stamp), and the roster.
func wireSources(ctx context.Context, d *pass.Deps, g *googleWiring, now func() time.Time, wrap func(source.Source) source.Source) error {
	src, err := newSource(ctx, *g, now)
	if err != nil {
		return err
	}
	var versions *gdrive.Source
	if w, ok := src.(*gdrive.Source); ok {
		// Drive's change token and the files' versions are kept in the
		// store between polls: an unchanged poll is one changes.list.
		if d.Store != nil {
			w.State, w.Log = driveState{d.Store}, d.Log
		}
		d.Watcher = w
		d.Pollers = append(d.Pollers, w)
		versions = w
	}
	if l, ok := src.(*local.Source); ok {
		d.Strays = l
		d.Watcher = l // a stat per file tells the unchanged ones
	}
	d.Source = src
	if wrap != nil {
		d.Source = wrap(src)
	}
	if err := g.wireManager(ctx, d, versions); err != nil {
		return err
	}
	if g.cfg.Roster == config.RosterSheet {
		d.Roster = &gsheet.Roster{Tabs: g.tabs, SourceKind: g.cfg.Source.Kind}
		d.Plans = &gsheet.PlanTab{Tabs: g.tabs}
	}
	wireChangeLog(d, *g)
	return nil
}

// wireManager sets the manager spreadsheet's tab reader and its Drive
// version, when there is a spreadsheet (summary.spreadsheet). Its version
// comes from the Drive source's change log poll (nothing more to ask), or
// with local reports from one files.get per pass. A tab is read again only
// when the version changed since it was read (the store keeps it), and
// the summary is written again only when it changed or the spreadsheet
// did (so a poll where nothing changed asks Google once).
func (g *googleWiring) wireManager(ctx context.Context, d *pass.Deps, versions *gdrive.Source) error {
	if strings.TrimSpace(g.cfg.Summary.Spreadsheet) == "" {
		return nil
	}
	svc, id, err := g.managerSheet(ctx)
	if err != nil {
		return err
	}
	g.tabs = &gsheet.Tabs{Sheets: svc, ID: id}
	d.Pollers = append(d.Pollers, g.tabs)
	if d.Store == nil || d.DryRun {
		return nil // nothing kept: every tab read, the summary not written
	}
	if versions == nil {
		// Local reports: a Drive client for the spreadsheet's version
		// alone (one files.get a pass).
		drv, err := google.NewDrive(ctx, g.options())
		if err != nil {
			return err
		}
		versions = &gdrive.Source{Drive: drv}
		d.Pollers = append(d.Pollers, versions)
	}
	g.manager = &managerVersion{id: id, src: versions}
	g.tabs.Version, g.tabs.Kept = g.manager.polled, d.Store
	return nil
}

// managerVersion is the manager spreadsheet's Drive version: as this
// pass's poll gave it (the Drive source asks once a pass), or now.
type managerVersion struct {
	id  string
	src *gdrive.Source
}

func (m *managerVersion) polled(ctx context.Context) (int64, bool) {
	return m.src.FileVersion(ctx, m.id)
}

func (m *managerVersion) now(ctx context.Context) (int64, bool) {
	return m.src.CurrentVersion(ctx, m.id)
}

// driveState keeps the Drive source's change token and files in the store.
type driveState struct{ s *store.Store }

func (d driveState) DriveWatch(ctx context.Context) (gdrive.Watch, error) {
	w, err := d.s.DriveWatch(ctx)
	if err != nil {
		return gdrive.Watch{}, err
	}
	files := make(map[string]gdrive.File, len(w.Files))
	for id, f := range w.Files {
		files[id] = gdrive.File{Version: f.Version, EditedBy: f.EditedBy, EditedAt: f.EditedAt, Gone: f.Gone}
	}
	return gdrive.Watch{Scope: w.Scope, Token: w.Token, Files: files}, nil
}

// SaveDriveWatch keeps nothing in a read-only store (a dry run): the next
// poll asks Drive for the same changes.
func (d driveState) SaveDriveWatch(ctx context.Context, w gdrive.Watch, replace bool) error {
	files := make(map[string]store.DriveFile, len(w.Files))
	for id, f := range w.Files {
		files[id] = store.DriveFile{Version: f.Version, EditedBy: f.EditedBy, EditedAt: f.EditedAt, Gone: f.Gone}
	}
	err := d.s.SaveDriveWatch(ctx, store.DriveWatch{Scope: w.Scope, Token: w.Token, Files: files}, replace)
	if errors.Is(err, store.ErrReadOnly) {
		return nil
	}
	return err
}

// managerSheet is a read client of the manager spreadsheet
// (summary.spreadsheet) and its id: the roster, План and Изменения tabs.
func (g googleWiring) managerSheet(ctx context.Context) (*sheets.Service, string, error) {
	link, err := gsheet.ParseLink(g.cfg.Summary.Spreadsheet)
	if err != nil {
		return nil, "", fmt.Errorf("summary.spreadsheet: %w", err)
	}
	svc, err := google.NewSheets(ctx, g.options(), false)
	if err != nil {
		return nil, "", err
	}
	return svc, link.ID, nil
}

// newSource builds the configured report source.
func newSource(ctx context.Context, g googleWiring, now func() time.Time) (source.Source, error) {
	cfg := g.cfg
	switch cfg.Source.Kind {
	case config.SourceLocal:
		return &local.Source{Dir: cfg.Local.Dir, Now: now, Location: cfg.CompanyLocation()}, nil
	case config.SourceGDoc, config.SourceGSheet:
		opts := g.options()
		docs, err := google.NewDocs(ctx, opts)
		if err != nil {
			return nil, err
		}
		sheets, err := google.NewSheets(ctx, opts, false)
		if err != nil {
			return nil, err
		}
		drive, err := google.NewDrive(ctx, opts)
		if err != nil {
			return nil, err
		}
		return &gdrive.Source{Docs: &gdoc.Source{Docs: docs}, Sheets: &gsheet.Source{Sheets: sheets, Now: now},
			Kind: cfg.Source.Kind, Drive: drive, Folder: cfg.Google.Folder}, nil
	}
	return nil, fmt.Errorf("source: unknown kind %q (want gdoc, gsheet or local)", cfg.Source.Kind)
}

// xlsxWriter writes the summary workbook (summary.xlsx).
type xlsxWriter struct{ path string }

func (w xlsxWriter) Write(_ context.Context, m *summary.Model) error { return xlsx.Write(w.path, m) }

// WriteIf makes the workbook a pass.KeepingWriter: the workbook is written
// next to the file and replaces it only when keep says so.
func (w xlsxWriter) WriteIf(_ context.Context, m *summary.Model, keep func() bool) (written bool, copied int, err error) {
	return xlsx.WriteIf(w.path, m, keep)
}

// StreamsDays: the workbook's Сводка tab is written from the model's
// DaysFrom, never held whole (pass.DaysStreamer).
func (xlsxWriter) StreamsDays() {}

// Target and State make the workbook a pass.StampedWriter: a file as the
// last pass wrote it (same size and time) is not written again when the
// summary did not change.
func (w xlsxWriter) Target() string { return "xlsx:" + w.path }

func (w xlsxWriter) State(context.Context, bool) (string, error) {
	info, err := os.Stat(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(info.ModTime().UnixNano(), 10) + "/" + strconv.FormatInt(info.Size(), 10), nil
}

// sheetWriter writes the summary into the manager's Google Sheet.
type sheetWriter struct {
	w           *sheetsummary.Writer
	spreadsheet string
	// version is the spreadsheet's Drive version (nil: unknown, and the
	// summary is written on every pass).
	version *managerVersion
}

func (w sheetWriter) Write(ctx context.Context, m *summary.Model) error {
	return w.w.Write(ctx, w.spreadsheet, m)
}

// Target and State make the Google Sheet a pass.StampedWriter when Drive
// tells its version: a summary that did not change is not written again
// while nobody touched the spreadsheet since dayreport wrote it (the
// version this pass's poll of Drive's change log gave equals the one
// Drive gave right after that write).
func (w sheetWriter) Target() string { return "sheet:" + w.version.id }

func (w sheetWriter) State(ctx context.Context, written bool) (string, error) {
	if w.version == nil {
		return "", nil
	}
	var (
		v  int64
		ok bool
	)
	if written {
		v, ok = w.version.now(ctx)
	} else {
		v, ok = w.version.polled(ctx)
	}
	if !ok {
		return "", nil
	}
	return "drive:" + strconv.FormatInt(v, 10), nil
}

// unstampedSheet is the Google Sheet's writer without Drive's version.
type unstampedSheet struct{ w sheetWriter }

func (u unstampedSheet) Write(ctx context.Context, m *summary.Model) error { return u.w.Write(ctx, m) }

// wireSummaries sets the summary writers: the workbook first, then the
// manager's Google Sheet, with the one client that has the spreadsheets
// (write) scope; sources keep read-only scopes. A dry run writes none.
func wireSummaries(ctx context.Context, d *pass.Deps, g googleWiring) error {
	if d.DryRun {
		return nil
	}
	if p := g.cfg.Summary.XLSX; p != "" {
		d.Summaries = append(d.Summaries, xlsxWriter{path: p})
	}
	if s := g.cfg.Summary.Spreadsheet; s != "" {
		svc, err := google.NewSheets(ctx, g.options(), true)
		if err != nil {
			return err
		}
		w := sheetWriter{w: sheetsummary.New(svc), spreadsheet: s, version: g.manager}
		if w.version == nil {
			// Without Drive's version the writer is not stamped: it
			// writes every time, as a pass.SummaryWriter.
			d.Summaries = append(d.Summaries, unstampedSheet{w})
			return nil
		}
		d.Summaries = append(d.Summaries, w)
	}
	return nil
}

// docCommentTimeout bounds the comment requests of one employee-day.
const docCommentTimeout = 20 * time.Second

// wireComments sets the Doc commenter (feedback.doc_comments) with the one
// client that has Drive's full scope. Each request is tried once: a failure
// is tried again by the next pass, never waited for in this one.
func wireComments(ctx context.Context, d *pass.Deps, g googleWiring) error {
	if !g.cfg.Feedback.DocComments || d.DryRun {
		return nil
	}
	if g.cfg.Source.Kind == config.SourceLocal {
		d.Log.Warn().Msg("feedback.doc_comments: the reports are local files, not Google Docs; no comments")
		return nil
	}
	opts := g.options()
	opts.MaxAttempts = 1
	svc, err := google.NewDriveComments(ctx, opts)
	if err != nil {
		return err
	}
	c := &feedback.Commenter{Drive: svc, Lang: g.cfg.Lang(), Timeout: docCommentTimeout, Ledger: d.Store}
	d.Comments = explainedComments{c}
	kind := g.cfg.Source.Kind
	d.DocID = func(e config.Employee) (string, bool) { return gdrive.DocID(e.Report, kind) }
	return nil
}

// explainedComments says what a Google error means (not shared, not found).
type explainedComments struct{ c *feedback.Commenter }

func (x explainedComments) Sync(ctx context.Context, r feedback.Report) (feedback.Action, error) {
	act, err := x.c.Sync(ctx, r)
	if err != nil {
		err = google.Explain(err, "document", nil)
	}
	return act, err
}
