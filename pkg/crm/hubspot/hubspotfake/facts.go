package hubspotfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The records behind hubspot.Adapter.Facts, searched with
//
//	POST /crm/v3/objects/calls/search
//	POST /crm/v3/objects/deals/search
//
// as the CRM search guide describes them: filterGroups (at most 5, 6 filters
// a group, 18 in all) of filters with EQ, NEQ, LT, LTE, GT, GTE, BETWEEN
// (both ends included), IN, NOT_IN, HAS_PROPERTY and NOT_HAS_PROPERTY on the
// properties listed below (any other is a 400, as is an unknown operator);
// properties; limit (1 to 200, 10 when absent); after, an offset. It answers
// {total, results:[{id, properties, createdAt, updatedAt, archived}],
// paging:{next:{after, link}}} in creation order, refuses a body over 3,000
// characters and a page past the 10,000th result with 400, and enforces the
// search limit (SearchLimit per SearchWindow, rolling) besides the general
// one: a search over it gets 429 with policyName SECONDLY and
// X-HubSpot-RateLimit-Interval-Milliseconds of the search window (what
// HubSpot's search 429 really carries is not documented) and counts as a
// search violation. Date-time values are Unix milliseconds in filters and
// ISO 8601 in answers. Calls and deals are put in with AddCall, AddDeal and
// AddWonDeal.

// Defaults of the search limit.
const (
	DefaultSearchLimit  = 4
	DefaultSearchWindow = time.Second
	maxSearchBody       = 3000
	maxSearchPage       = 200
	maxSearchResults    = 10_000
)

// searchable are the properties of each object the fake can filter on, and
// which of them are date-times.
var searchable = map[string]map[string]bool{
	"calls": {"hs_timestamp": true, "hs_createdate": true, "hs_lastmodifieddate": true,
		"hubspot_owner_id": false, "hs_object_id": false, "hs_call_direction": false, "hs_call_title": false},
	"deals": {"closedate": true, "createdate": true, "hs_lastmodifieddate": true,
		"hubspot_owner_id": false, "hs_object_id": false, "hs_is_closed_won": false, "dealstage": false, "pipeline": false, "dealname": false},
}

// record is a call or a deal: every property as HubSpot stores it, as a
// string (date-times in Unix milliseconds).
type record struct {
	id    string
	props map[string]string
	ops   map[string]operand // the searchable properties, read once
}

// factStore holds the calls and deals; the Server's mu guards it.
type factStore struct {
	calls  []*record
	deals  []*record
	nextID int64
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func (s *Server) addRecord(object string, props map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fx.nextID++
	id := strconv.FormatInt(41000000000+s.fx.nextID, 10)
	props["hs_object_id"] = id
	r := &record{id: id, props: props, ops: map[string]operand{}}
	for p, isTime := range searchable[object] {
		if v, ok := props[p]; ok {
			r.ops[p] = newOperand(v, isTime)
		}
	}
	if object == "calls" {
		s.fx.calls = append(s.fx.calls, r)
	} else {
		s.fx.deals = append(s.fx.deals, r)
	}
	return id
}

// AddCall stores a call of the owner that happened at at (hs_timestamp) and
// returns its id.
func (s *Server) AddCall(owner string, at time.Time) string {
	return s.addRecord("calls", map[string]string{
		"hubspot_owner_id": owner, "hs_timestamp": millis(at), "hs_createdate": millis(at), "hs_lastmodifieddate": millis(at),
		"hs_call_direction": "OUTBOUND", "hs_call_title": "Call",
	})
}

// AddDeal stores a deal of the owner with close date closed, won or not
// (closed lost), and returns its id.
func (s *Server) AddDeal(owner string, closed time.Time, won bool) string {
	stage := "closedlost"
	if won {
		stage = "closedwon"
	}
	return s.addRecord("deals", map[string]string{
		"hubspot_owner_id": owner, "closedate": millis(closed), "createdate": millis(closed.Add(-24 * time.Hour)),
		"hs_lastmodifieddate": millis(closed), "hs_is_closed_won": strconv.FormatBool(won), "dealstage": stage,
		"pipeline": "default", "dealname": "Deal",
	})
}

// AddWonDeal stores a deal of the owner closed won at at.
func (s *Server) AddWonDeal(owner string, at time.Time) string { return s.AddDeal(owner, at, true) }

// SearchWindow returns the enforced search window (SearchWindow/Scale).
func (s *Server) SearchWindow() time.Duration { return s.searchWindow }

// SearchLimit returns the searches allowed per SearchWindow.
func (s *Server) SearchLimit() int { return s.opts.SearchLimit }

// Searches returns how many search requests reached the server.
func (s *Server) Searches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.searches
}

