// Package hubspotfake is an in-process fake of the part of HubSpot's CRM v3
// objects API the hubspot adapter uses, for tests: an httptest server on
// 127.0.0.1 answering
//
//	POST /crm/v3/objects/{objectType}/batch/upsert
//	POST /crm/v3/objects/calls/search, POST /crm/v3/objects/deals/search (facts.go)
//	GET and POST /crm/v3/schemas, GET /crm/v3/properties/{objectType},
//	POST /crm/v3/properties/{objectType}/batch/create (schemas.go)
//
// the way HubSpot does (see the hubspot package documentation for the wire
// format and where it was looked up). It checks the bearer token (401
// INVALID_AUTHENTICATION; a read-only token gets 403 MISSING_SCOPES), the
// shape of the batch (at most 100 inputs, idProperty report_key, a non-empty
// id, no id twice, property names HubSpot accepts, every property value a
// JSON string: 400 VALIDATION_ERROR otherwise), keeps objects by report_key
// under stable numeric ids, and answers 200 with results, or 207 with
// per-input errors for values a rule set with RejectValue refuses (when
// every input carries an objectWriteTraceId; a 400 naming the inputs
// otherwise).
//
// It enforces HubSpot's rolling rate limit (Limit requests per Window,
// 100 per 10 s by default) with the real 429 body (errorType RATE_LIMIT,
// policyName TEN_SECONDLY_ROLLING) and X-HubSpot-RateLimit-Max, -Remaining
// and -Interval-Milliseconds headers (no Retry-After, which HubSpot does not
// document), and counts every request that exceeded it (Violations). Time
// can run Scale times faster: the enforced window is Window/Scale.
//
// It implements crmtest.Faults and gives the harness Objects (metrics parsed
// back from their string values) and Delete.
package hubspotfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// Defaults of Options' zero fields, and HubSpot's batch limit.
const (
	DefaultObjectType = "2-90210"
	DefaultLimit      = 100
	DefaultWindow     = 10 * time.Second
	MaxInputs         = 100
	IDProperty        = "report_key"
)

// fixed are the properties that are not metrics.
var fixed = []string{IDProperty, "employee", "date", "status", "notes", "long_term", "source_url"}

var propertyName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Options configure a Server.
type Options struct {
	// Token is the private app token requests must carry (required).
	Token string
	// ReadOnlyToken, when set, is a token HubSpot knows but that lacks the
	// write scope: requests with it get 403 MISSING_SCOPES.
	ReadOnlyToken string
	// ObjectType is the custom object type in the path (DefaultObjectType).
	ObjectType string
	// Fields maps metric keys to property names, to read metrics back in
	// Objects; a property not listed is read as the metric of its own name.
	Fields map[string]string
	// Limit is the requests allowed per Window (DefaultLimit).
	Limit int
	// Window is the rolling window in HubSpot's time (DefaultWindow).
	Window time.Duration
	// Scale makes time run faster: the enforced window is Window/Scale
	// (0 or 1: real time).
	Scale float64
	// Hang is how long the Timeout fault keeps a request waiting when the
	// client does not hang up first (default 5s).
	Hang time.Duration
	// SearchLimit is the search requests allowed per SearchWindow
	// (DefaultSearchLimit), on top of Limit.
	SearchLimit int
	// SearchWindow is the search limit's rolling window in HubSpot's time
	// (DefaultSearchWindow); the enforced one is SearchWindow/Scale.
	SearchWindow time.Duration
	// InProcess serves no socket: requests go through Client, served in the
	// caller's goroutine (tests in a testing/synctest bubble, on its fake
	// clock).
	InProcess bool
}

