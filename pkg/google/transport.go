package google

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// maxErrorBody bounds how much of an error answer is buffered to classify it.
const maxErrorBody = 1 << 20

// Limiters are the client-side rate limiters, one per API and kind. Build
// them once with NewLimiters and put them in Options.Limiters to share them
// between clients. Safe for concurrent use.
type Limiters struct {
	docs, sheetsRead, sheetsWrite, drive *rate.Limiter
}

// NewLimiters sizes the limiters from opts (see Options for the fields and
// their defaults).
func NewLimiters(opts Options) *Limiters {
	return &Limiters{
		docs:        newLimiter(opts.DocsReadsPerMinute, DefaultDocsReadsPerMinute, opts.Burst),
		sheetsRead:  newLimiter(opts.ReadsPerMinute, DefaultSheetsReadsPerMinute, opts.Burst),
		sheetsWrite: newLimiter(opts.WritesPerMinute, DefaultSheetsWritesPerMinute, opts.Burst),
		drive:       newLimiter(opts.DriveQueriesPerMinute, DefaultDriveQueriesPerMinute, opts.Burst),
	}
}

func newLimiter(perMinute, def, burst int) *rate.Limiter {
	if perMinute == 0 {
		perMinute = def
	}
	if perMinute < 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	if burst <= 0 {
		burst = max(1, perMinute/60)
	}
	return rate.NewLimiter(rate.Limit(float64(perMinute)/60), min(burst, perMinute))
}

// limiter picks the limiter a request spends.
func (l *Limiters) limiter(api, method string) *rate.Limiter {
	switch api {
	case APIDocs:
		return l.docs
	case APIDrive:
		return l.drive
	}
	if method == http.MethodGet || method == http.MethodHead {
		return l.sheetsRead
	}
	return l.sheetsWrite
}

// transport is the retrying, rate-limited RoundTripper of one client.
type transport struct {
	api            string
	next           http.RoundTripper
	limits         *Limiters
	readOnly       bool
	secrets        []string
	maxAttempts    int
	base, max      time.Duration
	attemptTimeout time.Duration
	sleep          func(context.Context, time.Duration) error
	rand           func() float64
	onRequest      func(string, int)
	onRetry        func(string, int, time.Duration, string)
}

func newTransport(api string, next http.RoundTripper, lim *Limiters, opts Options, readOnly bool, secrets []string) *transport {
	t := &transport{
		api: api, next: next, limits: lim, readOnly: readOnly, secrets: secrets,
		maxAttempts: opts.MaxAttempts, base: opts.Base, max: opts.Max, attemptTimeout: opts.AttemptTimeout,
		sleep: opts.Sleep, rand: opts.Rand, onRequest: opts.OnRequest, onRetry: opts.OnRetry,
	}
	if t.maxAttempts <= 0 {
		t.maxAttempts = DefaultMaxAttempts
	}
	if t.base <= 0 {
		t.base = DefaultBase
	}
	if t.max <= 0 {
		t.max = DefaultMax
	}
	if t.attemptTimeout <= 0 {
		t.attemptTimeout = DefaultAttemptTimeout
	}
	if t.sleep == nil {
		t.sleep = httpkit.Sleep
	}
	return t
}

// RoundTrip sends req, waiting for the rate limiter before every attempt and
// retrying as the package documentation says.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if t.readOnly && req.Method != http.MethodGet && req.Method != http.MethodHead {
		closeBody(req)
		return nil, fmt.Errorf("%w: %s %s", errReadOnly, req.Method, req.URL.Path)
	}
	getBody, err := replayable(req)
	if err != nil {
		return nil, fmt.Errorf("google: %s: reading the request body: %w", t.api, err)
	}
	lim := t.limits.limiter(t.api, req.Method)
	for attempt := 1; ; attempt++ {
		if err := lim.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("google: %s: waiting for the rate limiter: %w", t.api, err)
		}
		actx, cancel := context.WithTimeout(ctx, t.attemptTimeout)
		resp, err := t.once(actx, req, getBody)
		code := 0
		if resp != nil {
			code = resp.StatusCode
			if err = t.readAnswer(req, resp); err != nil {
				resp = nil
			}
		}
		if t.onRequest != nil {
			t.onRequest(t.api, code)
		}
		retry, after, reason := t.classify(ctx, resp, err)
		if retry && attempt < t.maxAttempts {
			wait := max(httpkit.Backoff{Base: t.base, Max: t.max, Rand: t.rand}.Delay(attempt-1), after)
			deadline, has := ctx.Deadline()
			if !has || time.Now().Add(wait).Before(deadline) {
				if resp != nil {
					_ = resp.Body.Close()
				}
				cancel()
				if t.onRetry != nil {
					t.onRetry(t.api, attempt, wait, reason)
				}
				if err := t.sleep(ctx, wait); err != nil {
					if ctx.Err() != nil {
						err = ctx.Err()
					}
					return nil, fmt.Errorf("google: %s: gave up waiting to retry after %s: %w", t.api, reason, err)
				}
				continue
			}
		}
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if attempt > 1 {
				err = fmt.Errorf("google: %s: %d attempts: %w", t.api, attempt, err)
			}
			return nil, redact(err, t.secrets)
		}
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
}

// once makes one attempt with a fresh copy of the request.
func (t *transport) once(ctx context.Context, req *http.Request, getBody func() (io.ReadCloser, error)) (*http.Response, error) {
	r := req.Clone(ctx)
	if getBody != nil {
		body, err := getBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = &attemptTimeout{after: t.attemptTimeout, err: err}
	}
	return resp, err
}

