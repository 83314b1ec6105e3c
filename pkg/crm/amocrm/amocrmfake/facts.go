package amocrmfake

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The account's records that amocrm.Adapter.Facts reads:
//
//	GET /api/v4/events?filter[type][]=…&filter[created_by][]=…&filter[created_at][from]=…&filter[created_at][to]=…&limit=&page=
//	GET /api/v4/leads?filter[responsible_user_id][]=…&filter[closed_at][from]=…&filter[closed_at][to]=…&limit=&page=
//
// Events (calls and others) and leads are put in with AddCall,
// AddIncomingCall, AddEvent, AddLead, AddWonLead and AddLostLead. Both
// endpoints answer HAL pages (events at most 100 a page, newest first; leads
// at most 250, by id), 204 No Content for an empty page, and 400 for a
// filter the fake does not know, a range that is not from/to numbers or a
// status filter without its pipeline, so that an adapter's mistakes show.
// The event list takes its filters only in the form amoCRM's API v4
// reference documents: filter[created_by] and filter[type] as one value or
// an array (name[]=a&name[]=b), at most 10 users, and filter[created_at] as
// one timestamp or [from] and [to]; the comma-joined form of the API v2 page
// and the PHP library (filter[created_by]=1,2, filter[created_at]=from,to)
// is refused with 400.
// They go through the same token check, faults and rate limit as the list
// endpoints.

// Event types of calls, and the lead statuses every pipeline has.
const (
	EventIncomingCall = "incoming_call"
	EventOutgoingCall = "outgoing_call"
	StatusWon         = 142
	StatusLost        = 143
	DefaultPipelineID = 7001
	maxEventsLimit    = 100
	maxEventUsers     = 10 // users in one filter[created_by] of the event list
)

// Event is an entry of the account's event list.
type Event struct {
	ID         string
	Type       string
	CreatedBy  int
	CreatedAt  time.Time
	EntityID   int
	EntityType string
}

// Lead is a lead (deal); ClosedAt is zero while it is open.
type Lead struct {
	ID                int64
	Name              string
	StatusID          int
	PipelineID        int
	ResponsibleUserID int
	CreatedAt         time.Time
	ClosedAt          time.Time
}

// factStore holds the records behind the facts; the Server's mu guards it.
type factStore struct {
	events   []Event
	leads    []Lead
	nextEvt  int
	nextLead int64
}

// AddEvent stores an event of type typ triggered by the user at at and
// returns its id.
func (s *Server) AddEvent(typ string, user int, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fx.nextEvt++
	id := fmt.Sprintf("01fake%020d", s.fx.nextEvt)
	s.fx.events = append(s.fx.events, Event{ID: id, Type: typ, CreatedBy: user, CreatedAt: at, EntityID: 1000 + s.fx.nextEvt, EntityType: "contact"})
	return id
}

// AddCall stores an outgoing call of the user at at.
func (s *Server) AddCall(user int, at time.Time) string {
	return s.AddEvent(EventOutgoingCall, user, at)
}

// AddIncomingCall stores an incoming call taken by the user at at.
func (s *Server) AddIncomingCall(user int, at time.Time) string {
	return s.AddEvent(EventIncomingCall, user, at)
}

// AddLead stores a lead and returns its id (l.ID when set).
func (s *Server) AddLead(l Lead) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.ID == 0 {
		s.fx.nextLead++
		l.ID = 30000000 + s.fx.nextLead
	}
	if l.PipelineID == 0 {
		l.PipelineID = DefaultPipelineID
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = l.ClosedAt.Add(-time.Hour)
	}
	s.fx.leads = append(s.fx.leads, l)
	return l.ID
}

// AddWonLead stores a lead of the user closed as won (status 142) at at.
func (s *Server) AddWonLead(user int, at time.Time) int64 {
	return s.AddLead(Lead{StatusID: StatusWon, ResponsibleUserID: user, ClosedAt: at})
}

