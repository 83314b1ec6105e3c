package app

import (
	"context"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
	"github.com/dayreport/dayreport/pkg/source/local"
	sheetsummary "github.com/dayreport/dayreport/pkg/summary/gsheet"
)

// prefetcher is a source that can read many employees' documents at once
// before the pass fetches them one by one (the Sheets source: one batchGet
// per spreadsheet).
type prefetcher interface {
	Prefetch(ctx context.Context, refs []source.Ref, ref day.Date) error
}

// googleSource sends each employee's report to the Docs or the Sheets
// source by its link; a bare id goes by source.kind.
type googleSource struct {
	docs   *gdoc.Source
	sheets *gsheet.Source
	kind   string
}

var (
	_ source.Source = (*googleSource)(nil)
	_ prefetcher    = (*googleSource)(nil)
)

func (g *googleSource) isSheet(report string) bool {
	switch {
	case gsheet.IsSheetURL(report):
		return true
	case gdoc.IsDocURL(report):
		return false
	}
	// "<id>#<tab>" names a tab: only a spreadsheet has tabs by name in a link.
	if l, err := gsheet.ParseLink(report); err == nil && l.Tab != "" {
		return true
	}
	return g.kind == config.SourceGSheet
}

func (g *googleSource) Fetch(ctx context.Context, r source.Ref, ref day.Date) (*source.Fetched, error) {
	if r.Report == "" {
		return nil, fmt.Errorf("%w for %s: the roster names no report document", source.ErrNoDocument, r.Employee)
	}
	if g.isSheet(r.Report) {
		return g.sheets.Fetch(ctx, r, ref)
	}
	return g.docs.Fetch(ctx, r, ref)
}

// Prefetch reads every sheet-based report of the roster, one batchGet per
// spreadsheet. A failure is not fatal: each Fetch then reads its own.
func (g *googleSource) Prefetch(ctx context.Context, refs []source.Ref, ref day.Date) error {
	var sheets []source.Ref
	for _, r := range refs {
		if r.Report != "" && g.isSheet(r.Report) {
			sheets = append(sheets, r)
		}
	}
	if len(sheets) == 0 {
		return nil
	}
	return g.sheets.Prefetch(ctx, sheets, ref)
}

// newSource builds the configured report source, and for Google sources the
// Drive watcher that spares unchanged documents a read.
func newSource(ctx context.Context, cfg *config.Config, now func() time.Time, m *Metrics, tune func(*google.Options)) (source.Source, *watcher, error) {
	switch cfg.Source.Kind {
	case config.SourceLocal:
		return &local.Source{Dir: cfg.Local.Dir, Now: now, Location: cfg.CompanyLocation()}, nil, nil
	case config.SourceGDoc, config.SourceGSheet:
		opts := googleOptions(cfg.Google, m)
		if tune != nil {
			tune(&opts)
			opts.Limiters = google.NewLimiters(opts)
		}
		docs, err := google.NewDocs(ctx, opts)
		if err != nil {
			return nil, nil, err
		}
		sheets, err := google.NewSheets(ctx, opts, false)
		if err != nil {
			return nil, nil, err
		}
		drive, err := google.NewDrive(ctx, opts)
		if err != nil {
			return nil, nil, err
		}
		src := &googleSource{docs: &gdoc.Source{Docs: docs}, sheets: &gsheet.Source{Sheets: sheets, Now: now}, kind: cfg.Source.Kind}
		return src, &watcher{drive: drive, folder: folderID(cfg.Google.Folder)}, nil
	}
	return nil, nil, fmt.Errorf("source: unknown kind %q (want gdoc, gsheet or local)", cfg.Source.Kind)
}

// googleOptions are the Google clients' options from the configuration; one
// set of limiters is shared so that every client stays under one quota.
func googleOptions(c config.Google, m *Metrics) google.Options {
	opts := google.Options{CredentialsFile: c.CredentialsFile, Subject: c.Subject, Endpoint: c.Endpoint,
		ReadsPerMinute: c.ReadsPerMinute, DocsReadsPerMinute: c.DocsReadsPerMinute, OnRequest: m.GoogleRequest}
	opts.Limiters = google.NewLimiters(opts)
	return opts
}

// newRosterReader reads the roster tab of summary.spreadsheet.
func newRosterReader(ctx context.Context, cfg *config.Config, m *Metrics, tune func(*google.Options)) (*rosterReader, error) {
	link, err := gsheet.ParseLink(cfg.Summary.Spreadsheet)
	if err != nil {
		return nil, fmt.Errorf("summary.spreadsheet: %w", err)
	}
	opts := googleOptions(cfg.Google, m)
	if tune != nil {
		tune(&opts)
		opts.Limiters = google.NewLimiters(opts)
	}
	svc, err := google.NewSheets(ctx, opts, false)
	if err != nil {
		return nil, err
	}
	return &rosterReader{sheets: svc, id: link.ID}, nil
}

// newSheetWriter writes the summary with the one client that has the
// spreadsheets (write) scope; sources keep read-only scopes.
func newSheetWriter(ctx context.Context, cfg *config.Config, m *Metrics, tune func(*google.Options)) (*sheetsummary.Writer, error) {
	opts := googleOptions(cfg.Google, m)
	if tune != nil {
		tune(&opts)
		opts.Limiters = google.NewLimiters(opts)
	}
	svc, err := google.NewSheets(ctx, opts, true)
	if err != nil {
		return nil, err
	}
	return sheetsummary.New(svc), nil
}
