package gdrive_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
	"github.com/dayreport/dayreport/pkg/source/gdrive"
)

// driveCalls are the Drive requests since the last reset, by method and
// path (changes.list, files.list, a files.get each, the start token).
func driveCalls(fake *googlefake.Server) map[string]int {
	out := map[string]int{}
	for _, r := range fake.Requests() {
		if r.API == googlefake.APIDrive {
			p := r.Path[len("/drive/v3/"):]
			if len(p) > len("files/") && p[:len("files/")] == "files/" {
				p = "files/{id}"
			}
			out[p]++
		}
	}
	return out
}

// TestRevisionsFromChanges: 2 100 reports in a folder, each source a new
// one on the same store (a new process per poll, as cron runs them). The
// first poll lists them (3 pages) after taking the start token; an
// unchanged poll is one changes.list; 1 000 edits are two pages of it and
// change those versions only; another folder starts over.
func TestRevisionsFromChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	fake := googlefake.New(t, googlefake.Options{Now: func() time.Time { return at }})
	st := &memState{}

	fake.PutFile("folder", "Отчёты", googlefake.MIMEFolder)
	var refs []source.Ref
	for i := range 2100 {
		id := fmt.Sprintf("1doc%04d", i)
		fake.PutDoc(id, &docs.Document{Title: id})
		fake.SetFileParent(id, "folder")
		refs = append(refs, source.Ref{Employee: fmt.Sprintf("e%04d", i), Report: gdoc.URL(id)})
	}
	fake.PutDoc("1other", &docs.Document{Title: "не отчёт"}) // someone else's file: its changes are nobody's business
	svc, err := drive.NewService(ctx, option.WithEndpoint(fake.URL+"/drive/v3/"), option.WithoutAuthentication(),
		option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	poll := func(folder string) (map[string]string, map[string]int) {
		t.Helper()
		fake.ResetRequests()
		g := &gdrive.Source{Kind: "gdoc", Drive: svc, Folder: folder, State: st}
		revs, err := g.Revisions(ctx, refs)
		require.NoError(t, err)
		return revs, driveCalls(fake)
	}

	// Without a kept state (as before the change log): every poll lists
	// the folder, a files.list call per 1 000 files.
	fake.ResetRequests()
	revs, err := (&gdrive.Source{Kind: "gdoc", Drive: svc, Folder: "folder"}).Revisions(ctx, refs)
	require.NoError(t, err)
	require.Len(t, revs, 2100)
	require.Equal(t, map[string]int{"files": 3}, driveCalls(fake))

	revs, calls := poll("folder")
	require.Equal(t, map[string]int{"changes/startPageToken": 1, "files": 3}, calls)
	require.Len(t, revs, 2100)
	require.Equal(t, "drive:1", revs["e0042"])

	revs, calls = poll("folder")
	require.Equal(t, map[string]int{"changes": 1}, calls, "nothing changed: one changes.list")
	require.Len(t, revs, 2100)

	anna := googlefake.User{DisplayName: "Анна", EmailAddress: "anna@example.ru"}
	for i := range 1000 {
		id := fmt.Sprintf("1doc%04d", i*2)
		fake.PutDoc(id, &docs.Document{Title: id}, anna)
	}
	fake.PutDoc("1other", &docs.Document{Title: "не отчёт"})
	revs, calls = poll("folder")
	require.Equal(t, map[string]int{"changes": 2}, calls, "1 001 changes: two pages")
	require.Equal(t, "drive:2", revs["e0042"])
	require.Equal(t, "drive:1", revs["e0043"])
	require.Equal(t, "drive:1", revs["e2099"])
	require.Equal(t, "drive:2", revs["e1998"])
	w := st.w
	require.Len(t, w.Files, 2100, "someone else's file is not kept")
	require.Equal(t, "Анна <anna@example.ru>", w.Files["1doc0042"].EditedBy)
	require.Equal(t, at.Add(time.Millisecond), w.Files["1doc0042"].EditedAt)

	// Another folder: listed anew (empty), each report asked for alone.
	fake.ResetRequests()
	g := &gdrive.Source{Kind: "gdoc", Drive: svc, Folder: "https://drive.google.com/drive/folders/folder2", State: st}
	revs, err = g.Revisions(ctx, refs[:3])
	require.NoError(t, err)
	require.Equal(t, map[string]int{"changes/startPageToken": 1, "files": 1, "files/{id}": 3}, driveCalls(fake))
	require.Equal(t, map[string]string{"e0000": "drive:2", "e0001": "drive:1", "e0002": "drive:2"}, revs)
}

// TestRevisionsStateUnavailable: a store that cannot say what the last
// poll kept fails the call (the pass then reads every report), and one
// that cannot keep the token still answers: the next poll asks Drive for
// the same changes again.
func TestRevisionsStateUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("1a", &docs.Document{Title: "a"})
	svc, err := drive.NewService(ctx, option.WithEndpoint(fake.URL+"/drive/v3/"), option.WithoutAuthentication(),
		option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	refs := []source.Ref{{Employee: "anna", Report: "1a"}}

	g := &gdrive.Source{Kind: "gdoc", Drive: svc, State: brokenState{read: true}}
	_, err = g.Revisions(ctx, refs)
	require.ErrorContains(t, err, "the kept change token")

	g = &gdrive.Source{Kind: "gdoc", Drive: svc, State: brokenState{}}
	revs, err := g.Revisions(ctx, refs)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"anna": "drive:1"}, revs)
}