// SearchBodies returns the bodies of the searches answered, in order.
func (s *Server) SearchBodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.searchBodies)
}

// SearchViolations returns how many searches exceeded the search limit.
func (s *Server) SearchViolations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.searchViolations
}

// searchObject tells whether r is a search, and of which object.
func (s *Server) searchObject(r *http.Request) (string, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/crm/v3/objects/")
	object, tail, _ := strings.Cut(rest, "/")
	if !ok || tail != "search" || r.Method != http.MethodPost {
		return "", false
	}
	if _, known := searchable[object]; !known {
		return "", false
	}
	return object, true
}

// admitSearch counts a search against the rolling search window.
func (s *Server) admitSearch(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searches++
	cut := now.Add(-s.searchWindow)
	drop := 0
	for drop < len(s.searchHits) && !s.searchHits[drop].After(cut) {
		drop++
	}
	s.searchHits = s.searchHits[drop:]
	if len(s.searchHits) >= s.opts.SearchLimit {
		s.searchViolations++
		return false
	}
	s.searchHits = append(s.searchHits, now)
	return true
}

// searchLimited answers a search over the search limit.
func (s *Server) searchLimited(w http.ResponseWriter) {
	w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(max(s.searchWindow.Milliseconds(), 1), 10))
	s.writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"status":        "error",
		"message":       "You have reached your secondly limit.",
		"errorType":     "RATE_LIMIT",
		"correlationId": s.correlationID(),
		"policyName":    "SECONDLY",
	})
}

type wireFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        *string  `json:"value"`
	HighValue    *string  `json:"highValue"`
	Values       []string `json:"values"`
}

type wireSearch struct {
	FilterGroups []struct {
		Filters []wireFilter `json:"filters"`
	} `json:"filterGroups"`
	Properties []string `json:"properties"`
	Sorts      []any    `json:"sorts"`
	Query      string   `json:"query"`
	Limit      *int     `json:"limit"`
	After      string   `json:"after"`
}

// search answers POST /crm/v3/objects/{object}/search.
func (s *Server) search(w http.ResponseWriter, r *http.Request, object string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "unreadable body", nil)
		return
	}
	if len(body) > maxSearchBody {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("The request body may not exceed %d characters", maxSearchBody), nil)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req wireSearch
	if err := dec.Decode(&req); err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	limit := 10
	if req.Limit != nil {
		limit = *req.Limit
	}
	after := 0
	if req.After != "" {
		if after, err = strconv.Atoi(req.After); err != nil || after < 0 {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "after must be an integer offset", nil)
			return
		}
	}
	total := 0
	for _, g := range req.FilterGroups {
		total += len(g.Filters)
		if len(g.Filters) > 6 {
			total = 1 << 20
		}
	}
	switch {
	case limit < 1 || limit > maxSearchPage:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("limit must be between 1 and %d", maxSearchPage), nil)
		return
	case after+limit > maxSearchResults:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Search results are limited to %d", maxSearchResults), nil)
		return
	case len(req.FilterGroups) > 5 || total > 18:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Too many filterGroups or filters: at most 5 groups of 6, 18 in all", nil)
		return
	}
	props := searchable[object]
	for _, g := range req.FilterGroups {
		for _, f := range g.Filters {
			if msg := checkFilter(props, f); msg != "" {
				s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
				return
			}
		}
	}
	s.mu.Lock()
	s.searchBodies = append(s.searchBodies, body)
	all := s.fx.calls
	if object == "deals" {
		all = s.fx.deals
	}
	groups := compile(props, req)
	var matched []*record
	for _, rec := range all {
		if matchGroups(groups, rec) {
			matched = append(matched, rec)
		}
	}
	results := []map[string]any{}
	for _, rec := range matched[min(after, len(matched)):min(after+limit, len(matched))] {
		results = append(results, searchJSON(props, rec, req.Properties))
	}
	s.mu.Unlock()
	out := map[string]any{"total": len(matched), "results": results}
	if after+limit < len(matched) {
		next := strconv.Itoa(after + limit)
		out["paging"] = map[string]any{"next": map[string]string{"after": next, "link": "?after=" + next}}
	}
	s.writeJSON(w, http.StatusOK, out)
}

