// Package bitrix24fake is an in-process fake of the part of the Bitrix24 REST
// API that the bitrix24 adapter uses, served over HTTP on 127.0.0.1 for
// tests: incoming-webhook URLs (/rest/<user>/<code>/<method>.json), the
// methods crm.item.add, crm.item.update, crm.item.list, crm.item.get,
// crm.item.delete, crm.type.add, crm.type.list, userfieldconfig.add,
// userfieldconfig.list and batch, the reads
// behind the facts (crm.activity.list, crm.stagehistory.list, and
// crm.item.list of deals, estimates and smart invoices, with the filter
// prefixes >=, <=, >, <, @, !@, =, !=; records put in with AddCall,
// AddEstimate, AddInvoice, AddWonDeal, AddPaidInvoice, …; see facts.go), and
// the portal's habits that an adapter must survive:
//
//   - the webhook code is checked (401 INVALID_CREDENTIALS otherwise);
//   - a leaky bucket (50 requests, draining 2 per second, both settable and
//     time-scalable) answers 503 QUERY_LIMIT_EXCEEDED when full, and every
//     such overflow is counted as a violation;
//   - every other answer encodes ids and numbers as strings ("17"), and
//     empty objects as [] (batch's result_error, result_total, …);
//   - unknown item fields are ignored, user fields exist only once created
//     with userfieldconfig.add, and UF names are camelCase unless
//     useOriginalUfNames=Y;
//   - list pages hold 50 items, with total and next;
//   - a batch holds at most 50 commands and never stops on an error with
//     halt=0.
//
// It implements crmtest.Faults, and reads items back as crmtest.Objects
// through the xmlIds that bitrix24.Setup gives its user fields.
package bitrix24fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// The xmlIds bitrix24.Setup gives its user fields (bitrix24.FieldXMLID); the
// fake does not import the adapter, so they are repeated here.
const (
	xmlIDStatus       = "dayreport.status"
	xmlIDNotes        = "dayreport.notes"
	xmlIDLongTerm     = "dayreport.long_term"
	xmlIDMetricPrefix = "dayreport.metric."
)

// Defaults of Options.
const (
	DefaultUserID = "1"
	DefaultCode   = "fakewebhookcode4r7q2x9k"
	DefaultBucket = 50
	DefaultRate   = 2
)

// RateLimit selects the answer of an injected crmtest.RateLimited fault.
type RateLimit int

// Rate-limit answers.
const (
	// QueryLimit is 503 {"error":"QUERY_LIMIT_EXCEEDED"}: the leaky bucket.
	QueryLimit RateLimit = iota
	// OperationLimit is 429 {"error":"OPERATION_TIME_LIMIT"} with
	// time.operating_reset_at two seconds ahead.
	OperationLimit
)

// Options configure a Fake. The zero value is a portal with the real limits.
type Options struct {
	UserID string // the webhook's user (DefaultUserID)
	Code   string // the webhook's secret code (DefaultCode)
	// Bucket is how many requests the leaky bucket holds (DefaultBucket).
	Bucket float64
	// Rate is how many requests the bucket drains per second (DefaultRate).
	Rate float64
	// Scale runs the bucket that many times faster (0 or 1: real time).
	Scale float64
	// RateLimit is what an injected RateLimited fault answers.
	RateLimit RateLimit
	// CommandError, when set, is asked before every crm.item.add and
	// crm.item.update (in a batch or not); a non-nil answer fails that
	// command alone. It runs under the fake's lock: it must not call the
	// Fake's methods.
	CommandError func(Command) *APIError
	// ListError, when set, is asked before every crm.item.list,
	// crm.activity.list and crm.stagehistory.list (entityTypeID 0 for
	// activities); a non-nil answer fails that call or batch command alone.
	// It runs under the fake's lock: it must not call the Fake's methods.
	ListError func(method string, entityTypeID int) *APIError
	// InProcess serves no socket: requests go through Client, served in the
	// calling goroutine (WebhookURL names a host that is never dialled). In
	// a testing/synctest bubble the leaky bucket and the client's clock
	// are then one fake clock, and a busy machine cannot drain the bucket
	// between two requests. Faults that drop the connection need a socket.
	InProcess bool
}

