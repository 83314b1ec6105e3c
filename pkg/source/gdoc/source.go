package gdoc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/dayreport/dayreport/pkg/google"
	"strings"

	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
)

// SuggestionsViewMode is the documents.get view that rejects every pending
// suggestion: a report is read as its author wrote it, not as someone proposed
// to change it.
const SuggestionsViewMode = "PREVIEW_WITHOUT_SUGGESTIONS"

// Source reads reports from Google Docs. Ref.Report is the document's link or
// id. It holds no state of its own and is safe for concurrent use.
type Source struct {
	// Docs is the Docs API client (pkg/google builds it with credentials,
	// rate limiting and retries; tests point it at an httptest server).
	Docs *docs.Service
}

var _ source.Source = (*Source)(nil)

// Fetch reads the employee's document, every tab, without suggestions.
//
// An empty Ref.Report means the employee has no document (source.ErrNoDocument).
// Other errors name the employee and the document id; a *googleapi.Error stays
// in the chain for callers that classify by HTTP status.
func (s *Source) Fetch(ctx context.Context, r source.Ref, ref day.Date) (*source.Fetched, error) {
	if strings.TrimSpace(r.Report) == "" {
		return nil, fmt.Errorf("gdoc: %s: %w", r.Employee, source.ErrNoDocument)
	}
	id, err := DocumentID(r.Report)
	if err != nil {
		return nil, fmt.Errorf("gdoc: %s: %w", r.Employee, err)
	}
	if s.Docs == nil {
		return nil, fmt.Errorf("gdoc: %s: document %s: no Docs client configured", r.Employee, id)
	}
	d, err := s.Docs.Documents.Get(id).
		IncludeTabsContent(true).
		SuggestionsViewMode(SuggestionsViewMode).
		Context(ctx).
		Do()
	if err != nil {
		return nil, fmt.Errorf("gdoc: %s: document %s: %w", r.Employee, id, describe(err))
	}
	doc, warns := Convert(d, ref)
	rev := d.RevisionId
	if rev == "" {
		rev = contentRevision(doc)
	}
	return &source.Fetched{Doc: doc, Warnings: warns, Revision: rev, URL: URL(id)}, nil
}

// contentRevision stands in for a missing revision id: a hash of what was read.
func contentRevision(doc *document.Document) string {
	h := sha256.New()
	for _, b := range doc.Blocks {
		fmt.Fprintf(h, "%d\x00%d\x00%s\x00%s\x00%s\x00", b.Kind, b.Heading, b.Date, b.Loc, b.Text)
		for _, c := range b.Cells {
			fmt.Fprintf(h, "%s\x00", c.Text)
		}
	}
	return "content:" + hex.EncodeToString(h.Sum(nil)[:12])
}

// describe explains an API failure for people, without secrets.
func describe(err error) error { return google.Explain(err, "document", nil) }
