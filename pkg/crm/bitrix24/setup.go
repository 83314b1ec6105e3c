package bitrix24

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
)

// DefaultTitle is the title Setup gives the smart process.
const DefaultTitle = "Ежедневные отчёты"

// maxFieldName is the longest user field name the portal accepts.
const maxFieldName = 50

// Metric is a metric Setup creates a number user field for.
type Metric = crm.SetupMetric

// SetupOptions are Setup's settings.
type SetupOptions struct {
	Options
	// Title of the smart process (default DefaultTitle). Setup finds a smart
	// process of that title before creating one.
	Title string
	// DryRun only looks: Setup reads what exists and returns the steps it
	// would take, creating nothing.
	DryRun bool
	// Metrics to create a number field for, in order. When empty, the keys
	// of config's fields that are not Field* keys are used.
	Metrics []Metric
}

// Mapping is what Setup made: the values for the bitrix24 section of the
// config, and the steps taken.
type Mapping struct {
	EntityTypeID int
	SPAID        int
	// Fields maps every metric key and the Field* keys to a user field name.
	Fields map[string]string
	// Steps are what Setup found and created (on a dry run: would create),
	// in order.
	Steps []crm.SetupStep
}

// YAML returns the mapping as the crm section of a config file, to paste in
// (the webhook URL is left out: it is a secret and already configured).
func (m Mapping) YAML() string {
	type section struct {
		EntityTypeID int               `yaml:"entity_type_id"`
		SPAID        int               `yaml:"spa_id"`
		Fields       map[string]string `yaml:"fields,omitempty"`
	}
	return crm.SetupBlock(Name, section{EntityTypeID: m.EntityTypeID, SPAID: m.SPAID, Fields: m.Fields})
}

// Setup prepares a portal for the adapter and needs only the webhook. It
// finds the smart process (crm.type.list by title, DefaultTitle) or creates
// it (crm.type.add, with start and end dates enabled), unless cfg already
// names one by entity_type_id and spa_id; then it lists the smart process's
// user fields (userfieldconfig.list) and creates the missing ones
// (userfieldconfig.add): text fields for status, notes and flags, a link
// field for the source URL, a number field for each metric, named as
// cfg.Fields says or UF_CRM_<spa id>_<KEY>. So a second run creates
// nothing, and a run after a partial failure creates only what is missing.
// On a dry run it creates nothing and returns the steps it would take. It
// returns the mapping to paste into the config, and on error the part made
// so far.
func Setup(ctx context.Context, cfg config.Bitrix24CRM, opts SetupOptions) (Mapping, error) {
	c, err := newClient(cfg.WebhookURL.Value(), cfg.RequestsPerSecond, opts.Options)
	if err != nil {
		return Mapping{}, err
	}
	specs, err := setupSpecs(cfg, opts.Metrics)
	if err != nil {
		return Mapping{}, err
	}
	// Names configured for an existing smart process are checked before
	// anything is created; the others follow from the new spa id.
	if cfg.EntityTypeID > 0 && cfg.SPAID > 0 {
		s := newSchema(cfg.EntityTypeID, cfg.SPAID, cfg.Fields)
		for _, sp := range specs {
			if err := checkFieldName(cfg.SPAID, sp.key, s.field(sp.key)); err != nil {
				return Mapping{}, err
			}
		}
	}
	title := opts.Title
	if title == "" {
		title = DefaultTitle
	}
	m := Mapping{EntityTypeID: cfg.EntityTypeID, SPAID: cfg.SPAID, Fields: map[string]string{}}
	if m.EntityTypeID <= 0 || m.SPAID <= 0 {
		if err := findOrCreateType(ctx, c, &m, title, cfg.EntityTypeID, opts.DryRun); err != nil {
			return m, err
		}
		if m.SPAID <= 0 { // a dry run that would create it: no field names yet
			for _, sp := range specs {
				m.Steps = append(m.Steps, crm.SetupStep{Create: true, What: fmt.Sprintf("%s field UF_CRM_<spa id>_… for %s", sp.userType, sp.key)})
			}
			return m, nil
		}
	}
	existing, err := listFields(ctx, c, m.SPAID)
	if err != nil {
		return m, fmt.Errorf("bitrix24: setup: list the fields: %w", err)
	}
	s := newSchema(m.EntityTypeID, m.SPAID, cfg.Fields)
	for _, sp := range specs {
		name := s.field(sp.key)
		if err := checkFieldName(m.SPAID, sp.key, name); err != nil {
			return m, err
		}
		m.Fields[sp.key] = name
		what := fmt.Sprintf("field %s (%s)", name, sp.key)
		if existing[name] {
			m.Steps = append(m.Steps, crm.SetupStep{What: what})
			continue
		}
		m.Steps = append(m.Steps, crm.SetupStep{Create: true, What: what})
		if opts.DryRun {
			continue
		}
		if err := addField(ctx, c, m.SPAID, name, sp); err != nil && !alreadyExists(err) {
			return m, fmt.Errorf("bitrix24: setup: create field %s: %w", name, err)
		}
	}
	return m, nil
}