// Command is an item write the fake is about to run.
type Command struct {
	Method  string // crm.item.add or crm.item.update
	ID      int    // the item id of an update
	XMLID   string // fields[xmlId], if sent
	InBatch bool
}

// APIError is an error answer: HTTP status (400 when 0) and body.
type APIError struct {
	Status      int
	Code        string
	Description string
	// ResetAt, when set, is the operating_reset_at the answer's time block
	// carries (in a batch: that command's result_time), as the portal sends
	// with OPERATION_TIME_LIMIT.
	ResetAt time.Time
}

// Request is one HTTP request the fake received.
type Request struct {
	Method string // the REST method
	// Commands are the methods of a batch's commands, in order.
	Commands []string
	// Status is the HTTP status answered (0: the connection was dropped).
	Status int
}

// Fake is a fake Bitrix24 portal.
type Fake struct {
	srv    *httptest.Server
	client *http.Client // Options.InProcess
	url    string
	opts   Options

	crmtest.FaultQueue // Inject and Reset
	requests           crmtest.Recorder[Request]

	mu          sync.Mutex
	types       []*spType
	nextTypeID  int
	nextEntity  int
	nextFieldID int
	nextItemID  int
	ambiguities int // ambiguous answers given, to alternate 502 and a hang-up
	level       float64
	drained     time.Time
	violations  int
	answers     int
	fx          factStore // the records behind the facts (facts.go)
}

var _ crmtest.Faults = (*Fake)(nil)

// New starts a fake portal on 127.0.0.1 (none with Options.InProcess),
// stopped when t ends.
func New(t testing.TB, opts Options) *Fake {
	t.Helper()
	if opts.UserID == "" {
		opts.UserID = DefaultUserID
	}
	if opts.Code == "" {
		opts.Code = DefaultCode
	}
	if opts.Bucket <= 0 {
		opts.Bucket = DefaultBucket
	}
	if opts.Rate <= 0 {
		opts.Rate = DefaultRate
	}
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	f := &Fake{
		opts: opts, nextTypeID: 3, nextEntity: 1036, nextFieldID: 6951, nextItemID: 1,
		drained: time.Now(),
	}
	if opts.InProcess {
		f.client = crmtest.InProcess(f)
		f.url = "http://127.0.0.1:1" // never dialled
		t.Cleanup(f.FaultQueue.Close)
		return f
	}
	f.srv = crmtest.Serve(t, f, f.FaultQueue.Close)
	f.url = f.srv.URL
	return f
}

// Client is the HTTP client of an InProcess fake (nil otherwise).
func (f *Fake) Client() *http.Client { return f.client }

// Close releases hanging requests and stops the server (New already
// arranges it for the end of the test).
func (f *Fake) Close() {
	f.FaultQueue.Close()
	if f.srv != nil {
		f.srv.Close()
	}
}

// WebhookURL is the incoming-webhook URL: http://127.0.0.1:<port>/rest/<user>/<code>/.
func (f *Fake) WebhookURL() string {
	return f.url + "/rest/" + f.opts.UserID + "/" + f.opts.Code + "/"
}

// Code is the webhook's secret code.
func (f *Fake) Code() string { return f.opts.Code }

// Violations is how many requests found the leaky bucket full.
func (f *Fake) Violations() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.violations
}

// Fill fills the leaky bucket, as if another integration had just used it up.
func (f *Fake) Fill() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.level, f.drained = f.opts.Bucket, time.Now()
}

// Level is the leaky bucket's current level.
func (f *Fake) Level() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drain(time.Now())
	return f.level
}

// Requests returns every request received so far.
func (f *Fake) Requests() []Request { return f.requests.All() }

