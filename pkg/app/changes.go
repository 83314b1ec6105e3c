package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/api/drive/v3"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
	"github.com/dayreport/dayreport/pkg/store"
)

// watcher learns from Drive metadata which report documents changed since
// they were last read, so that an unchanged document costs no Docs or Sheets
// read: with a folder, one files.list call per 1000 documents; without, one
// files.get per document (a spreadsheet shared by several employees once).
type watcher struct {
	drive  *drive.Service
	folder string
}

// driveListPage is the largest page files.list returns.
const driveListPage = 1000

// fileID is the Drive file behind a roster link: a Doc or a spreadsheet.
func (g *googleSource) fileID(report string) (string, bool) {
	if report == "" {
		return "", false
	}
	if g.isSheet(report) {
		l, err := gsheet.ParseLink(report)
		return l.ID, err == nil
	}
	id, err := gdoc.DocumentID(report)
	return id, err == nil
}

// versions returns the Drive version of each file ("drive:<version>").
func (w *watcher) versions(ctx context.Context, ids map[string]bool) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if w.folder != "" {
		q := fmt.Sprintf("'%s' in parents and trashed = false", strings.ReplaceAll(w.folder, "'", `\'`))
		call := w.drive.Files.List().Q(q).PageSize(driveListPage).Fields("nextPageToken, files(id, version)").
			SupportsAllDrives(true).IncludeItemsFromAllDrives(true)
		err := call.Pages(ctx, func(page *drive.FileList) error {
			for _, f := range page.Files {
				if ids[f.Id] {
					out[f.Id] = "drive:" + strconv.FormatInt(f.Version, 10)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("drive: list the reports folder: %w", err)
		}
	}
	// Files outside the folder (or no folder): one metadata call each.
	for id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		f, err := w.drive.Files.Get(id).Fields("id, version").SupportsAllDrives(true).Context(ctx).Do()
		if err != nil {
			continue // unknown: the document is read, and the read says what is wrong
		}
		out[id] = "drive:" + strconv.FormatInt(f.Version, 10)
	}
	return out, nil
}

// unchanged finds the employees whose document has not changed since it was
// last read and holds nothing new for day d: they are judged from the state
// alone. Their Drive revisions are returned for every employee with a file.
func (a *App) unchanged(ctx context.Context, d day.Date) (skip map[string]bool, revisions map[string]string) {
	g, ok := a.source.(*googleSource)
	if !ok || a.watch == nil {
		return nil, nil
	}
	files := map[string]string{} // employee → file
	ids := map[string]bool{}
	for _, e := range a.employees() {
		if id, ok := g.fileID(e.Report); ok {
			files[e.ID], ids[id] = id, true
		}
	}
	vers, err := a.watch.versions(ctx, ids)
	if err != nil {
		a.log.Warn().Err(err).Msg("Drive metadata unavailable; every report is read")
		return nil, nil
	}
	skip, revisions = map[string]bool{}, map[string]string{}
	for _, e := range a.employees() {
		rev, ok := vers[files[e.ID]]
		if !ok {
			continue
		}
		revisions[e.ID] = rev
		st, seen, err := a.store.Document(ctx, e.ID)
		if err != nil || !seen || st.Revision != rev {
			continue
		}
		if st.Newest.Before(d) {
			skip[e.ID] = true // it held no report for d when read, and has not changed
			continue
		}
		if prior, known, err := a.store.Day(ctx, e.ID, d); err == nil && known && !prior.FirstSeen.IsZero() {
			skip[e.ID] = true // its report for d is already stored
		}
	}
	return skip, revisions
}

// rememberDocument records what a pass read of a document: the revision to
// compare next time and the newest day it held.
func (a *App) rememberDocument(ctx context.Context, emp string, f *source.Fetched, driveRev string, sections []document.Section) {
	if a.dryRun || f == nil {
		return
	}
	st := store.DocumentState{Revision: f.Revision, ContentHash: f.Revision}
	if driveRev != "" {
		st.Revision = driveRev
	}
	for _, s := range sections {
		if s.Date.After(st.Newest) {
			st.Newest = s.Date
		}
	}
	if err := a.store.SaveDocument(ctx, emp, st); err != nil {
		a.log.Warn().Err(err).Str("employee", emp).Msg("remember the document's revision")
	}
}

// folderID accepts a folder id or its URL (…/drive/folders/<id>?usp=…).
func folderID(s string) string {
	if i := strings.Index(s, "/folders/"); i >= 0 {
		s = s[i+len("/folders/"):]
	}
	if i := strings.IndexAny(s, "?#/"); i >= 0 {
		s = s[:i]
	}
	return s
}