// AddLostLead stores a lead of the user closed as lost (status 143) at at.
func (s *Server) AddLostLead(user int, at time.Time) int64 {
	return s.AddLead(Lead{StatusID: StatusLost, ResponsibleUserID: user, ClosedAt: at})
}

// factQuery is a request's query as the API reads PHP-style brackets.
type factQuery struct {
	q       url.Values
	allowed []string // name prefixes the endpoint knows
}

// check rejects a parameter the endpoint does not know.
func (f factQuery) check() error {
	for k := range f.q {
		known := false
		for _, p := range f.allowed {
			if k == p || strings.HasPrefix(k, p+"[") {
				known = true
				break
			}
		}
		if !known {
			return fmt.Errorf("unknown parameter %s", k)
		}
	}
	return nil
}

// multi returns the values of a multiple filter: name=a,b, name[]=a or
// name[0]=a.
func (f factQuery) multi(name string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(f.q)) {
		rest, ok := strings.CutPrefix(k, name)
		if !ok || (rest != "" && (rest[0] != '[' || rest[len(rest)-1] != ']' || strings.Count(rest, "[") != 1)) {
			continue
		}
		for _, v := range f.q[k] {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
	}
	return out
}

// list returns the values of a filter in the event list's documented form:
// name=a (one value) or name[]=a&name[]=b (name[i] too), at most most values
// (0: no limit). A value holding a comma is the undocumented joined form and
// is refused.
func (f factQuery) list(name string, most int) ([]string, error) {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(f.q)) {
		rest, ok := strings.CutPrefix(k, name)
		if !ok || (rest != "" && (rest[0] != '[' || rest[len(rest)-1] != ']' || strings.Count(rest, "[") != 1)) {
			continue
		}
		if rest == "" && len(f.q[k]) > 1 {
			return nil, fmt.Errorf("%s: several values need the array form %s[]", name, name)
		}
		for _, v := range f.q[k] {
			if strings.Contains(v, ",") {
				return nil, fmt.Errorf("%s: %q: values are not joined with commas; pass an array, %s[]=…", name, v, name)
			}
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	if most > 0 && len(out) > most {
		return nil, fmt.Errorf("%s: at most %d values, got %d", name, most, len(out))
	}
	return out, nil
}

// span returns a range filter: name[from] and name[to] (both ends
// included), or name=from[,to]; absent ends are open.
func (f factQuery) span(name string) (lo, hi int64, err error) {
	lo, hi = -1<<62, 1<<62
	parse := func(v string) (int64, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a timestamp", name, v)
		}
		return n, nil
	}
	if v := f.q.Get(name + "[from]"); v != "" {
		if lo, err = parse(v); err != nil {
			return
		}
	}
	if v := f.q.Get(name + "[to]"); v != "" {
		if hi, err = parse(v); err != nil {
			return
		}
	}
	if v := f.q.Get(name); v != "" {
		parts := strings.Split(v, ",")
		if lo, err = parse(parts[0]); err != nil {
			return
		}
		if len(parts) > 1 {
			if hi, err = parse(parts[1]); err != nil {
				return
			}
		}
	}
	for k := range f.q {
		if rest, ok := strings.CutPrefix(k, name+"["); ok && rest != "from]" && rest != "to]" {
			return 0, 0, fmt.Errorf("%s: want [from] and [to], got %s", name, k)
		}
	}
	return lo, hi, nil
}

func inInts(vals []string, n int) bool {
	if len(vals) == 0 {
		return true
	}
	return slices.Contains(vals, strconv.Itoa(n))
}

// pageOf reads limit and page, limit at most max.
func (f factQuery) pageOf(def, most int) (limit, page int, err error) {
	limit, ok := intParam(f.q, "limit", def)
	if !ok || limit < 1 || limit > most {
		return 0, 0, fmt.Errorf("limit must be between 1 and %d", most)
	}
	page, ok = intParam(f.q, "page", 1)
	if !ok || page < 1 {
		return 0, 0, fmt.Errorf("page must be a positive number")
	}
	return limit, page, nil
}

