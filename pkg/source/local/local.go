package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/source"
)

// SnapshotLayout is the time stamp of a dated snapshot file name,
// <id>@20261106T0915.txt, read in the company time zone.
const SnapshotLayout = "20060102T1504"

// Source reads <Dir>/<employee id>.{txt,md,csv}.
//
// A folder may also hold dated snapshots of a document, <id>@<YYYYMMDDTHHMM>.<ext>:
// the content of the document from that moment on. A fetch at time Now() sees
// the newest snapshot not in the future (or the plain file before any). This is
// how a document's edit history is replayed in the demo and in tests (a report
// that arrives the morning after its deadline).
type Source struct {
	Dir string
	// Now is the clock; snapshots later than Now are not visible yet.
	Now func() time.Time
	// Location reads snapshot time stamps; default time.Local.
	Location *time.Location

	mu      sync.Mutex
	listing *listing // the folder's report files, while the folder is unchanged
}

// listing is the folder's report file names by employee id (the part of
// the name before "@" and the extension), as of the folder's modification
// time mod: a pass over a team of n reads the folder once, not n times.
type listing struct {
	mod   time.Time
	names map[string][]string
	// taken is when the folder was listed.
	taken time.Time
}

// fresh is how long a listing of a folder that changed less than settled
// ago is used: a pass reading a team from a folder being written to lists
// it every fresh, not once per employee (a listing that old is the one a
// pass started that much earlier would have seen).
const fresh = 200 * time.Millisecond

// settled is how long after a folder's last change a listing of it is
// trusted: a file system stamps times in coarse ticks, so a file added in
// the same tick as a listing taken right after the previous change would
// leave the folder's time as it was.
const settled = 2 * time.Second

// files returns the names of the report files of employee in the folder,
// listing it again only when it changed (a file added, removed or renamed).
func (s *Source) files(employee string) ([]string, error) {
	l, err := s.list()
	if err != nil {
		return nil, err
	}
	return l.names[employee], nil
}

// list returns the folder's listing, made again only when the folder changed.
func (s *Source) list() (*listing, error) {
	info, err := os.Stat(s.Dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("local: report folder %s does not exist: %w", s.Dir, err)
		}
		return nil, fmt.Errorf("local: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.listing
	if l == nil || !l.mod.Equal(info.ModTime()) || l.taken.Sub(l.mod) < settled && time.Since(l.taken) >= fresh {
		taken := time.Now()
		entries, err := os.ReadDir(s.Dir)
		if err != nil {
			return nil, fmt.Errorf("local: %w", err)
		}
		l = &listing{mod: info.ModTime(), names: map[string][]string{}, taken: taken}
		for _, e := range entries {
			name := e.Name()
			ext := filepath.Ext(name)
			if e.IsDir() || !isReportExt(ext) {
				continue
			}
			id, _, _ := strings.Cut(strings.TrimSuffix(name, ext), "@")
			l.names[id] = append(l.names[id], name)
		}
		s.listing = l
	}
	return s.listing, nil
}

var _ source.Source = (*Source)(nil)

type candidate struct {
	path string
	at   time.Time // zero for the plain file
}

// Fetch reads the employee's file. An employee without a file has no document.
func (s *Source) Fetch(_ context.Context, r source.Ref, ref day.Date) (*source.Fetched, error) {
	c, err := s.pick(r.Employee)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(c.path)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	doc, warns, err := ReadFileIn(s.Dir, c.path, ref)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	// The link names the document, not the snapshot that was read.
	abs, err := filepath.Abs(filepath.Join(s.Dir, r.Employee+filepath.Ext(c.path)))
	if err != nil {
		abs = c.path
	}
	return &source.Fetched{
		Doc:      doc,
		Warnings: warns,
		Revision: revisionOf(c.path, info),
		URL:      (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(),
	}, nil
}

// pick chooses the file to read for an employee at Now().
func (s *Source) pick(employee string) (candidate, error) {
	if !validID(employee) {
		return candidate{}, fmt.Errorf("local: invalid employee id %q", employee)
	}
	names, err := s.files(employee)
	if err != nil {
		return candidate{}, err
	}
	return s.pickFrom(employee, names)
}

// pickFrom chooses the file to read for an employee at Now() among names,
// the employee's files in the folder.
func (s *Source) pickFrom(employee string, names []string) (candidate, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	loc := s.Location
	if loc == nil {
		loc = time.Local
	}
	var best *candidate
	plain := 0
	for _, name := range names {
		ext := filepath.Ext(name)
		stem := strings.TrimSuffix(name, ext)
		c := candidate{path: filepath.Join(s.Dir, name)}
		switch {
		case stem == employee:
			plain++
		case strings.HasPrefix(stem, employee+"@"):
			at, err := time.ParseInLocation(SnapshotLayout, strings.TrimPrefix(stem, employee+"@"), loc)
			if err != nil || at.After(now) {
				continue
			}
			c.at = at
		default:
			continue
		}
		if best == nil || c.at.After(best.at) {
			cc := c
			best = &cc
		}
	}
	if plain > 1 && (best == nil || best.at.IsZero()) {
		return candidate{}, fmt.Errorf("local: %s has more than one report file (%s.txt/.md/.csv): keep one", employee, employee)
	}
	if best == nil {
		return candidate{}, fmt.Errorf("%w for %s in %s", source.ErrNoDocument, employee, s.Dir)
	}
	return *best, nil
}

// validID reports whether an employee id can name a file of the folder.
func validID(employee string) bool {
	return employee != "" && !strings.ContainsAny(employee, `/\@`) && employee != "." && employee != ".."
}

func isReportExt(ext string) bool {
	for _, e := range Extensions {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}
