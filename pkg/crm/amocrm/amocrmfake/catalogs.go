package amocrmfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The lists and their custom fields, as `dayreport crm setup` finds and
// creates them:
//
//	GET  /api/v4/catalogs?page=&limit=                 HAL, _embedded.catalogs, 204 when empty
//	POST /api/v4/catalogs                              [{"name":…,"type":"regular"}] (at most 10 lists an account)
//	GET  /api/v4/catalogs/{id}/custom_fields?page=&limit=   HAL, _embedded.custom_fields
//	POST /api/v4/catalogs/{id}/custom_fields           [{"type":…,"name":…,"code":…,"sort":…}]
//
// The account starts with its one list (Options.CatalogID, named
// Options.CatalogName) holding Options.Fields. A field created here is
// known to the elements endpoint at once (numeric for type numeric), and
// its list's elements are served like the first list's.

// maxCatalogs is how many lists an account may hold.
const maxCatalogs = 10

// fieldTypes are the custom field types a list takes (the ones setup uses
// and a few more).
var fieldTypes = []string{"text", "numeric", "textarea", "url", "checkbox", "select", "multiselect", "date", "price"}

// catalog is a list of the account.
type catalog struct {
	id     int
	name   string
	typ    string
	fields []CustomField
}

// CustomField is a custom field of a list.
type CustomField struct {
	ID   int
	Name string
	Type string
	Code string
	Sort int
}

// Catalog describes a list of the account.
type Catalog struct {
	ID     int
	Name   string
	Type   string
	Fields []CustomField
}

// Catalogs returns the account's lists, by id.
func (s *Server) Catalogs() []Catalog {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Catalog, 0, len(s.catalogs))
	for _, c := range s.catalogs {
		out = append(out, Catalog{ID: c.id, Name: c.name, Type: c.typ, Fields: slices.Clone(c.fields)})
	}
	return out
}

// findCatalog returns the list with id; s.mu is held.
func (s *Server) findCatalog(id string) *catalog {
	for _, c := range s.catalogs {
		if strconv.Itoa(c.id) == id {
			return c
		}
	}
	return nil
}

