package hubspotfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The custom object schemas and their properties, as `dayreport crm setup`
// finds and creates them:
//
//	GET  /crm/v3/schemas                                  {"results":[schema…]}
//	POST /crm/v3/schemas                                  201 schema; 409 when the name is taken
//	GET  /crm/v3/properties/{objectType}                  {"results":[property…]}
//	POST /crm/v3/properties/{objectType}/batch/create     {"inputs":[property…]} → 201 {"status":"COMPLETE","results":[…]}
//
// A schema is checked the way HubSpot documents it: a lower-case name,
// singular and plural labels, a primaryDisplayProperty and
// requiredProperties among its properties, each property with a name, a
// label and a type (string, number, date, datetime, enumeration, bool) and
// field type. Its object type answers at objectTypeId (2-<id>) and at
// fullyQualifiedName (p<portal>_<name>), and an upsert to it may set only
// the schema's properties (400 PROPERTY_DOESNT_EXIST otherwise).

// PortalID is the fake account's id, in fully qualified names.
const PortalID = 1234567

// Property is a property of a custom object, as far as the fake keeps it.
type Property struct {
	Name, Label, Type, FieldType, GroupName, Description string
	HasUniqueValue, Hidden                               bool
	DisplayOrder                                         int
}

// propertyJSON is a property on the wire.
type propertyJSON struct {
	Name           string `json:"name"`
	Label          string `json:"label"`
	Type           string `json:"type"`
	FieldType      string `json:"fieldType"`
	GroupName      string `json:"groupName,omitempty"`
	Description    string `json:"description,omitempty"`
	HasUniqueValue bool   `json:"hasUniqueValue"`
	Hidden         bool   `json:"hidden"`
	DisplayOrder   int    `json:"displayOrder"`
}

// MarshalJSON writes the property as HubSpot's API does.
func (p Property) MarshalJSON() ([]byte, error) { return json.Marshal(propertyJSON(p)) }

// UnmarshalJSON reads a property definition of a request.
func (p *Property) UnmarshalJSON(b []byte) error {
	var w propertyJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Property(w)
	return nil
}

// Schema is a custom object schema.
type Schema struct {
	ID                 string
	Name               string
	ObjectTypeID       string
	FullyQualifiedName string
	Singular, Plural   string
	PrimaryDisplay     string
	Required           []string
	Properties         []Property
}

var propertyTypes = []string{"string", "number", "date", "datetime", "enumeration", "bool"}

// Schemas returns the custom object schemas created so far.
func (s *Server) Schemas() []Schema {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Schema, len(s.schemas))
	for i, sc := range s.schemas {
		out[i] = *sc
		out[i].Properties = slices.Clone(sc.Properties)
	}
	return out
}

// schemaOf returns the schema whose objectTypeId or fully qualified name is
// objectType; s.mu is held.
func (s *Server) schemaOf(objectType string) *Schema {
	for _, sc := range s.schemas {
		if objectType == sc.ObjectTypeID || objectType == sc.FullyQualifiedName {
			return sc
		}
	}
	return nil
}

func (s *Server) schemaJSON(sc *Schema) map[string]any {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339Nano)
	return map[string]any{
		"id": sc.ID, "name": sc.Name, "objectTypeId": sc.ObjectTypeID, "fullyQualifiedName": sc.FullyQualifiedName,
		"labels": map[string]string{"singular": sc.Singular, "plural": sc.Plural}, "primaryDisplayProperty": sc.PrimaryDisplay,
		"requiredProperties": sc.Required, "searchableProperties": []string{sc.PrimaryDisplay}, "secondaryDisplayProperties": []string{},
		"properties": sc.Properties, "associations": []any{}, "archived": false, "createdAt": now, "updatedAt": now,
	}
}

// routeSchemas answers the schema and property endpoints; it reports
// whether the request was for one of them.
func (s *Server) routeSchemas(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.URL.Path == "/crm/v3/schemas":
		switch r.Method {
		case http.MethodGet:
			s.mu.Lock()
			results := make([]any, len(s.schemas))
			for i, sc := range s.schemas {
				results[i] = s.schemaJSON(sc)
			}
			s.mu.Unlock()
			s.writeJSON(w, http.StatusOK, map[string]any{"results": results})
		case http.MethodPost:
			s.createSchema(w, r)
		default:
			s.fail(w, http.StatusMethodNotAllowed, "VALIDATION_ERROR", "method not allowed", nil)
		}
		return true
	case strings.HasPrefix(r.URL.Path, "/crm/v3/properties/"):
		objectType, tail, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/crm/v3/properties/"), "/")
		s.mu.Lock()
		sc := s.schemaOf(objectType)
		s.mu.Unlock()
		switch {
		case sc == nil:
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Unable to infer object type from: "+objectType, nil)
		case tail == "" && r.Method == http.MethodGet:
			s.mu.Lock()
			props := slices.Clone(sc.Properties)
			s.mu.Unlock()
			s.writeJSON(w, http.StatusOK, map[string]any{"results": props})
		case tail == "batch/create" && r.Method == http.MethodPost:
			s.createProperties(w, r, sc)
		default:
			s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found: "+r.Method+" "+r.URL.Path, nil)
		}
		return true
	}
	return false
}

