package googlefake

import (
	"encoding/json"
	"fmt"
	"strings"
)

// fieldMask is a parsed `fields` system parameter: a tree of selected names,
// where a nil subtree selects the whole value. The grammar is Google's:
// comma-separated paths, "a/b" or "a.b" for a sub-field, "a(b,c)" for several
// sub-fields, "*" for everything at a level.
type fieldMask map[string]fieldMask

// parseFields parses a fields parameter; "" and "*" give a nil mask (all).
func parseFields(s string) (fieldMask, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "*" {
		return nil, nil
	}
	p := &maskParser{s: s}
	m := fieldMask{}
	if err := p.list(m); err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("invalid field selection %s", s)
	}
	return m, nil
}

type maskParser struct {
	s string
	i int
}

func (p *maskParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// list parses path (',' path)* into m, stopping before ')' or at the end.
func (p *maskParser) list(m fieldMask) error {
	for {
		if err := p.path(m); err != nil {
			return err
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return nil
	}
}

// path parses name (('/'|'.') name)* ['(' list ')'] into m.
func (p *maskParser) path(m fieldMask) error {
	p.skipSpace()
	name := p.name()
	if name == "" {
		return fmt.Errorf("invalid field selection %s", p.s)
	}
	switch {
	case p.i < len(p.s) && (p.s[p.i] == '/' || p.s[p.i] == '.'):
		p.i++
		sub := m.child(name)
		if sub == nil {
			return p.path(fieldMask{}) // already whole: parse and ignore
		}
		return p.path(sub)
	case p.i < len(p.s) && p.s[p.i] == '(':
		p.i++
		sub := m.child(name)
		if sub == nil {
			sub = fieldMask{}
		}
		if err := p.list(sub); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return fmt.Errorf("invalid field selection %s", p.s)
		}
		p.i++
		return nil
	}
	if name == "*" {
		m["*"] = nil
		return nil
	}
	m[name] = nil // whole value
	return nil
}

func (p *maskParser) name() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' || c == '/' || c == '.' || c == '(' || c == ')' || c == ' ' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// child returns the sub-mask for name, creating it; nil when name is
// already selected whole.
func (m fieldMask) child(name string) fieldMask {
	sub, ok := m[name]
	if ok && sub == nil {
		return nil
	}
	if !ok {
		sub = fieldMask{}
		m[name] = sub
	}
	return sub
}

// apply filters a decoded JSON value by the mask.
func (m fieldMask) apply(v any) any {
	if m == nil {
		return v
	}
	if _, all := m["*"]; all {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, sub := range m {
			if val, ok := t[k]; ok {
				out[k] = sub.apply(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = m.apply(e)
		}
		return out
	}
	return v
}

// toJSONValue converts v (an API struct) to its generic JSON form.
func toJSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// masked returns v's JSON form filtered by a fields parameter.
func masked(v any, fields string) (any, error) {
	m, err := parseFields(fields)
	if err != nil {
		return nil, err
	}
	j, err := toJSONValue(v)
	if err != nil {
		return nil, err
	}
	return m.apply(j), nil
}
