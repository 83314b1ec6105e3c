// Package amocrmfake is an in-process fake of the amoCRM API v4 list
// (catalog) element endpoints, and of the event and lead lists the adapter's
// facts read (see facts.go), served by httptest on 127.0.0.1, for the amocrm
// adapter's tests. It speaks the wire format the adapter's package
// documentation cites:
//
//	GET   /api/v4/catalogs/{id}/elements?query=&page=&limit=   HAL page, 204 when empty
//	GET   /api/v4/catalogs/{id}/elements/{element_id}          one element, 204 when absent
//	POST  /api/v4/catalogs/{id}/elements                       array → _embedded.elements with id, request_id
//	PATCH /api/v4/catalogs/{id}/elements                       array with id → _embedded.elements
//	PATCH /api/v4/catalogs/{id}/elements/{element_id}          one element
//
// It checks the bearer token (401 problem+json otherwise), validates bodies
// the way amoCRM reports it (400 with "validation-errors" per request_id,
// nothing stored), and enforces amoCRM's rate limit: more than Limit requests
// in any window of Per answers 429 and counts a violation; after BlockAfter
// violations the account is blocked and everything answers 403. Per scales
// time, so tests can run the limit at 7 requests per 100ms.
//
// What the real API answers to an update of an element that does not exist is
// not documented; the fake answers a validation error with path "id" and code
// "NotFound". The search behind query matches the query as a case-insensitive
// substring of the name or of any text value, which is looser than an exact
// name, as amoCRM's search is. Elements Put with Deleted are listed with
// "is_deleted": true (and left out of Objects), so that the adapter's
// handling of deleted elements can be tested. GET of a single element that
// does not exist answers 204, as amoCRM does for entities.
//
// Server implements crmtest.Faults, and keeps a log of every request.
package amocrmfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// Defaults of Options' zero fields.
const (
	DefaultCatalogID  = 5001
	DefaultLimit      = 7
	DefaultPer        = time.Second
	DefaultBlockAfter = 10
)

// Options configure a fake account.
type Options struct {
	// Token is the long-lived token requests must carry as a bearer token.
	Token string
	// CatalogID is the id of the account's first list (0: DefaultCatalogID).
	CatalogID int
	// CatalogName is its name (0: "Список").
	CatalogName string
	// Fields are the list's custom fields, keyed the way config.AmoCRM.Fields
	// is: metric keys for numeric fields, amocrm.Field* keys for text fields.
	// A value for any other field id is a validation error.
	Fields map[string]int
	// Limit is how many requests the account takes per Per (0: DefaultLimit,
	// amoCRM's 7).
	Limit int
	// Per is the rate window (0: DefaultPer, one second).
	Per time.Duration
	// BlockAfter is how many rate violations block the account (0:
	// DefaultBlockAfter).
	BlockAfter int
	// InProcess serves no socket: requests go through Client, served in the
	// caller's goroutine (tests in a testing/synctest bubble, on its fake
	// clock).
	InProcess bool
}

// Request is one request as the fake saw it.
type Request struct {
	Method string
	Path   string
	Query  string // raw query
	Body   []byte
	Status int
	At     time.Time
}

// Element is an element of the list. Values holds one value per field id: a
// float64 for a numeric field, a string for a text field (Put also takes
// other JSON-encodable values, stored as given).
type Element struct {
	ID      int64
	Name    string
	Values  map[int]any
	Deleted bool
}

// Server is a fake amoCRM account with one list.
type Server struct {
	// URL is the account's base URL, http://127.0.0.1:<port>.
	URL string

	srv     *httptest.Server
	client  *http.Client
	opts    Options
	numeric map[int]bool // field id → numeric (a metric)
	known   map[int]bool

	crmtest.FaultQueue // Inject and Reset
	log                crmtest.Recorder[Request]

	mu         sync.Mutex
	elements   map[int64]*Element
	lastID     int64
	arrivals   []time.Time // requests counted in the rate window
	violations crmtest.Counter
	blocked    bool
	serverErrs int
	fx         factStore // events and leads (facts.go)
	// The lists and their custom fields (catalogs.go).
	catalogs    []*catalog
	nextCatalog int
	nextField   int
}

var _ crmtest.Faults = (*Server)(nil)

