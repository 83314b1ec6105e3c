package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// yamlsNode is yaml.v3's tree of one document (ok false: an error, or
// more than one document).
func yamlsNode(data []byte) (n *yaml.Node, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return &doc, true
}

// sameTree compares two trees by everything but comments; "" when alike.
func sameTree(a, b *yaml.Node, path string) string {
	if a == nil || b == nil {
		if a != b {
			return path + ": one is nil"
		}
		return ""
	}
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.Line != b.Line || a.Column != b.Column || (a.Alias == nil) != (b.Alias == nil) || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: fast {kind %d style %d tag %q value %q line %d col %d items %d}, yaml.v3 {kind %d style %d tag %q value %q line %d col %d items %d}",
			path, a.Kind, a.Style, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Style, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// seedConfigs are every YAML file of the repository and rosters written
// in every style the fast parser takes.
func seedConfigs(t *testing.T) map[string][]byte {
	t.Helper()
	seeds := map[string][]byte{}
	root := filepath.Join("..", "..")
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			seeds[path] = data
		}
		return nil
	}))
	require.Greater(t, len(seeds), 50, "the repository's YAML files")
	var flow, block, mixed strings.Builder
	head := "# dayreport\ncompany: {timezone: Europe/Moscow, name: 'ООО «Ромашка»'}  # the company\nsource: {kind: local}\nlocal:\n  dir: /srv/reports   \nstate: {path: \"/srv/state.db\"}\n\nsummary: {xlsx: /srv/summary.xlsx}\nreminders: [\"09:00\", 18:30, '19:00']\nemployees:\n"
	flow.WriteString(head)
	block.WriteString(head)
	mixed.WriteString(head)
	for i := range 300 {
		fmt.Fprintf(&flow, "  - {id: e%05d, name: Сотрудник %d, crm_user_id: \"%d\", report: https://docs.google.com/document/d/1x%d/edit}\n", i, i, 1000+i, i)
		fmt.Fprintf(&block, "  - id: e%05d\n    name: Сотрудник №%d # комментарий\n    crm_user_id: '%d'\n    start: 2026-11-%02d\n    on_leave: [{from: 2026-12-01, to: 2026-12-05}]\n", i, i, 1000+i, i%28+1)
		if i%3 == 0 {
			fmt.Fprintf(&mixed, "  -   id: e%05d\n      name:    Ёжик   %d\n\n      # a comment\n      timezone: Asia/Yekaterinburg\n", i, i)
		} else {
			fmt.Fprintf(&mixed, "  -\n    id: e%05d\n    name: x-%d.y_z ~ a[1] b{2}, c:d & e\n    crm_user_id: 0x%x\n    weight: -1.5e3\n    active: true\n    none: ~\n    empty: \"\"\n", i, i, i)
		}
	}
	seeds["flow"], seeds["block"], seeds["mixed"] = []byte(flow.String()), []byte(block.String()), []byte(mixed.String())
	return seeds
}

// TestFastNodeIsYAMLs: whatever the fast parser takes, yaml.v3 parses to
// the same tree (kinds, styles, tags, values, lines, columns); it takes the
// shapes configurations are written in (the repository's own files among
// them); and over 60 000 mutations of those files (YAML's indicators,
// spaces, line breaks, quotes, tabs, letters put in, lines cut) it never
// takes a text yaml.v3 refuses or reads otherwise.
func TestFastNodeIsYAMLs(t *testing.T) {
	seeds := seedConfigs(t)
	taken := 0
	for name, data := range seeds {
		fast, ok := fastNode(data)
		if !ok {
			continue
		}
		taken++
		want, wok := yamlsNode(data)
		require.True(t, wok, "%s: taken, but yaml.v3 refuses it", name)
		require.Empty(t, sameTree(fast, want, name))
	}
	for _, name := range []string{"flow", "block", "mixed", filepath.Join("..", "..", "config", "demo.yaml"), filepath.Join("..", "..", "deploy", "production.yaml")} {
		_, ok := fastNode(seeds[name])
		require.True(t, ok, "%s is taken", name)
	}
	require.Greater(t, taken, len(seeds)/2, "most files are taken")

	rng := rand.New(rand.NewPCG(23, 18))
	bits := []string{":", ": ", " ", "  ", "#", " #", "-", "- ", "\"", "'", "{", "}", "[", "]", ",", "\n", "\n  ", "\n- ", "x", "Ж", "?", "&a", "*a",
		"!", "|", ">", "%", "@", "\t", "\\", "\r", "~", "<<", "---", "...", "0", "1.5", "true", "null", "''", `\"`, "\u2028", "\ufeff", "\x85", "\xff", "[<<]", "{a: <<}", "\"k\": ", "'k': "}
	var names []string
	for name := range seeds {
		names = append(names, name)
	}
	mutated, fastTaken := 0, 0
	for range 60000 {
		data := seeds[names[rng.IntN(len(names))]]
		if len(data) > 4000 {
			start := rng.IntN(len(data) - 2000)
			data = data[start : start+2000]
		}
		b := []byte(string(data))
		for range 1 + rng.IntN(3) {
			at := rng.IntN(len(b) + 1)
			switch rng.IntN(3) {
			case 0: // put something in
				b = append(b[:at:at], append([]byte(bits[rng.IntN(len(bits))]), b[at:]...)...)
			case 1: // cut a little
				end := min(len(b), at+1+rng.IntN(4))
				b = append(b[:at:at], b[end:]...)
			default: // swap a byte for an indicator
				if at < len(b) {
					b[at] = bits[rng.IntN(len(bits))][0]
				}
			}
		}
		mutated++
		fast, ok := fastNode(b)
		if !ok {
			continue
		}
		fastTaken++
		want, wok := yamlsNode(b)
		require.True(t, wok, "taken, but yaml.v3 refuses:\n%s", b)
		require.Empty(t, sameTree(fast, want, ""), "%s", b)
	}
	t.Logf("%d seeds (%d taken), %d mutations (%d taken)", len(seeds), taken, mutated, fastTaken)
	require.Greater(t, fastTaken, mutated/10, "the mutations the fast parser takes are compared")
}
