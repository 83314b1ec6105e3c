package google_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
)

// fakeOptions points the clients at the fake, with instant backoff.
func fakeOptions(s *googlefake.Server) google.Options {
	return google.Options{
		Endpoint:   s.URL,
		HTTPClient: s.Client(),
		Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Rand:       func() float64 { return 0 },
	}
}

// codes counts OnRequest calls by API and status.
type codes struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *codes) hook(api string, code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[fmt.Sprintf("%s %d", api, code)]++
}

func (c *codes) get() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

func statusesOf(reqs []googlefake.Request) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.Status
	}
	return out
}

func TestDocsGetWithTabs(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("doc", &docs.Document{Title: "Отчёты", Tabs: []*docs.Tab{
		{TabProperties: &docs.TabProperties{Title: "Ноябрь"}, DocumentTab: &docs.DocumentTab{Body: &docs.Body{}},
			ChildTabs: []*docs.Tab{{TabProperties: &docs.TabProperties{Title: "Неделя"}, DocumentTab: &docs.DocumentTab{Body: &docs.Body{}}}}},
		{TabProperties: &docs.TabProperties{Title: "Декабрь"}, DocumentTab: &docs.DocumentTab{Body: &docs.Body{}}},
	}})
	var c codes
	opts := fakeOptions(s)
	opts.OnRequest = c.hook
	svc, err := google.NewDocs(context.Background(), opts)
	require.NoError(t, err)
	d, err := svc.Documents.Get("doc").IncludeTabsContent(true).SuggestionsViewMode("PREVIEW_WITHOUT_SUGGESTIONS").
		Context(context.Background()).Do()
	require.NoError(t, err)
	require.Len(t, d.Tabs, 2)
	require.Equal(t, "Неделя", d.Tabs[0].ChildTabs[0].TabProperties.Title)
	require.Equal(t, map[string]int{"docs 200": 1}, c.get())
	reqs := s.Requests()
	require.Equal(t, "/v1/documents/doc", reqs[0].Path)
	require.Empty(t, reqs[0].Authorization, "an endpoint override sends no credentials")
}

func TestSheetsBatchGet(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("book", "Отчёты", []googlefake.Tab{{Title: "Q1/Q2", Rows: [][]any{
		{"Дата", "Звонки", "Встречи"},
		{46352.0, 40.0},
		{46353.0, 12.0, 3.0},
	}}})
	svc, err := google.NewSheets(context.Background(), fakeOptions(s), false)
	require.NoError(t, err)
	resp, err := svc.Spreadsheets.Values.BatchGet("book").Ranges("'Q1/Q2'!A1:Z", "'Q1/Q2'!H1:H9").
		ValueRenderOption("UNFORMATTED_VALUE").DateTimeRenderOption("SERIAL_NUMBER").MajorDimension("ROWS").
		Context(context.Background()).Do()
	require.NoError(t, err)
	require.Equal(t, "'Q1/Q2'!A1:Z1000", resp.ValueRanges[0].Range)
	require.Equal(t, [][]any{{"Дата", "Звонки", "Встречи"}, {46352.0, 40.0}, {46353.0, 12.0, 3.0}}, resp.ValueRanges[0].Values)
	require.Nil(t, resp.ValueRanges[1].Values)

	sp, err := svc.Spreadsheets.Get("book").Fields("sheets.properties(sheetId,title,index)").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Equal(t, "Q1/Q2", sp.Sheets[0].Properties.Title)
}

func TestDrivePagingAndTouch(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutFile("folder", "reports", googlefake.MIMEFolder)
	for i := range 2500 {
		id := fmt.Sprintf("d%04d", i)
		s.PutDoc(id, &docs.Document{Title: id})
		s.SetFileParent(id, "folder")
	}
	svc, err := google.NewDrive(context.Background(), fakeOptions(s))
	require.NoError(t, err)
	var pages []int
	err = svc.Files.List().Q("'folder' in parents and trashed = false").PageSize(1000).
		Fields("nextPageToken, files(id, name, mimeType, modifiedTime, version)").
		Pages(context.Background(), func(l *drive.FileList) error {
			pages = append(pages, len(l.Files))
			return nil
		})
	require.NoError(t, err)
	require.Equal(t, []int{1000, 1000, 500}, pages)
	require.Len(t, s.Requests(), 3)

	get := func() *drive.File {
		f, err := svc.Files.Get("d0042").Fields("id,name,mimeType,modifiedTime,version").Context(context.Background()).Do()
		require.NoError(t, err)
		return f
	}
	before := get()
	s.Touch("d0042")
	after := get()
	require.Equal(t, before.Version+1, after.Version)
	require.Greater(t, after.ModifiedTime, before.ModifiedTime)
	require.Equal(t, before.Name, after.Name)
}

func TestSheetsWriteRoundTrip(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("mgr", "Руководитель", []googlefake.Tab{{Title: "Сводка"}})
	s.Inject("sheets", googlefake.ServerError, 1) // the body must be sent again
	svc, err := google.NewSheets(context.Background(), fakeOptions(s), true)
	require.NoError(t, err)
	name := "Иван Иванов"
	_, err = svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{
		UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: 0, RowIndex: 1},
			Fields: "userEnteredValue",
			Rows: []*sheets.RowData{{Values: []*sheets.CellData{
				{UserEnteredValue: &sheets.ExtendedValue{StringValue: &name}},
				{UserEnteredValue: &sheets.ExtendedValue{NumberValue: new(float64)}},
			}}},
		},
	}}}).Context(context.Background()).Do()
	require.NoError(t, err)
	require.Equal(t, []int{500, 200}, statusesOf(s.Requests()))
	require.Equal(t, [][]any{{}, {"Иван Иванов", 0.0}}, s.Cells("mgr", "Сводка"))
}

func TestReadOnlySheetsRefusesWrites(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("mgr", "m", nil)
	svc, err := google.NewSheets(context.Background(), fakeOptions(s), false)
	require.NoError(t, err)
	_, err = svc.Spreadsheets.Values.BatchClear("mgr", &sheets.BatchClearValuesRequest{}).Context(context.Background()).Do()
	require.ErrorContains(t, err, "read-only")
	require.Empty(t, s.Requests())
}

func TestEndpointValidated(t *testing.T) {
	t.Parallel()
	_, err := google.NewDocs(context.Background(), google.Options{Endpoint: "127.0.0.1:9"})
	require.ErrorContains(t, err, "not an http(s) URL")
}
