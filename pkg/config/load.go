package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads, expands, decodes, completes and validates the configuration
// file at path. Relative paths in it are resolved against the file's
// directory. lookupEnv resolves ${VAR} references (pass os.LookupEnv; nil
// means an empty environment). A file that fails gives an *Error listing every
// problem; a missing file gives an error that wraps fs.ErrNotExist.
func Load(path string, lookupEnv LookupFunc) (*Config, error) {
	return load(path, lookupEnv, false)
}

// LoadForSetup is Load for `dayreport crm setup`: the settings that setup
// itself produces (Problem.Setup: the ids of the smart process, list or
// custom object it creates) may be missing, since producing them is what
// setup is for. Every other problem fails as in Load.
func LoadForSetup(path string, lookupEnv LookupFunc) (*Config, error) {
	return load(path, lookupEnv, true)
}

func load(path string, lookupEnv LookupFunc, forSetup bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &notFoundError{path: path}
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parse(data, path, filepath.Dir(abs), lookupEnv, forSetup)
}

// Parse is Load for a file already in memory: name is used in messages and
// dir to resolve relative paths (left relative when dir is "").
func Parse(data []byte, name, dir string, lookupEnv LookupFunc) (*Config, error) {
	return parse(data, name, dir, lookupEnv, false)
}

func parse(data []byte, name, dir string, lookupEnv LookupFunc, forSetup bool) (*Config, error) {
	e := &Error{File: name}
	root, p := parseNode(data)
	if p != nil {
		e.Problems = []Problem{*p}
		return nil, e
	}
	c := &Config{}
	d := newDecoderSized(lookupEnv, keysIn(root))
	if top := documentBody(root); top != nil {
		if top.Kind != yaml.MappingNode {
			d.problem("", top.Line, "expected a mapping of settings (company:, employees:, crm:, ...), got "+nodeWord(top))
		} else {
			d.decode(top, reflect.ValueOf(c).Elem(), "")
		}
	}
	m := &meta{fromFile: true, lines: d.lines, given: d.given, env: d.env}
	applyDefaults(c, m.given)
	resolvePaths(c, dir)
	m.overrides = applyOverrides(c, lookupEnv)

	e.Problems = d.problems
	bad := map[string]bool{}
	for _, p := range d.problems {
		bad[p.Path] = true
	}
	for _, p := range validate(c, m) {
		if !bad[p.Path] && (!forSetup || !p.Setup) { // undecodable ones are reported already: do not pile on
			e.Problems = append(e.Problems, p)
		}
	}
	if len(e.Problems) > 0 {
		e.sort()
		return nil, e
	}
	m.keepForChecks()
	c.file, c.meta = name, m
	return c, nil
}

// keepForChecks drops, once the file is validated, what only the
// validation needed: whether each setting was given, and the lines of the
// employees' settings. The checks run after Load (CheckFiles,
// CheckChangeStages) locate top-level settings and changes, never an
// employee's; for 10 000 employees the two maps were some 5 MB held by
// every pass (TestChangeStagesAreLocated and TestBadFiles check the lines
// the later checks give).
func (m *meta) keepForChecks() {
	m.given = nil
	kept := make(map[string]int)
	for path, line := range m.lines {
		if path != "employees" && !strings.HasPrefix(path, "employees[") {
			kept[path] = line
		}
	}
	m.lines = kept
}

// Validate checks a configuration built in code (Default, then changed) the
// way Load checks a file, and prepares the time zones for CompanyLocation and
// EmployeeLocation. It returns nil or an *Error. It writes to c: do not call
// it while c is in use by other goroutines.
func (c *Config) Validate() error {
	ps := validate(c, &meta{})
	if len(ps) == 0 {
		return nil
	}
	e := &Error{Problems: ps}
	e.sort()
	return e
}

// parseNode parses YAML into a node tree; a syntax error, or a second
// document, is one problem.
func parseNode(data []byte) (root *yaml.Node, p *Problem) {
	defer func() {
		if r := recover(); r != nil { // yaml.v3 must not take the daemon down
			root, p = nil, &Problem{Message: fmt.Sprintf("YAML syntax error: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil && !errors.Is(err, io.EOF) {
		p := syntaxProblem(err)
		if flowRefOnLine(data, p.Line) {
			p.Message += `; inside {...} or [...] a ${VAR} must be quoted: "${VAR}"`
		}
		return nil, p
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxProblem(err)
	default:
		return nil, &Problem{Line: next.Line, Message: "a second YAML document (after ---): the configuration is one document"}
	}
	return &n, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(err error) *Problem {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Problem{Line: line, Message: "YAML syntax error: " + m[2]}
	}
	return &Problem{Message: "YAML syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
}

// flowRefOnLine reports whether line n (or the one before, where a flow
// collection may start; or any line when n is 0) holds an unquoted ${ after a
// { or [: YAML reads the braces of ${VAR} as flow syntax there.
func flowRefOnLine(data []byte, n int) bool {
	lines := strings.Split(string(data), "\n")
	candidates := []int{n - 1, n - 2}
	if n == 0 {
		candidates = make([]int, len(lines))
		for i := range candidates {
			candidates[i] = i
		}
	}
	for _, i := range candidates {
		if i < 0 || i >= len(lines) {
			continue
		}
		l := lines[i]
		ref := strings.Index(l, "${")
		if ref > 0 && strings.ContainsAny(l[:ref], "{[") && !strings.ContainsAny(l[ref-1:ref], `"'`) {
			return true
		}
	}
	return false
}

// keysIn counts the keys and list items of a node tree (aliases are not
// followed): about as many paths as the decoder records.
func keysIn(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	count := 0
	switch n.Kind {
	case yaml.MappingNode:
		count = len(n.Content) / 2
	case yaml.SequenceNode:
		count = len(n.Content)
	}
	for _, c := range n.Content {
		count += keysIn(c)
	}
	return count
}

// documentBody returns the top node of the first document, nil when empty.
func documentBody(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind == 0 {
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if isNull(n) {
		return nil
	}
	return n
}

// meta is what the decoder learnt about the file, for defaults and messages.
type meta struct {
	fromFile bool
	lines    map[string]int
	given    map[string]bool
	env      map[string]expansion
	// overrides are the settings an environment variable set (Overrides),
	// by path, with the variable's name.
	overrides map[string]string
}

// Overrides are the environment variables that replace a setting of the
// file, whatever the file says: what a deployment changes without editing
// the configuration. DAYREPORT_HTTP_LISTEN is how the container listens on
// all its interfaces (0.0.0.0:9380) with a configuration written for a host
// (127.0.0.1:9380).
var Overrides = map[string]string{"http.listen": "DAYREPORT_HTTP_LISTEN"}

// applyOverrides sets what Overrides' variables say, when set and not
// empty, and returns the settings it changed.
func applyOverrides(c *Config, lookupEnv LookupFunc) map[string]string {
	if lookupEnv == nil {
		return nil
	}
	done := map[string]string{}
	if v, ok := lookupEnv(Overrides["http.listen"]); ok && strings.TrimSpace(v) != "" {
		c.HTTP.Listen = strings.TrimSpace(v)
		done["http.listen"] = Overrides["http.listen"]
	}
	return done
}

// line returns the line of path, or of its nearest ancestor present in the file.
func (m *meta) line(path string) int {
	for path != "" {
		if l, ok := m.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// present reports whether the file set path to a non-empty value.
func (m *meta) present(path string) bool { return m.given[path] }