// memState keeps the watch in memory, as the store does across processes.
type memState struct{ w gdrive.Watch }

func (m *memState) DriveWatch(context.Context) (gdrive.Watch, error) {
	files := make(map[string]gdrive.File, len(m.w.Files))
	for id, f := range m.w.Files {
		files[id] = f
	}
	return gdrive.Watch{Scope: m.w.Scope, Token: m.w.Token, Files: files}, nil
}

func (m *memState) SaveDriveWatch(_ context.Context, w gdrive.Watch, replace bool) error {
	if replace || m.w.Files == nil {
		m.w.Files = map[string]gdrive.File{}
	}
	for id, f := range w.Files {
		m.w.Files[id] = f
	}
	m.w.Scope, m.w.Token = w.Scope, w.Token
	return nil
}

type brokenState struct{ read bool }

func (b brokenState) DriveWatch(context.Context) (gdrive.Watch, error) {
	if b.read {
		return gdrive.Watch{}, fmt.Errorf("disk I/O error")
	}
	return gdrive.Watch{}, nil
}

func (brokenState) SaveDriveWatch(context.Context, gdrive.Watch, bool) error {
	return fmt.Errorf("database is locked")
}

// noChanges answers 404 to Drive's change log, as an endpoint that serves
// files only.
type noChanges struct{ next http.RoundTripper }

func (n noChanges) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/drive/v3/changes") {
		body := `{"error": {"code": 404, "message": "Not Found", "errors": [{"message": "Not Found", "domain": "global", "reason": "notFound"}]}}`
		return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	return n.next.RoundTrip(r)
}

// TestRevisionsWithoutChangeLog: google.endpoint pointing at a server
// without the change log: every poll lists the folder, as before it.
func TestRevisionsWithoutChangeLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("1a", &docs.Document{Title: "a"})
	fake.SetFileParent("1a", "folder")
	client := fake.Client()
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	svc, err := drive.NewService(ctx, option.WithEndpoint(fake.URL+"/drive/v3/"), option.WithoutAuthentication(),
		option.WithHTTPClient(&http.Client{Transport: noChanges{next}}))
	require.NoError(t, err)
	st := &memState{}
	for range 2 {
		g := &gdrive.Source{Kind: "gdoc", Drive: svc, Folder: "folder", State: st}
		revs, err := g.Revisions(ctx, []source.Ref{{Employee: "anna", Report: "1a"}})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"anna": "drive:1"}, revs)
	}
	require.Empty(t, st.w.Token, "nothing kept")
}

// TestRevisionsTrashedAndRemoved: a report trashed or removed is left out
// (the pass reads it, and the read says what is wrong) from the change that
// says so, without asking Drive about it again; one taken out of the trash
// comes back with its new version.
func TestRevisionsTrashedAndRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := googlefake.New(t, googlefake.Options{})
	for _, id := range []string{"1a", "1b", "1c"} {
		fake.PutDoc(id, &docs.Document{Title: id})
	}
	svc, err := drive.NewService(ctx, option.WithEndpoint(fake.URL+"/drive/v3/"), option.WithoutAuthentication(),
		option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	st := &memState{}
	refs := []source.Ref{{Employee: "anna", Report: "1a"}, {Employee: "boris", Report: "1b"}, {Employee: "vera", Report: "1c"}}
	poll := func() (map[string]string, map[string]int) {
		t.Helper()
		fake.ResetRequests()
		revs, err := (&gdrive.Source{Kind: "gdoc", Drive: svc, State: st}).Revisions(ctx, refs)
		require.NoError(t, err)
		return revs, driveCalls(fake)
	}
	revs, calls := poll()
	require.Equal(t, map[string]string{"anna": "drive:1", "boris": "drive:1", "vera": "drive:1"}, revs)
	require.Equal(t, map[string]int{"changes/startPageToken": 1, "files/{id}": 3}, calls)

	fake.Trash("1a", true)
	fake.RemoveFile("1b")
	revs, calls = poll()
	require.Equal(t, map[string]string{"vera": "drive:1"}, revs)
	require.Equal(t, map[string]int{"changes": 1}, calls, "what Drive said is kept: no files.get for them")
	require.True(t, st.w.Files["1a"].Gone)
	require.True(t, st.w.Files["1b"].Gone)

	revs, calls = poll()
	require.Equal(t, map[string]string{"vera": "drive:1"}, revs)
	require.Equal(t, map[string]int{"changes": 1}, calls)

	fake.Trash("1a", false)
	revs, _ = poll()
	require.Equal(t, map[string]string{"anna": "drive:3", "vera": "drive:1"}, revs)
}
