package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// DefaultObjectName is the name Setup gives the custom object schema; its
// object type is then p<portal id>_daily_reports, or 2-<id>.
const DefaultObjectName = "daily_reports"

// Metric is a metric Setup creates a number property for.
type Metric = crm.SetupMetric

// SetupOptions are Setup's settings; the plan's Name defaults to
// DefaultObjectName.
type SetupOptions struct {
	Options
	crm.SetupPlan
}

// Mapping is what Setup made: the values for the hubspot section of the
// config, and the steps taken.
type Mapping struct {
	// ObjectType is the schema's objectTypeId (2-…).
	ObjectType string
	// Fields maps every metric key to its property name.
	Fields map[string]string
	Steps  []crm.SetupStep
}

// YAML returns the mapping as the crm section of a config file, to paste in
// (the token is left out: it is a secret and configured already).
func (m Mapping) YAML() string {
	type section struct {
		ObjectType string            `yaml:"object_type"`
		Fields     map[string]string `yaml:"fields,omitempty"`
	}
	return crm.SetupBlock(Name, section{ObjectType: m.ObjectType, Fields: m.Fields})
}

// property is a property definition of the schema and properties APIs.
type property struct {
	Name           string `json:"name"`
	Label          string `json:"label"`
	Type           string `json:"type"`
	FieldType      string `json:"fieldType"`
	GroupName      string `json:"groupName,omitempty"`
	HasUniqueValue bool   `json:"hasUniqueValue,omitempty"`
}

// fixedDefinitions are the properties every object gets, report_key the
// unique one batch upsert finds objects by.
var fixedDefinitions = []property{
	{Name: IDProperty, Label: "Report key", Type: "string", FieldType: "text", HasUniqueValue: true},
	{Name: EmployeeProperty, Label: "Employee", Type: "string", FieldType: "text"},
	{Name: DateProperty, Label: "Date", Type: "date", FieldType: "date"},
	{Name: StatusProperty, Label: "Status", Type: "string", FieldType: "text"},
	{Name: NotesProperty, Label: "Notes", Type: "string", FieldType: "textarea"},
	{Name: LongTermProperty, Label: "Long-term effect", Type: "string", FieldType: "textarea"},
	{Name: SourceURLProperty, Label: "Source", Type: "string", FieldType: "text"},
}

// schemaDoc is a schema as the API answers it.
type schemaDoc struct {
	ID                 string     `json:"id"`
	Name               string     `json:"name"`
	ObjectTypeID       string     `json:"objectTypeId"`
	FullyQualifiedName string     `json:"fullyQualifiedName"`
	Properties         []property `json:"properties"`
}

// Setup prepares an account for the adapter and needs only the token. It
// finds the custom object schema by name (GET /crm/v3/schemas) or creates
// it (POST /crm/v3/schemas) with report_key as its unique property and the
// record's own properties; then it lists the object's properties (GET
// /crm/v3/properties/{objectType}) and creates a number property for every
// metric that has none (POST …/batch/create, one request). A second run
// creates nothing; a dry run creates nothing at all. Requests keep to the
// adapter's rate limit; errors are classified and never hold the token.
// Custom objects need an Enterprise account, and the token the scopes
// crm.schemas.custom.read and .write (and crm.objects.custom.read and
// .write for the pushes).
func Setup(ctx context.Context, cfg config.HubSpot, opts SetupOptions) (Mapping, error) {
	if strings.TrimSpace(cfg.ObjectType) == "" {
		cfg.ObjectType = "pending" // New wants one; Setup finds or makes the real one
	}
	a, err := New(cfg, opts.Options)
	if err != nil {
		return Mapping{}, err
	}
	if len(opts.Metrics) == 0 {
		return Mapping{}, errors.New("hubspot: setup: no metrics to create properties for")
	}
	var metricDefs []property
	m := Mapping{Fields: map[string]string{}}
	for _, mt := range opts.Metrics {
		name := strings.TrimSpace(cfg.Fields[mt.Key])
		if name == "" {
			name = mt.Key
		}
		if !propertyName.MatchString(name) || slices.ContainsFunc(fixedDefinitions, func(p property) bool { return p.Name == name }) {
			return Mapping{}, fmt.Errorf("hubspot: setup: metric %q: %q cannot be a property name (lower case letters, digits, _; not a record property)", mt.Key, name)
		}
		label := mt.Label
		if label == "" {
			label = mt.Key
		}
		m.Fields[mt.Key] = name
		metricDefs = append(metricDefs, property{Name: name, Label: label, Type: "number", FieldType: "number"})
	}
	name := opts.Name
	if name == "" {
		name = DefaultObjectName
	}
	sc, err := a.findSchema(ctx, name, cfg.ObjectType)
	if err != nil {
		return m, err
	}
	if sc == nil {
		all := append(slices.Clone(fixedDefinitions), metricDefs...)
		step := crm.SetupStep{Create: true, What: fmt.Sprintf("custom object %q with %d properties", name, len(all))}
		if opts.DryRun {
			m.Steps = append(m.Steps, step)
			return m, nil
		}
		if sc, err = a.createSchema(ctx, name, all); err != nil {
			return m, err
		}
		step.What += " (" + sc.ObjectTypeID + ")"
		m.ObjectType = sc.ObjectTypeID
		m.Steps = append(m.Steps, step)
		return m, nil
	}
	m.ObjectType = sc.ObjectTypeID
	m.Steps = append(m.Steps, crm.SetupStep{What: fmt.Sprintf("custom object %q (%s)", name, sc.ObjectTypeID)})
	have, err := a.properties(ctx, sc.ObjectTypeID)
	if err != nil {
		return m, err
	}
	var missing []property
	for _, p := range append(slices.Clone(fixedDefinitions), metricDefs...) {
		what := fmt.Sprintf("%s property %s", p.Type, p.Name)
		if have[p.Name] {
			m.Steps = append(m.Steps, crm.SetupStep{What: what})
			continue
		}
		if p.HasUniqueValue {
			// A unique property cannot be added to an object with objects
			// in it: the schema was not made by setup.
			return m, crm.PermanentError(fmt.Errorf("hubspot: setup: custom object %q has no %s property; give it a unique-value %s property or choose another name", name, p.Name, p.Name))
		}
		missing = append(missing, p)
		m.Steps = append(m.Steps, crm.SetupStep{Create: true, What: what})
	}
	if len(missing) == 0 || opts.DryRun {
		return m, nil
	}
	return m, a.createProperties(ctx, sc.ObjectTypeID, missing)
}