// routeCatalogs answers the catalog and custom field endpoints; it reports
// whether the path was one of them.
func (s *Server) routeCatalogs(w http.ResponseWriter, r *http.Request, body []byte) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v4/catalogs")
	if !ok {
		return false
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case rest == "" || rest == "/":
		switch r.Method {
		case http.MethodGet:
			s.listCatalogs(w, r.URL.Query())
		case http.MethodPost:
			s.addCatalogs(w, body)
		default:
			problemJSON(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		}
		return true
	case len(parts) == 2 && parts[1] == "custom_fields":
		switch r.Method {
		case http.MethodGet:
			s.listFields(w, parts[0], r.URL.Query())
		case http.MethodPost:
			s.addFields(w, parts[0], body)
		default:
			problemJSON(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		}
		return true
	}
	return false
}

func catalogJSON(c *catalog) map[string]any {
	return map[string]any{
		"id": c.id, "name": c.name, "type": c.typ, "sort": 10, "created_by": 1, "updated_by": 1,
		"created_at": 1700000000, "updated_at": 1700000000, "can_add_elements": true, "can_show_in_cards": false,
		"can_link_multiple": true, "can_be_deleted": true, "sdk_widget_code": nil, "account_id": 1,
	}
}

func fieldJSON(catalogID int, f CustomField) map[string]any {
	return map[string]any{
		"id": f.ID, "name": f.Name, "type": f.Type, "code": f.Code, "sort": f.Sort, "is_api_only": false,
		"entity_type": "catalogs", "catalog_id": catalogID, "enums": nil, "is_deletable": true,
	}
}

func (s *Server) listCatalogs(w http.ResponseWriter, q url.Values) {
	_, limit, page, ok := paged(w, q, maxLimit)
	if !ok {
		return
	}
	s.mu.Lock()
	docs := make([]map[string]any, 0, len(s.catalogs))
	for _, c := range s.catalogs {
		docs = append(docs, catalogJSON(c))
	}
	s.mu.Unlock()
	s.halPage(w, "/api/v4/catalogs", q, "catalogs", docs, limit, page)
}

func (s *Server) addCatalogs(w http.ResponseWriter, body []byte) {
	var in []struct {
		Name      string          `json:"name"`
		Type      string          `json:"type"`
		RequestID json.RawMessage `json:"request_id"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in) == 0 {
		problemJSON(w, http.StatusBadRequest, "Request body must be a non-empty array of lists", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var groups []validationGroup
	for i, c := range in {
		switch {
		case strings.TrimSpace(c.Name) == "":
			groups = append(groups, validationGroup{RequestID: strconv.Itoa(i), Errors: []validationErr{{Code: "NotBlank", Path: "name", Detail: "This value should not be blank."}}})
		case c.Type != "" && c.Type != "regular":
			groups = append(groups, validationGroup{RequestID: strconv.Itoa(i), Errors: []validationErr{{Code: "InvalidType", Path: "type", Detail: "Only one list of invoices and of products per account"}}})
		}
	}
	if len(s.catalogs)+len(in) > maxCatalogs {
		groups = append(groups, validationGroup{RequestID: "0", Errors: []validationErr{{Code: "LimitExceeded", Path: "name", Detail: fmt.Sprintf("An account holds at most %d lists", maxCatalogs)}}})
	}
	if len(groups) > 0 {
		problemJSON(w, http.StatusBadRequest, "Request validation failed", groups)
		return
	}
	var docs []map[string]any
	for i, c := range in {
		s.nextCatalog++
		cat := &catalog{id: s.nextCatalog, name: strings.TrimSpace(c.Name), typ: "regular"}
		s.catalogs = append(s.catalogs, cat)
		doc := catalogJSON(cat)
		doc["request_id"] = strconv.Itoa(i)
		docs = append(docs, doc)
	}
	halJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"catalogs": docs}})
}

func (s *Server) listFields(w http.ResponseWriter, id string, q url.Values) {
	_, limit, page, ok := paged(w, q, maxLimit, "filter[type]", "order")
	if !ok {
		return
	}
	s.mu.Lock()
	c := s.findCatalog(id)
	var docs []map[string]any
	if c != nil {
		for _, fl := range c.fields {
			docs = append(docs, fieldJSON(c.id, fl))
		}
	}
	s.mu.Unlock()
	if c == nil {
		problemJSON(w, http.StatusNotFound, "Catalog not found", nil)
		return
	}
	s.halPage(w, "/api/v4/catalogs/"+id+"/custom_fields", q, "custom_fields", docs, limit, page)
}

func (s *Server) addFields(w http.ResponseWriter, id string, body []byte) {
	var in []struct {
		Type      string          `json:"type"`
		Name      string          `json:"name"`
		Code      string          `json:"code"`
		Sort      int             `json:"sort"`
		RequestID json.RawMessage `json:"request_id"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in) == 0 {
		problemJSON(w, http.StatusBadRequest, "Request body must be a non-empty array of fields", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.findCatalog(id)
	if c == nil {
		problemJSON(w, http.StatusNotFound, "Catalog not found", nil)
		return
	}
	codes := map[string]bool{}
	for _, f := range c.fields {
		if f.Code != "" {
			codes[f.Code] = true
		}
	}
	var groups []validationGroup
	for i, f := range in {
		var e *validationErr
		switch {
		case strings.TrimSpace(f.Name) == "":
			e = &validationErr{Code: "NotBlank", Path: "name", Detail: "This value should not be blank."}
		case !slices.Contains(fieldTypes, f.Type):
			e = &validationErr{Code: "InvalidType", Path: "type", Detail: "Unknown field type"}
		case f.Code != "" && codes[f.Code]:
			e = &validationErr{Code: "NotUnique", Path: "code", Detail: "Field with this code already exists"}
		}
		if e != nil {
			groups = append(groups, validationGroup{RequestID: strconv.Itoa(i), Errors: []validationErr{*e}})
		}
		codes[f.Code] = f.Code != ""
	}
	if len(groups) > 0 {
		problemJSON(w, http.StatusBadRequest, "Request validation failed", groups)
		return
	}
	var docs []map[string]any
	for i, f := range in {
		s.nextField++
		cf := CustomField{ID: s.nextField, Name: strings.TrimSpace(f.Name), Type: f.Type, Code: f.Code, Sort: f.Sort}
		c.fields = append(c.fields, cf)
		s.known[cf.ID] = true
		s.numeric[cf.ID] = cf.Type == "numeric"
		doc := fieldJSON(c.id, cf)
		doc["request_id"] = strconv.Itoa(i)
		docs = append(docs, doc)
	}
	halJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"custom_fields": docs}})
}
