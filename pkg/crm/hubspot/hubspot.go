package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Name is the adapter's config name.
const Name = "hubspot"

// MaxBatch is HubSpot's limit of inputs per batch request.
const MaxBatch = 100

// Defaults of Options' zero fields.
const (
	DefaultBaseURL    = "https://api.hubapi.com"
	DefaultRateLimit  = 100
	DefaultRateWindow = 10 * time.Second
	DefaultTimeout    = 30 * time.Second
	// DefaultSearchLimit and DefaultSearchWindow are the search endpoints'
	// own limit (SPEC §6: 4 requests a second), on top of the general one.
	DefaultSearchLimit  = 4
	DefaultSearchWindow = time.Second
)

// Property names every object gets (IDProperty is the unique one).
const (
	IDProperty        = "report_key"
	EmployeeProperty  = "employee"
	DateProperty      = "date"
	StatusProperty    = "status"
	NotesProperty     = "notes"
	LongTermProperty  = "long_term"
	SourceURLProperty = "source_url"
)

// fixedProperties are the properties besides the metrics.
var fixedProperties = []string{IDProperty, EmployeeProperty, DateProperty, StatusProperty, NotesProperty, LongTermProperty, SourceURLProperty}

// pacing is the share of the rate limit the adapter's token bucket refills
// at: with a burst of b, any span of one window holds at most b + 0.9·limit
// of its requests, and the rest of the limit absorbs requests that reach
// HubSpot sooner or later than they were sent (see the package doc).
const pacing = 0.9

// maxAnswer is how much of an answer body is read.
const maxAnswer = 16 << 20

// Options tune the adapter; the zero value is usable.
type Options struct {
	// HTTPClient sends the requests (nil: a client that does not follow
	// redirects). Its own Timeout, if any, also applies.
	HTTPClient *http.Client
	// Timeout bounds one request, answer included (0: DefaultTimeout).
	Timeout time.Duration
	// RateLimit is how many requests HubSpot allows per RateWindow
	// (0: DefaultRateLimit; 190 on Professional and Enterprise).
	RateLimit int
	// RateWindow is HubSpot's rolling window (0: DefaultRateWindow). Tests
	// against a time-scaled fake shorten it.
	RateWindow time.Duration
	// MaxBatch is how many inputs one request carries, 1 to 100 (0: 100).
	MaxBatch int
	// SearchLimit is how many search requests HubSpot allows per
	// SearchWindow (0: DefaultSearchLimit). Facts' searches keep to it as
	// well as to RateLimit.
	SearchLimit int
	// SearchWindow is the search limit's window (0: DefaultSearchWindow).
	// Tests against a time-scaled fake shorten it.
	SearchWindow time.Duration
}

// Adapter writes records as HubSpot custom objects.
type Adapter struct {
	endpoint string
	token    string
	fields   map[string]string // metric key → property name
	clear    []string          // configured metric properties, sorted
	client   *http.Client
	timeout  time.Duration
	limiter  *rate.Limiter
	window   time.Duration
	maxBatch int
	scrub    *httpkit.Redactor
	// For Facts (facts.go): the API's base URL and the search limiter.
	base         string
	search       *rate.Limiter
	searchWindow time.Duration
}

var _ crm.Adapter = (*Adapter)(nil)

