package local

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/dayreport/dayreport/pkg/source"
)

// Stray is a report file nobody reads (see source.Stray).
type Stray = source.Stray

// Strays lists the report files of the source's folder that belong to no
// employee of ids (source.StrayFinder).
func (s *Source) Strays(ids []string) ([]source.Stray, error) { return Strays(s.Dir, ids) }

var _ source.StrayFinder = (*Source)(nil)

// Strays lists the report files (.txt, .md, .csv and their dated
// snapshots) of dir whose names match none of ids, in name order, each
// with the closest id. Ids are matched exactly, as the source reads them:
// Ivanov.txt is not ivanov's report. Other files and folders are ignored.
func Strays(dir string, ids []string) ([]Stray, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	var out []Stray
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.IsDir() || !isReportExt(ext) || strings.HasPrefix(name, ".") {
			continue
		}
		id, _, _ := strings.Cut(strings.TrimSuffix(name, ext), "@")
		if known[id] {
			continue
		}
		s := Stray{File: name, ID: id}
		if c := Closest(id, ids); len(c) > 0 {
			s.Closest = c[0]
		}
		out = append(out, s)
	}
	return out, nil
}

// Closest are the ids of ids that look like a mistyped id, closest first
// (at most three): the same id in another case, then those a few letters
// away. It is empty when none is close.
func Closest(id string, ids []string) []string {
	want := strings.ToLower(id)
	type candidate struct {
		id   string
		dist int
	}
	// A typo is a letter or two; a longer id allows a third.
	limit := max(2, len([]rune(want))/4)
	var found []candidate
	for _, c := range ids {
		if c == id {
			continue
		}
		d := levenshtein.ComputeDistance(want, strings.ToLower(c))
		if d <= limit {
			found = append(found, candidate{c, d})
		}
	}
	slices.SortStableFunc(found, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id))
	})
	var out []string
	for _, c := range found[:min(len(found), 3)] {
		out = append(out, c.id)
	}
	return out
}
