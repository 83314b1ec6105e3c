package gdoc

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Errors of DocumentID.
var (
	// ErrNotADoc is a link to something other than a Google Doc: a Sheet, a
	// presentation, a form, or another site.
	ErrNotADoc = errors.New("not a Google Doc")
	// ErrBadID is text that is neither a Doc link nor a document id.
	ErrBadID = errors.New("not a Google Doc link or id")
)

// URL is the link to a document for people.
func URL(id string) string {
	return "https://docs.google.com/document/d/" + url.PathEscape(id) + "/edit"
}

// IsDocURL reports whether s is a link to a Google Doc
// (https://docs.google.com/document/d/<id>/…), as opposed to a bare id or a
// link to something else.
func IsDocURL(s string) bool {
	u, ok := parseLink(s)
	if !ok || !strings.EqualFold(u.Hostname(), "docs.google.com") {
		return false
	}
	id, kind := idAfterD(u.Path)
	return kind == "document" && id != ""
}

// DocumentID extracts the document id from a Doc link
// (https://docs.google.com/document/d/<id>/edit?tab=t.0#heading=h.x, also with
// /u/0/, or a Drive link https://drive.google.com/file/d/<id>/view or
// …/open?id=<id>) or returns a bare id as is. The tab and heading in a link
// are ignored: every tab of the document is read.
func DocumentID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrBadID
	}
	u, isLink := parseLink(s)
	if !isLink {
		if !validID(s) {
			return "", fmt.Errorf("%w: %q", ErrBadID, s)
		}
		return s, nil
	}
	host := strings.ToLower(u.Hostname())
	id, kind := idAfterD(u.Path)
	if id == "" && (host == "docs.google.com" || host == "drive.google.com") {
		if q := u.Query().Get("id"); q != "" && (strings.HasPrefix(u.Path, "/open") || u.Path == "/uc") {
			id, kind = q, "drive"
		}
	}
	switch {
	case host == "docs.google.com" && kind == "spreadsheets":
		return "", fmt.Errorf("%w: %s is a Google Sheet (read it with the gsheet source)", ErrNotADoc, shortLink(host, id))
	case host == "docs.google.com" && kind == "document" && published(u.Path):
		return "", fmt.Errorf("%w: a link to a published copy (…/document/d/e/…) cannot be read; use the document's own link", ErrBadID)
	case host == "docs.google.com" && (kind == "document" || kind == "drive"),
		host == "drive.google.com" && (kind == "file" || kind == "drive"):
		if !validID(id) {
			return "", fmt.Errorf("%w: %q", ErrBadID, id)
		}
		return id, nil
	case host == "docs.google.com" && kind != "":
		return "", fmt.Errorf("%w: a docs.google.com/%s link", ErrNotADoc, kind)
	}
	return "", fmt.Errorf("%w: a link to %s", ErrNotADoc, host)
}

// parseLink parses s as an http(s) URL; a link pasted without its scheme
// ("docs.google.com/document/d/…") counts too.
func parseLink(s string) (*url.URL, bool) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		if !strings.HasPrefix(lower, "docs.google.com/") && !strings.HasPrefix(lower, "drive.google.com/") {
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

// idAfterD finds "/<kind>/[u/<n>/]d/<id>" in a path and returns the id and the
// kind ("document", "spreadsheets", "file", …).
func idAfterD(path string) (id, kind string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] != "d" || i == 0 {
			continue
		}
		kind = parts[0]
		return parts[i+1], kind
	}
	if len(parts) > 0 {
		kind = parts[0]
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

func shortLink(host, id string) string {
	if id == "" {
		return "the link"
	}
	return host + "/…/d/" + id
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
