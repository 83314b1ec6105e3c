// Package gdrive is the report source of reports kept in Google Drive: each
// employee's report is a Google Doc (read by pkg/source/gdoc) or a Google
// Sheet or one tab of it (pkg/source/gsheet), chosen by its link, and Drive's
// change log and file metadata tell which documents changed since they were
// last read, so that an unchanged document costs no Docs or Sheets read.
package gdrive

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rs/zerolog"
	"google.golang.org/api/drive/v3"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

// Source sends each employee's report to the Docs or the Sheets source by
// its link; a bare id goes by Kind (source.kind).
type Source struct {
	Docs   *gdoc.Source
	Sheets *gsheet.Source
	// Kind is source.kind: config.SourceGDoc or config.SourceGSheet.
	Kind string
	// Drive reads file metadata (nil: every document is read every time).
	Drive *drive.Service
	// Folder is the Drive folder holding the reports (an id or its URL):
	// one files.list call per 1000 documents. Empty: one files.get each.
	Folder string
	// State keeps Drive's change-log token and the files' versions between
	// polls (the store): a poll then asks only for the changes since the
	// last one (see changes.go). Nil: every poll lists the files.
	State State
	// Log receives what the pass goes on without (a token not kept).
	Log zerolog.Logger

	// editors are who last modified each file and when, as the last
	// Revisions call learnt them (in the same request as the versions);
	// Fetch hands them on.
	mu      sync.Mutex
	editors map[string]editor

	// last is this pass's poll of the change log (nil: none yet); got
	// the versions asked with files.get this pass, without one.
	pollMu sync.Mutex
	last   *poll
	got    map[string]gotVersion
}

// editor is who last modified a file, and when.
type editor struct {
	by string
	at time.Time
}

var (
	_ source.Source     = (*Source)(nil)
	_ source.Prefetcher = (*Source)(nil)
	_ source.Watcher    = (*Source)(nil)
	_ source.Poller     = (*Source)(nil)
)

// IsSheet reports whether a roster's report reference names a spreadsheet.
func IsSheet(report, kind string) bool {
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
	return kind == config.SourceGSheet
}

// DocID is the Drive id of a report that is a Google Doc; false for a Sheet,
// an empty reference, or one that is not a Doc link or id.
func DocID(report, kind string) (string, bool) {
	if report == "" || IsSheet(report, kind) {
		return "", false
	}
	id, err := gdoc.DocumentID(report)
	return id, err == nil
}

// Fetch reads the employee's Doc or Sheet; who last modified it and when
// are what Drive said at the pass's Revisions call (none before one).
func (g *Source) Fetch(ctx context.Context, r source.Ref, ref day.Date) (*source.Fetched, error) {
	if r.Report == "" {
		return nil, fmt.Errorf("%w for %s: the roster names no report document", source.ErrNoDocument, r.Employee)
	}
	var (
		f   *source.Fetched
		err error
	)
	if IsSheet(r.Report, g.Kind) {
		f, err = g.Sheets.Fetch(ctx, r, ref)
	} else {
		f, err = g.Docs.Fetch(ctx, r, ref)
	}
	if err != nil {
		return f, err
	}
	if id, ok := g.fileID(r.Report); ok {
		g.mu.Lock()
		e := g.editors[id]
		g.mu.Unlock()
		f.EditedBy, f.EditedAt = e.by, e.at
	}
	return f, nil
}

// Prefetches reports whether r is a sheet-based report: those are read
// ahead, one batchGet per spreadsheet.
func (g *Source) Prefetches(r source.Ref) bool { return r.Report != "" && IsSheet(r.Report, g.Kind) }

// Prefetch reads every sheet-based report of refs, one batchGet per
// spreadsheet. A failure is not fatal: each Fetch then reads its own.
func (g *Source) Prefetch(ctx context.Context, refs []source.Ref, ref day.Date) error {
	var sheets []source.Ref
	for _, r := range refs {
		if g.Prefetches(r) {
			sheets = append(sheets, r)
		}
	}
	if len(sheets) == 0 {
		return nil
	}
	return g.Sheets.Prefetch(ctx, sheets, ref)
}

// fileID is the Drive file behind a roster link: a Doc or a spreadsheet.
func (g *Source) fileID(report string) (string, bool) {
	if report == "" {
		return "", false
	}
	if IsSheet(report, g.Kind) {
		l, err := gsheet.ParseLink(report)
		return l.ID, err == nil
	}
	id, err := gdoc.DocumentID(report)
	return id, err == nil
}

