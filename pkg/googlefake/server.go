// Package googlefake is an in-process fake of the parts of the Google Docs,
// Sheets and Drive REST APIs that dayreport uses, for tests.
//
// It speaks the real wire format, so the tests use the real
// google.golang.org/api clients pointed at Server.URL (option.WithEndpoint and
// option.WithoutAuthentication; Drive lives under URL+"/drive/v3/"):
//
//   - Docs: GET /v1/documents/{id} with includeTabsContent and
//     suggestionsViewMode;
//   - Sheets: GET /v4/spreadsheets/{id}, GET …/values:batchGet and
//     …/values/{range}, POST …/values:batchUpdate, …/values:batchClear,
//     PUT …/values/{range}, POST …/values/{range}:clear and :append, and
//     POST /v4/spreadsheets/{id}:batchUpdate with addSheet, deleteSheet,
//     updateSheetProperties, updateSpreadsheetProperties, appendDimension,
//     updateCells, repeatCell, addChart, deleteEmbeddedObject,
//     addConditionalFormatRule and deleteConditionalFormatRule (plus
//     autoResizeDimensions, updateDimensionProperties, updateBorders,
//     mergeCells, unmergeCells, setBasicFilter and clearBasicFilter, which
//     are accepted and forgotten); any other kind is a 400, and a batch
//     applies whole or not at all;
//   - Drive: GET /drive/v3/files (a subset of q, fields, paging),
//     GET /drive/v3/files/{id}, and the change log: GET
//     /drive/v3/changes/startPageToken and GET /drive/v3/changes (a change
//     per file mutation, paging, 410 for a token it no longer honours).
//
// Every request is recorded (Requests); per-API per-minute quotas are
// enforced like Google does (429 RESOURCE_EXHAUSTED for Docs and Sheets, 403
// userRateLimitExceeded for Drive), on a clock that Options.TimeScale can
// speed up; faults can be injected (Inject). Fixtures go in with PutDoc,
// PutSheet and PutFile; what write calls stored comes back with Cells,
// CellData, Charts, Rules and SheetProperties.
//
// The server listens on 127.0.0.1 only and is closed by t.Cleanup.
package googlefake

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Google's default per-user per-minute quotas, used for a zero Quotas field.
const (
	DefaultDocsReadPerMinute     = 300
	DefaultSheetsReadPerMinute   = 60
	DefaultSheetsWritePerMinute  = 60
	DefaultDriveQueriesPerMinute = 12000
)

// API names as used by Inject and Request.API.
const (
	APIDocs   = "docs"
	APISheets = "sheets"
	APIDrive  = "drive"
)

// Options configure a Server. The zero value is Google's default quotas on a
// real-time clock.
type Options struct {
	// Quotas are the per-minute request quotas.
	Quotas Quotas
	// TimeScale speeds up the quota clock: 1 (or 0) is real minutes, 60
	// makes a minute last one second.
	TimeScale float64
	// Now is the clock for Drive's modifiedTime (nil: time.Now). It is not
	// scaled.
	Now func() time.Time
	// InProcess serves no socket: requests go through Client, served in the
	// calling goroutine (URL is a placeholder host that is never dialled).
	// In a testing/synctest bubble the quota clock and the client's
	// limiter then read the same fake clock, and a busy machine cannot
	// make them disagree.
	InProcess bool
}

// Quotas are per-minute request quotas, each enforced as a token bucket that
// holds a minute's worth of requests and refills continuously (Google says its
// quotas "are refilled every minute"). Zero means Google's default per-user
// quota (DefaultDocsReadPerMinute …); a negative value means unlimited.
type Quotas struct {
	DocsReadPerMinute     int
	SheetsReadPerMinute   int
	SheetsWritePerMinute  int
	DriveQueriesPerMinute int
}

// NoQuotas lifts every quota: tests about what is asked, not how fast.
var NoQuotas = Quotas{DocsReadPerMinute: -1, SheetsReadPerMinute: -1, SheetsWritePerMinute: -1, DriveQueriesPerMinute: -1}

// Fault is a failure Inject makes the server answer with.
type Fault int

