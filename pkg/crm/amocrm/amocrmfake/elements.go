package amocrmfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxLimit is amoCRM's largest page and batch.
const maxLimit = 250

// route serves the list endpoints of an authorised request.
func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	switch r.URL.Path {
	case "/api/v4/events", "/api/v4/leads":
		if r.Method != http.MethodGet {
			problemJSON(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
			return
		}
		if r.URL.Path == "/api/v4/events" {
			s.listEvents(w, r.URL.Query())
		} else {
			s.listLeads(w, r.URL.Query())
		}
		return
	}
	if s.routeCatalogs(w, r, body) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v4/catalogs/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) < 2 || len(parts) > 3 || parts[1] != "elements" {
		problemJSON(w, http.StatusNotFound, "Not found", nil)
		return
	}
	s.mu.Lock()
	found := s.findCatalog(parts[0]) != nil
	s.mu.Unlock()
	if !found {
		problemJSON(w, http.StatusNotFound, "Catalog not found", nil)
		return
	}
	if len(parts) == 2 {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r.URL.Query())
		case http.MethodPost:
			s.write(w, body, false)
		case http.MethodPatch:
			s.write(w, body, true)
		default:
			problemJSON(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		}
		return
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		problemJSON(w, http.StatusNotFound, "Not found", nil)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		e, ok := s.elements[id]
		var doc map[string]any
		if ok {
			doc = s.elementJSON(e, "")
		}
		s.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		halJSON(w, http.StatusOK, doc)
	case http.MethodPatch:
		s.mu.Lock()
		_, ok := s.elements[id]
		s.mu.Unlock()
		if !ok {
			problemJSON(w, http.StatusNotFound, "Element not found", nil)
			return
		}
		one := bytes.TrimSpace(body)
		if len(one) == 0 || one[0] != '{' {
			problemJSON(w, http.StatusBadRequest, "Request body must be a JSON object", nil)
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(one, &m); err != nil {
			problemJSON(w, http.StatusBadRequest, "Request body is not valid JSON", nil)
			return
		}
		m["id"] = json.RawMessage(strconv.FormatInt(id, 10))
		arr, _ := json.Marshal([]map[string]json.RawMessage{m})
		s.write(w, arr, true)
	default:
		problemJSON(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
	}
}

// list answers a search: elements whose name or a text value contains query
// (case-insensitively), by id, one page; 204 when the page is empty.
// Elements marked deleted are listed with is_deleted true.
func (s *Server) list(w http.ResponseWriter, q url.Values) {
	limit, ok := intParam(q, "limit", 50)
	if !ok || limit < 1 || limit > maxLimit {
		problemJSON(w, http.StatusBadRequest, "limit must be between 1 and 250", nil)
		return
	}
	page, ok := intParam(q, "page", 1)
	if !ok || page < 1 {
		problemJSON(w, http.StatusBadRequest, "page must be a positive number", nil)
		return
	}
	query := strings.ToLower(q.Get("query"))

	s.mu.Lock()
	var matched []*Element
	for _, id := range slices.Sorted(maps.Keys(s.elements)) {
		if e := s.elements[id]; query == "" || matches(e, query) {
			matched = append(matched, e)
		}
	}
	start := (page - 1) * limit
	if start >= len(matched) {
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	end := min(start+limit, len(matched))
	docs := make([]map[string]any, 0, end-start)
	for _, e := range matched[start:end] {
		docs = append(docs, s.elementJSON(e, ""))
	}
	s.mu.Unlock()

	link := func(p int) map[string]string {
		v := url.Values{"page": {strconv.Itoa(p)}, "limit": {strconv.Itoa(limit)}}
		if query != "" {
			v.Set("query", q.Get("query"))
		}
		return map[string]string{"href": s.elementsURL() + "?" + v.Encode()}
	}
	links := map[string]any{"self": link(page)}
	if end < len(matched) {
		links["next"] = link(page + 1)
	}
	if page > 1 {
		links["prev"] = link(page - 1)
	}
	halJSON(w, http.StatusOK, map[string]any{
		"_page":     page,
		"_links":    links,
		"_embedded": map[string]any{"elements": docs},
	})
}

func matches(e *Element, query string) bool {
	if strings.Contains(strings.ToLower(e.Name), query) {
		return true
	}
	for _, v := range e.Values {
		if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), query) {
			return true
		}
	}
	return false
}

