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
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

// tick is a clock that moves a second per reading.
func tick(start time.Time) func() time.Time {
	var n int
	return func() time.Time {
		n++
		return start.Add(time.Duration(n) * time.Second)
	}
}

func TestDriveListPaging(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{Now: tick(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))})
	s.PutFile("folder", "Отчёты", googlefake.MIMEFolder)
	for i := range 2500 {
		id := fmt.Sprintf("doc%04d", i)
		s.PutDoc(id, &docs.Document{Title: id})
		s.SetFileParent(id, "folder")
	}
	s.PutSheet("elsewhere", "other", nil)
	s.PutDoc("trashed", &docs.Document{Title: "trashed"})
	s.SetFileParent("trashed", "folder")
	s.Trash("trashed", true)

	svc := driveClient(t, s)
	q := "'folder' in parents and trashed = false and mimeType = 'application/vnd.google-apps.document'"
	var pages []int
	var ids []string
	err := svc.Files.List().Q(q).PageSize(1000).Fields("nextPageToken, files(id, name, mimeType, modifiedTime, version)").
		Pages(context.Background(), func(l *drive.FileList) error {
			pages = append(pages, len(l.Files))
			for _, f := range l.Files {
				ids = append(ids, f.Id)
				require.Equal(t, googlefake.MIMEDocument, f.MimeType)
				require.Equal(t, int64(1), f.Version)
				require.NotEmpty(t, f.ModifiedTime)
				require.Empty(t, f.Parents, "not asked for")
			}
			return nil
		})
	require.NoError(t, err)
	require.Equal(t, []int{1000, 1000, 500}, pages)
	require.Len(t, ids, 2500)
	require.Equal(t, "doc0000", ids[0])
	require.Equal(t, "doc2499", ids[2499])

	// Without trashed = false the trashed file shows up.
	l, err := svc.Files.List().Q("'folder' in parents and name = 'trashed'").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Len(t, l.Files, 1)

	// modifiedTime filter: only what changed after a point.
	f, err := svc.Files.Get("doc2499").Fields("modifiedTime").Context(context.Background()).Do()
	require.NoError(t, err)
	l, err = svc.Files.List().Q(fmt.Sprintf("'folder' in parents and modifiedTime > '%s'", f.ModifiedTime)).
		Fields("files(id)").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Len(t, l.Files, 1, "only the trashed file changed later")

	_, err = svc.Files.List().Q("owner is me").Context(context.Background()).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusBadRequest, ge.Code)
	require.Equal(t, "invalid", ge.Errors[0].Reason)

	_, err = svc.Files.List().PageSize(1001).Context(context.Background()).Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code)
}

func TestDriveGetTouch(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("book", "Отчёты Петровой", []googlefake.Tab{{Title: "Лист1"}})
	svc := driveClient(t, s)
	ctx := context.Background()

	before, err := svc.Files.Get("book").Fields("id,name,mimeType,modifiedTime,version").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, "Отчёты Петровой", before.Name)
	require.Equal(t, googlefake.MIMESpreadsheet, before.MimeType)

	s.Touch("book")
	after, err := svc.Files.Get("book").Fields("id,name,mimeType,modifiedTime,version").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, before.Version+1, after.Version)
	require.Greater(t, after.ModifiedTime, before.ModifiedTime)

	// Default fields: kind, id, name, mimeType only.
	def, err := svc.Files.Get("book").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, "drive#file", def.Kind)
	require.Empty(t, def.ModifiedTime)

	_, err = svc.Files.Get("nope").Context(ctx).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusNotFound, ge.Code)
	require.Equal(t, "notFound", ge.Errors[0].Reason)
	require.Equal(t, "File not found: nope.", ge.Message)
}

// TestDriveLastModifyingUser: files.get and files.list tell who made the
// last change, with the nested fields asked for only; an anonymous edit
// has none, and the API's own writes are the caller's ("me").
func TestDriveLastModifyingUser(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	s := googlefake.New(t, googlefake.Options{Now: func() time.Time { return at }})
	s.PutFile("folder", "Отчёты", googlefake.MIMEFolder)
	s.PutDoc("anna", &docs.Document{Title: "Анна"}, googlefake.User{DisplayName: "Анна Петрова", EmailAddress: "anna@example.ru"})
	s.SetFileParent("anna", "folder")
	svc := driveClient(t, s)
	ctx := context.Background()
	const fields = "id,version,modifiedTime,lastModifyingUser(displayName,emailAddress)"

	f, err := svc.Files.Get("anna").Fields(fields).Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, &drive.User{DisplayName: "Анна Петрова", EmailAddress: "anna@example.ru"}, f.LastModifyingUser,
		"kind and me are not asked for")
	require.Equal(t, "2026-11-26T09:30:00.000Z", f.ModifiedTime)

	// The manager edits the file; then someone through a link anyone can edit.
	at = at.Add(time.Hour)
	s.Touch("anna", googlefake.User{DisplayName: "Игорь Сидоров"})
	l, err := svc.Files.List().Q("'folder' in parents").Fields("files(" + fields + ")").Context(ctx).Do()
	require.NoError(t, err)
	require.Len(t, l.Files, 1)
	require.Equal(t, &drive.User{DisplayName: "Игорь Сидоров"}, l.Files[0].LastModifyingUser, "no address when Drive does not show it")
	require.Equal(t, "2026-11-26T10:30:00.000Z", l.Files[0].ModifiedTime)
	s.Touch("anna")
	f, err = svc.Files.Get("anna").Fields(fields).Context(ctx).Do()
	require.NoError(t, err)
	require.Nil(t, f.LastModifyingUser)

	// The API's own write (the summary) is made by the caller.
	s.PutSheet("book", "Сводка", nil, googlefake.User{DisplayName: "Руководитель"})
	_, err = sheetsClient(t, s).Spreadsheets.Values.Update("book", "A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).
		ValueInputOption("RAW").Context(ctx).Do()
	require.NoError(t, err)
	f, err = svc.Files.Get("book").Fields("lastModifyingUser").Context(ctx).Do()
	require.NoError(t, err)
	require.True(t, f.LastModifyingUser.Me)
	require.Equal(t, "drive#user", f.LastModifyingUser.Kind)
}