// checkProperty returns what is wrong with a property definition, or "".
func checkProperty(p Property) string {
	switch {
	case !propertyName.MatchString(p.Name):
		return fmt.Sprintf("property name %q is not valid", p.Name)
	case strings.TrimSpace(p.Label) == "":
		return fmt.Sprintf("property %s has no label", p.Name)
	case !slices.Contains(propertyTypes, p.Type):
		return fmt.Sprintf("property %s: type %q is not valid", p.Name, p.Type)
	case p.FieldType == "":
		return fmt.Sprintf("property %s has no fieldType", p.Name)
	}
	return ""
}

func (s *Server) createSchema(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   string `json:"name"`
		Labels struct {
			Singular string `json:"singular"`
			Plural   string `json:"plural"`
		} `json:"labels"`
		PrimaryDisplayProperty string     `json:"primaryDisplayProperty"`
		RequiredProperties     []string   `json:"requiredProperties"`
		Properties             []Property `json:"properties"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &in); err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	names := map[string]bool{}
	problem := ""
	for _, p := range in.Properties {
		if msg := checkProperty(p); msg != "" && problem == "" {
			problem = msg
		}
		if names[p.Name] && problem == "" {
			problem = "property " + p.Name + " is defined twice"
		}
		names[p.Name] = true
	}
	switch {
	case !propertyName.MatchString(in.Name):
		problem = fmt.Sprintf("name %q is not valid", in.Name)
	case in.Labels.Singular == "" || in.Labels.Plural == "":
		problem = "labels.singular and labels.plural are required"
	case len(in.Properties) == 0:
		problem = "a schema needs properties"
	case !names[in.PrimaryDisplayProperty]:
		problem = "primaryDisplayProperty must be one of the properties"
	}
	for _, req := range in.RequiredProperties {
		if !names[req] && problem == "" {
			problem = "required property " + req + " is not defined"
		}
	}
	if problem != "" {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", problem, nil)
		return
	}
	s.mu.Lock()
	for _, sc := range s.schemas {
		if sc.Name == in.Name {
			s.mu.Unlock()
			s.fail(w, http.StatusConflict, "OBJECT_ALREADY_EXISTS", "Object type with name "+in.Name+" already exists", nil)
			return
		}
	}
	s.nextSchema++
	id := strconv.Itoa(s.nextSchema)
	props := slices.Clone(in.Properties)
	for i := range props {
		if props[i].GroupName == "" {
			props[i].GroupName = in.Name + "_information"
		}
	}
	sc := &Schema{
		ID: id, Name: in.Name, ObjectTypeID: "2-" + id, FullyQualifiedName: fmt.Sprintf("p%d_%s", PortalID, in.Name),
		Singular: in.Labels.Singular, Plural: in.Labels.Plural, PrimaryDisplay: in.PrimaryDisplayProperty,
		Required: in.RequiredProperties, Properties: props,
	}
	s.schemas = append(s.schemas, sc)
	doc := s.schemaJSON(sc)
	s.mu.Unlock()
	s.writeJSON(w, http.StatusCreated, doc)
}

func (s *Server) createProperties(w http.ResponseWriter, r *http.Request, sc *Schema) {
	var in struct {
		Inputs []Property `json:"inputs"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &in); err != nil || len(in.Inputs) == 0 {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "inputs are required", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range in.Inputs {
		if msg := checkProperty(p); msg != "" {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
			return
		}
		if slices.ContainsFunc(sc.Properties, func(q Property) bool { return q.Name == p.Name }) {
			s.fail(w, http.StatusConflict, "OBJECT_ALREADY_EXISTS", "Property named "+p.Name+" already exists", nil)
			return
		}
	}
	for _, p := range in.Inputs {
		if p.GroupName == "" {
			p.GroupName = sc.Name + "_information"
		}
		sc.Properties = append(sc.Properties, p)
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"status": "COMPLETE", "results": in.Inputs})
}

// unknownProperty returns a property of props that the schema of
// objectType (if setup created it) does not define; s.mu is held.
func (s *Server) unknownProperty(objectType string, props map[string]json.RawMessage) string {
	sc := s.schemaOf(objectType)
	if sc == nil {
		return ""
	}
	for p := range props {
		if !slices.ContainsFunc(sc.Properties, func(q Property) bool { return q.Name == p }) {
			return p
		}
	}
	return ""
}
