package bitrix24

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
)

// DefaultTitle is the title Setup gives the smart process.
const DefaultTitle = "Ежедневные отчёты"

// maxFieldName is the longest user field name the portal accepts.
const maxFieldName = 50

// Metric is a metric Setup creates a user field for.
type Metric struct {
	Key   string // the metric key, e.g. "new_calls"
	Label string // the field's label on the portal (default: the key)
}

// SetupOptions are Setup's settings.
type SetupOptions struct {
	Options
	// Title of the smart process (default DefaultTitle).
	Title string
	// Metrics to create a number field for, in order. When empty, the keys
	// of config's fields that are not Field* keys are used.
	Metrics []Metric
}

// Mapping is what Setup made: the values for the bitrix24 section of the
// config.
type Mapping struct {
	EntityTypeID int
	SPAID        int
	// Fields maps every metric key and the Field* keys to a user field name.
	Fields map[string]string
}

// YAML returns the mapping as the crm section of a config file, to paste in
// (the webhook URL is left out: it is a secret and already configured).
func (m Mapping) YAML() string {
	type section struct {
		EntityTypeID int               `yaml:"entity_type_id"`
		SPAID        int               `yaml:"spa_id"`
		Fields       map[string]string `yaml:"fields,omitempty"`
	}
	doc := map[string]any{"crm": map[string]any{
		"adapter":  Name,
		"bitrix24": section(m),
	}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		// Only strings and ints inside: this cannot fail.
		panic(fmt.Sprintf("bitrix24: mapping does not marshal: %v", err))
	}
	return string(out)
}

// Setup prepares a portal for the adapter: it creates the smart process
// (crm.type.add, titled DefaultTitle, with start and end dates enabled)
// unless cfg already names one by entity_type_id and spa_id, then one user
// field per record field and per metric (userfieldconfig.add): text fields
// for status, notes and flags, a link field for the source URL, a number
// field for each metric, named as cfg.Fields says or UF_CRM_<spa id>_<KEY>.
// A field that already exists is kept, so Setup can be run again after a
// partial failure. It returns the mapping to paste into the config, and on
// error the part made so far.
func Setup(ctx context.Context, cfg config.Bitrix24CRM, opts SetupOptions) (Mapping, error) {
	c, err := newClient(cfg.WebhookURL.Value(), cfg.RequestsPerSecond, opts.Options)
	if err != nil {
		return Mapping{}, err
	}
	metrics := opts.Metrics
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
		return Mapping{}, errors.New("bitrix24: setup: no metrics to create fields for")
	}
	seen := map[string]bool{}
	for _, m := range metrics {
		switch {
		case strings.TrimSpace(m.Key) == "":
			return Mapping{}, errors.New("bitrix24: setup: a metric has no key")
		case isReserved(m.Key):
			return Mapping{}, fmt.Errorf("bitrix24: setup: metric key %q is reserved for the record's own field", m.Key)
		case seen[m.Key]:
			return Mapping{}, fmt.Errorf("bitrix24: setup: metric %q is listed twice", m.Key)
		}
		seen[m.Key] = true
	}

	type spec struct {
		key, label, userType string
		settings             map[string]any
	}
	specs := []spec{
		{FieldStatus, "Статус отчёта", "string", nil},
		{FieldNotes, "Заметки", "string", map[string]any{"ROWS": 5}},
		{FieldFlags, "Замечания проверки", "string", map[string]any{"ROWS": 3}},
		{FieldSourceURL, "Источник", "url", nil},
	}
	for _, mt := range metrics {
		label := mt.Label
		if label == "" {
			label = mt.Key
		}
		specs = append(specs, spec{mt.Key, label, "double", map[string]any{"PRECISION": 2}})
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

	m := Mapping{EntityTypeID: cfg.EntityTypeID, SPAID: cfg.SPAID, Fields: map[string]string{}}
	if m.EntityTypeID <= 0 || m.SPAID <= 0 {
		title := opts.Title
		if title == "" {
			title = DefaultTitle
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
		if cfg.EntityTypeID > 0 {
			fields["entityTypeId"] = cfg.EntityTypeID
		}
		var tr typeResult
		if _, err := c.call(ctx, "crm.type.add", map[string]any{"fields": fields}, &tr, 0); err != nil {
			return m, fmt.Errorf("bitrix24: setup: create the smart process: %w", err)
		}
		m.EntityTypeID, m.SPAID = int(tr.Type.V.EntityTypeID), int(tr.Type.V.ID)
		if m.EntityTypeID <= 0 || m.SPAID <= 0 {
			return m, crm.RetryableError(errors.New("bitrix24: setup: crm.type.add answered without id and entityTypeId"), 0)
		}
	}

	s := newSchema(m.EntityTypeID, m.SPAID, cfg.Fields)
	for _, sp := range specs {
		name := s.field(sp.key)
		if err := checkFieldName(m.SPAID, sp.key, name); err != nil {
			return m, err
		}
		field := map[string]any{
			"entityId":      "CRM_" + strconv.Itoa(m.SPAID),
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
		if err != nil && !alreadyExists(err) {
			return m, fmt.Errorf("bitrix24: setup: create field %s: %w", name, err)
		}
		m.Fields[sp.key] = name
	}
	return m, nil
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