// findSchema returns the schema named name, or whose object type is
// objectType, or nil.
func (a *Adapter) findSchema(ctx context.Context, name, objectType string) (*schemaDoc, error) {
	var list struct {
		Results []schemaDoc `json:"results"`
	}
	if _, err := a.call(ctx, http.MethodGet, "/crm/v3/schemas", nil, &list); err != nil {
		return nil, err
	}
	for i, sc := range list.Results {
		if sc.Name == name || sc.ObjectTypeID == objectType || sc.FullyQualifiedName == objectType {
			return &list.Results[i], nil
		}
	}
	return nil, nil
}

// createSchema creates the custom object.
func (a *Adapter) createSchema(ctx context.Context, name string, props []property) (*schemaDoc, error) {
	body := map[string]any{
		"name":                       name,
		"labels":                     map[string]string{"singular": "Daily report", "plural": "Daily reports"},
		"primaryDisplayProperty":     IDProperty,
		"secondaryDisplayProperties": []string{EmployeeProperty, DateProperty},
		"searchableProperties":       []string{IDProperty, EmployeeProperty},
		"requiredProperties":         []string{IDProperty},
		"properties":                 props,
		"associatedObjects":          []string{},
	}
	var sc schemaDoc
	if _, err := a.call(ctx, http.MethodPost, "/crm/v3/schemas", body, &sc); err != nil {
		return nil, err
	}
	if sc.ObjectTypeID == "" {
		return nil, crm.RetryableError(errors.New("hubspot: setup: POST /crm/v3/schemas answered without objectTypeId"), 0)
	}
	return &sc, nil
}

// properties returns the names of the object type's properties.
func (a *Adapter) properties(ctx context.Context, objectType string) (map[string]bool, error) {
	var list struct {
		Results []property `json:"results"`
	}
	if _, err := a.call(ctx, http.MethodGet, "/crm/v3/properties/"+url.PathEscape(objectType), nil, &list); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range list.Results {
		out[p.Name] = true
	}
	return out, nil
}

// createProperties creates props on the object type in one request.
func (a *Adapter) createProperties(ctx context.Context, objectType string, props []property) error {
	_, err := a.call(ctx, http.MethodPost, "/crm/v3/properties/"+url.PathEscape(objectType)+"/batch/create", map[string]any{"inputs": props}, nil)
	return err
}

// call makes one JSON request to the API under the adapter's rate limit
// and decodes a 2xx answer into out (when not nil). Errors are classified:
// 401 and 403 (with the scopes missing) permanent, 429 retryable with its
// wait, the rest by httpkit.StatusKind; none holds the token.
func (a *Adapter) call(ctx context.Context, method, path string, body, out any) (int, error) {
	what := "hubspot: " + method + " " + path
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, crm.PermanentError(fmt.Errorf("%s: %w", what, err))
		}
		rd = bytes.NewReader(b)
	}
	if err := a.limiter.Wait(ctx); err != nil {
		return 0, fmt.Errorf("%s: not sent: %w", what, err)
	}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, a.base+path, rd)
	if err != nil {
		return 0, crm.PermanentError(fmt.Errorf("%s: the request cannot be built from crm.hubspot.base_url", what))
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, a.scrub.TransportError(ctx, what+": ", a.timeout, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, a.scrub.TransportError(ctx, what+": ", a.timeout, err)
	}
	if code := resp.StatusCode; code >= 200 && code < 300 {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return code, crm.RetryableError(fmt.Errorf("%s: %d with an answer that is not the expected JSON: %w", what, code, err), 0)
			}
		}
		return code, nil
	}
	var ae apiError
	_ = json.Unmarshal(data, &ae)
	msg := fmt.Sprintf("%s: %d %s", what, resp.StatusCode, http.StatusText(resp.StatusCode))
	if d := a.describe(ae.Category, ae.Message, ae.Errors); d != "" {
		msg += " (" + d + ")"
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return resp.StatusCode, crm.PermanentError(errors.New(msg + ": HubSpot refused the token"))
	case http.StatusForbidden:
		hint := "the token lacks a scope (setup needs crm.schemas.custom.read and crm.schemas.custom.write; custom objects need an Enterprise account)"
		if scopes := missingScopes(&ae); len(scopes) > 0 {
			hint = "the token lacks the scope " + strings.Join(scopes, ", ")
		}
		return resp.StatusCode, crm.PermanentError(errors.New(msg + ": " + hint))
	case http.StatusTooManyRequests:
		after, _ := rateLimitWait(resp.Header, &ae, time.Now(), "rate limit", a.window, "daily limit")
		return resp.StatusCode, crm.RetryableError(errors.New(msg), after)
	}
	return resp.StatusCode, httpkit.StatusError(resp.StatusCode, errors.New(msg), httpkit.RetryAfter(resp.Header, time.Now(), crm.MaxRetryAfter))
}
