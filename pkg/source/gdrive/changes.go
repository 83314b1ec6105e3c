package gdrive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"time"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
)

// State is where a poll keeps what Drive told it, for the next poll, which
// may run in another process (the store, through pkg/app: a cron's
// `dayreport sync`). A state that keeps nothing (a dry run's) answers
// SaveDriveWatch with nil.
type State interface {
	DriveWatch(ctx context.Context) (Watch, error)
	SaveDriveWatch(ctx context.Context, w Watch, replace bool) error
}

// Watch is what Drive told the last poll about the report files: the page
// token of its change log and every known file.
type Watch struct {
	// Scope is the reports folder the files were listed for ("" without
	// one): a poll for another folder starts over.
	Scope string
	// Token is the changes.list page token to ask from ("": none yet).
	Token string
	// Files are the known files by Drive id.
	Files map[string]File
}

// File is a Drive file as the last listing or change told it.
type File struct {
	// Version is Drive's version of the file: it grows with every change.
	Version int64
	// EditedBy and EditedAt are who last modified it and when.
	EditedBy string
	EditedAt time.Time
	// Gone: trashed or removed (deleted, access lost).
	Gone bool
}

// changeFields are what a poll asks of Drive's change log (the v3 Change
// and ChangeList resources): per changed file its version, last editor,
// whether it is trashed or removed, and its folders.
const changeFields = "nextPageToken, newStartPageToken, changes(fileId, removed, time, " +
	"file(id, version, modifiedTime, lastModifyingUser(displayName, emailAddress), trashed, parents))"

// getFields are files.get's: fileFields and whether the file is trashed.
const getFields = fileFields + ", trashed"

// driveChangesPage is the largest page changes.list returns.
const driveChangesPage = 1000