// Faults.
const (
	// ServerError answers 500 INTERNAL.
	ServerError Fault = iota + 1
	// Unavailable answers 503 UNAVAILABLE.
	Unavailable
	// Timeout never answers: the handler waits until the client gives up
	// (its deadline or cancellation) or the server closes.
	Timeout
	// RateLimited answers 429: RESOURCE_EXHAUSTED with the quota body for
	// Docs and Sheets (as a spent quota does), Drive's rateLimitExceeded
	// for Drive.
	RateLimited
	// DriveUserRateLimit answers 403 with reason userRateLimitExceeded, as
	// Drive does for a spent per-user quota.
	DriveUserRateLimit
	// TruncatedJSON answers the real answer's status with the first half of
	// its JSON body, as a complete HTTP message (a proxy that cut the body):
	// the client reads a body that is not valid JSON. The request is served
	// (a write applies).
	TruncatedJSON
	// PermissionDenied answers 403 as for a document not shared with the
	// caller (PERMISSION_DENIED; Drive's insufficientFilePermissions): a
	// failure clients do not retry.
	PermissionDenied
	// DroppedBody answers the real answer's status announcing the whole
	// body's Content-Length, sends the first half of it and closes the
	// connection: the client's read of the body fails (unexpected EOF).
	// The request is served (a write applies).
	DroppedBody
)

func (f Fault) String() string {
	switch f {
	case ServerError:
		return "ServerError"
	case Unavailable:
		return "Unavailable"
	case Timeout:
		return "Timeout"
	case RateLimited:
		return "RateLimited"
	case DriveUserRateLimit:
		return "DriveUserRateLimit"
	case TruncatedJSON:
		return "TruncatedJSON"
	case DroppedBody:
		return "DroppedBody"
	case PermissionDenied:
		return "PermissionDenied"
	}
	return "Fault(?)"
}

// Request is one recorded request.
type Request struct {
	API     string // docs | sheets | drive | "" (unknown path)
	Method  string
	Path    string // decoded path
	RawPath string // path as sent (percent-encoded)
	Query   string // raw query
	// Authorization is the Authorization header as received ("" when none).
	Authorization string
	// Status is the HTTP status answered; 0 when the client gave up first
	// (an injected Timeout).
	Status int
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base endpoint ("http://127.0.0.1:port") to give
	// option.WithEndpoint: URL+"/" for Docs and Sheets, URL+"/drive/v3/"
	// for Drive.
	URL string

	srv    *httptest.Server
	client *http.Client // Options.InProcess
	opts   Options
	now    func() time.Time
	done   chan struct{}
	quota  map[string]*bucket

	mu       sync.Mutex
	docs     map[string][]byte // document JSON, tabs form
	books    map[string]*spreadsheet
	files    map[string]*file
	faults   map[string][]Fault
	requests []Request
	nextID   int64
	// changes is Drive's change log (changes.go) from changeBase on;
	// nextChange is the id the next change gets.
	changes    []change
	changeBase int64
	nextChange int64
}

// New starts a Server on 127.0.0.1 (none with Options.InProcess); t.Cleanup
// closes it.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{
		opts:   opts,
		now:    opts.Now,
		done:   make(chan struct{}),
		docs:   map[string][]byte{},
		books:  map[string]*spreadsheet{},
		files:  map[string]*file{},
		faults: map[string][]Fault{},
		nextID: 1_000_000,
	}
	if s.now == nil {
		s.now = time.Now
	}
	scale := opts.TimeScale
	if scale <= 0 {
		scale = 1
	}
	start := time.Now()
	s.quota = map[string]*bucket{
		"docs.read":    newBucket(quotaOr(opts.Quotas.DocsReadPerMinute, DefaultDocsReadPerMinute), scale, start),
		"sheets.read":  newBucket(quotaOr(opts.Quotas.SheetsReadPerMinute, DefaultSheetsReadPerMinute), scale, start),
		"sheets.write": newBucket(quotaOr(opts.Quotas.SheetsWritePerMinute, DefaultSheetsWritePerMinute), scale, start),
		"drive.read":   newBucket(quotaOr(opts.Quotas.DriveQueriesPerMinute, DefaultDriveQueriesPerMinute), scale, start),
	}
	t.Cleanup(s.close)
	if opts.InProcess {
		// A host that is never dialled: the client's transport serves
		// the request itself.
		s.URL = "http://googlefake.invalid"
		s.client = httpkit.InProcess(http.HandlerFunc(s.serve))
		return s
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("googlefake: listen: %v", err)
	}
	s.srv = &httptest.Server{
		Listener: l,
		Config:   &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second},
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

func quotaOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (s *Server) close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	if s.srv != nil {
		s.srv.CloseClientConnections()
		s.srv.Close()
	}
}

// Client returns an HTTP client for the server (plain, no retries); with
// Options.InProcess the only way to reach it.
func (s *Server) Client() *http.Client {
	if s.client != nil {
		return s.client
	}
	return s.srv.Client()
}

// Inject makes the next times requests to api ("docs", "sheets" or "drive")
// fail with f, before any quota is counted. Faults queue up in call order.
func (s *Server) Inject(api string, f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults[api] = append(s.faults[api], f)
	}
}