// propertyName is what HubSpot accepts as an internal property name.
var propertyName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// New returns the adapter for cfg. Errors never include the token.
func New(cfg config.HubSpot, opts Options) (*Adapter, error) {
	tok := strings.TrimSpace(cfg.Token.Value())
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return nil, errors.New("hubspot: crm.hubspot.token is not set (a private app access token)")
	}
	if strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("hubspot: crm.hubspot.token contains spaces or control characters")
	}
	objectType := strings.TrimSpace(cfg.ObjectType)
	if objectType == "" {
		return nil, errors.New("hubspot: crm.hubspot.object_type is not set: run `dayreport crm setup` and paste the block it prints")
	}
	if strings.ContainsAny(objectType, "/?#%") {
		return nil, fmt.Errorf("hubspot: crm.hubspot.object_type %q is not an object type id or name", objectType)
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("hubspot: crm.hubspot.base_url %q is not an http(s) base URL", base)
	}
	a := &Adapter{
		endpoint: strings.TrimRight(base, "/") + "/crm/v3/objects/" + url.PathEscape(objectType) + "/batch/upsert",
		token:    tok,
		fields:   map[string]string{},
		client:   opts.HTTPClient,
		timeout:  opts.Timeout,
		window:   opts.RateWindow,
		maxBatch: opts.MaxBatch,
		scrub:    httpkit.NewRedactor(tok),
		base:     strings.TrimRight(base, "/"),
	}
	seen := map[string]string{}
	for _, p := range fixedProperties {
		seen[p] = "the " + p + " property"
	}
	metrics := make([]string, 0, len(cfg.Fields))
	for k := range cfg.Fields {
		metrics = append(metrics, k)
	}
	slices.Sort(metrics)
	for _, k := range metrics {
		p := strings.TrimSpace(cfg.Fields[k])
		if p == "" {
			p = k
		}
		if !propertyName.MatchString(p) {
			return nil, fmt.Errorf("hubspot: crm.hubspot.fields.%s: %q is not a HubSpot property name (lower case letters, digits, _)", k, p)
		}
		if other, dup := seen[p]; dup {
			return nil, fmt.Errorf("hubspot: crm.hubspot.fields.%s: property %q is already %s", k, p, other)
		}
		seen[p] = "metric " + k
		a.fields[k] = p
		a.clear = append(a.clear, p)
	}
	slices.Sort(a.clear)
	switch {
	case a.timeout < 0:
		return nil, errors.New("hubspot: negative timeout")
	case a.timeout == 0:
		a.timeout = DefaultTimeout
	}
	limit := opts.RateLimit
	switch {
	case limit < 0 || a.window < 0:
		return nil, errors.New("hubspot: negative rate limit")
	case limit == 0:
		limit = DefaultRateLimit
	}
	if a.window == 0 {
		a.window = DefaultRateWindow
	}
	burst := 1
	if limit >= 20 {
		burst = 2 // still within the margin: 2 ≤ (1 − pacing)·limit
	}
	a.limiter = rate.NewLimiter(rate.Limit(pacing*float64(limit)/a.window.Seconds()), burst)
	searchLimit, searchWindow := opts.SearchLimit, opts.SearchWindow
	switch {
	case searchLimit < 0 || searchWindow < 0:
		return nil, errors.New("hubspot: negative search limit")
	case searchLimit == 0:
		searchLimit = DefaultSearchLimit
	}
	if searchWindow == 0 {
		searchWindow = DefaultSearchWindow
	}
	a.searchWindow = searchWindow
	a.search = rate.NewLimiter(rate.Limit(searchPacing*float64(searchLimit)/searchWindow.Seconds()), 1)
	switch {
	case a.maxBatch < 0 || a.maxBatch > MaxBatch:
		return nil, fmt.Errorf("hubspot: batch size %d is outside 1..%d", a.maxBatch, MaxBatch)
	case a.maxBatch == 0:
		a.maxBatch = MaxBatch
	}
	if a.client == nil {
		a.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return a, nil
}

// Name returns "hubspot".
func (a *Adapter) Name() string { return Name }

// MaxBatch returns the inputs per request (100 unless Options say fewer).
func (a *Adapter) MaxBatch() int { return a.maxBatch }

// Upsert writes the records with batch upsert requests of at most MaxBatch
// inputs each, paced by the rate limiter. Push.ObjectID is not needed: the
// upsert finds the object by its report_key (see the package documentation).
// When one call carries the same key twice, only the last record is sent
// and every push of that key gets its result. A request that fails as a
// whole for a reason that would fail the next one too (no connection, a
// timeout, 429, 502/503/504, a refused token, an unknown object type) ends
// the call: the later requests are not sent and their records fail with an
// error of the same class (and RetryAfter).
func (a *Adapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	results := make([]crm.Result, len(pushes))
	inputs := make([]*upsertInput, len(pushes))
	last := make(map[string]int, len(pushes))
	for i, p := range pushes {
		in, err := a.input(p.Record)
		if err != nil {
			results[i].Err = err
			continue
		}
		inputs[i] = in
		last[in.ID] = i
	}
	var send []int // indices of the pushes to send, in order
	for i, in := range inputs {
		if in != nil && last[in.ID] == i {
			send = append(send, i)
		}
	}
	var stop error
	for lo := 0; lo < len(send); lo += a.maxBatch {
		chunk := send[lo:min(lo+a.maxBatch, len(send))]
		if stop == nil {
			if err := ctx.Err(); err != nil {
				stop = fmt.Errorf("hubspot: not sent: %w", err)
			}
		}
		if stop != nil {
			for _, i := range chunk {
				results[i].Err = stop
			}
			continue
		}
		batch := make([]upsertInput, len(chunk))
		for k, i := range chunk {
			batch[k] = *inputs[i]
		}
		out, down := a.upsert(ctx, batch)
		for k, i := range chunk {
			results[i] = out[k]
		}
		if down != nil {
			stop = down
			if crm.IsRetryable(down) {
				stop = crm.RetryableError(fmt.Errorf("hubspot: not sent after an earlier request of this call failed: %s", httpkit.Message(down)), crm.RetryAfter(down))
			}
		}
	}
	for i, in := range inputs {
		if in != nil && last[in.ID] != i {
			results[i] = results[last[in.ID]] // the later record of the same key superseded this one
		}
	}
	return results
}

