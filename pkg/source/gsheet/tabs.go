package gsheet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"google.golang.org/api/sheets/v4"
)

// Tabs reads the tabs of the manager spreadsheet that a pass depends on
// (the roster, План, Изменения). When Drive tells the spreadsheet's
// version, a tab is read again only when the version changed since it was
// last read: the state keeps each tab's rows with the version Drive gave
// before the read, so a poll where nobody touched the spreadsheet reads
// none of it (Drive's change log, asked for the reports anyway, says so).
//
// The version is taken before the tab is read: an edit made while it is
// read, or afterwards, gives the spreadsheet a later version, and the next
// pass reads the tab again. dayreport's own summary writes change the
// version too, so the poll after one reads the tabs again, once.
type Tabs struct {
	Sheets *sheets.Service
	// ID is the spreadsheet.
	ID string
	// Version is the spreadsheet's Drive version as this pass knows it
	// (false: unknown, and every tab is read). Nil: every tab is read.
	Version func(ctx context.Context) (int64, bool)
	// Kept keeps what was read between passes (nil: nothing is kept).
	Kept TabStore

	// titles are the spreadsheet's tab titles at version titlesAt, read
	// once for the tabs of a pass; read are the tabs this pass read (a
	// tab asked twice in a pass is read once, whatever Drive tells).
	mu       sync.Mutex
	titles   []string
	titlesAt int64
	byVer    bool // titles are of version titlesAt (else: of this pass)
	read     map[string]keptTab
}

// NewPoll forgets the tabs the last pass read (source.Poller).
func (t *Tabs) NewPoll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.read = nil
	if !t.byVer {
		t.titles = nil
	}
}

// TabStore keeps the tabs read, by spreadsheet and what was asked (key),
// with the spreadsheet's version they were read at (the state database).
type TabStore interface {
	KeptTab(ctx context.Context, spreadsheet, key string) (version int64, body []byte, ok bool, err error)
	KeepTab(ctx context.Context, spreadsheet, key string, version int64, body []byte) error
}

// TabError is a tab that was found but could not be read.
type TabError struct {
	Tab string
	Err error
}

func (e *TabError) Error() string { return e.Tab + ": " + e.Err.Error() }
func (e *TabError) Unwrap() error { return e.Err }

// tabsOf is t, or for a reader given only a client and an id, a Tabs that
// reads every time.
func tabsOf(t *Tabs, svc *sheets.Service, id string) *Tabs {
	if t != nil {
		return t
	}
	return &Tabs{Sheets: svc, ID: id}
}

// readErr is a tab read's error as what reads it says it: the spreadsheet,
// or the tab that could not be read.
func readErr(what, id string, err error) error {
	var te *TabError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %s!%s: %w", what, id, te.Tab, te.Err)
	}
	return fmt.Errorf("%s: spreadsheet %s: %w", what, id, err)
}

// keptTab is a tab as the state keeps it.
type keptTab struct {
	// Title is the tab's title ("": the spreadsheet has no such tab).
	Title string  `json:"title"`
	Rows  [][]any `json:"rows"`
}

// Read returns the first tab named (ignoring case) one of names and its
// rows rendered as render (FORMATTED_VALUE, UNFORMATTED_VALUE); an empty
// title when the spreadsheet has no such tab.
func (t *Tabs) Read(ctx context.Context, names []string, render string) (string, [][]any, error) {
	var (
		version int64
		known   bool
	)
	if t.Version != nil {
		version, known = t.Version(ctx)
	}
	key := render + ":" + strings.Join(names, "|")
	t.mu.Lock()
	k, ok := t.read[key]
	t.mu.Unlock()
	if ok {
		return k.Title, k.Rows, nil
	}
	if known && t.Kept != nil {
		if v, body, ok, err := t.Kept.KeptTab(ctx, t.ID, key); err == nil && ok && v == version {
			var k keptTab
			if json.Unmarshal(body, &k) == nil {
				t.remember(key, k)
				return k.Title, k.Rows, nil
			}
		}
	}
	title, err := t.find(ctx, names, version, known)
	if err != nil {
		return "", nil, err
	}
	var rows [][]any
	if title != "" {
		vr, err := t.Sheets.Spreadsheets.Values.Get(t.ID, A1Range(title)).ValueRenderOption(render).Context(ctx).Do()
		if err != nil {
			return "", nil, &TabError{Tab: title, Err: err}
		}
		rows = vr.Values
	}
	k = keptTab{Title: title, Rows: rows}
	t.remember(key, k)
	if known && t.Kept != nil {
		if body, err := json.Marshal(k); err == nil {
			// Not kept (a read-only state): read again next time.
			_ = t.Kept.KeepTab(ctx, t.ID, key, version, body)
		}
	}
	return title, rows, nil
}

func (t *Tabs) remember(key string, k keptTab) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.read == nil {
		t.read = map[string]keptTab{}
	}
	t.read[key] = k
}

// find is the title of the first tab named one of names, in the
// spreadsheet's order ("" when none): the tab list is asked once per
// version, or once per pass when the version is unknown (each tab read
// asked it before).
func (t *Tabs) find(ctx context.Context, names []string, version int64, known bool) (string, error) {
	t.mu.Lock()
	titles := t.titles
	if known != t.byVer || (known && t.titlesAt != version) {
		titles = nil
	}
	t.mu.Unlock()
	if titles == nil {
		meta, err := t.Sheets.Spreadsheets.Get(t.ID).Fields("sheets.properties.title").Context(ctx).Do()
		if err != nil {
			return "", err
		}
		titles = make([]string, 0, len(meta.Sheets))
		for _, s := range meta.Sheets {
			if s.Properties != nil {
				titles = append(titles, s.Properties.Title)
			}
		}
		t.mu.Lock()
		t.titles, t.titlesAt, t.byVer = titles, version, known
		t.mu.Unlock()
	}
	for _, title := range titles {
		for _, name := range names {
			if strings.EqualFold(title, name) {
				return title, nil
			}
		}
	}
	return "", nil
}