func intParam(q url.Values, name string, def int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// inElement is an element of a POST or PATCH body.
type inElement struct {
	ID                 json.RawMessage `json:"id"`
	Name               *string         `json:"name"`
	CustomFieldsValues []inField       `json:"custom_fields_values"`
	RequestID          json.RawMessage `json:"request_id"`
}

type inField struct {
	FieldID json.RawMessage `json:"field_id"`
	Values  []struct {
		Value json.RawMessage `json:"value"`
	} `json:"values"` // null or absent: clear the field
}

// change is a validated element: what to store.
type change struct {
	requestID string
	id        int64
	name      *string
	set       map[int]any
	clear     []int
}

// write creates (update false) or updates the elements of an array body.
// Nothing is stored unless every element is valid.
func (s *Server) write(w http.ResponseWriter, body []byte, update bool) {
	var in []inElement
	if err := json.Unmarshal(body, &in); err != nil {
		problemJSON(w, http.StatusBadRequest, "Request body must be a JSON array of elements", nil)
		return
	}
	if len(in) == 0 || len(in) > maxLimit {
		problemJSON(w, http.StatusBadRequest, fmt.Sprintf("A request takes 1 to %d elements, got %d", maxLimit, len(in)), nil)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	changes := make([]change, len(in))
	var groups []validationGroup
	for i, el := range in {
		c, errs := s.validate(el, i, update)
		changes[i] = c
		if len(errs) > 0 {
			groups = append(groups, validationGroup{RequestID: c.requestID, Errors: errs})
		}
	}
	if len(groups) > 0 {
		problemJSON(w, http.StatusBadRequest, "Request validation failed", groups)
		return
	}
	docs := make([]map[string]any, 0, len(changes))
	for _, c := range changes {
		var e *Element
		if update {
			e = s.elements[c.id]
		} else {
			s.lastID++
			e = &Element{ID: s.lastID, Values: map[int]any{}}
			s.elements[e.ID] = e
		}
		if c.name != nil {
			e.Name = *c.name
		}
		maps.Copy(e.Values, c.set)
		for _, id := range c.clear {
			delete(e.Values, id)
		}
		docs = append(docs, s.elementJSON(e, c.requestID))
	}
	if !update && s.Ambiguous() {
		problemJSON(w, http.StatusGatewayTimeout, "Gateway timeout", nil)
		return
	}
	halJSON(w, http.StatusOK, map[string]any{
		"_links":    map[string]any{"self": map[string]string{"href": s.elementsURL()}},
		"_embedded": map[string]any{"elements": docs},
	})
}

// validate checks one element of a write; s.mu is held.
func (s *Server) validate(el inElement, i int, update bool) (change, []validationErr) {
	c := change{requestID: strconv.Itoa(i), set: map[int]any{}}
	if len(el.RequestID) > 0 && string(el.RequestID) != "null" {
		var str string
		if json.Unmarshal(el.RequestID, &str) == nil {
			c.requestID = str
		} else {
			c.requestID = string(el.RequestID)
		}
	}
	var errs []validationErr
	add := func(code, path, detail string) {
		errs = append(errs, validationErr{Code: code, Path: path, Detail: detail})
	}

	hasID := len(el.ID) > 0 && string(el.ID) != "null"
	switch {
	case update && !hasID:
		add("NotBlank", "id", "This value should not be blank.")
	case update:
		id, err := strconv.ParseInt(string(el.ID), 10, 64)
		if err != nil || id <= 0 {
			add("InvalidType", "id", "This value should be a positive integer.")
		} else if _, ok := s.elements[id]; !ok {
			add("NotFound", "id", "Element not found.")
		}
		c.id = id
	case hasID:
		add("NotSupported", "id", "An element to add must not carry an id.")
	}
	switch {
	case el.Name == nil && !update:
		add("NotBlank", "name", "This value should not be blank.")
	case el.Name != nil && strings.TrimSpace(*el.Name) == "":
		add("NotBlank", "name", "This value should not be blank.")
	default:
		c.name = el.Name
	}
	for j, f := range el.CustomFieldsValues {
		at := "custom_fields_values." + strconv.Itoa(j)
		fid, err := strconv.Atoi(string(f.FieldID))
		if err != nil || !s.known[fid] {
			add("NotSupportedChoice", at+".field_id", "The value you selected is not a valid choice.")
			continue
		}
		switch len(f.Values) {
		case 0:
			c.clear = append(c.clear, fid)
			continue
		case 1:
		default:
			add("TooManyValues", at+".values", "This field takes one value.")
			continue
		}
		raw := f.Values[0].Value
		if s.numeric[fid] {
			v, ok := numeric(raw)
			if !ok {
				add("InvalidType", at+".values.0.value", "This value should be a number.")
				continue
			}
			c.set[fid] = v
			continue
		}
		var str string
		if json.Unmarshal(raw, &str) != nil {
			add("InvalidType", at+".values.0.value", "This value should be a string.")
			continue
		}
		if str == "" {
			c.clear = append(c.clear, fid)
			continue
		}
		c.set[fid] = str
	}
	return c, errs
}

// numeric reads a JSON number or a string holding one.
func numeric(raw json.RawMessage) (float64, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		v, err := n.Float64()
		return v, err == nil
	}
	var str string
	if json.Unmarshal(raw, &str) != nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(str), 64)
	return v, err == nil
}

func (s *Server) elementsURL() string {
	return s.URL + "/api/v4/catalogs/" + strconv.Itoa(s.opts.CatalogID) + "/elements"
}

// elementJSON is e as the API shows it; s.mu is held.
func (s *Server) elementJSON(e *Element, requestID string) map[string]any {
	var cfv []map[string]any
	for _, id := range slices.Sorted(maps.Keys(e.Values)) {
		typ := "text"
		if s.numeric[id] {
			typ = "numeric"
		}
		cfv = append(cfv, map[string]any{
			"field_id":   id,
			"field_name": "",
			"field_code": nil,
			"field_type": typ,
			"values":     []map[string]any{{"value": e.Values[id]}},
		})
	}
	doc := map[string]any{
		"id":                   e.ID,
		"name":                 e.Name,
		"catalog_id":           s.opts.CatalogID,
		"is_deleted":           e.Deleted,
		"created_by":           0,
		"updated_by":           0,
		"created_at":           time.Now().Unix(),
		"updated_at":           time.Now().Unix(),
		"account_id":           1,
		"custom_fields_values": cfv,
		"_links":               map[string]any{"self": map[string]string{"href": s.elementsURL() + "/" + strconv.FormatInt(e.ID, 10)}},
	}
	if requestID != "" {
		doc["request_id"] = requestID
	}
	return doc
}