// Requests returns a copy of every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (DroppedBody).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// serve records the request, applies faults and quotas, and routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	segs, err := splitPath(r.URL.EscapedPath())
	api := apiOf(segs)
	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, Request{
		API: api, Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(),
		Query: r.URL.RawQuery, Authorization: r.Header.Get("Authorization"),
	})
	var fault Fault
	if q := s.faults[api]; api != "" && len(q) > 0 {
		fault, s.faults[api] = q[0], q[1:]
	}
	s.mu.Unlock()

	rec := &statusRecorder{ResponseWriter: w}
	record := func() {
		s.mu.Lock()
		s.requests[idx].Status = rec.status
		s.mu.Unlock()
	}
	defer record()
	if err != nil || api == "" {
		writeError(rec, http.StatusNotFound, "NOT_FOUND", "The requested URL "+r.URL.Path+" was not found on this server.")
		return
	}
	if fault == TruncatedJSON || fault == DroppedBody {
		s.cut(rec, r, api, segs, fault, record)
		return
	}
	if fault != 0 {
		s.fail(rec, r, api, fault)
		return
	}
	kind := "read"
	if api == APISheets && r.Method != http.MethodGet {
		kind = "write"
	}
	if b := s.quota[api+"."+kind]; !b.take(time.Now()) {
		s.quotaExceeded(rec, api, kind, b.perMinute)
		return
	}
	s.route(rec, r, api, segs)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, api string, segs []string) {
	switch api {
	case APIDocs:
		s.serveDocs(w, r, segs)
	case APISheets:
		s.serveSheets(w, r, segs)
	case APIDrive:
		s.serveDrive(w, r, segs)
	}
}

// cut serves the request into memory and sends half of the answer's body
// (TruncatedJSON, DroppedBody).
// record is called before the connection closes: the client may retry and
// look at Requests before this handler returns.
func (s *Server) cut(w http.ResponseWriter, r *http.Request, api string, segs []string, f Fault, record func()) {
	full := httptest.NewRecorder()
	s.route(full, r, api, segs)
	body := full.Body.Bytes()
	half := body[:len(body)/2]
	for k, v := range full.Header() {
		w.Header()[k] = v
	}
	if f == TruncatedJSON {
		w.Header().Set("Content-Length", strconv.Itoa(len(half)))
		w.WriteHeader(full.Code)
		record()
		_, _ = w.Write(half)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(full.Code)
	_, _ = w.Write(half)
	record()
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	}
	// Without a hijack the server closes the connection itself: the
	// handler wrote less than it announced.
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, api string, f Fault) {
	switch f {
	case ServerError:
		writeError(w, http.StatusInternalServerError, "INTERNAL", "Internal error encountered.")
	case Unavailable:
		writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The service is currently unavailable.")
	case Timeout:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case RateLimited:
		if api == APIDrive {
			writeDriveError(w, http.StatusTooManyRequests, errorItem{Domain: "usageLimits", Reason: "rateLimitExceeded", Message: "Rate Limit Exceeded"})
			return
		}
		kind := "read"
		if r.Method != http.MethodGet {
			kind = "write"
		}
		s.quotaExceeded(w, api, kind, 0)
	case DriveUserRateLimit:
		writeDriveUserRateLimit(w)
	case PermissionDenied:
		if api == APIDrive {
			writeDriveError(w, http.StatusForbidden, errorItem{Domain: "global", Reason: "insufficientFilePermissions",
				Message: "The user does not have sufficient permissions for this file."})
			return
		}
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
	default:
		writeError(w, http.StatusInternalServerError, "INTERNAL", "googlefake: unknown fault "+f.String())
	}
}

// splitPath splits an escaped path into unescaped segments, so that a "/"
// sent as %2F inside a range or a sheet name stays inside its segment.
func splitPath(escaped string) ([]string, error) {
	parts := strings.Split(strings.Trim(escaped, "/"), "/")
	out := make([]string, len(parts))
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}

func apiOf(segs []string) string {
	switch {
	case len(segs) >= 2 && segs[0] == "v1" && segs[1] == "documents":
		return APIDocs
	case len(segs) >= 2 && segs[0] == "v4" && segs[1] == "spreadsheets":
		return APISheets
	case len(segs) >= 3 && segs[0] == "drive" && segs[1] == "v3" && (segs[2] == "files" || segs[2] == "changes"):
		return APIDrive
	}
	return ""
}

// newID returns a fresh numeric id for sheets, charts and the like.
func (s *Server) newID() int64 {
	s.nextID += 7919
	return s.nextID
}
