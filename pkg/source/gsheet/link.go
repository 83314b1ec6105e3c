package gsheet

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Errors of ParseLink.
var (
	// ErrNotASheet is a link to something other than a Google Sheet.
	ErrNotASheet = errors.New("not a Google Sheet")
	// ErrBadLink is text that is neither a Sheet link nor a spreadsheet id.
	ErrBadLink = errors.New("not a Google Sheet link or id")
)

// Link names an employee's tab: a spreadsheet and, optionally, the tab by
// title or by gid (the sheetId of a #gid= link). Neither means the first sheet.
type Link struct {
	ID     string
	Tab    string
	GID    int64
	HasGID bool
}

// URL is the link for people: the spreadsheet, at the tab when its gid is known.
func (l Link) URL() string {
	u := "https://docs.google.com/spreadsheets/d/" + url.PathEscape(l.ID) + "/edit"
	if l.HasGID {
		u += "#gid=" + strconv.FormatInt(l.GID, 10)
	}
	return u
}

// String is the link as written in errors: the id and the tab.
func (l Link) String() string {
	switch {
	case l.HasGID:
		return fmt.Sprintf("%s (gid %d)", l.ID, l.GID)
	case l.Tab != "":
		return fmt.Sprintf("%s (tab %q)", l.ID, l.Tab)
	}
	return l.ID
}

// IsSheetURL reports whether s is a link to a Google Sheet
// (https://docs.google.com/spreadsheets/d/<id>/…).
func IsSheetURL(s string) bool {
	u, ok := parseURL(s)
	if !ok || !strings.EqualFold(u.Hostname(), "docs.google.com") {
		return false
	}
	id, kind := idAfterD(u.Path)
	return kind == "spreadsheets" && id != ""
}

// ParseLink reads a roster's report reference for a Sheet:
// https://docs.google.com/spreadsheets/d/<id>/edit#gid=<n> (or ?gid=<n>, /u/0/,
// no /edit), a bare <id>, <id>#gid=<n>, or <id>#<tab title>.
func ParseLink(s string) (Link, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Link{}, ErrBadLink
	}
	u, isURL := parseURL(s)
	if !isURL {
		id, frag, _ := strings.Cut(s, "#")
		id = strings.TrimSpace(id)
		if !validID(id) {
			return Link{}, fmt.Errorf("%w: %q", ErrBadLink, s)
		}
		l := Link{ID: id}
		if frag = strings.TrimSpace(frag); frag != "" {
			if gid, ok, err := gidOf(frag); err != nil {
				return Link{}, err
			} else if ok {
				l.GID, l.HasGID = gid, true
			} else {
				l.Tab = frag
			}
		}
		return l, nil
	}
	host := strings.ToLower(u.Hostname())
	id, kind := idAfterD(u.Path)
	switch {
	case host == "docs.google.com" && kind == "document":
		return Link{}, fmt.Errorf("%w: docs.google.com/…/d/%s is a Google Doc (read it with the gdoc source)", ErrNotASheet, id)
	case host == "docs.google.com" && kind == "spreadsheets" && published(u.Path):
		return Link{}, fmt.Errorf("%w: a link to a published copy (…/spreadsheets/d/e/…) cannot be read; use the spreadsheet's own link", ErrBadLink)
	case host == "docs.google.com" && kind == "spreadsheets":
	case host == "docs.google.com" && kind != "":
		return Link{}, fmt.Errorf("%w: a docs.google.com/%s link", ErrNotASheet, kind)
	default:
		return Link{}, fmt.Errorf("%w: a link to %s", ErrNotASheet, host)
	}
	if !validID(id) {
		return Link{}, fmt.Errorf("%w: %q", ErrBadLink, id)
	}
	l := Link{ID: id}
	// #gid=123 (the browser's form), or ?gid=123 (export and shared links).
	for _, part := range []string{u.Fragment, u.RawQuery} {
		if part == "" {
			continue
		}
		gid, ok, err := gidOf(part)
		if err != nil {
			return Link{}, err
		}
		if ok {
			l.GID, l.HasGID = gid, true
			break
		}
	}
	return l, nil
}

// gidOf finds gid=<n> in a fragment or query ("gid=0", "gid=12&range=A1").
func gidOf(s string) (int64, bool, error) {
	for _, kv := range strings.FieldsFunc(s, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) != "gid" {
			continue
		}
		gid, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || gid < 0 {
			return 0, false, fmt.Errorf("%w: gid %q is not a number", ErrBadLink, v)
		}
		return gid, true, nil
	}
	return 0, false, nil
}

func parseURL(s string) (*url.URL, bool) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		if !strings.HasPrefix(lower, "docs.google.com/") {
			return nil, false
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return u, true
}

// idAfterD finds "/<kind>/[u/<n>/]d/<id>" in a path.
func idAfterD(path string) (id, kind string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 0 {
		kind = parts[0]
	}
	for i := 1; i+1 < len(parts); i++ {
		if parts[i] == "d" {
			return parts[i+1], kind
		}
	}
	return "", kind
}

// validID accepts the characters of Drive file ids.
func validID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		if !isIDRune(r) {
			return false
		}
	}
	return true
}

func isIDRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// published reports a link to a published copy, …/d/e/<published id>/pub:
// its id is not the file's.
func published(path string) bool {
	_, after, ok := strings.Cut(path, "/d/e/")
	next, _, _ := strings.Cut(strings.Trim(after, "/"), "/")
	switch next {
	case "", "edit", "view", "preview", "htmlview", "copy", "export":
		return false // a file whose id is "e"
	}
	return ok
}