// paged reads a list request's query: only the allowed parameters (and
// page and limit), a limit of at most most. On a bad query it answers 400
// and ok is false.
func paged(w http.ResponseWriter, q url.Values, most int, allowed ...string) (f factQuery, limit, page int, ok bool) {
	f = factQuery{q: q, allowed: append([]string{"page", "limit"}, allowed...)}
	err := f.check()
	if err == nil {
		limit, page, err = f.pageOf(50, most)
	}
	if err != nil {
		problemJSON(w, http.StatusBadRequest, err.Error(), nil)
		return f, 0, 0, false
	}
	return f, limit, page, true
}

// halPage answers one page of docs under _embedded[name], or 204 when the
// page is empty.
func (s *Server) halPage(w http.ResponseWriter, path string, q url.Values, name string, docs []map[string]any, limit, page int) {
	start := (page - 1) * limit
	if start >= len(docs) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	end := min(start+limit, len(docs))
	link := func(p int) map[string]string {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("page", strconv.Itoa(p))
		return map[string]string{"href": s.URL + path + "?" + v.Encode()}
	}
	links := map[string]any{"self": link(page)}
	if end < len(docs) {
		links["next"] = link(page + 1)
	}
	if page > 1 {
		links["prev"] = link(page - 1)
	}
	halJSON(w, http.StatusOK, map[string]any{"_page": page, "_links": links, "_embedded": map[string]any{name: docs[start:end]}})
}

