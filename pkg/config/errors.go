package config

import (
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	Path    string `json:"path"`           // YAML path, e.g. "crm.bitrix24.webhook_url" or "employees[2].id"; "" for the whole file
	Line    int    `json:"line,omitempty"` // 1-based; 0 when unknown
	Message string `json:"message"`        // never contains a secret
	// Setup marks a setting that `dayreport crm setup` produces (the ids of
	// what it creates on the CRM): a problem for every command but setup
	// itself, which LoadForSetup lets run without it.
	Setup bool `json:"setup,omitempty"`
}

// Text formats the problem as "FILE:LINE: PATH: MESSAGE", leaving out the
// parts that are unknown.
func (p Problem) Text(file string) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file)
		b.WriteString(":")
	}
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(":")
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is a configuration that failed to load: every problem found, sorted
// by line then path.
type Error struct {
	File     string
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Text(e.File)
	}
	return strings.Join(lines, "\n")
}

func (e *Error) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i], e.Problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Path < b.Path
	})
}

// notFoundError is a configuration file that does not exist.
type notFoundError struct{ path string }

func (e *notFoundError) Error() string {
	return "config: " + e.path + ": no such file; pass --config or set DAYREPORT_CONFIG"
}

func (e *notFoundError) Unwrap() error { return fs.ErrNotExist }
