package gsheet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/google"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/source"
)

// Render options of every values read (SPEC §4): numbers as numbers, dates as
// serial day numbers.
const (
	ValueRenderOption    = "UNFORMATTED_VALUE"
	DateTimeRenderOption = "SERIAL_NUMBER"
)

// tabsFields is the field mask of the one spreadsheets.get that maps gids to
// tab titles.
const tabsFields = "sheets.properties(sheetId,title)"

// Source reads reports from Google Sheets. Ref.Report is a Sheet link (a
// #gid= names the tab), a spreadsheet id, or <id>#<tab title>; with no tab the
// first visible sheet is read. Source is safe for concurrent use.
//
// The gid → title map of a spreadsheet is read once (one spreadsheets.get) and
// kept; it is read again when a gid is missing from it or a values read fails
// as a bad request (a tab renamed or deleted).
type Source struct {
	// Sheets is the Sheets API client (pkg/google builds it with credentials,
	// rate limiting and retries; tests point it at an httptest server).
	Sheets *sheets.Service
	// PrefetchTTL bounds how long prefetched values wait for their Fetch
	// (default DefaultPrefetchTTL): a Fetch in a later pass never sees the
	// values of an earlier one.
	PrefetchTTL time.Duration
	// Now is the clock of PrefetchTTL; default time.Now.
	Now func() time.Time

	mu       sync.Mutex
	tabs     map[string]*tabsCall       // spreadsheet id → its tabs
	prefetch map[source.Ref]*prefetched // values read by Prefetch, served once
}

var _ source.Source = (*Source)(nil)

// ErrNoTab is a #gid= that names no tab of the spreadsheet.
var ErrNoTab = errors.New("no tab")

// DefaultPrefetchTTL is the default of Source.PrefetchTTL: a pass fetches
// what it prefetched within seconds.
const DefaultPrefetchTTL = 5 * time.Minute

// tabsCall is one spreadsheets.get; callers asking for the same spreadsheet
// while it runs wait for it instead of asking again.
type tabsCall struct {
	done  chan struct{}
	byGID map[int64]string
	err   error
}

type prefetched struct {
	at   time.Time
	link Link
	tab  string
	vr   *sheets.ValueRange
}

// Fetch reads the employee's tab. Values read by Prefetch for this very Ref
// are served (once) without a request; otherwise the tab is read on its own.
//
// An empty Ref.Report means the employee has no spreadsheet
// (source.ErrNoDocument); an empty tab is a document without blocks. Other
// errors name the employee and the spreadsheet; a *googleapi.Error stays in
// the chain for callers that classify by HTTP status.
func (s *Source) Fetch(ctx context.Context, r source.Ref, ref day.Date) (*source.Fetched, error) {
	if strings.TrimSpace(r.Report) == "" {
		return nil, fmt.Errorf("gsheet: %s: %w", r.Employee, source.ErrNoDocument)
	}
	link, err := ParseLink(r.Report)
	if err != nil {
		return nil, fmt.Errorf("gsheet: %s: %w", r.Employee, err)
	}
	if p, ok := s.take(r); ok && p.link == link {
		return fetched(p.link, p.tab, p.vr, ref), nil
	}
	if s.Sheets == nil {
		return nil, fmt.Errorf("gsheet: %s: spreadsheet %s: no Sheets client configured", r.Employee, link)
	}
	tab, err := s.tabOf(ctx, link)
	if err != nil {
		return nil, fmt.Errorf("gsheet: %s: spreadsheet %s: %w", r.Employee, link, err)
	}
	vrs, err := s.batchGet(ctx, link.ID, []string{A1Range(tab)})
	if err != nil {
		return nil, fmt.Errorf("gsheet: %s: spreadsheet %s: %w", r.Employee, link, err)
	}
	return fetched(link, tab, vrs[0], ref), nil
}