// readAnswer reads the body of a successful GET within its attempt, so that
// an answer cut short is retried like any failed attempt: a read that fails
// (the connection dropped mid-body, the attempt's time ran out) or a JSON
// body that does not parse (a proxy cut it). The body is put back in memory.
// Other answers are left to stream.
func (t *transport) readAnswer(req *http.Request, resp *http.Response) error {
	if req.Method != http.MethodGet || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		reason := "answer cut short"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "attempt timed out reading the answer"
		}
		return &cutAnswer{reason: reason, err: fmt.Errorf("status %d, read %d bytes: %w", resp.StatusCode, len(data), err)}
	}
	if isJSON(resp.Header.Get("Content-Type")) && !json.Valid(data) {
		return &cutAnswer{reason: "answer is not valid JSON (cut short?)", err: fmt.Errorf("status %d, %d bytes", resp.StatusCode, len(data))}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return nil
}

func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// cutAnswer is a successful answer whose body could not be read whole.
type cutAnswer struct {
	reason string
	err    error
}

func (e *cutAnswer) Error() string { return e.reason + ": " + e.err.Error() }
func (e *cutAnswer) Unwrap() error { return e.err }

// attemptTimeout is an attempt that ran out of its own time (not the
// caller's).
type attemptTimeout struct {
	after time.Duration
	err   error
}

func (e *attemptTimeout) Error() string {
	return fmt.Sprintf("no answer within %s: %v", e.after, e.err)
}
func (e *attemptTimeout) Unwrap() error { return e.err }

// replayable makes the request body readable once per attempt: GetBody when
// the request has one (requests built from bytes do), else the body read
// into memory. The original body is closed, as a RoundTripper must.
func replayable(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		_ = req.Body.Close()
		return req.GetBody, nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// classify says whether an attempt's outcome is worth retrying, the least
// wait the server asked for, and a reason for logs. It buffers the body of
// error answers it looks into, so the caller can still read it.
func (t *transport) classify(ctx context.Context, resp *http.Response, err error) (retry bool, after time.Duration, reason string) {
	if err != nil {
		if ctx.Err() != nil {
			return false, 0, "" // the caller's context ended
		}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// The token endpoint refused: retry only its own overload.
			if re.Response != nil && (re.Response.StatusCode == http.StatusTooManyRequests || re.Response.StatusCode >= 500) {
				return true, 0, "token endpoint " + strconv.Itoa(re.Response.StatusCode)
			}
			return false, 0, ""
		}
		if errors.Is(err, errReadOnly) {
			return false, 0, ""
		}
		var at *attemptTimeout
		if errors.As(err, &at) {
			return true, 0, "attempt timed out"
		}
		var ca *cutAnswer
		if errors.As(err, &ca) {
			return true, 0, ca.reason
		}
		return true, 0, "transport error"
	}
	code := resp.StatusCode
	if httpkit.StatusKind(code) != httpkit.Retryable && code != http.StatusForbidden {
		return false, 0, ""
	}
	body := bufferBody(resp)
	info := parseErrorBody(body)
	if code == http.StatusForbidden && !info.rateLimited {
		return false, 0, ""
	}
	after = max(httpkit.RetryAfter(resp.Header, time.Now(), MaxRetryAfter), info.retryDelay)
	reason = strconv.Itoa(code)
	if info.reason != "" {
		reason += " " + info.reason
	}
	return true, min(after, MaxRetryAfter), reason
}

// bufferBody reads an error answer into memory and puts it back.
func bufferBody(resp *http.Response) []byte {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return data
}

type errorInfo struct {
	rateLimited bool
	reason      string
	retryDelay  time.Duration
}

// parseErrorBody reads what matters from Google's error JSON: the legacy
// errors[].reason (Drive: rateLimitExceeded, userRateLimitExceeded), the
// google.rpc.ErrorInfo reason (RATE_LIMIT_EXCEEDED) and a
// google.rpc.RetryInfo retryDelay ("30s").
func parseErrorBody(data []byte) errorInfo {
	var b struct {
		Error struct {
			Status string `json:"status"`
			Errors []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
			Details []struct {
				Type       string `json:"@type"`
				Reason     string `json:"reason"`
				RetryDelay string `json:"retryDelay"`
			} `json:"details"`
		} `json:"error"`
	}
	var out errorInfo
	if json.Unmarshal(data, &b) != nil {
		return out
	}
	for _, e := range b.Error.Errors {
		switch e.Reason {
		case "rateLimitExceeded", "userRateLimitExceeded":
			out.rateLimited, out.reason = true, e.Reason
		}
	}
	for _, d := range b.Error.Details {
		switch {
		case strings.HasSuffix(d.Type, "google.rpc.ErrorInfo") && d.Reason != "":
			if d.Reason == "RATE_LIMIT_EXCEEDED" {
				out.rateLimited = true
			}
			if out.reason == "" {
				out.reason = d.Reason
			}
		case strings.HasSuffix(d.Type, "google.rpc.RetryInfo"):
			if dur, err := time.ParseDuration(d.RetryDelay); err == nil && dur > 0 {
				out.retryDelay = dur
			}
		}
	}
	if out.reason == "" {
		out.reason = b.Error.Status
	}
	return out
}

// cancelBody ends an attempt's context when its answer has been read.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
