// Package source defines where reports come from. A Source fetches one
// employee's report document (a Google Doc, a Google Sheet or a local file) and
// returns it as a neutral document (pkg/document); parsing is not its business.
// Implementations: local (a folder of files), gdoc, gsheet.
package source

import (
	"context"
	"errors"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

// ErrNoDocument means the employee has no report document at all (no file, an
// empty report reference). It is not a failure: the employee simply has no report.
var ErrNoDocument = errors.New("source: no report document")

// Ref says whose document to fetch and where it is.
type Ref struct {
	Employee string
	// Report is the Doc/Sheet URL or id from the roster; empty for local files.
	Report string
}

// Fetched is a fetched document.
type Fetched struct {
	Doc *document.Document
	// Warnings found while building the document (dates that are not dates).
	Warnings []document.Warning
	// Revision identifies this version of the document (Drive version, file
	// modification time and size): an unchanged revision needs no re-parse.
	Revision string
	// URL links to the document for people (the CRM record carries it).
	URL string
}

// Source fetches report documents.
//
// Fetch returns ErrNoDocument (wrapped) when the employee has no document;
// any other error is a failure to read it (permission, network, a malformed
// file) and must name the employee's document without leaking credentials.
// ref resolves dates written without a year. Implementations must be safe for
// concurrent use.
type Source interface {
	Fetch(ctx context.Context, r Ref, ref day.Date) (*Fetched, error)
}