// Server is a fake HubSpot.
type Server struct {
	// URL is the base URL, the counterpart of https://api.hubapi.com.
	URL string

	opts         Options
	window       time.Duration
	searchWindow time.Duration
	srv          *httptest.Server
	client       *http.Client
	path         string

	crmtest.FaultQueue // Inject and Reset

	mu         sync.Mutex
	nextID     int64
	objects    map[string]*object // by id
	byKey      map[string]string  // report_key → id
	hits       []time.Time        // admitted requests within the window
	requests   crmtest.Counter
	violations crmtest.Counter
	correlate  int
	rejects    []reject
	lastBody   []byte
	// The search endpoints (facts.go).
	searchHits       []time.Time
	searchViolations int
	searches         int
	searchBodies     [][]byte
	fx               factStore
	// The custom object schemas (schemas.go).
	schemas    []*Schema
	nextSchema int
}

type object struct {
	id      string
	props   map[string]string
	created time.Time
	updated time.Time
}

type reject struct{ property, value string }

var _ crmtest.Faults = (*Server)(nil)

// New starts a server listening on 127.0.0.1 only, closed when t ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		t.Fatal("hubspotfake: Options.Token is required")
	}
	if opts.ObjectType == "" {
		opts.ObjectType = DefaultObjectType
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultLimit
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	if opts.Hang <= 0 {
		opts.Hang = 5 * time.Second
	}
	if opts.SearchLimit <= 0 {
		opts.SearchLimit = DefaultSearchLimit
	}
	if opts.SearchWindow <= 0 {
		opts.SearchWindow = DefaultSearchWindow
	}
	s := &Server{
		opts:         opts,
		window:       time.Duration(float64(opts.Window) / opts.Scale),
		searchWindow: time.Duration(float64(opts.SearchWindow) / opts.Scale),
		path:         "/crm/v3/objects/" + opts.ObjectType + "/batch/upsert",
		nextID:       31000000000,
		nextSchema:   3508000,
		objects:      map[string]*object{},
		byKey:        map[string]string{},
	}
	if opts.InProcess {
		s.client = crmtest.InProcess(http.HandlerFunc(s.serve))
		s.URL = "http://127.0.0.1:1" // never dialled
		t.Cleanup(s.Close)
		return s
	}
	s.srv = crmtest.Serve(t, http.HandlerFunc(s.serve), s.Close)
	s.URL = s.srv.URL
	return s
}

// Client is the HTTP client of an InProcess fake (nil otherwise).
func (s *Server) Client() *http.Client { return s.client }

// Window returns the enforced rolling window (Window/Scale).
func (s *Server) Window() time.Duration { return s.window }

// Limit returns the requests allowed per Window.
func (s *Server) Limit() int { return s.opts.Limit }

// Requests returns how many requests reached the server.
func (s *Server) Requests() int { return s.requests.Value() }

// Violations returns how many requests exceeded the rate limit.
func (s *Server) Violations() int { return s.violations.Value() }

// LastBody returns the body of the last request that got past the checks
// of token, rate and faults.
func (s *Server) LastBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lastBody)
}

// RejectValue makes inputs that set property to value fail validation, the
// way HubSpot refuses a value an enumeration property has no option for.
func (s *Server) RejectValue(property, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects = append(s.rejects, reject{property, value})
}

// Properties returns the properties of the object under key.
func (s *Server) Properties(key string) (id string, props map[string]string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok = s.byKey[key]
	if !ok {
		return "", nil, false
	}
	o := s.objects[id]
	out := make(map[string]string, len(o.props))
	for k, v := range o.props {
		out[k] = v
	}
	return id, out, true
}