// driveListPage is the largest page files.list returns.
const driveListPage = 1000

// Revisions returns each employee's file version ("drive:<version>"). With
// a State, from Drive's change log (changes.go: one changes.list call when
// nothing changed). Without: with a folder, one files.list call per 1000
// documents; without (or for files outside it), one files.get per file (a
// spreadsheet shared by several employees once). An employee whose file
// Drive does not answer for, or is trashed, is left out (the pass reads the
// document, and the read says what is wrong). The same calls tell who last
// modified each file and when: Fetch hands that on until the next
// Revisions call.
func (g *Source) Revisions(ctx context.Context, refs []source.Ref) (map[string]string, error) {
	if g.Drive == nil {
		return nil, nil
	}
	files := map[string]string{} // employee → file
	ids := map[string]bool{}
	for _, r := range refs {
		if id, ok := g.fileID(r.Report); ok {
			files[r.Employee], ids[id] = id, true
		}
	}
	var (
		vers    map[string]string
		editors map[string]editor
		err     error
	)
	if g.State != nil {
		vers, editors, err = g.watched(ctx, ids)
	} else {
		vers, editors, err = g.versions(ctx, ids)
	}
	g.mu.Lock()
	g.editors = editors // nil on an error: nobody is named rather than a stale name
	g.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(files))
	for emp, id := range files {
		if v, ok := vers[id]; ok {
			out[emp] = v
		}
	}
	return out, nil
}

// fileFields are the file metadata a pass asks Drive for: the version that
// tells a change, and who made the last one and when (lastModifyingUser,
// modifiedTime; the Drive v3 File resource).
const fileFields = "id, version, modifiedTime, lastModifyingUser(displayName, emailAddress)"

func (g *Source) versions(ctx context.Context, ids map[string]bool) (map[string]string, map[string]editor, error) {
	out := make(map[string]string, len(ids))
	editors := make(map[string]editor, len(ids))
	note := func(f *drive.File) {
		out[f.Id] = "drive:" + strconv.FormatInt(f.Version, 10)
		if e := editorOf(f); e != (editor{}) {
			editors[f.Id] = e
		}
	}
	if folder := FolderID(g.Folder); folder != "" {
		err := g.listFolder(ctx, folder, func(f *drive.File) {
			if ids[f.Id] {
				note(f)
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	for id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		f, err := g.Drive.Files.Get(id).Fields(fileFields).SupportsAllDrives(true).Context(ctx).Do()
		if err != nil {
			continue // unknown: the document is read, and the read says what is wrong
		}
		note(f)
	}
	return out, editors, nil
}

// listFolder gives each file of the reports folder to each, one files.list
// call per 1000.
func (g *Source) listFolder(ctx context.Context, folder string, each func(*drive.File)) error {
	q := fmt.Sprintf("'%s' in parents and trashed = false", strings.ReplaceAll(folder, "'", `\'`))
	call := g.Drive.Files.List().Q(q).PageSize(driveListPage).Fields("nextPageToken, files(" + fileFields + ")").
		SupportsAllDrives(true).IncludeItemsFromAllDrives(true)
	err := call.Pages(ctx, func(page *drive.FileList) error {
		for _, f := range page.Files {
			each(f)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drive: list the reports folder: %w", err)
	}
	return nil
}

// editorOf is who last modified a file and when, as Drive tells it.
func editorOf(f *drive.File) editor {
	var e editor
	if u := f.LastModifyingUser; u != nil {
		e.by = Editor(u.DisplayName, u.EmailAddress)
	}
	if t, err := time.Parse(time.RFC3339Nano, f.ModifiedTime); err == nil {
		e.at = t
	}
	return e
}

// Editor is how a person who edited a report is named: "Анна Петрова
// <anna@example.ru>", the name or the address alone when Drive gives only
// one (an address is hidden unless its owner made it visible). Line breaks
// and other control characters become single spaces: the name goes into a
// one-line message and a cell.
func Editor(name, email string) string {
	clean := func(s string) string {
		return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)), " ")
	}
	name, email = clean(name), clean(email)
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case name != "":
		return name
	}
	return email
}

// FolderID accepts a folder id or its URL (…/drive/folders/<id>?usp=…).
func FolderID(s string) string {
	if i := strings.Index(s, "/folders/"); i >= 0 {
		s = s[i+len("/folders/"):]
	}
	if i := strings.IndexAny(s, "?#/"); i >= 0 {
		s = s[:i]
	}
	return s
}
