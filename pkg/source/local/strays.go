package local

import (
	"cmp"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/dayreport/dayreport/pkg/source"
)

// Stray is a report file nobody reads (see source.Stray).
type Stray = source.Stray

// Strays lists the report files (.txt, .md, .csv and their dated
// snapshots) of the source's folder whose names match none of ids, in name
// order, each with the closest id (source.StrayFinder). Ids are matched
// exactly, as the source reads them: Ivanov.txt is not ivanov's report. It
// reads the listing the fetches use: an unchanged folder is not listed again.
func (s *Source) Strays(ids []string) ([]source.Stray, error) {
	l, err := s.list()
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	var out []Stray
	for id, names := range l.names {
		if known[id] {
			continue
		}
		closest := ""
		if c := Closest(id, ids); len(c) > 0 {
			closest = c[0]
		}
		for _, name := range names {
			if !strings.HasPrefix(name, ".") {
				out = append(out, Stray{File: name, ID: id, Closest: closest})
			}
		}
	}
	slices.SortFunc(out, func(a, b Stray) int { return strings.Compare(a.File, b.File) })
	return out, nil
}

var _ source.StrayFinder = (*Source)(nil)

// Strays is Source.Strays for a folder.
func Strays(dir string, ids []string) ([]Stray, error) {
	return (&Source{Dir: dir}).Strays(ids)
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
