package gsheet_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

// memTabs is a TabStore in memory; readOnly refuses every KeepTab, as a
// dry run's state does.
type memTabs struct {
	mu       sync.Mutex
	kept     map[string]keptRow
	readOnly bool
}

type keptRow struct {
	version int64
	body    []byte
}

func (m *memTabs) KeptTab(_ context.Context, spreadsheet, key string) (int64, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.kept[spreadsheet+"/"+key]
	return r.version, r.body, ok, nil
}

func (m *memTabs) KeepTab(_ context.Context, spreadsheet, key string, version int64, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.readOnly {
		return errors.New("read-only")
	}
	if m.kept == nil {
		m.kept = map[string]keptRow{}
	}
	m.kept[spreadsheet+"/"+key] = keptRow{version, body}
	return nil
}

// TestTabsReadAgainOnlyWhenTheSpreadsheetChanged: the manager
// spreadsheet's tabs, read through a Tabs whose version the test plays
// Drive for. A tab is read once a pass; at a version it was read at, not
// at all (a new process, with only the state); at another version, or
// with the version unknown, again. What comes back from the state is what
// the Sheets API gave: numbers, text, dates as serial numbers, ragged rows,
// an absent tab.
func TestTabsReadAgainOnlyWhenTheSpreadsheetChanged(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	svc, err := sheets.NewService(t.Context(),
		option.WithEndpoint(fake.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	const id = "1manager"
	plan := [][]any{{"id", "месяц", "new_calls", "payments"}, {"ivanov", "2026-11", 300, 4.5}, {"petrova"}, {"sidorov", "", "=1+1", "12,5"}}
	fake.PutSheet(id, "Отдел", []googlefake.Tab{
		{Title: "Сотрудники", SheetID: 1, Rows: [][]any{{"id", "Имя"}, {"ivanov", "Иван Иванов"}, {"petrova", "Анна\u00a0Петрова"}}},
		{Title: "план", SheetID: 2, Rows: plan},
	})
	var (
		version int64 = 5
		known         = true
	)
	kept := &memTabs{}
	newTabs := func() *gsheet.Tabs { // a new process: only the state is shared
		return &gsheet.Tabs{Sheets: svc, ID: id, Kept: kept,
			Version: func(context.Context) (int64, bool) { return version, known }}
	}
	requests := func(f func()) int {
		fake.ResetRequests()
		f()
		return len(fake.Requests())
	}
	read := func(tabs *gsheet.Tabs, names []string, render string) (string, [][]any) {
		t.Helper()
		title, rows, err := tabs.Read(t.Context(), names, render)
		require.NoError(t, err)
		return title, rows
	}

	tabs := newTabs()
	var direct [][]any
	require.Equal(t, 3, requests(func() {
		title, rows := read(tabs, gsheet.RosterTabs, "FORMATTED_VALUE")
		require.Equal(t, "Сотрудники", title)
		require.Len(t, rows, 3)
		title, direct = read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE")
		require.Equal(t, "план", title, "found whatever its case")
		title, rows = read(tabs, gsheet.ChangeTabs, "FORMATTED_VALUE")
		require.Empty(t, title, "no Изменения tab")
		require.Empty(t, rows)
	}), "the tab list once, then the two tabs")
	require.Zero(t, requests(func() { read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE") }), "a tab asked twice in a pass")

	// The next poll, a new process, the version Drive gives unchanged:
	// nothing read, and the rows are the API's.
	tabs = newTabs()
	require.Zero(t, requests(func() {
		_, rows := read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE")
		require.Equal(t, direct, rows)
		title, _ := read(tabs, gsheet.ChangeTabs, "FORMATTED_VALUE")
		require.Empty(t, title)
	}))

	// The manager edits the plan: Drive's version moves, and the tab is
	// read again (the tab list too: tabs may have been renamed).
	plan[1][2] = 320
	fake.PutSheet(id, "Отдел", []googlefake.Tab{{Title: "План", SheetID: 2, Rows: plan}})
	version = 9
	tabs = newTabs()
	require.Equal(t, 2, requests(func() {
		title, rows := read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE")
		require.Equal(t, "План", title)
		require.InDelta(t, 320.0, rows[1][2], 0)
	}))
	_, _, err = newTabs().Read(t.Context(), gsheet.RosterTabs, "FORMATTED_VALUE")
	require.NoError(t, err, "no roster tab is no error here: the roster says what is missing")

	// Drive cannot tell the version: every pass reads, once a pass.
	known = false
	for range 2 {
		tabs = newTabs()
		require.Equal(t, 2, requests(func() {
			read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE")
			read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE")
		}))
	}

	// A state that keeps nothing (a dry run): read, and read next time.
	known, kept.readOnly = true, true
	version = 10
	for range 2 {
		tabs = newTabs()
		require.Equal(t, 2, requests(func() { read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE") }))
	}

	// NewPoll: a daemon's next pass asks the state again, not its memory.
	kept.readOnly = false
	tabs = newTabs()
	require.Equal(t, 2, requests(func() { read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE") }))
	version = 11
	tabs.NewPoll()
	require.Equal(t, 2, requests(func() { read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE") }), "another version")
	tabs.NewPoll()
	require.Zero(t, requests(func() { read(tabs, gsheet.PlanTabs, "UNFORMATTED_VALUE") }))

	// A spreadsheet that cannot be read: the error, nothing kept.
	fake.RemoveFile(id)
	version = 12
	tabs = newTabs()
	_, _, err = tabs.Read(t.Context(), gsheet.PlanTabs, "UNFORMATTED_VALUE")
	require.Error(t, err)
	v, _, ok, err := kept.KeptTab(t.Context(), id, "UNFORMATTED_VALUE:"+gsheet.PlanTabs[0]+"|"+gsheet.PlanTabs[1])
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(11), v, "the last good read stays kept")
}