// Prefetch reads the tabs of many employees ahead of their Fetch: refs are
// grouped by spreadsheet, and every tab of one spreadsheet is read with a
// single values:batchGet (plus, when some links carry a #gid=, the one
// spreadsheets.get that maps gids to titles, unless already known). Each Fetch
// of one of these refs is then served from memory, once, within PrefetchTTL.
//
// A failure is not fatal: what could not be prefetched is read by Fetch on
// its own, which then reports the failure for that employee alone. The
// returned error joins the failures, each naming the spreadsheet and its
// employees. Refs without a usable link are left to Fetch. ref is unused:
// values are converted when fetched.
func (s *Source) Prefetch(ctx context.Context, refs []source.Ref, _ day.Date) error {
	type item struct {
		ref  source.Ref
		link Link
	}
	var (
		order  []string
		groups = map[string][]item{}
	)
	for _, r := range refs {
		if strings.TrimSpace(r.Report) == "" {
			continue
		}
		link, err := ParseLink(r.Report)
		if err != nil {
			continue
		}
		if _, seen := groups[link.ID]; !seen {
			order = append(order, link.ID)
		}
		groups[link.ID] = append(groups[link.ID], item{ref: r, link: link})
	}
	if len(order) > 0 && s.Sheets == nil {
		return errors.New("gsheet: prefetch: no Sheets client configured")
	}
	var errs []error
	for _, id := range order {
		type want struct {
			item
			tab string
			i   int
		}
		var (
			ranges  []string
			index   = map[string]int{}
			wants   []want
			tabsErr error // the tab list could not be read: no use asking again
		)
		for _, it := range groups[id] {
			var (
				tab string
				err = tabsErr
			)
			if err == nil || !it.link.HasGID {
				tab, err = s.tabOf(ctx, it.link)
			}
			if err != nil {
				if it.link.HasGID && !errors.Is(err, ErrNoTab) {
					tabsErr = err
				}
				errs = append(errs, fmt.Errorf("gsheet: %s: spreadsheet %s: %w", it.ref.Employee, it.link, err))
				continue
			}
			rg := A1Range(tab)
			i, ok := index[rg]
			if !ok {
				i = len(ranges)
				index[rg] = i
				ranges = append(ranges, rg)
			}
			wants = append(wants, want{item: it, tab: tab, i: i})
		}
		if len(ranges) == 0 {
			continue
		}
		vrs, err := s.batchGet(ctx, id, ranges)
		if err != nil {
			names := make([]string, len(wants))
			for k, w := range wants {
				names[k] = w.ref.Employee
			}
			errs = append(errs, fmt.Errorf("gsheet: spreadsheet %s (%s): %w", id, strings.Join(names, ", "), err))
			continue
		}
		now := s.now()
		s.mu.Lock()
		if s.prefetch == nil {
			s.prefetch = map[source.Ref]*prefetched{}
		}
		for r, p := range s.prefetch {
			if s.expired(p, now) {
				delete(s.prefetch, r) // never fetched: an employee skipped
			}
		}
		for _, w := range wants {
			s.prefetch[w.ref] = &prefetched{at: now, link: w.link, tab: w.tab, vr: vrs[w.i]}
		}
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

// take removes and returns the prefetched values of r, unless too old.
func (s *Source) take(r source.Ref) (*prefetched, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prefetch[r]
	if !ok {
		return nil, false
	}
	delete(s.prefetch, r)
	return p, !s.expired(p, now)
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Source) expired(p *prefetched, now time.Time) bool {
	ttl := s.PrefetchTTL
	if ttl <= 0 {
		ttl = DefaultPrefetchTTL
	}
	return now.Sub(p.at) > ttl
}

// fetched converts a tab's values. A tab read by default is named by the
// range the API answered with.
func fetched(link Link, tab string, vr *sheets.ValueRange, ref day.Date) *source.Fetched {
	if tab == "" && vr != nil {
		tab = SheetOfRange(vr.Range)
	}
	doc, warns := Convert(tab, vr, ref)
	return &source.Fetched{Doc: doc, Warnings: warns, Revision: revision(tab, vr), URL: link.URL()}
}

// revision stands in for a revision id, which the values API does not give:
// a hash of the tab's title and values, so an unchanged tab keeps its revision.
func revision(tab string, vr *sheets.ValueRange) string {
	h := sha256.New()
	h.Write([]byte(tab))
	h.Write([]byte{0})
	if vr != nil {
		_ = json.NewEncoder(h).Encode(vr.Values)
	}
	return "values:" + hex.EncodeToString(h.Sum(nil)[:12])
}

// tabOf returns the title of the link's tab ("" for the first sheet),
// resolving a gid through the spreadsheet's cached tab list.
func (s *Source) tabOf(ctx context.Context, link Link) (string, error) {
	if !link.HasGID {
		return link.Tab, nil
	}
	c, fresh, err := s.sheetTabs(ctx, link.ID, nil)
	if err != nil {
		return "", err
	}
	if title, ok := c.byGID[link.GID]; ok {
		return title, nil
	}
	if !fresh {
		// A tab added since the list was read: read it again, once.
		if c, _, err = s.sheetTabs(ctx, link.ID, c); err != nil {
			return "", err
		}
		if title, ok := c.byGID[link.GID]; ok {
			return title, nil
		}
	}
	return "", fmt.Errorf("%w with gid %d in the spreadsheet (deleted?)", ErrNoTab, link.GID)
}

// sheetTabs returns the spreadsheet's tabs, reading them when not known (or
// when the known list is stale, the one given); fresh reports that this call
// read them.
func (s *Source) sheetTabs(ctx context.Context, id string, stale *tabsCall) (c *tabsCall, fresh bool, err error) {
	for {
		s.mu.Lock()
		if s.tabs == nil {
			s.tabs = map[string]*tabsCall{}
		}
		c = s.tabs[id]
		if c != nil && c == stale {
			c = nil
		}
		if c == nil {
			c = &tabsCall{done: make(chan struct{})}
			s.tabs[id] = c
			s.mu.Unlock()
			c.byGID, c.err = s.getTabs(ctx, id)
			if c.err != nil {
				s.mu.Lock()
				if s.tabs[id] == c {
					delete(s.tabs, id)
				}
				s.mu.Unlock()
			}
			close(c.done)
			return c, true, c.err
		}
		s.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		if c.err != nil && ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			continue // the caller that asked gave up; ask again for this one
		}
		return c, false, c.err
	}
}

func (s *Source) getTabs(ctx context.Context, id string) (map[int64]string, error) {
	sp, err := s.Sheets.Spreadsheets.Get(id).Fields(tabsFields).Context(ctx).Do()
	if err != nil {
		return nil, describe(err)
	}
	byGID := make(map[int64]string, len(sp.Sheets))
	for _, sh := range sp.Sheets {
		if sh != nil && sh.Properties != nil {
			byGID[sh.Properties.SheetId] = sh.Properties.Title
		}
	}
	return byGID, nil
}

// forgetTabs drops a spreadsheet's tab list (after a range naming one of its
// tabs failed).
func (s *Source) forgetTabs(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.tabs[id]; ok {
		select {
		case <-c.done:
			delete(s.tabs, id)
		default: // being read right now: that read is fresh
		}
	}
}

// batchGet reads ranges of one spreadsheet in one request, values in the
// order of ranges.
func (s *Source) batchGet(ctx context.Context, id string, ranges []string) ([]*sheets.ValueRange, error) {
	resp, err := s.Sheets.Spreadsheets.Values.BatchGet(id).
		Ranges(ranges...).
		ValueRenderOption(ValueRenderOption).
		DateTimeRenderOption(DateTimeRenderOption).
		MajorDimension("ROWS").
		Context(ctx).
		Do()
	if err != nil {
		var gerr *googleapi.Error
		if errors.As(err, &gerr) && gerr.Code == http.StatusBadRequest {
			s.forgetTabs(id)
		}
		return nil, describe(err)
	}
	if len(resp.ValueRanges) != len(ranges) {
		return nil, fmt.Errorf("values:batchGet asked for %d ranges and got %d", len(ranges), len(resp.ValueRanges))
	}
	return resp.ValueRanges, nil
}

// describe explains an API failure for people, without secrets.
func describe(err error) error {
	return google.Explain(err, "spreadsheet", map[int]string{http.StatusBadRequest: "bad request: check the tab name"})
}
