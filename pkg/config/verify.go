package config

import (
	"os"
	"slices"
	"strings"

	"github.com/dayreport/dayreport/pkg/report"
)

// FactKinds are what a CRM can record for verification (pkg/crm's Fact*
// constants): the keys verify.facts accepts.
var FactKinds = []string{"calls", "proposals", "invoices", "won", "payments"}

// DefaultFactMetrics is verify.facts when the file sets none: the calls the
// telephony logs are whichever calls the employee reports, new (a junior),
// primary (a senior) or both, summed.
var DefaultFactMetrics = map[string]string{
	"calls": "new_calls+primary_calls", "proposals": "proposals_sent", "invoices": "invoices_issued",
	"won": "contracts_signed", "payments": "payments",
}

// verifyFacts checks verify.facts: every key a fact kind, every value one or
// more of the template's count metrics joined by "+". t is nil when the
// template is a file not read yet (CheckFiles checks the metrics then).
func (v *checker) verifyFacts(facts map[string]string, t *report.Template) {
	for _, kind := range sortedKeys(facts) {
		path := "verify.facts." + kind
		if !slices.Contains(FactKinds, kind) {
			v.add(path, "unknown fact kind %s (want %s)", quoteShort(kind), orList(FactKinds))
			continue
		}
		value := facts[kind]
		parts := strings.Split(value, "+")
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				v.add(path, "%s is not a metric key or keys joined by + (new_calls+primary_calls)", quoteShort(value))
				break
			}
			if t == nil {
				continue
			}
			if m, ok := t.Metric(p); !ok || m.Type != report.Count {
				v.add(path, "unknown metric %s: the template %s has no count metric by that key (want %s)",
					quoteShort(p), t.Name, orList(countKeys(t)))
				break
			}
		}
	}
}

// builtinTemplate is the built-in template a setting names, nil for a file
// (or a name that is not built in, which LoadTemplate reports).
func builtinTemplate(name string) *report.Template {
	if IsTemplatePath(name) {
		return nil
	}
	t, err := report.Builtin(name)
	if err != nil {
		return nil
	}
	return t
}

// fileTemplate reads a template file for CheckFiles; nil when it cannot be
// read or parsed (the template check says why).
func fileTemplate(path string) *report.Template {
	if !IsTemplatePath(path) {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	t, err := report.ParseTemplate(data)
	if err != nil {
		return nil
	}
	return t
}

func countKeys(t *report.Template) []string {
	var out []string
	for _, m := range t.Metrics {
		if m.Type == report.Count {
			out = append(out, m.Key)
		}
	}
	return out
}