// Objects returns every object in dayreport's terms, ordered by id, with
// metrics parsed back from their string values; for crmtest.Harness.
func (s *Server) Objects(t testing.TB) []crmtest.Object {
	t.Helper()
	metricOf := make(map[string]string, len(s.opts.Fields))
	for k, p := range s.opts.Fields {
		metricOf[p] = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]crmtest.Object, 0, len(s.objects))
	for _, o := range s.objects {
		obj := crmtest.Object{ID: o.id, Key: o.props[IDProperty], Status: o.props["status"], Notes: o.props["notes"], LongTerm: o.props["long_term"], Metrics: map[string]float64{}}
		for p, v := range o.props {
			if slices.Contains(fixed, p) || v == "" {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Errorf("hubspotfake: object %s: property %s = %q is not a number", o.id, p, v)
				continue
			}
			k := p
			if m, ok := metricOf[p]; ok {
				k = m
			}
			obj.Metrics[k] = f
		}
		out = append(out, obj)
	}
	slices.SortFunc(out, func(a, b crmtest.Object) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Delete archives the object with id, as if someone deleted it in HubSpot.
func (s *Server) Delete(t testing.TB, id string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[id]
	if !ok {
		t.Fatalf("hubspotfake: no object %s", id)
	}
	delete(s.objects, id)
	delete(s.byKey, o.props[IDProperty])
}

// hsError is HubSpot's standard error body.
type hsError struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []hsSubError        `json:"errors,omitempty"`
}

type hsSubError struct {
	Message string         `json:"message"`
	Code    string         `json:"code,omitempty"`
	In      string         `json:"in,omitempty"`
	Context map[string]any `json:"context,omitempty"`
}

func (s *Server) correlationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.correlate++
	return fmt.Sprintf("5f0e8a4c-0000-4000-8000-%012d", s.correlate)
}

func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fail(w http.ResponseWriter, code int, category, message string, ctx map[string][]string, subs ...hsSubError) {
	s.writeJSON(w, code, hsError{Status: "error", Message: message, CorrelationID: s.correlationID(), Category: category, Context: ctx, Errors: subs})
}

// admit counts a request against the rolling window and sets the rate-limit
// headers. It reports whether the request is within the limit.
func (s *Server) admit(w http.ResponseWriter, now time.Time) bool {
	s.mu.Lock()
	cut := now.Add(-s.window)
	drop := 0
	for drop < len(s.hits) && !s.hits[drop].After(cut) {
		drop++
	}
	s.hits = s.hits[drop:]
	ok := len(s.hits) < s.opts.Limit
	if ok {
		s.hits = append(s.hits, now)
	} else {
		s.violations.Inc()
	}
	remaining := s.opts.Limit - len(s.hits)
	s.mu.Unlock()
	s.rateHeaders(w, remaining)
	return ok
}

func (s *Server) rateHeaders(w http.ResponseWriter, remaining int) {
	h := w.Header()
	h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(s.opts.Limit))
	h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(max(s.window.Milliseconds(), 1), 10))
}

