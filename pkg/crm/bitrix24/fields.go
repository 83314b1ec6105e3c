package bitrix24

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/crm"
)

// Keys of config.Bitrix24CRM.Fields that name the record's own fields rather
// than a metric. A metric must not use one of these keys.
const (
	FieldStatus    = "status"
	FieldNotes     = "notes"
	FieldLongTerm  = "long_term"
	FieldFlags     = "flags"
	FieldSourceURL = "source_url"
)

// reserved lists the record's own fields in the order Setup creates them.
var reserved = []string{FieldStatus, FieldNotes, FieldLongTerm, FieldFlags, FieldSourceURL}

func isReserved(key string) bool {
	for _, r := range reserved {
		if key == r {
			return true
		}
	}
	return false
}

// XMLIDPrefix starts the xmlId Setup gives every user field it creates:
// "dayreport.status", "dayreport.notes", "dayreport.flags",
// "dayreport.source_url", and "dayreport.metric.<key>" for a metric. The
// portal keeps it, so the fields can be recognised later (the test fake reads
// items back through it).
const XMLIDPrefix = "dayreport."

// FieldXMLID returns the xmlId of the user field for key (a metric key or one
// of the Field* keys).
func FieldXMLID(key string) string {
	if isReserved(key) {
		return XMLIDPrefix + key
	}
	return XMLIDPrefix + "metric." + key
}

// DefaultFieldName returns the user field name of key in the smart process
// spaID when the config does not map it: UF_CRM_<spa id>_<KEY>, the key in
// upper case with anything but A–Z, 0–9 and _ turned into _.
func DefaultFieldName(spaID int, key string) string {
	var b strings.Builder
	b.WriteString("UF_CRM_")
	b.WriteString(strconv.Itoa(spaID))
	b.WriteByte('_')
	for _, r := range strings.ToUpper(key) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// schema is where a record goes in the smart process.
type schema struct {
	entityTypeID int
	spaID        int
	names        map[string]string // key → user field name, from the config
	mapped       []string          // metric keys named in the config, sorted
}

func newSchema(entityTypeID, spaID int, fields map[string]string) *schema {
	s := &schema{entityTypeID: entityTypeID, spaID: spaID, names: map[string]string{}}
	for k, v := range fields {
		v = strings.TrimSpace(v)
		if k == "" || v == "" {
			continue
		}
		s.names[k] = v
		if !isReserved(k) {
			s.mapped = append(s.mapped, k)
		}
	}
	sort.Strings(s.mapped)
	return s
}

// field returns the user field name of key.
func (s *schema) field(key string) string {
	if n, ok := s.names[key]; ok {
		return n
	}
	return DefaultFieldName(s.spaID, key)
}

// param is one name=value of a command's fields.
type param struct{ name, value string }

// fields returns the item fields of r, in a stable order. Every metric named
// in the config is written, empty when r lacks it, so a metric that left the
// report is cleared; other metrics of r go to their default field names.
func (s *schema) fields(r crm.Record) []param {
	out := []param{
		{"title", title(r)},
		{"xmlId", r.Key},
	}
	if id, err := strconv.ParseInt(strings.TrimSpace(r.CRMUserID), 10, 64); err == nil && id > 0 {
		out = append(out, param{"assignedById", strconv.FormatInt(id, 10)})
	}
	if !r.Date.IsZero() {
		// Start and end date of the item: present when the smart process has
		// isBeginCloseDatesEnabled (Setup turns it on); ignored otherwise.
		out = append(out, param{"begindate", r.Date.String()}, param{"closedate", r.Date.String()})
	}
	out = append(out,
		param{s.field(FieldStatus), string(r.Status)},
		param{s.field(FieldNotes), r.Notes},
		param{s.field(FieldLongTerm), r.LongTerm},
		param{s.field(FieldFlags), flagsText(r)},
		param{s.field(FieldSourceURL), r.SourceURL},
	)
	keys := make([]string, 0, len(s.mapped)+len(r.Metrics))
	keys = append(keys, s.mapped...)
	for k := range r.Metrics {
		if _, ok := s.names[k]; !ok && !isReserved(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 && keys[i-1] == k {
			continue
		}
		v, ok := r.Metrics[k]
		value := ""
		if ok {
			value = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, param{s.field(k), value})
	}
	return out
}

// title is the item's readable name: who and which day.
func title(r crm.Record) string {
	who := r.EmployeeName
	if who == "" {
		who = r.Employee
	}
	switch {
	case who != "" && !r.Date.IsZero():
		return who + " — " + r.Date.String()
	case who != "":
		return who
	}
	return r.Key
}

// flagsText is the verification flags and validation errors, one per line.
func flagsText(r crm.Record) string {
	lines := make([]string, 0, len(r.Flags)+len(r.Errors))
	for _, f := range r.Flags {
		lines = append(lines, "["+f.Code+"] "+f.Message)
	}
	for _, e := range r.Errors {
		lines = append(lines, "[error] "+e)
	}
	return strings.Join(lines, "\n")
}

// commandLine is a batch command: method?query, with fields as fields[name]
// and every value URL-encoded (batch takes each command as a query string).
func commandLine(method string, head []param, fields []param) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('?')
	first := true
	add := func(name, value string) {
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value))
	}
	for _, p := range head {
		add(url.QueryEscape(p.name), p.value)
	}
	for _, p := range fields {
		add("fields["+url.QueryEscape(p.name)+"]", p.value)
	}
	return b.String()
}
