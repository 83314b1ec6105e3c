package googlefake_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

const changeFields = "nextPageToken,newStartPageToken,changes(fileId,removed,time,file(id,version,modifiedTime,lastModifyingUser(displayName,emailAddress),trashed,parents))"

// listChanges reads every page of changes.list from tok, as a poll does:
// the changes in order and the token for the next poll.
func listChanges(t *testing.T, svc *drive.Service, tok string, pageSize int64) ([]*drive.Change, []int, string) {
	t.Helper()
	var (
		all   []*drive.Change
		pages []int
	)
	for {
		l, err := svc.Changes.List(tok).PageSize(pageSize).Fields(changeFields).
			SupportsAllDrives(true).IncludeItemsFromAllDrives(true).Context(context.Background()).Do()
		require.NoError(t, err)
		all = append(all, l.Changes...)
		pages = append(pages, len(l.Changes))
		if l.NextPageToken == "" {
			require.NotEmpty(t, l.NewStartPageToken, "the last page names the next start")
			return all, pages, l.NewStartPageToken
		}
		require.Empty(t, l.NewStartPageToken, "only the last page names the next start")
		tok = l.NextPageToken
	}
}

// TestDriveChanges: the change log through the real Drive client: a start
// token, nothing since it, then edits, a move, a trash and a removal, each
// file once at its latest state, paged; an expired token is 410 and a
// malformed one 400.
func TestDriveChanges(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s := googlefake.New(t, googlefake.Options{Now: tick(start)})
	s.PutFile("folder", "Отчёты", googlefake.MIMEFolder)
	for i := range 5 {
		id := fmt.Sprintf("doc%d", i)
		s.PutDoc(id, &docs.Document{Title: id})
		s.SetFileParent(id, "folder")
	}
	svc := driveClient(t, s)
	tok, err := svc.Changes.GetStartPageToken().SupportsAllDrives(true).Do()
	require.NoError(t, err)
	require.Equal(t, s.StartPageToken(), tok.StartPageToken)

	// Nothing since: one empty page whose next start is the same token.
	got, pages, next := listChanges(t, svc, tok.StartPageToken, 1000)
	require.Empty(t, got)
	require.Equal(t, []int{0}, pages)
	require.Equal(t, tok.StartPageToken, next)

	anna := googlefake.User{DisplayName: "Анна Петрова", EmailAddress: "anna@example.ru"}
	s.PutDoc("doc1", &docs.Document{Title: "doc1"}, anna)
	s.PutDoc("doc3", &docs.Document{Title: "doc3"})
	s.PutDoc("doc1", &docs.Document{Title: "doc1"}, anna) // twice: reported once, at version 3
	s.Trash("doc2", true)
	s.RemoveFile("doc4")
	s.PutDoc("new", &docs.Document{Title: "new"})
	s.SetFileParent("new", "folder")

	got, pages, next2 := listChanges(t, svc, next, 2)
	require.Equal(t, []int{2, 2, 1}, pages)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.FileId)
		require.NotEmpty(t, c.Time)
	}
	require.Equal(t, []string{"doc3", "doc1", "doc2", "doc4", "new"}, ids, "each file once, in the order of its latest change")
	byID := map[string]*drive.Change{}
	for _, c := range got {
		byID[c.FileId] = c
	}
	require.Equal(t, int64(3), byID["doc1"].File.Version)
	require.Equal(t, "anna@example.ru", byID["doc1"].File.LastModifyingUser.EmailAddress)
	require.Equal(t, []string{"folder"}, byID["doc1"].File.Parents)
	require.False(t, byID["doc1"].File.Trashed)
	require.True(t, byID["doc2"].File.Trashed)
	require.True(t, byID["doc4"].Removed)
	require.Nil(t, byID["doc4"].File, "a removed file has no state")
	require.NotEqual(t, next, next2)

	// The same token again: the same changes (a poll that crashed before
	// keeping the new token loses nothing).
	again, _, next3 := listChanges(t, svc, next, 1000)
	require.Len(t, again, 5)
	require.Equal(t, next2, next3)

	// Without removals.
	l, err := svc.Changes.List(next).IncludeRemoved(false).Fields(changeFields).Do()
	require.NoError(t, err)
	require.Len(t, l.Changes, 4)

	// Drive no longer honours the old tokens: 410, then a new start.
	s.ExpireChanges()
	_, err = svc.Changes.List(next2).Do()
	require.Equal(t, http.StatusGone, apiError(t, err).Code)
	_, err = svc.Changes.List("not-a-token").Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusBadRequest, ge.Code)
	require.Equal(t, "invalid", ge.Errors[0].Reason)
	tok, err = svc.Changes.GetStartPageToken().Do()
	require.NoError(t, err)
	got, _, _ = listChanges(t, svc, tok.StartPageToken, 100)
	require.Empty(t, got)

	// changes.list is a Drive query: counted and limited as one.
	n := 0
	for _, r := range s.Requests() {
		if r.API == googlefake.APIDrive {
			n++
		}
	}
	require.Equal(t, len(s.Requests()), n)
}