// checkFilter returns what is wrong with a filter, or "".
func checkFilter(props map[string]bool, f wireFilter) string {
	if _, ok := props[f.PropertyName]; !ok {
		return fmt.Sprintf("Property %q does not exist or cannot be filtered on", f.PropertyName)
	}
	switch f.Operator {
	case "EQ", "NEQ", "LT", "LTE", "GT", "GTE":
		if f.Value == nil {
			return f.Operator + " needs a value"
		}
	case "BETWEEN":
		if f.Value == nil || f.HighValue == nil {
			return "BETWEEN needs a value and a highValue"
		}
	case "IN", "NOT_IN":
		if len(f.Values) == 0 {
			return f.Operator + " needs values"
		}
	case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
	default:
		return fmt.Sprintf("Unknown operator %q", f.Operator)
	}
	return ""
}

// operand is a filter value, read as a number once (date-times also from
// ISO 8601).
type operand struct {
	text string
	num  float64
	ok   bool
}

func newOperand(s string, isTime bool) operand {
	n, err := number(s, isTime)
	return operand{text: s, num: n, ok: err == nil}
}

// compiledFilter is a filter with its operands read.
type compiledFilter struct {
	prop, op string
	isTime   bool
	value    operand
	high     operand
	values   []operand
}

func compile(props map[string]bool, req wireSearch) [][]compiledFilter {
	groups := make([][]compiledFilter, len(req.FilterGroups))
	for i, g := range req.FilterGroups {
		for _, f := range g.Filters {
			isTime := props[f.PropertyName]
			cf := compiledFilter{prop: f.PropertyName, op: f.Operator, isTime: isTime}
			if f.Value != nil {
				cf.value = newOperand(*f.Value, isTime)
			}
			if f.HighValue != nil {
				cf.high = newOperand(*f.HighValue, isTime)
			}
			for _, v := range f.Values {
				cf.values = append(cf.values, newOperand(v, isTime))
			}
			groups[i] = append(groups[i], cf)
		}
	}
	return groups
}

// matchGroups: any group whose every filter matches (no group: everything).
func matchGroups(groups [][]compiledFilter, rec *record) bool {
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		ok := true
		for _, f := range g {
			if !f.match(rec.ops[f.prop]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// match evaluates the filter on a stored value (the zero operand when the
// record has none).
func (f compiledFilter) match(stored operand) bool {
	v := stored.text
	cmp := func(want operand) (int, bool) {
		if !stored.ok || !want.ok {
			return strings.Compare(strings.ToLower(v), strings.ToLower(want.text)), v != ""
		}
		switch {
		case stored.num < want.num:
			return -1, true
		case stored.num > want.num:
			return 1, true
		}
		return 0, true
	}
	switch f.op {
	case "HAS_PROPERTY":
		return v != ""
	case "NOT_HAS_PROPERTY":
		return v == ""
	case "IN", "NOT_IN":
		in := slices.ContainsFunc(f.values, func(x operand) bool { c, ok := cmp(x); return ok && c == 0 })
		return in == (f.op == "IN")
	case "BETWEEN":
		lo, ok1 := cmp(f.value)
		hi, ok2 := cmp(f.high)
		return ok1 && ok2 && lo >= 0 && hi <= 0
	}
	c, ok := cmp(f.value)
	if !ok {
		return f.op == "NEQ"
	}
	switch f.op {
	case "EQ":
		return c == 0
	case "NEQ":
		return c != 0
	case "LT":
		return c < 0
	case "LTE":
		return c <= 0
	case "GT":
		return c > 0
	default: // GTE
		return c >= 0
	}
}

// number reads a filter or stored value as a number; a date-time also as
// ISO 8601.
func number(s string, isTime bool) (float64, error) {
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return f, nil
	}
	if isTime {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
			return float64(t.UnixMilli()), nil
		}
	}
	return 0, fmt.Errorf("not a number: %q", s)
}

// searchJSON is a record as a search result: the properties asked for and
// the defaults, date-times in ISO 8601.
func searchJSON(props map[string]bool, rec *record, asked []string) map[string]any {
	iso := func(ms string) string {
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			return ms
		}
		return time.UnixMilli(n).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	out := map[string]string{}
	for _, p := range append([]string{"hs_object_id", "hs_lastmodifieddate", "hs_createdate", "createdate"}, asked...) {
		v, ok := rec.props[p]
		if !ok {
			continue
		}
		if props[p] {
			v = iso(v)
		}
		out[p] = v
	}
	created := rec.props["hs_createdate"]
	if created == "" {
		created = rec.props["createdate"]
	}
	return map[string]any{
		"id": rec.id, "properties": out, "createdAt": iso(created), "updatedAt": iso(rec.props["hs_lastmodifieddate"]), "archived": false,
	}
}
