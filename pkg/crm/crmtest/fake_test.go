package crmtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// This file is a miniature networked CRM and a reference adapter for it, so
// that the suite's fault subtests run here too (the builtin adapter skips
// them). The fake allows duplicate keys, as real CRMs do, so an adapter that
// skips the lookup before create is caught.

const token = "s3cr3t-t0ken-42"

// refTimeout is the reference adapter's client timeout: what turns the
// Timeout fault into an error, so every other request must answer well
// within it. It was 100 ms, and a loaded CI run (load 12–19, race detector)
// saw ordinary requests outlast that: errors in subtests meant to pass, and
// in the "leak" run of TestSuiteCatches an unredacted URL in their output.
// The Timeout subtest now waits this long, once per run of the suite.
const refTimeout = 5 * time.Second

type fakeCRM struct {
	crmtest.FaultQueue
	srv *httptest.Server

	mu      sync.Mutex
	lastID  int
	objects map[string]crm.Record // by id
}

var _ crmtest.Faults = (*fakeCRM)(nil)

func newFakeCRM(t *testing.T) *fakeCRM {
	f := &fakeCRM{objects: map[string]crm.Record{}}
	f.srv = crmtest.Serve(t, http.HandlerFunc(f.serve), f.Close)
	return f
}

func (f *fakeCRM) list(t testing.TB) []crmtest.Object {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]crmtest.Object, 0, len(f.objects))
	for id, rec := range f.objects {
		out = append(out, crmtest.FromRecord(id, rec))
	}
	slices.SortFunc(out, func(a, b crmtest.Object) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (f *fakeCRM) delete(t testing.TB, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.objects[id]
	require.True(t, ok, "no object %s", id)
	delete(f.objects, id)
}

type wireObject struct {
	ID     string     `json:"id"`
	Record crm.Record `json:"record"`
}

func (f *fakeCRM) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/rest/"+token+"/")
	if !ok {
		http.Error(w, "unknown webhook", http.StatusUnauthorized)
		return
	}
	switch f.Next() {
	case crmtest.RateLimited:
		w.Header().Set("Retry-After", "2")
		http.Error(w, `{"error":"QUERY_LIMIT_EXCEEDED"}`, http.StatusTooManyRequests)
		return
	case crmtest.ServerError:
		http.Error(w, `{"error":"INTERNAL"}`, http.StatusInternalServerError)
		return
	case crmtest.Unavailable:
		crmtest.HangUp(w)
		return
	case crmtest.Timeout:
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
		f.Hang(r, time.Minute)             // the client gives up first (refTimeout)
		return
	case crmtest.BadRequest:
		http.Error(w, `{"error":"INVALID_FIELD"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && rest == "objects":
		found := []wireObject{}
		for id, rec := range f.objects {
			if rec.Key == r.URL.Query().Get("key") {
				found = append(found, wireObject{id, rec})
			}
		}
		_ = json.NewEncoder(w).Encode(found)
	case r.Method == http.MethodPost && rest == "objects":
		var rec crm.Record
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.lastID++
		id := strconv.Itoa(f.lastID)
		f.objects[id] = rec
		if f.Ambiguous() {
			http.Error(w, "gateway timeout", http.StatusGatewayTimeout)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(wireObject{id, rec})
	case r.Method == http.MethodPut && strings.HasPrefix(rest, "objects/"):
		id := strings.TrimPrefix(rest, "objects/")
		if _, ok := f.objects[id]; !ok {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		var rec crm.Record
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.objects[id] = rec
		_ = json.NewEncoder(w).Encode(wireObject{id, rec})
	default:
		http.Error(w, "no such method", http.StatusNotFound)
	}
}

// refAdapter is a reference adapter for fakeCRM: the shape a networked
// adapter takes. broken switches one of its duties off.
type refAdapter struct {
	base   string // holds the token, as a Bitrix24 webhook URL does
	client *http.Client
	broken string

	mu  sync.Mutex
	log bytes.Buffer
}

var _ crm.Adapter = (*refAdapter)(nil)

func (a *refAdapter) Name() string  { return "reference" }
func (a *refAdapter) MaxBatch() int { return 2 }

func (a *refAdapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	out := make([]crm.Result, len(pushes))
	for i, p := range pushes {
		if err := ctx.Err(); err != nil {
			out[i].Err = err
			continue
		}
		id, err := a.one(ctx, p)
		if a.broken == "retries" && err != nil && crm.IsRetryable(err) {
			id, err = a.one(ctx, p)
		}
		out[i] = crm.Result{ObjectID: id, Err: err}
	}
	return out
}

var errNotFound = crm.PermanentError(errors.New("reference: no such object"))

func (a *refAdapter) one(ctx context.Context, p crm.Push) (string, error) {
	body, err := json.Marshal(p.Record)
	if err != nil {
		return "", crm.PermanentError(err)
	}
	if id := p.ObjectID; id != "" {
		err := a.do(ctx, http.MethodPut, "objects/"+url.PathEscape(id), body, nil)
		if !errors.Is(err, errNotFound) {
			if err != nil {
				return "", err
			}
			return id, nil
		}
	}
	if a.broken != "nolookup" {
		var found []wireObject
		if err := a.do(ctx, http.MethodGet, "objects?key="+url.QueryEscape(p.Record.Key), nil, &found); err != nil {
			return "", err
		}
		if len(found) > 0 {
			id := found[0].ID
			if err := a.do(ctx, http.MethodPut, "objects/"+url.PathEscape(id), body, nil); err != nil {
				return "", err
			}
			return id, nil
		}
	}
	var created wireObject
	if err := a.do(ctx, http.MethodPost, "objects", body, &created); err != nil {
		return "", err
	}
	return created.ID, nil
}

func (a *refAdapter) redact(s string) string {
	if a.broken == "leak" {
		return s
	}
	return strings.ReplaceAll(s, token, "***")
}

func (a *refAdapter) do(ctx context.Context, method, path string, body []byte, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return crm.PermanentError(errors.New(a.redact(err.Error())))
	}
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = a.redact(ue.URL)
		}
		return fmt.Errorf("reference: %w", err) // unclassified: retryable, unless cancelled
	}
	defer func() { _ = resp.Body.Close() }()
	a.mu.Lock()
	fmt.Fprintf(&a.log, "%s %s %d\n", method, a.redact(req.URL.String()), resp.StatusCode)
	a.mu.Unlock()
	what := fmt.Errorf("reference: %s %s: %s", method, strings.SplitN(path, "?", 2)[0], resp.Status)
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return crm.RetryableError(what, time.Duration(secs)*time.Second)
	case code == http.StatusNotFound:
		return errNotFound
	case code >= 500:
		return crm.RetryableError(what, 0)
	case code >= 400 && a.broken == "misclassify":
		return crm.RetryableError(what, 0)
	case code >= 400:
		return crm.PermanentError(what)
	}
	if into == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return crm.RetryableError(fmt.Errorf("reference: %s %s: %w", method, path, err), 0)
	}
	return nil
}

func (a *refAdapter) logs() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.log.String()
}

func referenceHarness(broken string) func(t *testing.T) *crmtest.Harness {
	return func(t *testing.T) *crmtest.Harness {
		f := newFakeCRM(t)
		a := &refAdapter{base: f.srv.URL + "/rest/" + token + "/", client: &http.Client{Timeout: refTimeout}, broken: broken}
		return &crmtest.Harness{
			Adapter: a, Objects: f.list, Faults: f, Delete: f.delete,
			Secrets: []string{token}, Logs: a.logs,
		}
	}
}