// rateLimited answers HubSpot's 429.
func (s *Server) rateLimited(w http.ResponseWriter) {
	s.rateHeaders(w, 0)
	s.writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"status":        "error",
		"message":       "You have reached your ten_secondly_rolling limit.",
		"errorType":     "RATE_LIMIT",
		"correlationId": s.correlationID(),
		"policyName":    "TEN_SECONDLY_ROLLING",
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.requests.Inc()
	w.Header().Set("X-HubSpot-Correlation-Id", s.correlationID())

	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	readOnly := bearer && s.opts.ReadOnlyToken != "" && tok == s.opts.ReadOnlyToken
	if !bearer || (tok != s.opts.Token && !readOnly) {
		s.fail(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
		return
	}
	object, search := s.searchObject(r)
	if !s.admit(w, now) {
		s.rateLimited(w)
		return
	}
	if search && !s.admitSearch(now) {
		s.searchLimited(w)
		return
	}
	if readOnly && !search { // a read-only token may search
		s.fail(w, http.StatusForbidden, "MISSING_SCOPES",
			"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.", nil,
			hsSubError{Message: "One or more of the following scopes are required.", Context: map[string]any{"requiredGranularScopes": []string{"crm.objects.custom.write"}}})
		return
	}
	if s.fault(w, r) {
		return
	}
	if s.routeSchemas(w, r) {
		return
	}
	if search {
		s.search(w, r, object)
		return
	}
	objectType := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/crm/v3/objects/"), "/batch/upsert")
	s.mu.Lock()
	custom := s.schemaOf(objectType) != nil
	s.mu.Unlock()
	upsertPath := r.URL.Path == s.path || (custom && strings.HasSuffix(r.URL.Path, "/batch/upsert"))
	if r.Method != http.MethodPost || !upsertPath {
		s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found: "+r.Method+" "+r.URL.Path, nil)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.fail(w, http.StatusUnsupportedMediaType, "VALIDATION_ERROR", "Content-Type must be application/json", nil)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "unreadable body", nil)
		return
	}
	s.mu.Lock()
	s.lastBody = body
	unknown := ""
	if custom {
		var req struct {
			Inputs []struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"inputs"`
		}
		_ = json.Unmarshal(body, &req)
		for _, in := range req.Inputs {
			if p := s.unknownProperty(objectType, in.Properties); p != "" {
				unknown = p
			}
		}
	}
	s.mu.Unlock()
	if unknown != "" {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid", nil,
			hsSubError{Message: fmt.Sprintf("Property %q does not exist", unknown), Code: "PROPERTY_DOESNT_EXIST", In: unknown})
		return
	}
	s.upsert(w, body, now)
}

// fault answers an injected fault; it reports whether it did.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	switch s.Next() {
	case crmtest.RateLimited:
		s.rateLimited(w)
	case crmtest.ServerError:
		s.fail(w, http.StatusInternalServerError, "INTERNAL_ERROR", "internal error", nil)
	case crmtest.Unavailable:
		crmtest.HangUp(w)
	case crmtest.Timeout:
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
		s.Hang(r, s.opts.Hang)
	case crmtest.BadRequest:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1, column 2: unexpected token", nil)
	default:
		return false
	}
	return true
}

type wireInput struct {
	IDProperty         string                     `json:"idProperty"`
	ID                 string                     `json:"id"`
	ObjectWriteTraceID string                     `json:"objectWriteTraceId"`
	Properties         map[string]json.RawMessage `json:"properties"`
}

type wireResult struct {
	ID                 string            `json:"id"`
	Properties         map[string]string `json:"properties"`
	CreatedAt          string            `json:"createdAt"`
	UpdatedAt          string            `json:"updatedAt"`
	Archived           bool              `json:"archived"`
	New                bool              `json:"new"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
}

type wireError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
	Errors   []hsSubError        `json:"errors,omitempty"`
}

type wireResponse struct {
	Status      string       `json:"status"`
	Results     []wireResult `json:"results"`
	Errors      []wireError  `json:"errors,omitempty"`
	NumErrors   int          `json:"numErrors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

func (s *Server) upsert(w http.ResponseWriter, body []byte, now time.Time) {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	var req struct {
		Inputs []wireInput `json:"inputs"`
	}
	if err := dec.Decode(&req); err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	switch n := len(req.Inputs); {
	case n == 0:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "inputs: must not be empty", nil)
		return
	case n > MaxInputs:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Batch input limit exceeded: %d inputs, at most %d", n, MaxInputs), nil)
		return
	}
	// Shape: the whole batch fails, naming the inputs at fault.
	seen := map[string]bool{}
	var dups []string
	type input struct {
		wire  wireInput
		props map[string]string
	}
	inputs := make([]input, len(req.Inputs))
	for i, in := range req.Inputs {
		ids := map[string][]string{"ids": {in.ID}}
		switch {
		case in.ID == "":
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("inputs[%d].id: must not be empty", i), nil)
			return
		case in.IDProperty != IDProperty:
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("inputs[%d].idProperty: %q is not a unique property of %s (want %s)", i, in.IDProperty, s.opts.ObjectType, IDProperty), ids)
			return
		case seen[in.ID]:
			dups = append(dups, in.ID)
		}
		seen[in.ID] = true
		props := make(map[string]string, len(in.Properties))
		for p, raw := range in.Properties {
			if !propertyName.MatchString(p) {
				s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid", ids,
					hsSubError{Message: fmt.Sprintf("Property %q does not exist", p), Code: "PROPERTY_DOESNT_EXIST", In: p})
				return
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil || (len(raw) > 0 && raw[0] != '"') {
				s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid", ids,
					hsSubError{Message: fmt.Sprintf("%s was not a string: %s", p, raw), Code: "INVALID_STRING", In: p})
				return
			}
			props[p] = v
		}
		if v, ok := props[IDProperty]; ok && v != in.ID {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("inputs[%d]: %s %q differs from the id %q", i, IDProperty, v, in.ID), ids)
			return
		}
		inputs[i] = input{in, props}
	}
	if len(dups) > 0 {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Duplicate IDs found in batch input: "+strings.Join(dups, ", "), map[string][]string{"ids": dups})
		return
	}
	// Values: per input.
	traced := true
	for _, in := range inputs {
		traced = traced && in.wire.ObjectWriteTraceID != ""
	}
	s.mu.Lock()
	rejects := slices.Clone(s.rejects)
	s.mu.Unlock()
	var bad []wireError
	ok := make([]bool, len(inputs))
	for i, in := range inputs {
		ok[i] = true
		for _, rj := range rejects {
			if v, set := in.props[rj.property]; set && v == rj.value {
				ok[i] = false
				ctx := map[string][]string{"ids": {in.wire.ID}}
				if traced {
					ctx = map[string][]string{"objectWriteTraceId": {in.wire.ObjectWriteTraceID}}
				}
				bad = append(bad, wireError{
					Status: "error", Category: "VALIDATION_ERROR", Context: ctx,
					Message: fmt.Sprintf("Property values were not valid: %s %q is not one of the allowed options", rj.property, v),
					Errors:  []hsSubError{{Message: fmt.Sprintf("%q is not a valid option", v), Code: "INVALID_OPTION", In: rj.property}},
				})
				break
			}
		}
	}
	if len(bad) > 0 && !traced {
		e := bad[0]
		var ids []string
		for _, b := range bad {
			ids = append(ids, b.Context["ids"]...)
		}
		s.fail(w, http.StatusBadRequest, e.Category, e.Message, map[string][]string{"ids": ids}, e.Errors...)
		return
	}
	stamp := now.UTC().Format(time.RFC3339Nano)
	resp := wireResponse{Status: "COMPLETE", Results: []wireResult{}, Errors: bad, NumErrors: len(bad), StartedAt: stamp}
	created := false
	s.mu.Lock()
	for i, in := range inputs {
		if !ok[i] {
			continue
		}
		id, known := s.byKey[in.wire.ID]
		o := s.objects[id]
		if !known {
			s.nextID++
			id = strconv.FormatInt(s.nextID, 10)
			o = &object{id: id, props: map[string]string{}, created: now}
			s.objects[id], s.byKey[in.wire.ID] = o, id
			created = true
		}
		for p, v := range in.props {
			o.props[p] = v // properties not sent keep their values, as in HubSpot
		}
		o.props[IDProperty] = in.wire.ID
		o.updated = now
		props := make(map[string]string, len(o.props)+3)
		for p, v := range o.props {
			props[p] = v
		}
		props["hs_object_id"] = id
		props["hs_createdate"] = o.created.UTC().Format(time.RFC3339Nano)
		props["hs_lastmodifieddate"] = o.updated.UTC().Format(time.RFC3339Nano)
		resp.Results = append(resp.Results, wireResult{
			ID: id, Properties: props, CreatedAt: props["hs_createdate"], UpdatedAt: props["hs_lastmodifieddate"],
			New: !known, ObjectWriteTraceID: in.wire.ObjectWriteTraceID,
		})
	}
	s.mu.Unlock()
	lose := created && s.Ambiguous()
	if lose {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
		return
	}
	resp.CompletedAt = time.Now().UTC().Format(time.RFC3339Nano)
	code := http.StatusOK
	if len(bad) > 0 {
		code = http.StatusMultiStatus
	}
	s.writeJSON(w, code, resp)
}
