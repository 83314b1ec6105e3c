package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"
)

// maxDecodeSteps bounds the work done on one file, whatever its aliases.
const maxDecodeSteps = 1 << 20

// decoder decodes a YAML node tree into a Go value strictly: it walks the
// nodes against the yaml tags of the destination type, so that it can report
// every unknown or duplicate key and every badly typed value with its path
// and line instead of stopping at the first. ${VAR} references in scalar
// values (never in keys) are expanded as they are read.
type decoder struct {
	lookup   LookupFunc
	problems []Problem
	lines    map[string]int       // path -> line, for every key present in the file
	given    map[string]bool      // path -> the file gave a non-empty value
	env      map[string]expansion // path -> expansion that left variables unset
	steps    int
	active   map[*yaml.Node]bool // aliases being followed (cycle guard)
}

// newDecoderSized makes a decoder for a tree of about nodes keys and
// items: the maps of paths are made that large at once (a roster of 10 000
// employees grew them a dozen times).
func newDecoderSized(lookup LookupFunc, nodes int) *decoder {
	return &decoder{
		lookup: lookup,
		lines:  make(map[string]int, nodes),
		given:  make(map[string]bool, nodes),
		env:    map[string]expansion{},
		active: map[*yaml.Node]bool{},
	}
}

func (d *decoder) problem(path string, line int, msg string) {
	d.problems = append(d.problems, Problem{Path: path, Line: line, Message: msg})
}

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// decode stores n into v (which must be settable) and records what it finds.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.steps++
	if d.steps > maxDecodeSteps {
		if d.steps == maxDecodeSteps+1 {
			d.problem(path, n.Line, "the file is too large or expands too many aliases")
		}
		return
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		if d.active[n] {
			d.problem(path, n.Line, "alias refers to itself")
			return
		}
		d.active[n] = true
		defer delete(d.active, n)
		n = n.Alias
		for n.Kind == yaml.AliasNode && n.Alias != nil { // yaml.v3 does not chain aliases; be safe
			n = n.Alias
		}
	}
	if isNull(n) {
		return
	}
	t := v.Type()
	secret := t == secretType
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		s, ok := d.scalar(n, path, "a "+typeWord(t), secret)
		if !ok || s == "" {
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.problem(path, n.Line, err.Error())
			return
		}
		d.given[path] = true
		return
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := d.scalar(n, path, "a string", secret)
		if !ok {
			return
		}
		v.SetString(s)
		d.given[path] = s != ""
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, ok := d.scalar(n, path, "an integer", false)
		if !ok || s == "" {
			return
		}
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v.OverflowInt(i) {
			d.problem(path, n.Line, fmt.Sprintf("expected an integer, got %s", quoteShort(s)))
			return
		}
		v.SetInt(i)
		d.given[path] = true
	case reflect.Float32, reflect.Float64:
		s, ok := d.scalar(n, path, "a number", false)
		if !ok || s == "" {
			return
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.problem(path, n.Line, fmt.Sprintf("expected a number, got %s", quoteShort(s)))
			return
		}
		v.SetFloat(f)
		d.given[path] = true
	case reflect.Bool:
		s, ok := d.scalar(n, path, "true or false", false)
		if !ok || s == "" {
			return
		}
		b, ok := parseBool(s)
		if !ok {
			d.problem(path, n.Line, fmt.Sprintf("expected true or false, got %s", quoteShort(s)))
			return
		}
		v.SetBool(b)
		d.given[path] = true
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.problem(path, n.Line, "expected a list, got "+nodeWord(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
		d.given[path] = true
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.problem(path, n.Line, "expected a mapping, got "+nodeWord(n))
			return
		}
		m := reflect.MakeMap(t)
		for _, p := range d.pairs(n, path, 0) {
			elem := reflect.New(t.Elem()).Elem()
			d.decode(p.val, elem, join(path, p.key.Value))
			m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(t.Key()), elem)
		}
		v.Set(m)
		d.given[path] = true
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.problem(path, n.Line, "expected a mapping, got "+nodeWord(n))
			return
		}
		fields, names := fieldsOf(t)
		for _, p := range d.pairs(n, path, 0) {
			i, ok := fields[p.key.Value]
			if !ok {
				msg := "unknown key"
				if s := suggest(p.key.Value, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				d.problem(join(path, p.key.Value), p.key.Line, msg)
				continue
			}
			d.decode(p.val, v.Field(i), join(path, p.key.Value))
		}
		d.given[path] = true
	default:
		d.problem(path, n.Line, "cannot decode into "+t.String())
	}
}

// scalar returns the expanded text of a scalar node, or reports why not.
func (d *decoder) scalar(n *yaml.Node, path, want string, secret bool) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.problem(path, n.Line, "expected "+want+", got "+nodeWord(n))
		return "", false
	}
	x, err := expand(n.Value, d.lookup, secret)
	if err != nil {
		d.problem(path, n.Line, err.Error())
		return "", false
	}
	if len(x.unset) > 0 {
		d.env[path] = x
	} else {
		delete(d.env, path)
	}
	return x.value, true
}

type pair struct{ key, val *yaml.Node }