// input builds the batch input of rec, or a permanent error.
func (a *Adapter) input(rec crm.Record) (*upsertInput, error) {
	if rec.Key == "" {
		return nil, crm.PermanentError(errors.New("hubspot: record has no key"))
	}
	if rec.Date.IsZero() {
		return nil, crm.PermanentError(fmt.Errorf("hubspot: %s: record has no date", rec.Key))
	}
	props := make(map[string]string, len(fixedProperties)+len(a.clear)+len(rec.Metrics))
	for _, p := range a.clear {
		props[p] = "" // cleared unless the record has the metric
	}
	for k, v := range rec.Metrics {
		p, ok := a.fields[k]
		if !ok {
			p = k
			if slices.Contains(fixedProperties, p) {
				return nil, crm.PermanentError(fmt.Errorf("hubspot: %s: metric %q would overwrite the %s property; map it in crm.hubspot.fields", rec.Key, k, p))
			}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, crm.PermanentError(fmt.Errorf("hubspot: %s: metric %s is %v", rec.Key, k, v))
		}
		props[p] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	props[IDProperty] = rec.Key
	props[EmployeeProperty] = rec.Employee
	props[DateProperty] = rec.Date.String()
	props[StatusProperty] = string(rec.Status)
	props[NotesProperty] = rec.Notes
	props[LongTermProperty] = rec.LongTerm
	props[SourceURLProperty] = rec.SourceURL
	return &upsertInput{IDProperty: IDProperty, ID: rec.Key, ObjectWriteTraceID: rec.Key, Properties: props}, nil
}

// upsert sends one batch request. It returns one Result per input, and a
// non-nil down when the request failed as a whole in a way that makes the
// next request pointless.
func (a *Adapter) upsert(ctx context.Context, inputs []upsertInput) (out []crm.Result, down error) {
	out = make([]crm.Result, len(inputs))
	all := func(err error) []crm.Result {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	body, err := json.Marshal(upsertRequest{Inputs: inputs})
	if err != nil { // strings only: cannot happen
		return all(crm.PermanentError(fmt.Errorf("hubspot: encoding the batch: %w", err))), nil
	}
	if err := a.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			err := fmt.Errorf("hubspot: not sent: %w", ctx.Err())
			return all(err), err
		}
		err := crm.RetryableError(errors.New("hubspot: not sent: the rate limit allows no request before the context's deadline"), 0)
		return all(err), err
	}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, a.endpoint, bytes.NewReader(body))
	if err != nil {
		err := crm.PermanentError(errors.New("hubspot: POST batch/upsert: the request cannot be built from crm.hubspot.base_url"))
		return all(err), err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "dayreport")
	resp, err := a.client.Do(req)
	if err != nil {
		err := a.scrub.TransportError(ctx, "hubspot: POST batch/upsert: ", a.timeout, err)
		return all(err), err
	}
	defer func() { _ = resp.Body.Close() }()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if readErr != nil {
		if ctx.Err() != nil {
			err := fmt.Errorf("hubspot: POST batch/upsert: %s, answer cut short: %w", resp.Status, ctx.Err())
			return all(err), err
		}
		// HubSpot may have written: sending the same inputs again is an idempotent upsert.
		err := crm.RetryableError(fmt.Errorf("hubspot: POST batch/upsert: %s, answer unreadable: %s", resp.Status, a.scrub.Redact(readErr.Error())), 0)
		return all(err), nil
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusMultiStatus:
		var br batchResponse
		if err := json.Unmarshal(answer, &br); err != nil {
			return all(crm.RetryableError(fmt.Errorf("hubspot: POST batch/upsert: %s, answer is not a batch result: %w", resp.Status, err), 0)), nil
		}
		return a.outcomes(inputs, &br, nil), nil
	}
	var ae apiError
	_ = json.Unmarshal(answer, &ae) // the fields are optional; a non-JSON answer leaves them empty
	whole := a.classify(resp, &ae, time.Now())
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		// A rejection that names inputs fails those only; the rest are sent again.
		if named := a.outcomes(inputs, &batchResponse{Errors: ae.asBatchErrors()}, whole); named != nil {
			return named, nil
		}
	}
	if callFailure(resp.StatusCode) {
		return all(whole), whole
	}
	return all(whole), nil
}

// callFailure reports statuses after which the next request of the same
// call would fail the same way: the rate limit, an outage, the token, the
// object type.
func callFailure(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, 477,
		http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}