// Objects returns every smart-process item in dayreport's terms: Key is the
// item's xmlId, Status, Notes and Metrics come from the user fields whose
// xmlId bitrix24.Setup set (dayreport.status, dayreport.notes,
// dayreport.metric.<key>); an empty metric field is left out.
func (f *Fake) Objects(t testing.TB) []crmtest.Object {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []crmtest.Object
	for _, ty := range f.types {
		for _, it := range ty.sortedItems() {
			o := crmtest.Object{ID: strconv.Itoa(it.id), Key: str(it.std["xmlId"]), Metrics: map[string]float64{}}
			for _, uf := range ty.fields {
				v, ok := it.uf[uf.FieldName]
				switch {
				case uf.XMLID == xmlIDStatus:
					o.Status = str(v)
				case uf.XMLID == xmlIDNotes:
					o.Notes = str(v)
				case uf.XMLID == xmlIDLongTerm:
					o.LongTerm = str(v)
				case strings.HasPrefix(uf.XMLID, xmlIDMetricPrefix) && ok && v != nil:
					if x, isNum := v.(float64); isNum {
						o.Metrics[strings.TrimPrefix(uf.XMLID, xmlIDMetricPrefix)] = x
					}
				}
			}
			out = append(out, o)
		}
	}
	return out
}

// Delete deletes the item id behind the adapter's back.
func (f *Fake) Delete(t testing.TB, id string) {
	t.Helper()
	n, err := strconv.Atoi(id)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		for _, ty := range f.types {
			if _, ok := ty.items[n]; ok {
				delete(ty.items, n)
				return
			}
		}
	}
	t.Fatalf("bitrix24fake: no item %q", id)
}

// Item returns the stored fields of item id (standard fields by their REST
// name, user fields by their original UF_ name), or false.
func (f *Fake) Item(id string) (map[string]any, bool) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ty := range f.types {
		if it, ok := ty.items[n]; ok {
			out := map[string]any{"id": it.id, "entityTypeId": ty.EntityTypeID}
			for k, v := range it.std {
				out[k] = v
			}
			for k, v := range it.uf {
				out[k] = v
			}
			return out, true
		}
	}
	return nil, false
}

// TypeInfo describes a smart process.
type TypeInfo struct {
	ID, EntityTypeID int
	Title            string
	BeginClose       bool
	Fields           []UserField
}

// UserField is a user field of a smart process.
type UserField struct {
	ID                                     int
	EntityID, FieldName, UserTypeID, XMLID string
	Label                                  string
	Multiple, Mandatory                    bool
	Settings                               map[string]any
}

// Types returns the smart processes created so far.
func (f *Fake) Types() []TypeInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]TypeInfo, 0, len(f.types))
	for _, ty := range f.types {
		ti := TypeInfo{ID: ty.ID, EntityTypeID: ty.EntityTypeID, Title: ty.Title, BeginClose: ty.BeginClose}
		for _, uf := range ty.fields {
			ti.Fields = append(ti.Fields, *uf)
		}
		out = append(out, ti)
	}
	return out
}

// drain lets the bucket leak up to now. Callers hold mu.
func (f *Fake) drain(now time.Time) {
	if el := now.Sub(f.drained).Seconds(); el > 0 {
		f.level = max(0, f.level-el*f.opts.Rate*f.opts.Scale)
	}
	f.drained = now
}

// admit counts a request into the bucket, or reports it full. Callers hold mu.
func (f *Fake) admit() bool {
	f.drain(time.Now())
	if f.level+1 > f.opts.Bucket+1e-9 {
		f.violations++
		return false
	}
	f.level++
	return true
}

func (f *Fake) record(method string, commands []string, status int) {
	f.requests.Add(Request{Method: method, Commands: commands, Status: status})
}