// pairs returns the key/value pairs of a mapping, reporting duplicate and
// non-string keys, with YAML merge keys (<<: *base) applied: an explicit key
// wins over a merged one, and an earlier merged mapping over a later one.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var (
		out    = make([]pair, 0, len(n.Content)/2)
		merges []*yaml.Node
		seen   = newKeySet(len(n.Content) / 2)
	)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			d.problem(path, k.Line, "a key must be a plain string")
			continue
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if first, dup := seen.get(k.Value); dup {
			d.problem(join(path, k.Value), k.Line, fmt.Sprintf("duplicate key (first at line %d)", first))
			continue
		}
		seen.put(k.Value, k.Line)
		out = append(out, pair{k, val})
	}
	for _, m := range merges {
		for _, src := range d.mergeSources(m, path, depth) {
			for _, p := range src {
				if _, dup := seen.get(p.key.Value); dup {
					continue
				}
				seen.put(p.key.Value, p.key.Line)
				out = append(out, p)
			}
		}
	}
	return out
}

// mergeSources resolves the value of a merge key into the pairs of each mapping it names.
func (d *decoder) mergeSources(m *yaml.Node, path string, depth int) [][]pair {
	const maxMergeDepth = 16
	d.steps++
	if depth > maxMergeDepth || d.steps > maxDecodeSteps {
		d.problem(path, m.Line, "merge keys (<<) nested too deeply")
		return nil
	}
	for m.Kind == yaml.AliasNode && m.Alias != nil {
		m = m.Alias
	}
	switch m.Kind {
	case yaml.MappingNode:
		return [][]pair{d.pairs(m, path, depth+1)}
	case yaml.SequenceNode:
		var out [][]pair
		for _, item := range m.Content {
			for item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind != yaml.MappingNode {
				d.problem(path, item.Line, "a merge key (<<) takes a mapping or a list of mappings")
				continue
			}
			out = append(out, d.pairs(item, path, depth+1))
		}
		return out
	}
	d.problem(path, m.Line, "a merge key (<<) takes a mapping or a list of mappings")
	return nil
}

// keySet is the keys of a mapping seen so far, with the line of each: a
// short list while the mapping is small (most are: an employee's three or
// four keys), a map past that.
type keySet struct {
	keys  []string
	lines []int
	big   map[string]int
}

const keySetSmall = 16

func newKeySet(n int) *keySet {
	if n > keySetSmall {
		return &keySet{big: make(map[string]int, n)}
	}
	return &keySet{keys: make([]string, 0, n), lines: make([]int, 0, n)}
}

func (s *keySet) get(k string) (int, bool) {
	if s.big != nil {
		l, ok := s.big[k]
		return l, ok
	}
	for i, x := range s.keys {
		if x == k {
			return s.lines[i], true
		}
	}
	return 0, false
}

func (s *keySet) put(k string, line int) {
	if s.big != nil {
		s.big[k] = line
		return
	}
	if len(s.keys) == keySetSmall {
		s.big = make(map[string]int, 2*keySetSmall)
		for i, x := range s.keys {
			s.big[x] = s.lines[i]
		}
		s.big[k] = line
		return
	}
	s.keys, s.lines = append(s.keys, k), append(s.lines, line)
}

// structFields caches fieldsOf by type: it was computed again for every
// employee of the roster.
var structFields sync.Map // reflect.Type -> structFieldsOf

type structFieldsOf struct {
	fields map[string]int
	names  []string
}

// fieldsOf maps the yaml keys of a struct type to field indexes (the
// result is shared: callers must not change it).
func fieldsOf(t reflect.Type) (map[string]int, []string) {
	if f, ok := structFields.Load(t); ok {
		f := f.(structFieldsOf)
		return f.fields, f.names
	}
	fields, names := computeFieldsOf(t)
	structFields.Store(t, structFieldsOf{fields, names})
	return fields, names
}

func computeFieldsOf(t reflect.Type) (map[string]int, []string) {
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = i
		names = append(names, name)
	}
	return fields, names
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

func nodeWord(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a single value"
}

func typeWord(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[TimeOfDay]():
		return "time of day (HH:MM)"
	case reflect.TypeFor[Duration]():
		return "duration (e.g. 2h)"
	case reflect.TypeFor[Window]():
		return "window (e.g. 2w)"
	}
	if t.Name() == "Date" {
		return "date (YYYY-MM-DD)"
	}
	return "value"
}

// quoteShort quotes s for a message, cut to a readable length.
func quoteShort(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return strconv.Quote(s)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Suggest returns the name closest to key when it is close enough to be a
// typo (the "did you mean" of every located error), "" otherwise.
func Suggest(key string, names []string) string { return suggest(key, names) }

// suggest returns the name closest to key when it is close enough to be a typo.
func suggest(key string, names []string) string {
	limit := 2
	switch n := len([]rune(key)); {
	case n <= 4:
		limit = 1
	case n >= 12:
		limit = 3
	}
	best, bestDist := "", limit+1
	for _, name := range names {
		if dist := editDistance(strings.ToLower(key), name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int { return levenshtein.ComputeDistance(a, b) }
