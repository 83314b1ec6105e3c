package amocrm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
)

// DefaultCatalogName is the name Setup gives the list.
const DefaultCatalogName = "Ежедневные отчёты"

// CodePrefix starts the code Setup gives every custom field it creates:
// DAYREPORT_M_<KEY> for a metric, DAYREPORT_<KEY> for the record's own
// fields (DAYREPORT_STATUS, …). Setup finds its fields again by it.
const CodePrefix = "DAYREPORT_"

// Metric is a metric Setup creates a numeric custom field for.
type Metric = crm.SetupMetric

// SetupOptions are Setup's settings; the plan's Name defaults to
// DefaultCatalogName.
type SetupOptions struct {
	Options
	crm.SetupPlan
}

// Mapping is what Setup made: the values for the amocrm section of the
// config, and the steps taken.
type Mapping struct {
	CatalogID int
	// Fields maps every metric key and the Field* keys to a custom field id.
	Fields map[string]int
	Steps  []crm.SetupStep
}

// YAML returns the mapping as the crm section of a config file, to paste in
// (base_url and the token are left out: they are configured already).
func (m Mapping) YAML() string {
	type section struct {
		CatalogID int            `yaml:"catalog_id"`
		Fields    map[string]int `yaml:"fields,omitempty"`
	}
	return crm.SetupBlock(Name, section{CatalogID: m.CatalogID, Fields: m.Fields})
}

// FieldCode returns the code Setup gives the field of key (a metric key or
// a Field* key).
func FieldCode(key string) string {
	if k, ok := strings.CutPrefix(key, "_"); ok && slices.Contains(textKeys, key) {
		return CodePrefix + upperCode(k)
	}
	return CodePrefix + "M_" + upperCode(key)
}

func upperCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, s)
}

// fieldSpec is a custom field Setup makes.
type fieldSpec struct {
	key, name, typ string
}

// textSpecs are the record's own fields: key, name, amoCRM type.
var textSpecs = []fieldSpec{
	{FieldStatus, "Статус отчёта", "text"},
	{FieldNotes, "Заметки", "textarea"},
	{FieldLongTerm, "Что это даст в долгосрочной перспективе", "textarea"},
	{FieldSourceURL, "Источник", "url"},
	{FieldEmployee, "Сотрудник", "text"},
	{FieldFlags, "Замечания проверки", "textarea"},
	{FieldErrors, "Ошибки отчёта", "textarea"},
}

// Setup prepares an account for the adapter and needs only base_url and the
// token. It finds the list by name (GET /api/v4/catalogs) or creates it
// (POST /api/v4/catalogs, a regular list), unless cfg already names it by
// catalog_id; then it lists the list's custom fields (GET
// /api/v4/catalogs/{id}/custom_fields) and creates the missing ones in one
// request (POST …/custom_fields): a numeric field per metric and text,
// textarea and url fields for the record's own ones, each found again by
// its code (FieldCode). A second run creates nothing. On a dry run nothing
// is created. Requests go through the adapter's pacer (7 a second at most)
// and its error classification; the token never appears in an error.
func Setup(ctx context.Context, cfg config.AmoCRM, opts SetupOptions) (Mapping, error) {
	a, err := newAdapter(cfg, opts.Options, false)
	if err != nil {
		return Mapping{}, err
	}
	specs := slices.Clone(textSpecs)
	seen := map[string]bool{}
	for _, m := range opts.Metrics {
		switch {
		case strings.TrimSpace(m.Key) == "" || strings.HasPrefix(m.Key, "_"):
			return Mapping{}, fmt.Errorf("amocrm: setup: metric key %q must start with a letter", m.Key)
		case seen[m.Key]:
			return Mapping{}, fmt.Errorf("amocrm: setup: metric %q is listed twice", m.Key)
		}
		seen[m.Key] = true
		name := m.Label
		if name == "" {
			name = m.Key
		}
		specs = append(specs, fieldSpec{m.Key, name, "numeric"})
	}
	if len(opts.Metrics) == 0 {
		return Mapping{}, errors.New("amocrm: setup: no metrics to create fields for")
	}
	name := opts.Name
	if name == "" {
		name = DefaultCatalogName
	}
	m := Mapping{CatalogID: cfg.CatalogID, Fields: map[string]int{}}
	if m.CatalogID <= 0 {
		if err := a.findOrCreateCatalog(ctx, &m, name, opts.DryRun); err != nil {
			return m, a.scrub.Scrub(err)
		}
		if m.CatalogID <= 0 { // a dry run that would create the list
			for _, sp := range specs {
				m.Steps = append(m.Steps, crm.SetupStep{Create: true, What: fmt.Sprintf("%s field %q (%s, code %s)", sp.typ, sp.name, sp.key, FieldCode(sp.key))})
			}
			return m, nil
		}
	}
	existing, err := a.catalogFields(ctx, m.CatalogID)
	if err != nil {
		return m, a.scrub.Scrub(fmt.Errorf("amocrm: setup: list the fields of list %d: %w", m.CatalogID, err))
	}
	var missing []fieldSpec
	for _, sp := range specs {
		what := fmt.Sprintf("%s field %q (%s, code %s)", sp.typ, sp.name, sp.key, FieldCode(sp.key))
		if id, ok := existing[FieldCode(sp.key)]; ok {
			m.Fields[sp.key] = id
			m.Steps = append(m.Steps, crm.SetupStep{What: fmt.Sprintf("%s, id %d", what, id)})
			continue
		}
		missing = append(missing, sp)
		m.Steps = append(m.Steps, crm.SetupStep{Create: true, What: what})
	}
	if len(missing) == 0 || opts.DryRun {
		return m, nil
	}
	created, err := a.addCatalogFields(ctx, m.CatalogID, missing)
	if err != nil {
		return m, a.scrub.Scrub(fmt.Errorf("amocrm: setup: create fields of list %d: %w", m.CatalogID, err))
	}
	for _, sp := range missing {
		id, ok := created[FieldCode(sp.key)]
		if !ok {
			return m, crm.RetryableError(fmt.Errorf("amocrm: setup: the answer has no field with code %s", FieldCode(sp.key)), 0)
		}
		m.Fields[sp.key] = id
	}
	return m, nil
}

