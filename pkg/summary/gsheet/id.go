package gsheet

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrBadSpreadsheet is a summary.spreadsheet that is neither a spreadsheet
// id nor a link to a Google Sheet.
var ErrBadSpreadsheet = errors.New("not a Google Sheet link or id")

// SpreadsheetID reads summary.spreadsheet: a bare id, or a link such as
// https://docs.google.com/spreadsheets/d/<id>/edit#gid=0 (also with /u/0/,
// without /edit, or without the scheme). The tab a link points at is
// ignored: the summary has tabs of its own.
func SpreadsheetID(s string) (string, error) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	isLink := strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") ||
		strings.HasPrefix(lower, "docs.google.com/")
	if !isLink {
		if !validID(s) {
			return "", fmt.Errorf("%w: %q", ErrBadSpreadsheet, s)
		}
		return s, nil
	}
	if !strings.Contains(lower, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || !strings.EqualFold(u.Hostname(), "docs.google.com") {
		return "", fmt.Errorf("%w: a link to a Google Sheet starts with https://docs.google.com/spreadsheets/d/", ErrBadSpreadsheet)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) == 0 || parts[0] != "spreadsheets" {
		return "", fmt.Errorf("%w: docs.google.com%s is not a spreadsheet", ErrBadSpreadsheet, u.Path)
	}
	for i := 1; i+1 < len(parts); i++ {
		if parts[i] != "d" {
			continue
		}
		id := parts[i+1]
		if id == "e" {
			return "", fmt.Errorf("%w: a link to a published copy (…/d/e/…) cannot be written; use the spreadsheet's own link", ErrBadSpreadsheet)
		}
		if !validID(id) {
			return "", fmt.Errorf("%w: %q", ErrBadSpreadsheet, id)
		}
		return id, nil
	}
	return "", fmt.Errorf("%w: no /d/<id> in the link", ErrBadSpreadsheet)
}

// validID accepts the characters of Drive file ids.
func validID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}