// watched is versions with Drive's change log: the first poll (no token
// kept, or one for another folder) takes a start token, then lists the
// files as versions does; a later poll asks changes.list for what changed
// since the kept token (one call when nothing did) and takes every other
// file's version as kept. A token Drive rejects starts over. Files never
// seen (a new employee outside the folder, the manager spreadsheet) cost a
// files.get each, once. Drive is asked once per pass (polled): the manager
// spreadsheet's version (FileVersion) and the reports' come from the same
// changes.list.
//
// What the poll learnt is kept, token and files in one transaction, before
// any document is read: a pass that stops before it remembers a document
// it read finds the document's version newer than the one it remembered,
// and reads it again; a poll that stops before keeping the token asks for
// the same changes again. Either way no change is lost.
func (g *Source) watched(ctx context.Context, ids map[string]bool) (map[string]string, map[string]editor, error) {
	p, err := g.polled(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	if p.noLog {
		// An endpoint without the change log (google.endpoint pointing
		// at a server that has files only): every poll lists the files,
		// as before the change log.
		return g.versions(ctx, ids)
	}
	files := g.fill(ctx, p, ids)
	out := make(map[string]string, len(ids))
	editors := make(map[string]editor, len(ids))
	for id := range ids {
		f, ok := files[id]
		if !ok || f.Gone {
			continue // trashed or removed: read, and the read says what is wrong
		}
		out[id] = "drive:" + strconv.FormatInt(f.Version, 10)
		if f.EditedBy != "" || !f.EditedAt.IsZero() {
			editors[id] = editor{by: f.EditedBy, at: f.EditedAt}
		}
	}
	return out, editors, nil
}

// poll is what a pass learnt from Drive's change log: every known file as
// of the poll, or that the endpoint has no change log, or the poll's error.
type poll struct {
	w     Watch
	noLog bool
	err   error
}

// NewPoll forgets what the last pass learnt from Drive: the next question
// (Revisions, FileVersion) asks Drive's change log again. The pass engine
// calls it when a pass starts (source.Poller).
func (g *Source) NewPoll() {
	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	g.last, g.got = nil, nil
}

// polled is this pass's poll of Drive's change log, made on the first
// question of the pass (ids: the files that question is about, whose
// changes are kept even when the state does not know them yet).
func (g *Source) polled(ctx context.Context, ids map[string]bool) (*poll, error) {
	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	if g.last == nil {
		g.last = g.pollDrive(ctx, ids)
	}
	return g.last, g.last.err
}

func (g *Source) pollDrive(ctx context.Context, ids map[string]bool) *poll {
	folder := FolderID(g.Folder)
	w, err := g.State.DriveWatch(ctx)
	if err != nil {
		return &poll{err: fmt.Errorf("drive: the kept change token: %w", err)}
	}
	if w.Files == nil {
		w.Files = map[string]File{}
	}
	replace := w.Token == "" || w.Scope != folder
	var changed map[string]File
	if !replace {
		var token string
		changed, token, err = g.changesSince(ctx, w, folder, ids)
		switch {
		case rejectedToken(err):
			g.Log.Info().Err(err).Msg("Drive no longer honours the kept change token; the report files are listed again")
			replace = true
		case err != nil:
			return &poll{err: err}
		default:
			if token != w.Token {
				changed = orEmpty(changed)
			}
			w.Token = token
			for id, f := range changed {
				w.Files[id] = f
			}
		}
	}
	if replace {
		if w, err = g.listAll(ctx, folder); err != nil {
			if notServed(err) {
				return &poll{noLog: true}
			}
			return &poll{err: err}
		}
	}
	switch {
	case replace:
		err = g.State.SaveDriveWatch(ctx, w, true)
	case changed != nil:
		err = g.State.SaveDriveWatch(ctx, Watch{Scope: w.Scope, Token: w.Token, Files: changed}, false)
	}
	if err != nil {
		g.Log.Warn().Err(err).Msg("keep Drive's change token; the next poll asks for these changes again")
	}
	return &poll{w: w}
}

// fill adds to the poll the files of ids it does not know (a files.get
// each, kept in the state), and returns the poll's files.
func (g *Source) fill(ctx context.Context, p *poll, ids map[string]bool) map[string]File {
	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	var unknown []string
	for id := range ids {
		if _, ok := p.w.Files[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown) // asked in the same order every time
	var added map[string]File
	for _, id := range unknown {
		f, err := g.Drive.Files.Get(id).Fields(getFields).SupportsAllDrives(true).Context(ctx).Do()
		if err != nil {
			continue // unknown: the document is read, and the read says what is wrong
		}
		p.w.Files[id] = fileState(f, false)
		added = orEmpty(added)
		added[id] = p.w.Files[id]
	}
	if added != nil {
		if err := g.State.SaveDriveWatch(ctx, Watch{Scope: p.w.Scope, Token: p.w.Token, Files: added}, false); err != nil {
			g.Log.Warn().Err(err).Msg("keep Drive's file versions; the next poll asks for them again")
		}
	}
	return p.w.Files
}

// FileVersion is the Drive version of file id as this pass's poll learnt
// it (the change log's, or a files.get the first time the file is asked
// about); false when Drive did not tell (no Drive client, an error, the
// file trashed or gone). The manager spreadsheet's tabs are read again
// only when it changes (pkg/source/gsheet.Tabs).
func (g *Source) FileVersion(ctx context.Context, id string) (int64, bool) {
	if g.Drive == nil || id == "" {
		return 0, false
	}
	ids := map[string]bool{id: true}
	if g.State != nil {
		p, err := g.polled(ctx, ids)
		if err != nil {
			return 0, false
		}
		if !p.noLog {
			f, ok := g.fill(ctx, p, ids)[id]
			return f.Version, ok && !f.Gone
		}
	}
	// Without the change log: one files.get per pass.
	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	if v, ok := g.got[id]; ok {
		return v.version, v.ok
	}
	var v gotVersion
	v.version, v.ok = g.fileVersionNow(ctx, id)
	if g.got == nil {
		g.got = map[string]gotVersion{}
	}
	g.got[id] = v
	return v.version, v.ok
}

// gotVersion is a file's version as a files.get gave it this pass.
type gotVersion struct {
	version int64
	ok      bool
}

// CurrentVersion asks Drive for file id's version now (one files.get): the
// manager spreadsheet's right after dayreport wrote the summary into it.
func (g *Source) CurrentVersion(ctx context.Context, id string) (int64, bool) {
	if g.Drive == nil || id == "" {
		return 0, false
	}
	return g.fileVersionNow(ctx, id)
}

func (g *Source) fileVersionNow(ctx context.Context, id string) (int64, bool) {
	f, err := g.Drive.Files.Get(id).Fields("id, version, trashed").SupportsAllDrives(true).Context(ctx).Do()
	if err != nil || f.Trashed {
		return 0, false
	}
	return f.Version, true
}

func orEmpty(m map[string]File) map[string]File {
	if m == nil {
		return map[string]File{}
	}
	return m
}

// listAll is a full listing: a start token first (a change made while the
// files are listed is then reported by the next poll, never missed), then
// every file of the folder, one files.list call per 1000.
func (g *Source) listAll(ctx context.Context, folder string) (Watch, error) {
	tok, err := g.Drive.Changes.GetStartPageToken().SupportsAllDrives(true).Context(ctx).Do()
	if err != nil {
		return Watch{}, fmt.Errorf("drive: start the change log: %w", err)
	}
	w := Watch{Scope: folder, Token: tok.StartPageToken, Files: map[string]File{}}
	if folder == "" {
		return w, nil
	}
	if err := g.listFolder(ctx, folder, func(f *drive.File) { w.Files[f.Id] = fileState(f, false) }); err != nil {
		return Watch{}, err
	}
	return w, nil
}

// changesSince reads the change log from w.Token to its end: the files it
// tells about that a poll follows (a known file, a report's, or one in the
// folder), and the token for the next poll.
func (g *Source) changesSince(ctx context.Context, w Watch, folder string, ids map[string]bool) (map[string]File, string, error) {
	var changed map[string]File
	tok := w.Token
	for {
		page, err := g.Drive.Changes.List(tok).PageSize(driveChangesPage).Fields(changeFields).
			SupportsAllDrives(true).IncludeItemsFromAllDrives(true).Context(ctx).Do()
		if err != nil {
			return nil, "", fmt.Errorf("drive: list the changes: %w", err)
		}
		for _, c := range page.Changes {
			id := c.FileId
			if id == "" {
				continue // a shared drive's own change
			}
			prev, known := w.Files[id]
			if !known && !ids[id] && (c.File == nil || folder == "" || !slices.Contains(c.File.Parents, folder)) {
				continue
			}
			changed = orEmpty(changed)
			if c.Removed || c.File == nil {
				prev.Gone = true
				changed[id] = prev
				continue
			}
			changed[id] = fileState(c.File, c.File.Trashed)
		}
		switch {
		case page.NextPageToken != "":
			tok = page.NextPageToken
		case page.NewStartPageToken != "":
			return changed, page.NewStartPageToken, nil
		default:
			return nil, "", errors.New("drive: the change list ends without a token for the next poll")
		}
	}
}

// rejectedToken reports whether Drive refused the page token itself (410
// Gone, or 400 naming pageToken): Drive says to discard such a token and
// start over.
func rejectedToken(err error) bool {
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return false
	}
	if ge.Code == http.StatusGone {
		return true
	}
	// The parsed error keeps no location: the body names it.
	return ge.Code == http.StatusBadRequest && strings.Contains(ge.Body, `"pageToken"`)
}

// notServed reports whether Drive answered that it has no such method (404
// to changes.getStartPageToken, whose path names no file).
func notServed(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
}

// fileState is a Drive file as the store keeps it.
func fileState(f *drive.File, gone bool) File {
	e := editorOf(f)
	return File{Version: f.Version, EditedBy: e.by, EditedAt: e.at, Gone: gone || f.Trashed}
}
