package local

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dayreport/dayreport/pkg/source"
)

var _ source.Watcher = (*Source)(nil)

// Revisions tells, without reading them, which files are the ones a pass
// read last: per employee, the revision Fetch would give the file it would
// pick now (its name, modification time and size), from one stat. A pass
// skips a file whose revision is the one it stored after its last read.
//
// An employee is left out (and so read as usual) when the file cannot be
// picked or stated, or when it was modified less than settled ago: a file
// system stamps times in coarse ticks, so a file written twice within one
// tick, the same size both times, would otherwise look unchanged.
func (s *Source) Revisions(_ context.Context, refs []source.Ref) (map[string]string, error) {
	out := make(map[string]string, len(refs))
	l, err := s.list() // once for the team
	if err != nil {
		return out, nil // each Fetch says why
	}
	wall := time.Now()
	for _, r := range refs {
		if !validID(r.Employee) {
			continue
		}
		c, err := s.pickFrom(r.Employee, l.names[r.Employee])
		if err != nil {
			continue // Fetch says why
		}
		info, err := os.Stat(c.path)
		if err != nil || wall.Sub(info.ModTime()) < settled {
			continue
		}
		out[r.Employee] = revisionOf(c.path, info)
	}
	return out, nil
}

// revisionOf is a file's revision: "name@mtime-ns/size".
func revisionOf(path string, info fs.FileInfo) string {
	return filepath.Base(path) + "@" + strconv.FormatInt(info.ModTime().UnixNano(), 10) + "/" + strconv.FormatInt(info.Size(), 10)
}

// Absent reports which of the employees have no report file at all: those
// Fetch answers source.ErrNoDocument for (Revisions leaves them out, as it
// does a file too fresh to trust or two files for one employee). The
// folder's listing is the one Revisions took, when still fresh.
func (s *Source) Absent(_ context.Context, refs []source.Ref) (map[string]bool, error) {
	l, err := s.list()
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range refs {
		if !validID(r.Employee) {
			continue
		}
		if _, err := s.pickFrom(r.Employee, l.names[r.Employee]); errors.Is(err, source.ErrNoDocument) {
			out[r.Employee] = true
		}
	}
	return out, nil
}