// ServeHTTP answers one REST request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, ok := f.authorize(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return
	}
	switch f.Next() {
	case crmtest.RateLimited:
		if f.opts.RateLimit == OperationLimit {
			f.record(method, nil, http.StatusTooManyRequests)
			reset := time.Now().Add(2 * time.Second).Unix()
			writeJSON(w, http.StatusTooManyRequests, map[string]any{
				"error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked due to operation time limit",
				"time": timing(time.Now(), reset),
			})
			return
		}
		f.record(method, nil, http.StatusServiceUnavailable)
		writeJSON(w, http.StatusServiceUnavailable, queryLimitBody)
		return
	case crmtest.ServerError:
		f.record(method, nil, http.StatusInternalServerError)
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"})
		return
	case crmtest.Unavailable:
		f.record(method, nil, 0)
		crmtest.HangUp(w)
		return
	case crmtest.Timeout:
		f.record(method, nil, 0)
		f.Hang(r, 30*time.Second)
		return
	case crmtest.BadRequest:
		f.record(method, nil, http.StatusBadRequest)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "INVALID_ARG_VALUE", "error_description": "Invalid filter: field 'xmlId' has invalid value"})
		return
	}
	f.mu.Lock()
	admitted := f.admit()
	f.mu.Unlock()
	if !admitted {
		f.record(method, nil, http.StatusServiceUnavailable)
		writeJSON(w, http.StatusServiceUnavailable, queryLimitBody)
		return
	}
	params, raw, perr := readParams(r, body)
	if perr != nil {
		f.record(method, nil, http.StatusBadRequest)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "INVALID_REQUEST", "error_description": perr.Error()})
		return
	}
	start := time.Now()
	f.mu.Lock()
	f.answers++
	c := &call{f: f, stringy: f.answers%2 == 0}
	var status int
	var out map[string]any
	var commands []string
	if method == "batch" {
		status, out, commands = c.batch(params, raw)
	} else {
		status, out = c.single(method, params)
	}
	lose := c.created && f.Ambiguous()
	hang := false
	if lose {
		f.ambiguities++
		hang = f.ambiguities%2 == 0
	}
	f.mu.Unlock()
	switch {
	case lose && hang:
		f.record(method, commands, 0)
		crmtest.HangUp(w)
	case lose:
		f.record(method, commands, http.StatusBadGateway)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	default:
		out["time"] = timing(start, 0)
		f.record(method, commands, status)
		writeJSON(w, status, out)
	}
}

var queryLimitBody = map[string]any{"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}

// authorize checks /rest/<user>/<code>/<method>[.json] and returns the method.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/rest/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"})
		return "", false
	}
	if parts[0] != f.opts.UserID || parts[1] != f.opts.Code {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"})
		return "", false
	}
	method := strings.TrimSuffix(parts[2], ".json")
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "INVALID_REQUEST", "error_description": "Method not allowed"})
		return "", false
	}
	return method, true
}

// readParams merges the query string and the body (JSON or form). raw holds
// the top-level JSON members, for batch's ordered cmd.
func readParams(r *http.Request, body []byte) (map[string]any, map[string]json.RawMessage, error) {
	params, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, nil, err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return params, nil, nil
	}
	if trimmed[0] == '{' || strings.Contains(r.Header.Get("Content-Type"), "json") {
		m, err := decodeJSON(trimmed)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid JSON body: %w", err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, nil, err
		}
		for k, v := range m {
			params[k] = v
		}
		return params, raw, nil
	}
	form, err := parseQuery(string(trimmed))
	if err != nil {
		return nil, nil, err
	}
	for k, v := range form {
		params[k] = v
	}
	return params, nil, nil
}

// timing is the "time" block of an answer.
func timing(start time.Time, resetAt int64) map[string]any {
	finish := time.Now()
	t := map[string]any{
		"start": float64(start.UnixMicro()) / 1e6, "finish": float64(finish.UnixMicro()) / 1e6,
		"duration": finish.Sub(start).Seconds(), "processing": finish.Sub(start).Seconds(),
		"date_start": start.Format(time.RFC3339), "date_finish": finish.Format(time.RFC3339),
		"operating": 0,
	}
	if resetAt > 0 {
		t["operating_reset_at"] = resetAt
	}
	return t
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
