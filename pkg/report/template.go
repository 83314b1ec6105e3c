package report

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// MetricType is how a metric's value is read.
type MetricType string

// Metric types.
const (
	Count  MetricType = "count"  // a whole number ≥ 0
	Rating MetricType = "rating" // a decimal within bounds (comma or point)
	Text   MetricType = "text"   // free text running to the next label line
)

// Metric is one line of a report template.
type Metric struct {
	Key  string     `yaml:"key"`
	Type MetricType `yaml:"type"`
	// Labels are the Russian aliases; the first is the display label.
	Labels []string `yaml:"labels"`
	// LabelsEn are English aliases, accepted in any document.
	LabelsEn []string `yaml:"labels_en"`
	Min      float64  `yaml:"min"`
	Max      float64  `yaml:"max"`
	MaxLen   int      `yaml:"max_len"`
	Required bool     `yaml:"required"`
}

// Label is the display label in lang ("ru" or "en").
func (m Metric) Label(lang string) string {
	if lang == "en" && len(m.LabelsEn) > 0 {
		return m.LabelsEn[0]
	}
	if len(m.Labels) > 0 {
		return m.Labels[0]
	}
	return m.LabelsEn[0]
}

// Stage is one stage of the sales funnel: the sum of one or more count metrics.
type Stage struct {
	Key     string   `yaml:"key"`
	Label   string   `yaml:"label"`
	LabelEn string   `yaml:"label_en"`
	Metrics []string `yaml:"metrics"`
}

// DisplayLabel is the stage label in lang.
func (s Stage) DisplayLabel(lang string) string {
	if lang == "en" && s.LabelEn != "" {
		return s.LabelEn
	}
	return s.Label
}

// RatingSpec names the metric averaged in summaries and its weight.
type RatingSpec struct {
	Metric string `yaml:"metric"`
	Weight string `yaml:"weight"`
}

// Template is a report template: metrics, their labels and bounds, and the funnel.
type Template struct {
	Name    string     `yaml:"name"`
	Metrics []Metric   `yaml:"metrics"`
	OneOf   [][]string `yaml:"one_of"`
	Funnel  []Stage    `yaml:"funnel"`
	Rating  RatingSpec `yaml:"rating"`

	byKey  map[string]int
	labels *labelIndex
}

// Metric returns the metric with key.
func (t *Template) Metric(key string) (Metric, bool) {
	i, ok := t.byKey[key]
	if !ok {
		return Metric{}, false
	}
	return t.Metrics[i], true
}

//go:embed templates/*.yaml
var builtinFS embed.FS

// BuiltinNames lists the templates shipped in the binary.
func BuiltinNames() []string {
	entries, _ := builtinFS.ReadDir("templates")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// ErrUnknownTemplate is returned by Builtin for a name that is not shipped.
var ErrUnknownTemplate = errors.New("report: unknown built-in template")

// Builtin returns a built-in template by name ("sales-ru").
func Builtin(name string) (*Template, error) {
	data, err := builtinFS.ReadFile("templates/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%w %q (built-in: %s)", ErrUnknownTemplate, name, strings.Join(BuiltinNames(), ", "))
	}
	return ParseTemplate(data)
}

// MustBuiltin is Builtin for tests and defaults; it panics on an unknown name.
func MustBuiltin(name string) *Template {
	t, err := Builtin(name)
	if err != nil {
		panic(err)
	}
	return t
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// TemplateError lists every problem of a template file.
type TemplateError struct{ Problems []string }

func (e *TemplateError) Error() string {
	return "report: template: " + strings.Join(e.Problems, "; ")
}

// ParseTemplate reads a template from YAML (unknown keys are errors) and checks
// it: unique keys and labels, known types, sane bounds, a funnel of count metrics.
func ParseTemplate(data []byte) (*Template, error) {
	var t Template
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("report: template: %w", err)
	}
	if probs := t.validate(); len(probs) > 0 {
		return nil, &TemplateError{Problems: probs}
	}
	t.labels = newLabelIndex(t.Metrics)
	return &t, nil
}

func (t *Template) validate() []string {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if t.Name == "" {
		add("name: required")
	}
	if len(t.Metrics) == 0 {
		add("metrics: at least one metric is required")
	}
	t.byKey = map[string]int{}
	seenLabel := map[string]string{}
	for i, m := range t.Metrics {
		where := fmt.Sprintf("metrics[%d]", i)
		if !keyPattern.MatchString(m.Key) {
			add("%s.key: %q must be lower-case letters, digits and _ (at most 40)", where, m.Key)
		}
		if _, dup := t.byKey[m.Key]; dup {
			add("%s.key: %q is used twice", where, m.Key)
		}
		t.byKey[m.Key] = i
		switch m.Type {
		case Count, Rating:
			if m.Min > m.Max {
				add("%s: min %v is above max %v", where, m.Min, m.Max)
			}
			if m.Type == Count && m.Min < 0 {
				add("%s: a count cannot have a negative min", where)
			}
		case Text:
			if m.MaxLen <= 0 {
				t.Metrics[i].MaxLen = 4000
			}
		default:
			add("%s.type: %q is not count, rating or text", where, m.Type)
		}
		if len(m.Labels)+len(m.LabelsEn) == 0 {
			add("%s.labels: at least one label is required", where)
		}
		for _, l := range append(append([]string{}, m.Labels...), m.LabelsEn...) {
			n := NormalizeLabel(l)
			if n == "" {
				add("%s.labels: an empty label", where)
				continue
			}
			if other, dup := seenLabel[n]; dup && other != m.Key {
				add("%s.labels: %q is also a label of %q", where, l, other)
			}
			seenLabel[n] = m.Key
		}
	}
	for i, group := range t.OneOf {
		for _, k := range group {
			if _, ok := t.byKey[k]; !ok {
				add("one_of[%d]: unknown metric %q", i, k)
			}
		}
	}
	for i, s := range t.Funnel {
		if s.Key == "" || s.Label == "" {
			add("funnel[%d]: key and label are required", i)
		}
		for _, k := range s.Metrics {
			j, ok := t.byKey[k]
			if !ok {
				add("funnel[%d].metrics: unknown metric %q", i, k)
			} else if t.Metrics[j].Type != Count {
				add("funnel[%d].metrics: %q is not a count", i, k)
			}
		}
		if len(s.Metrics) == 0 {
			add("funnel[%d].metrics: at least one metric", i)
		}
	}
	if t.Rating.Metric != "" {
		if j, ok := t.byKey[t.Rating.Metric]; !ok || t.Metrics[j].Type != Rating {
			add("rating.metric: %q is not a rating metric", t.Rating.Metric)
		}
		if j, ok := t.byKey[t.Rating.Weight]; t.Rating.Weight != "" && (!ok || t.Metrics[j].Type != Count) {
			add("rating.weight: %q is not a count metric", t.Rating.Weight)
		}
	}
	return probs
}
