// Package source defines where reports come from. A Source fetches one
// employee's report document (a Google Doc, a Google Sheet or a local file) and
// returns it as a neutral document (pkg/document); parsing is not its business.
// Implementations: local (a folder of files), gdoc, gsheet.
package source

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
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
	// EditedBy is who last modified the document ("Анна Петрова
	// <anna@example.ru>", the name alone when the address is hidden) and
	// EditedAt when, as the source said when the pass asked (Drive's
	// lastModifyingUser and modifiedTime); empty and zero when it does not
	// say (local files).
	EditedBy string
	EditedAt time.Time
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

// Prefetcher is a Source that can read many employees' documents at once
// before the pass fetches them one by one (the Sheets source: one batchGet
// per spreadsheet). A failed Prefetch is not fatal: each Fetch reads its own.
type Prefetcher interface {
	// Prefetches reports whether Prefetch reads r's document ahead.
	Prefetches(r Ref) bool
	Prefetch(ctx context.Context, refs []Ref, ref day.Date) error
}

// Watcher tells which documents changed without reading them (Drive's file
// versions): a pass skips a document whose revision is the one it last read.
//
// Revisions returns a revision per employee of refs whose document it could
// ask about; an employee left out is read as usual. The revision is compared
// with what the pass stored after its last read, so it must change whenever
// the document does.
type Watcher interface {
	Revisions(ctx context.Context, refs []Ref) (map[string]string, error)
}

// Poller learns what changed once per pass (Drive's change log, asked
// for the reports and the manager spreadsheet together) and answers the
// pass's later questions from it. NewPoll forgets what it learnt: the pass
// engine calls it when a pass, or a summary written apart, starts.
type Poller interface {
	NewPoll()
}

// RosterProblem is a roster row that could not be used: that employee alone
// is left out of the pass, and the problem is reported with its row.
type RosterProblem struct {
	Row     int    `json:"row"`
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// Roster is where the employees come from when they are not in the
// configuration file (the manager spreadsheet's roster tab).
//
// Employees returns the usable employees and the rows that are not (each for
// its employee alone); an error means the roster could not be read at all.
type Roster interface {
	Employees(ctx context.Context) ([]config.Employee, []RosterProblem, error)
}

// Stray is a report file that belongs to no employee: a report nobody reads
// (an employee who named it "ivanv.txt" or "Ivanov.txt" is simply absent).
// A pass warns about it, naming the closest id.
type Stray struct {
	// File is the file's name in the folder.
	File string `json:"file"`
	// ID is the employee id the name gives (before "@" and the extension).
	ID string `json:"id"`
	// Closest is the employee id the name most likely meant, "" when none
	// is close.
	Closest string `json:"closest,omitempty"`
}

// String is the warning: "ivanv.txt: no employee ivanv; did you mean ivanov?".
func (s Stray) String() string {
	msg := fmt.Sprintf("%s: no employee %s", s.File, s.ID)
	if s.Closest != "" {
		msg += "; did you mean " + s.Closest + "?"
	}
	return msg
}

// StrayFinder is a source that can list the documents no employee of ids
// owns (the local folder).
type StrayFinder interface {
	Strays(ids []string) ([]Stray, error)
}
