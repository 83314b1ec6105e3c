// Package webhookfake is an in-process webhook receiver for tests of the
// webhook adapter: an httptest server on 127.0.0.1 that checks every request
// the way a careful receiver would (method, Content-Type, the HMAC signature
// over the exact body, an Idempotency-Key equal to the record's key), keeps
// the latest record per key under a stable object id, and injects the
// crmtest faults on demand.
//
// Its answers: 201 {"id":…} for a new key, 200 {"id":…} for a known one;
// 401 for a missing or wrong signature, 400 for a body that is not a record
// or whose key differs from the Idempotency-Key, 405 and 415 for a wrong
// method or content type, 404 for any other path.
package webhookfake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// Options configure a Server.
type Options struct {
	// Secret is the HMAC key requests must be signed with; "" accepts
	// unsigned requests (and ignores any signature).
	Secret string
	// Token is the path segment that makes the URL a secret
	// (/hooks/<token>); "" picks a random one.
	Token string
	// RetryAfter is the Retry-After header of the RateLimited fault
	// (default "1", one second; an HTTP-date works too).
	RetryAfter string
	// Hang is how long the Timeout fault keeps a request waiting when the
	// client does not hang up first (default 5s).
	Hang time.Duration
	// InProcess serves no socket: requests go through Client, served in the
	// calling goroutine (URL names a host that is never dialled), so that a
	// test can run in a testing/synctest bubble. Faults that drop the
	// connection need a socket.
	InProcess bool
}

// Received is one request as the server saw it.
type Received struct {
	Header http.Header
	Body   []byte
}

// Server is a fake webhook receiver.
type Server struct {
	// URL is where to post: http://127.0.0.1:<port>/hooks/<token>.
	URL string

	opts   Options
	srv    *httptest.Server
	client *http.Client // Options.InProcess
	path   string

	crmtest.FaultQueue // Inject and Reset

	mu       sync.Mutex
	lastID   int
	objects  map[string]stored // by record key
	requests crmtest.Counter
	rejected crmtest.Counter
	last     Received
}

type stored struct {
	id  string
	rec crm.Record
}

var _ crmtest.Faults = (*Server)(nil)

// New starts a server listening on 127.0.0.1 only (none with
// Options.InProcess), closed when t ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		opts.Token = "tok-" + hex.EncodeToString(b)
	}
	if opts.RetryAfter == "" {
		opts.RetryAfter = "1"
	}
	if opts.Hang <= 0 {
		opts.Hang = 5 * time.Second
	}
	s := &Server{opts: opts, path: "/hooks/" + opts.Token, objects: map[string]stored{}}
	if opts.InProcess {
		s.client = crmtest.InProcess(http.HandlerFunc(s.serve))
		s.URL = "http://127.0.0.1:1" + s.path // never dialled
		t.Cleanup(s.Close)
		return s
	}
	s.srv = crmtest.Serve(t, http.HandlerFunc(s.serve), s.Close)
	s.URL = s.srv.URL + s.path
	return s
}

// Client is the HTTP client of an InProcess server (nil otherwise).
func (s *Server) Client() *http.Client { return s.client }

// Requests returns how many requests reached the server (faults included).
func (s *Server) Requests() int { return s.requests.Value() }

// Rejected returns how many requests were refused for a bad signature,
// header or body.
func (s *Server) Rejected() int { return s.rejected.Value() }

// Last returns the last request that passed the fault stage.
func (s *Server) Last() Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Received{Header: s.last.Header.Clone(), Body: slices.Clone(s.last.Body)}
}

// Record returns the latest record stored under key.
func (s *Server) Record(key string) (id string, rec crm.Record, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key]
	return o.id, o.rec, ok
}

// Objects returns every stored object, ordered by id, for crmtest.Harness.
func (s *Server) Objects(testing.TB) []crmtest.Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]crmtest.Object, 0, len(s.objects))
	for _, o := range s.objects {
		out = append(out, crmtest.FromRecord(o.id, o.rec))
	}
	slices.SortFunc(out, func(a, b crmtest.Object) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Delete removes the object with id, as if someone deleted it in the CRM.
func (s *Server) Delete(t testing.TB, id string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, o := range s.objects {
		if o.id == id {
			delete(s.objects, k)
			return
		}
	}
	t.Fatalf("webhookfake: no object %s", id)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Inc()
	switch s.Next() {
	case crmtest.RateLimited:
		w.Header().Set("Retry-After", s.opts.RetryAfter)
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case crmtest.ServerError:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case crmtest.Unavailable:
		crmtest.HangUp(w)
		return
	case crmtest.Timeout:
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
		s.Hang(r, s.opts.Hang)
		return
	case crmtest.BadRequest:
		http.Error(w, `{"error":"rejected by the receiver"}`, http.StatusBadRequest)
		return
	}
	if r.URL.Path != s.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.reject(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.reject(w, http.StatusUnsupportedMediaType, "want Content-Type: application/json")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.reject(w, http.StatusBadRequest, "unreadable body")
		return
	}
	s.mu.Lock()
	s.last = Received{Header: r.Header.Clone(), Body: body}
	s.mu.Unlock()
	if s.opts.Secret != "" && !s.signedOK(r.Header.Get("X-Dayreport-Signature"), body) {
		s.reject(w, http.StatusUnauthorized, "bad or missing X-Dayreport-Signature")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		s.reject(w, http.StatusBadRequest, "missing Idempotency-Key")
		return
	}
	var rec crm.Record
	if err := json.Unmarshal(body, &rec); err != nil {
		s.reject(w, http.StatusBadRequest, "the body is not a record: "+err.Error())
		return
	}
	if rec.Key != key {
		s.reject(w, http.StatusBadRequest, "Idempotency-Key differs from the record's key")
		return
	}
	s.mu.Lock()
	o, known := s.objects[key]
	if !known {
		s.lastID++
		o.id = "obj-" + strconv.Itoa(s.lastID)
	}
	o.rec = rec
	s.objects[key] = o
	s.mu.Unlock()
	lose := !known && s.Ambiguous()
	if lose {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if known {
		w.WriteHeader(http.StatusOK)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
	_, _ = fmt.Fprintf(w, `{"id":%q}`+"\n", o.id)
}

// signedOK checks "sha256=<hex HMAC-SHA256(secret, body)>" in constant time.
func (s *Server) signedOK(header string, body []byte) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(s.opts.Secret))
	m.Write(body)
	return hmac.Equal(sum, m.Sum(nil))
}

func (s *Server) reject(w http.ResponseWriter, code int, msg string) {
	s.mu.Lock()
	s.rejected.Inc()
	s.mu.Unlock()
	http.Error(w, msg, code)
}