// New starts a fake account and closes it when tb ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Token == "" {
		tb.Fatal("amocrmfake: Options.Token is required")
	}
	if opts.CatalogID == 0 {
		opts.CatalogID = DefaultCatalogID
	}
	if opts.Limit == 0 {
		opts.Limit = DefaultLimit
	}
	if opts.Per == 0 {
		opts.Per = DefaultPer
	}
	if opts.BlockAfter == 0 {
		opts.BlockAfter = DefaultBlockAfter
	}
	s := &Server{
		opts:     opts,
		numeric:  map[int]bool{},
		known:    map[int]bool{},
		elements: map[int64]*Element{},
		lastID:   int64(opts.CatalogID) * 1000,
	}
	if opts.CatalogName == "" {
		opts.CatalogName = "Список"
		s.opts.CatalogName = opts.CatalogName
	}
	first := &catalog{id: opts.CatalogID, name: opts.CatalogName, typ: "regular"}
	for _, k := range slices.Sorted(maps.Keys(opts.Fields)) {
		id := opts.Fields[k]
		s.known[id] = true
		s.numeric[id] = !strings.HasPrefix(k, "_")
		typ := "text"
		if s.numeric[id] {
			typ = "numeric"
		}
		first.fields = append(first.fields, CustomField{ID: id, Name: k, Type: typ})
		s.nextField = max(s.nextField, id)
	}
	s.catalogs = []*catalog{first}
	s.nextCatalog = opts.CatalogID
	s.nextField = max(s.nextField, 700000)
	if opts.InProcess {
		s.client = crmtest.InProcess(http.HandlerFunc(s.serve))
		s.URL = "http://127.0.0.1:1" // never dialled
		tb.Cleanup(s.FaultQueue.Close)
		return s
	}
	s.srv = crmtest.Serve(tb, http.HandlerFunc(s.serve), s.FaultQueue.Close)
	s.URL = s.srv.URL
	return s
}

// Client is the HTTP client of an InProcess fake (nil otherwise).
func (s *Server) Client() *http.Client { return s.client }

// Close stops the server (New already arranges it for the end of the test).
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// CatalogID returns the list's id.
func (s *Server) CatalogID() int { return s.opts.CatalogID }

// Violations returns how many requests exceeded the rate limit.
func (s *Server) Violations() int { return s.violations.Value() }

// Blocked reports whether the account is blocked for rate violations.
func (s *Server) Blocked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked
}

// Requests returns the request log.
func (s *Server) Requests() []Request { return s.log.All() }

// ClearLog empties the request log.
func (s *Server) ClearLog() { s.log.Clear() }

// Put stores an element behind the adapter's back and returns its id; a zero
// e.ID gets the next id.
func (s *Server) Put(e Element) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID == 0 {
		s.lastID++
		e.ID = s.lastID
	}
	e.Values = maps.Clone(e.Values)
	if e.Values == nil {
		e.Values = map[int]any{}
	}
	s.elements[e.ID] = &e
	return e.ID
}

// Elements returns every element, deleted ones included, by id.
func (s *Server) Elements() []Element {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Element, 0, len(s.elements))
	for _, id := range slices.Sorted(maps.Keys(s.elements)) {
		e := *s.elements[id]
		e.Values = maps.Clone(e.Values)
		out = append(out, e)
	}
	return out
}

// Delete removes an element for good.
func (s *Server) Delete(id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("amocrmfake: element id %q: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.elements[n]; !ok {
		return fmt.Errorf("amocrmfake: no element %s", id)
	}
	delete(s.elements, n)
	return nil
}

// Objects returns the elements that are not deleted in dayreport's terms:
// the name is the key, metrics come from the numeric fields, status and
// notes from the fields mapped to amocrm.FieldStatus and amocrm.FieldNotes.
func (s *Server) Objects() []crmtest.Object {
	var out []crmtest.Object
	for _, e := range s.Elements() {
		if e.Deleted {
			continue
		}
		o := crmtest.Object{ID: strconv.FormatInt(e.ID, 10), Key: e.Name, Metrics: map[string]float64{}}
		for k, id := range s.opts.Fields {
			v, ok := e.Values[id]
			if !ok {
				continue
			}
			switch k {
			case amocrm.FieldStatus:
				o.Status = fmt.Sprint(v)
			case amocrm.FieldNotes:
				o.Notes = fmt.Sprint(v)
			case amocrm.FieldLongTerm:
				o.LongTerm = fmt.Sprint(v)
			default:
				if f, ok := v.(float64); ok && s.numeric[id] {
					o.Metrics[k] = f
				}
			}
		}
		out = append(out, o)
	}
	return out
}