// listEvents answers GET /api/v4/events.
func (s *Server) listEvents(w http.ResponseWriter, q url.Values) {
	f, limit, page, ok := paged(w, q, maxEventsLimit, "with", "filter[id]", "filter[type]", "filter[created_by]", "filter[created_at]", "filter[entity]", "filter[entity_id]")
	if !ok {
		return
	}
	if strings.Contains(q.Get("filter[created_at]"), ",") {
		problemJSON(w, http.StatusBadRequest, "filter[created_at]: one timestamp, or [from] and [to]; not two joined with a comma", nil)
		return
	}
	lo, hi, err := f.span("filter[created_at]")
	if err != nil {
		problemJSON(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	types, err := f.list("filter[type]", 0)
	if err != nil {
		problemJSON(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	users, err := f.list("filter[created_by]", maxEventUsers)
	if err != nil {
		problemJSON(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	ids := f.multi("filter[id]")
	s.mu.Lock()
	var matched []Event
	for _, e := range s.fx.events {
		at := e.CreatedAt.Unix()
		if at < lo || at > hi || !inInts(users, e.CreatedBy) ||
			(len(types) > 0 && !slices.Contains(types, e.Type)) || (len(ids) > 0 && !slices.Contains(ids, e.ID)) {
			continue
		}
		matched = append(matched, e)
	}
	s.mu.Unlock()
	sort.SliceStable(matched, func(i, j int) bool { // newest first
		if !matched[i].CreatedAt.Equal(matched[j].CreatedAt) {
			return matched[i].CreatedAt.After(matched[j].CreatedAt)
		}
		return matched[i].ID > matched[j].ID
	})
	docs := make([]map[string]any, len(matched))
	for i, e := range matched {
		docs[i] = map[string]any{
			"id": e.ID, "type": e.Type, "entity_id": e.EntityID, "entity_type": e.EntityType,
			"created_by": e.CreatedBy, "created_at": e.CreatedAt.Unix(), "account_id": 1,
			"value_after": []any{map[string]any{"note": map[string]any{"id": 5000 + i}}}, "value_before": []any{},
			"_embedded": map[string]any{"entity": map[string]any{"id": e.EntityID}},
		}
	}
	s.halPage(w, "/api/v4/events", q, "events", docs, limit, page)
}

// listLeads answers GET /api/v4/leads.
func (s *Server) listLeads(w http.ResponseWriter, q url.Values) {
	f, limit, page, ok := paged(w, q, maxLimit, "with", "order", "filter[id]", "filter[statuses]", "filter[pipeline_id]",
		"filter[responsible_user_id]", "filter[created_by]", "filter[created_at]", "filter[updated_at]", "filter[closed_at]")
	if !ok {
		return
	}
	closedLo, closedHi, err := f.span("filter[closed_at]")
	if err != nil {
		problemJSON(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	createdLo, createdHi, err := f.span("filter[created_at]")
	if err != nil {
		problemJSON(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	// filter[statuses][i][status_id] and [pipeline_id], both required.
	type status struct{ status, pipeline string }
	byIndex := map[string]*status{}
	for k, vals := range q {
		rest, ok := strings.CutPrefix(k, "filter[statuses][")
		if !ok {
			continue
		}
		idx, field, _ := strings.Cut(rest, "][")
		st := byIndex[idx]
		if st == nil {
			st = &status{}
			byIndex[idx] = st
		}
		switch field {
		case "status_id]":
			st.status = vals[0]
		case "pipeline_id]":
			st.pipeline = vals[0]
		default:
			problemJSON(w, http.StatusBadRequest, "filter[statuses]: want [i][status_id] and [i][pipeline_id], got "+k, nil)
			return
		}
	}
	for _, st := range byIndex {
		if st.status == "" || st.pipeline == "" {
			problemJSON(w, http.StatusBadRequest, "filter[statuses]: status_id and pipeline_id are both required", nil)
			return
		}
	}
	users, pipelines, ids := f.multi("filter[responsible_user_id]"), f.multi("filter[pipeline_id]"), f.multi("filter[id]")
	s.mu.Lock()
	var matched []Lead
	for _, l := range s.fx.leads {
		closed := int64(-1 << 62)
		if !l.ClosedAt.IsZero() {
			closed = l.ClosedAt.Unix()
		} else if closedLo > -1<<62 || closedHi < 1<<62 {
			continue // an open lead has no closing date to match
		}
		created := l.CreatedAt.Unix()
		if closed < closedLo || closed > closedHi || created < createdLo || created > createdHi ||
			!inInts(users, l.ResponsibleUserID) || !inInts(pipelines, l.PipelineID) ||
			(len(ids) > 0 && !slices.Contains(ids, strconv.FormatInt(l.ID, 10))) {
			continue
		}
		if len(byIndex) > 0 {
			hit := false
			for _, st := range byIndex {
				hit = hit || (st.status == strconv.Itoa(l.StatusID) && st.pipeline == strconv.Itoa(l.PipelineID))
			}
			if !hit {
				continue
			}
		}
		matched = append(matched, l)
	}
	s.mu.Unlock()
	sort.Slice(matched, func(i, j int) bool { return matched[i].ID < matched[j].ID })
	docs := make([]map[string]any, len(matched))
	for i, l := range matched {
		var closedAt any
		if !l.ClosedAt.IsZero() {
			closedAt = l.ClosedAt.Unix()
		}
		docs[i] = map[string]any{
			"id": l.ID, "name": l.Name, "price": 0, "responsible_user_id": l.ResponsibleUserID, "group_id": 0,
			"status_id": l.StatusID, "pipeline_id": l.PipelineID, "loss_reason_id": nil,
			"created_by": l.ResponsibleUserID, "updated_by": l.ResponsibleUserID,
			"created_at": l.CreatedAt.Unix(), "updated_at": l.CreatedAt.Unix(), "closed_at": closedAt,
			"closest_task_at": nil, "is_deleted": false, "custom_fields_values": nil, "score": nil, "account_id": 1,
		}
	}
	s.halPage(w, "/api/v4/leads", q, "leads", docs, limit, page)
}