// catalogsPage is a page of GET /api/v4/catalogs (and the POST answer).
type catalogsPage struct {
	halLinks
	Embedded struct {
		Catalogs []struct {
			ID   flexInt `json:"id"`
			Name string  `json:"name"`
			Type string  `json:"type"`
		} `json:"catalogs"`
	} `json:"_embedded"`
}

// fieldsPage is a page of GET …/custom_fields (and the POST answer).
type fieldsPage struct {
	halLinks
	Embedded struct {
		Fields []struct {
			ID   flexInt `json:"id"`
			Code string  `json:"code"`
		} `json:"custom_fields"`
	} `json:"_embedded"`
}

// findOrCreateCatalog sets m.CatalogID to the regular list named name,
// found or created (on a dry run, left 0 when it would be created).
func (a *Adapter) findOrCreateCatalog(ctx context.Context, m *Mapping, name string, dryRun bool) error {
	base := strings.TrimSuffix(a.endpoint, a.path)
	const path = "/api/v4/catalogs"
	err := factPages(ctx, path, url.Values{"limit": {"250"}}, func(ctx context.Context, q url.Values) (int, bool, error) {
		var p catalogsPage
		status, err := a.request(ctx, base+path, path, http.MethodGet, q, nil, &p)
		if err != nil || status == http.StatusNoContent {
			return 0, false, err
		}
		for _, c := range p.Embedded.Catalogs {
			if c.Name == name && (c.Type == "" || c.Type == "regular") && c.ID > 0 && m.CatalogID == 0 {
				m.CatalogID = int(c.ID)
			}
		}
		return len(p.Embedded.Catalogs), p.more() && m.CatalogID == 0, nil
	})
	if err != nil {
		return fmt.Errorf("amocrm: setup: look for the list: %w", err)
	}
	if m.CatalogID > 0 {
		m.Steps = append(m.Steps, crm.SetupStep{What: fmt.Sprintf("list %q (catalog_id %d)", name, m.CatalogID)})
		return nil
	}
	step := crm.SetupStep{Create: true, What: fmt.Sprintf("list %q", name)}
	if dryRun {
		m.Steps = append(m.Steps, step)
		return nil
	}
	var p catalogsPage
	body := []map[string]any{{"name": name, "type": "regular", "can_link_multiple": false}}
	if _, err := a.request(ctx, base+path, path, http.MethodPost, nil, body, &p); err != nil {
		return fmt.Errorf("amocrm: setup: create the list: %w", err)
	}
	if len(p.Embedded.Catalogs) != 1 || p.Embedded.Catalogs[0].ID <= 0 {
		return crm.RetryableError(errors.New("amocrm: setup: the answer to creating the list has no id"), 0)
	}
	m.CatalogID = int(p.Embedded.Catalogs[0].ID)
	step.What += fmt.Sprintf(" (catalog_id %d)", m.CatalogID)
	m.Steps = append(m.Steps, step)
	return nil
}

// catalogFields returns the custom fields of list id that have a code, by
// code.
func (a *Adapter) catalogFields(ctx context.Context, id int) (map[string]int, error) {
	base := strings.TrimSuffix(a.endpoint, a.path)
	path := "/api/v4/catalogs/" + strconv.Itoa(id) + "/custom_fields"
	out := map[string]int{}
	err := factPages(ctx, path, url.Values{"limit": {"250"}}, func(ctx context.Context, q url.Values) (int, bool, error) {
		var p fieldsPage
		status, err := a.request(ctx, base+path, path, http.MethodGet, q, nil, &p)
		if err != nil || status == http.StatusNoContent {
			return 0, false, err
		}
		for _, f := range p.Embedded.Fields {
			if f.Code != "" && f.ID > 0 {
				out[f.Code] = int(f.ID)
			}
		}
		return len(p.Embedded.Fields), p.more(), nil
	})
	return out, err
}

// addCatalogFields creates the fields of specs on list id in one request
// and returns their ids by code.
func (a *Adapter) addCatalogFields(ctx context.Context, id int, specs []fieldSpec) (map[string]int, error) {
	base := strings.TrimSuffix(a.endpoint, a.path)
	path := "/api/v4/catalogs/" + strconv.Itoa(id) + "/custom_fields"
	body := make([]map[string]any, len(specs))
	for i, sp := range specs {
		body[i] = map[string]any{"type": sp.typ, "name": sp.name, "code": FieldCode(sp.key), "sort": 500 + 10*i}
	}
	var p fieldsPage
	if _, err := a.request(ctx, base+path, path, http.MethodPost, nil, body, &p); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, f := range p.Embedded.Fields {
		if f.Code != "" && f.ID > 0 {
			out[f.Code] = int(f.ID)
		}
	}
	return out, nil
}