// recorder captures the status of an answer for the log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, _ := io.ReadAll(r.Body)
	entry := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, At: at}
	rec := &recorder{ResponseWriter: w}
	defer func() {
		entry.Status = rec.status
		s.log.Add(entry)
	}()

	fault := s.Next()
	s.mu.Lock()
	if fault == crmtest.Unavailable {
		// An outage: the request never reaches amoCRM, so it is not counted.
		s.mu.Unlock()
		rec.status = -1 // no answer at all
		crmtest.HangUp(w)
		return
	}
	limited := s.admit(entry.At)
	blocked := s.blocked
	s.mu.Unlock()

	switch {
	case blocked:
		problemJSON(rec, http.StatusForbidden, "Account is blocked for exceeding the API request limit repeatedly", nil)
		return
	case limited:
		rec.Header().Set("Retry-After", "1")
		problemJSON(rec, http.StatusTooManyRequests, "Too many requests", nil)
		return
	case r.Header.Get("Authorization") != "Bearer "+s.opts.Token:
		problemJSON(rec, http.StatusUnauthorized, "Invalid user name or password", nil)
		return
	}

	switch fault {
	case crmtest.RateLimited:
		rec.Header().Set("Retry-After", "1")
		problemJSON(rec, http.StatusTooManyRequests, "Too many requests", nil)
		return
	case crmtest.ServerError:
		s.mu.Lock()
		s.serverErrs++
		code := http.StatusInternalServerError
		if s.serverErrs%2 == 0 {
			code = http.StatusBadGateway
		}
		s.mu.Unlock()
		problemJSON(rec, code, "Internal error", nil)
		return
	case crmtest.Timeout:
		s.Hang(r, 5*time.Second)
		rec.status = -2 // no answer the client waited for
		return
	case crmtest.BadRequest:
		problemJSON(rec, http.StatusBadRequest, "Request validation failed", []validationGroup{{
			RequestID: "0",
			Errors:    []validationErr{{Code: "InvalidType", Path: "name", Detail: "injected: this value is not valid"}},
		}})
		return
	}
	s.route(rec, r, body)
}

// admit counts a request that arrived at t in the rate window and reports
// whether it exceeds the limit: more than Limit arrivals in any window of
// length Per that contains t. It blocks the account after BlockAfter
// violations. Every request is counted, answered or not, as amoCRM counts
// what reaches it. Handlers may take the lock out of arrival order, so the
// log is kept sorted and every window around t is checked.
func (s *Server) admit(t time.Time) (limited bool) {
	i := len(s.arrivals)
	for i > 0 && s.arrivals[i-1].After(t) {
		i--
	}
	s.arrivals = slices.Insert(s.arrivals, i, t)
	// Windows (a−Per, a] for every arrival a in [t, t+Per) contain t.
	lo := 0
	for j := i; j < len(s.arrivals) && s.arrivals[j].Sub(t) < s.opts.Per; j++ {
		a := s.arrivals[j]
		for lo < len(s.arrivals) && !s.arrivals[lo].After(a.Add(-s.opts.Per)) {
			lo++
		}
		if j-lo+1 > s.opts.Limit {
			limited = true
			break
		}
	}
	// Forget what no later arrival can share a window with.
	keep := 0
	newest := s.arrivals[len(s.arrivals)-1]
	for keep < len(s.arrivals) && newest.Sub(s.arrivals[keep]) > 2*s.opts.Per {
		keep++
	}
	s.arrivals = s.arrivals[keep:]
	if !limited {
		return false
	}
	if s.violations.Inc() >= s.opts.BlockAfter {
		s.blocked = true
	}
	return true
}

type validationGroup struct {
	RequestID string          `json:"request_id"`
	Errors    []validationErr `json:"errors"`
}

type validationErr struct {
	Code   string `json:"code"`
	Path   string `json:"path"`
	Detail string `json:"detail"`
}

// problemJSON answers an application/problem+json error.
func problemJSON(w http.ResponseWriter, status int, detail string, groups []validationGroup) {
	body := map[string]any{
		"title":  http.StatusText(status),
		"type":   "https://httpstatus.es/" + strconv.Itoa(status),
		"status": status,
		"detail": detail,
	}
	if len(groups) > 0 {
		body["validation-errors"] = groups
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// halJSON answers an application/hal+json document.
func halJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	w.Header().Set("Content-Type", "application/hal+json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
