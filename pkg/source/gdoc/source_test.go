package gdoc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// docsServer is a minimal stand-in for the Docs API: GET /v1/documents/{id}
// serves testdata/<file> for the ids it knows, 403 for "locked", else 404.
type docsServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string]string
	requests []*url.URL
}

func newDocsServer(t *testing.T, files map[string]string) *docsServer {
	t.Helper()
	s := &docsServer{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"status":%q}}`, code, msg, status)
}

func (s *docsServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL)
	s.mu.Unlock()
	id, ok := strings.CutPrefix(r.URL.Path, "/v1/documents/")
	if r.Method != http.MethodGet || !ok {
		googleError(w, http.StatusNotFound, "NOT_FOUND", "no such method")
		return
	}
	if id == "locked" {
		googleError(w, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
		return
	}
	file, ok := s.files[id]
	if !ok {
		googleError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		googleError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(data)
}

func (s *docsServer) count() int { return len(s.log()) }

func (s *docsServer) log() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*url.URL(nil), s.requests...)
}

func newDocs(t *testing.T, endpoint string, opts ...option.ClientOption) *docs.Service {
	t.Helper()
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithoutAuthentication(), option.WithHTTPClient(http.DefaultClient)}
	}
	svc, err := docs.NewService(context.Background(), append([]option.ClientOption{option.WithEndpoint(endpoint + "/")}, opts...)...)
	require.NoError(t, err)
	return svc
}

func TestSourceFetch(t *testing.T) {
	t.Parallel()
	srv := newDocsServer(t, map[string]string{"1ru_paragraphs": "ru_paragraphs.json", "1nested_tabs": "nested_tabs.json"})
	s := &gdoc.Source{Docs: newDocs(t, srv.URL)}
	var _ source.Source = s

	f, err := s.Fetch(t.Context(), source.Ref{
		Employee: "ivanov",
		Report:   "https://docs.google.com/document/d/1ru_paragraphs/edit?tab=t.0#heading=h.b2",
	}, ref)
	require.NoError(t, err)
	require.Equal(t, "ALm37BV_rev1", f.Revision)
	require.Equal(t, "https://docs.google.com/document/d/1ru_paragraphs/edit", f.URL)
	require.Empty(t, f.Warnings)
	secs, _ := f.Doc.Sections(ref)
	require.Len(t, secs, 2)

	req := srv.log()[0]
	q := req.Query()
	require.Equal(t, "/v1/documents/1ru_paragraphs", req.Path)
	require.Equal(t, "true", q.Get("includeTabsContent"))
	require.Equal(t, "PREVIEW_WITHOUT_SUGGESTIONS", q.Get("suggestionsViewMode"))

	// A bare id; every tab is read whatever tab the link points at.
	f, err = s.Fetch(t.Context(), source.Ref{Employee: "nikolaev", Report: "1nested_tabs"}, ref)
	require.NoError(t, err)
	secs, _ = f.Doc.Sections(ref)
	require.Len(t, secs, 3)
	require.Equal(t, document.Location{Tab: "Декабрь", Line: 1}, secs[2].Start)
}

func TestSourceErrors(t *testing.T) {
	t.Parallel()
	srv := newDocsServer(t, nil)
	s := &gdoc.Source{Docs: newDocs(t, srv.URL)}
	ctx := t.Context()

	_, err := s.Fetch(ctx, source.Ref{Employee: "ivanov"}, ref)
	require.ErrorIs(t, err, source.ErrNoDocument)

	_, err = s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "https://docs.google.com/spreadsheets/d/1sheet/edit#gid=0"}, ref)
	require.ErrorIs(t, err, gdoc.ErrNotADoc)
	require.ErrorContains(t, err, "ivanov")
	require.ErrorContains(t, err, "Google Sheet")
	require.Zero(t, srv.count(), "a wrong link is refused before any request")

	_, err = s.Fetch(ctx, source.Ref{Employee: "petrova", Report: "https://docs.google.com/document/d/1gone/edit"}, ref)
	require.Error(t, err)
	require.NotErrorIs(t, err, source.ErrNoDocument, "a broken link is a failure, not an absent report")
	require.ErrorContains(t, err, "petrova")
	require.ErrorContains(t, err, "1gone")
	require.ErrorContains(t, err, "not found")
	var gerr *googleapi.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusNotFound, gerr.Code)

	_, err = s.Fetch(ctx, source.Ref{Employee: "sidorov", Report: "locked"}, ref)
	require.ErrorContains(t, err, "sidorov")
	require.ErrorContains(t, err, "locked")
	require.ErrorContains(t, err, "share the document")
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusForbidden, gerr.Code)

	_, err = (&gdoc.Source{}).Fetch(ctx, source.Ref{Employee: "x", Report: "1abc"}, ref)
	require.ErrorContains(t, err, "no Docs client")
}

// TestSourceErrorsHideKey: an API key travels in the query string; no error
// shows it, whether Google answered or the connection failed.
func TestSourceErrorsHideKey(t *testing.T) {
	t.Parallel()
	const secret = "AIzaSy-very-secret-key"
	srv := newDocsServer(t, nil)
	s := &gdoc.Source{Docs: newDocs(t, srv.URL, option.WithAPIKey(secret))}
	_, err := s.Fetch(t.Context(), source.Ref{Employee: "ivanov", Report: "1gone"}, ref)
	require.Error(t, err)
	require.Equal(t, secret, srv.log()[0].Query().Get("key"), "the key was sent")
	require.NotContains(t, err.Error(), secret)

	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	s = &gdoc.Source{Docs: newDocs(t, dead.URL, option.WithAPIKey(secret))}
	_, err = s.Fetch(t.Context(), source.Ref{Employee: "ivanov", Report: "1gone"}, ref)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	require.ErrorContains(t, err, "ivanov")
	var uerr *url.Error
	require.ErrorAs(t, err, &uerr, "a transport failure stays recognisable")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "1gone"}, ref)
	require.ErrorIs(t, err, context.Canceled)
}

func TestSourceConcurrent(t *testing.T) {
	t.Parallel()
	srv := newDocsServer(t, map[string]string{"1ru_paragraphs": "ru_paragraphs.json", "1table_report": "table_report.json"})
	s := &gdoc.Source{Docs: newDocs(t, srv.URL)}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		id := []string{"1ru_paragraphs", "1table_report"}[i%2]
		wg.Go(func() {
			f, err := s.Fetch(t.Context(), source.Ref{Employee: fmt.Sprint("e", i), Report: id}, ref)
			if err == nil && len(f.Doc.Blocks) == 0 {
				err = errors.New("no blocks")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 20, srv.count())
}

// TestRevisionFallback: a document without a revision id still gets a
// revision that changes with its content.
func TestRevisionFallback(t *testing.T) {
	t.Parallel()
	var body atomicBody
	body.set(docs.Document{DocumentId: "1x", Body: &docs.Body{Content: []*docs.StructuralElement{para("26.11.2026\n"), para("Оплаты: 1\n")}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(body.get())
	}))
	t.Cleanup(srv.Close)
	s := &gdoc.Source{Docs: newDocs(t, srv.URL)}
	f1, err := s.Fetch(t.Context(), source.Ref{Employee: "a", Report: "1x"}, ref)
	require.NoError(t, err)
	f2, err := s.Fetch(t.Context(), source.Ref{Employee: "a", Report: "1x"}, ref)
	require.NoError(t, err)
	require.Equal(t, f1.Revision, f2.Revision)
	require.True(t, strings.HasPrefix(f1.Revision, "content:"), f1.Revision)
	body.set(docs.Document{DocumentId: "1x", Body: &docs.Body{Content: []*docs.StructuralElement{para("26.11.2026\n"), para("Оплаты: 2\n")}}})
	f3, err := s.Fetch(t.Context(), source.Ref{Employee: "a", Report: "1x"}, ref)
	require.NoError(t, err)
	require.NotEqual(t, f1.Revision, f3.Revision)
}

func para(text string) *docs.StructuralElement {
	return &docs.StructuralElement{Paragraph: &docs.Paragraph{Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: text}}}}}
}

type atomicBody struct {
	mu sync.Mutex
	d  docs.Document
}

func (a *atomicBody) set(d docs.Document) { a.mu.Lock(); a.d = d; a.mu.Unlock() }
func (a *atomicBody) get() docs.Document  { a.mu.Lock(); defer a.mu.Unlock(); return a.d }