// fieldSpec is a user field Setup makes.
type fieldSpec struct {
	key, label, userType string
	settings             map[string]any
}

// setupSpecs checks the metrics (or, with none, takes the metric keys of
// cfg.Fields) and returns the fields to make, the record's own first.
func setupSpecs(cfg config.Bitrix24CRM, metrics []Metric) ([]fieldSpec, error) {
	if len(metrics) == 0 {
		keys := make([]string, 0, len(cfg.Fields))
		for k := range cfg.Fields {
			if !isReserved(k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			metrics = append(metrics, Metric{Key: k})
		}
	}
	if len(metrics) == 0 {
		return nil, errors.New("bitrix24: setup: no metrics to create fields for")
	}
	seen := map[string]bool{}
	for _, m := range metrics {
		switch {
		case strings.TrimSpace(m.Key) == "":
			return nil, errors.New("bitrix24: setup: a metric has no key")
		case isReserved(m.Key):
			return nil, fmt.Errorf("bitrix24: setup: metric key %q is reserved for the record's own field", m.Key)
		case seen[m.Key]:
			return nil, fmt.Errorf("bitrix24: setup: metric %q is listed twice", m.Key)
		}
		seen[m.Key] = true
	}
	specs := []fieldSpec{
		{FieldStatus, "Статус отчёта", "string", nil},
		{FieldNotes, "Заметки", "string", map[string]any{"ROWS": 5}},
		{FieldLongTerm, "Что это даст в долгосрочной перспективе", "string", map[string]any{"ROWS": 3}},
		{FieldFlags, "Замечания проверки", "string", map[string]any{"ROWS": 3}},
		{FieldSourceURL, "Источник", "url", nil},
	}
	for _, mt := range metrics {
		label := mt.Label
		if label == "" {
			label = mt.Key
		}
		specs = append(specs, fieldSpec{mt.Key, label, "double", map[string]any{"PRECISION": 2}})
	}
	return specs, nil
}

// findOrCreateType sets m's ids to the smart process titled title, found
// with crm.type.list or created with crm.type.add (entityTypeID > 0 asks
// for that entityTypeId). On a dry run nothing is created and the ids of a
// smart process still to create stay 0.
func findOrCreateType(ctx context.Context, c *client, m *Mapping, title string, entityTypeID int, dryRun bool) error {
	var tl typeList
	filter := map[string]any{"title": title}
	if entityTypeID > 0 {
		filter["entityTypeId"] = entityTypeID
	}
	if _, err := c.call(ctx, "crm.type.list", map[string]any{"filter": filter, "order": map[string]string{"id": "ASC"}}, &tl, 0); err != nil {
		return fmt.Errorf("bitrix24: setup: look for the smart process: %w", err)
	}
	for _, t := range tl.Types {
		if id, et := int(t.V.ID), int(t.V.EntityTypeID); id > 0 && et > 0 && string(t.V.Title) == title {
			m.EntityTypeID, m.SPAID = et, id
			m.Steps = append(m.Steps, crm.SetupStep{What: fmt.Sprintf("smart process %q (entityTypeId %d, id %d)", title, et, id)})
			return nil
		}
	}
	step := crm.SetupStep{Create: true, What: fmt.Sprintf("smart process %q", title)}
	if dryRun {
		m.Steps = append(m.Steps, step)
		return nil
	}
	fields := map[string]any{
		"title":                    title,
		"isBeginCloseDatesEnabled": "Y",
		"isStagesEnabled":          "N",
		"isCategoriesEnabled":      "N",
		"isClientEnabled":          "N",
		"isAutomationEnabled":      "N",
		"isBizProcEnabled":         "N",
	}
	if entityTypeID > 0 {
		fields["entityTypeId"] = entityTypeID
	}
	var tr typeResult
	if _, err := c.call(ctx, "crm.type.add", map[string]any{"fields": fields}, &tr, 0); err != nil {
		return fmt.Errorf("bitrix24: setup: create the smart process: %w", err)
	}
	m.EntityTypeID, m.SPAID = int(tr.Type.V.EntityTypeID), int(tr.Type.V.ID)
	if m.EntityTypeID <= 0 || m.SPAID <= 0 {
		return crm.RetryableError(errors.New("bitrix24: setup: crm.type.add answered without id and entityTypeId"), 0)
	}
	step.What += fmt.Sprintf(" (entityTypeId %d, id %d)", m.EntityTypeID, m.SPAID)
	m.Steps = append(m.Steps, step)
	return nil
}

// maxFieldPages bounds the pages of userfieldconfig.list read (50 fields a
// page over every smart process of the portal).
const maxFieldPages = 200

// listFields returns the names of the user fields of smart process spaID.
// userfieldconfig.list cannot filter on entityId (its documented filter
// fields are id, fieldName, userTypeId, xmlId and flags), so every CRM user
// field is listed and those of CRM_<spa id> kept.
func listFields(ctx context.Context, c *client, spaID int) (map[string]bool, error) {
	entity := "CRM_" + strconv.Itoa(spaID)
	out := map[string]bool{}
	params := map[string]any{"moduleId": "crm", "select": []string{"id", "entityId", "fieldName"}, "order": map[string]string{"id": "ASC"}}
	for range maxFieldPages {
		var fl fieldList
		env, err := c.call(ctx, "userfieldconfig.list", params, &fl, 0)
		if err != nil {
			return nil, err
		}
		for _, f := range fl.Fields {
			if string(f.V.EntityID) == entity {
				out[string(f.V.FieldName)] = true
			}
		}
		if env.Next <= 0 {
			return out, nil
		}
		params["start"] = int64(env.Next)
	}
	return nil, crm.PermanentError(fmt.Errorf("bitrix24: userfieldconfig.list: more than %d pages", maxFieldPages))
}

// addField creates one user field of smart process spaID.
func addField(ctx context.Context, c *client, spaID int, name string, sp fieldSpec) error {
	field := map[string]any{
		"entityId":      "CRM_" + strconv.Itoa(spaID),
		"fieldName":     name,
		"userTypeId":    sp.userType,
		"xmlId":         FieldXMLID(sp.key),
		"multiple":      "N",
		"mandatory":     "N",
		"showFilter":    "Y",
		"editFormLabel": map[string]string{"ru": sp.label, "en": sp.label},
	}
	if sp.settings != nil {
		field["settings"] = sp.settings
	}
	var fr fieldResult
	_, err := c.call(ctx, "userfieldconfig.add", map[string]any{"moduleId": "crm", "field": field}, &fr, 0)
	return err
}

// alreadyExists reports whether err is userfieldconfig.add's "Field …
// already exists" (an error with an empty code).
func alreadyExists(err error) bool {
	var e *APIError
	return errors.As(err, &e) && strings.Contains(strings.ToLower(e.Description), "already exists")
}

// checkFieldName checks a user field name against the portal's rule:
// UF_CRM_<spa id>_ then A–Z, 0–9 and _, at most 50 characters.
func checkFieldName(spaID int, key, name string) error {
	prefix := "UF_CRM_" + strconv.Itoa(spaID) + "_"
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" || len(name) > maxFieldName || strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return fmt.Errorf("bitrix24: setup: field name %q for %q must be %s followed by A–Z, 0–9 or _, at most %d characters", name, key, prefix, maxFieldName)
	}
	return nil
}
