package bitrix24

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
	"strings"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Error codes the adapter treats specially (SPEC §6; see the package doc for
// where each is documented).
const (
	codeQueryLimit    = "QUERY_LIMIT_EXCEEDED" // 503: the leaky bucket is full
	codeOperationTime = "OPERATION_TIME_LIMIT" // 429: the method's time budget is spent
	codeNotFound      = "NOT_FOUND"            // 400: no such item (or smart process)
)

// permanentCodes are errors that will repeat until a person fixes something:
// the webhook, its permissions, the plan, the portal.
var permanentCodes = map[string]bool{
	"NO_AUTH_FOUND": true, "INVALID_CREDENTIALS": true, "expired_token": true, "invalid_token": true,
	"ACCESS_DENIED": true, "insufficient_scope": true, "user_access_error": true,
	"INVALID_REQUEST": true, "OVERLOAD_LIMIT": true, "PORTAL_DELETED": true,
	"ERROR_METHOD_NOT_FOUND": true, "ERROR_BATCH_METHOD_NOT_ALLOWED": true,
	"ERROR_BATCH_LENGTH_EXCEEDED": true, "allowed_only_intranet_user": true,
	"ERROR_CORE": true, "INVALID_ARG_VALUE": true, "CRM_FIELD_ERROR_VALUE_NOT_VALID": true,
	"UPDATE_DYNAMIC_ITEM_RESTRICTED": true, codeNotFound: true,
}

// retryableCodes are the server's own failures and its limits.
var retryableCodes = map[string]bool{
	codeQueryLimit: true, codeOperationTime: true,
	"INTERNAL_SERVER_ERROR": true, "ERROR_UNEXPECTED_ANSWER": true,
}

// operationBlock is how long a method stays blocked after OPERATION_TIME_LIMIT
// when the answer does not say (the documented block is 10 minutes).
const operationBlock = 10 * time.Minute

// maxBody caps how much of an answer is read.
const maxBody = 64 << 20

// APIError is an error answer of the Bitrix24 REST API: a whole request's
// (Status is its HTTP status) or one batch command's (Status is 0).
type APIError struct {
	Method      string
	Status      int
	Code        string
	Description string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("bitrix24: ")
	b.WriteString(e.Method)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	switch {
	case e.Code != "" && e.Description != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Description)
	case e.Code != "":
		fmt.Fprintf(&b, ": %s", e.Code)
	case e.Description != "":
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	return b.String()
}

// webhook is a parsed incoming-webhook URL.
type webhook struct {
	base  string            // scheme://host[/prefix]/rest/<user>/<code>/
	scrub *httpkit.Redactor // the base becomes "/rest/…/", the code "…"
}

// parseWebhook splits https://<portal>/rest/<user>/<code>/[anything] into the
// base every method is appended to. Its errors never quote the URL.
func parseWebhook(raw string) (webhook, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return webhook{}, errors.New("bitrix24: webhook_url is empty")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return webhook{}, errors.New("bitrix24: webhook_url is not an http(s) URL (want https://<portal>/rest/<user>/<code>/)")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return webhook{}, errors.New("bitrix24: webhook_url must not carry credentials, a query or a fragment")
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	at := -1
	for i, s := range segs {
		if s == "rest" && i+2 < len(segs) {
			at = i
			break
		}
	}
	if at < 0 || segs[at+1] == "" || segs[at+2] == "" {
		return webhook{}, errors.New("bitrix24: webhook_url has no /rest/<user>/<code>/ part")
	}
	user, code := segs[at+1], segs[at+2]
	prefix := ""
	if at > 0 {
		prefix = "/" + strings.Join(segs[:at], "/")
	}
	origin := u.Scheme + "://" + u.Host + prefix
	w := webhook{base: origin + "/rest/" + user + "/" + code + "/"}
	pairs := []string{w.base, origin + "/rest/…/"}
	for _, s := range []string{strings.TrimSuffix(w.base, "/"), "/rest/" + user + "/" + code, code, url.PathEscape(code), url.QueryEscape(code)} {
		if len(s) >= httpkit.MinSecret {
			pairs = append(pairs, s, "…")
		}
	}
	w.scrub = httpkit.Replacing(pairs...)
	return w, nil
}

// redact removes the webhook from s: its base becomes "/rest/…/" and the code
// never appears on its own.
func (w webhook) redact(s string) string { return w.scrub.Redact(s) }

// client calls REST methods through one webhook, paced by a token bucket.
type client struct {
	hook    webhook
	http    *http.Client
	timeout time.Duration
	limiter *rate.Limiter
	rps     float64 // requests per second of the limiter (time-scaled)
	now     func() time.Time
	log     *zerolog.Logger
}

func newClient(cfgURL string, rps float64, opts Options) (*client, error) {
	hook, err := parseWebhook(cfgURL)
	if err != nil {
		return nil, err
	}
	if rps <= 0 || math.IsNaN(rps) || math.IsInf(rps, 0) {
		rps = DefaultRequestsPerSecond
	}
	scale := opts.TimeScale
	if scale <= 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		scale = 1
	}
	burst := opts.Burst
	if burst <= 0 {
		burst = DefaultBurst
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{
			// A redirect would turn the POST into a GET: report it instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	c := &client{
		hook: hook, http: hc, timeout: timeout,
		limiter: rate.NewLimiter(rate.Limit(rps*scale), burst),
		rps:     rps * scale, now: now, log: opts.Logger,
	}
	return c, nil
}

// drain empties the client's bucket: the server said its own is full (another
// integration shares it), so from now on requests go at the steady rate.
func (c *client) drain() {
	now := time.Now()
	if n := int(c.limiter.TokensAt(now)); n > 0 {
		c.limiter.ReserveN(now, n)
	}
}

// ctxError is what a call returns when its context ended: not classified, so
// a cancellation stays unretryable and a deadline retryable.
func ctxError(method string, err error) error {
	return fmt.Errorf("bitrix24: %s: %w", method, err)
}

// call POSTs params as JSON to method and decodes the result into out (when
// not nil). It returns the envelope for paging. Every error is classified and
// redacted. commands is only for the log line.
func (c *client) call(ctx context.Context, method string, params any, out any, commands int) (*envelope, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(method, err)
	}
	body, err := json.Marshal(params)
	if err != nil {
		return nil, crm.PermanentError(fmt.Errorf("bitrix24: %s: encode: %w", method, err))
	}
	if err := c.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctxError(method, ctx.Err())
		}
		// The wait would outlast ctx's deadline: a timeout, so retryable.
		return nil, crm.RetryableError(fmt.Errorf("bitrix24: %s: rate limiter: %w", method, err), 0)
	}
	rctx := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.hook.base+method+".json", bytes.NewReader(body))
	if err != nil {
		return nil, crm.PermanentError(errors.New(c.hook.redact(fmt.Sprintf("bitrix24: %s: %v", method, err))))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, method, err, start, commands)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// The answer was lost on the way: whatever the server did, it may
		// have done it, so this is ambiguous and retryable.
		return nil, c.transportError(ctx, method, err, start, commands)
	}
	c.logCall(method, resp.StatusCode, commands, time.Since(start))
	var env envelope
	jsonErr := json.Unmarshal(raw, &env)
	if resp.StatusCode >= 300 || (jsonErr == nil && env.failed()) {
		return nil, c.apiError(method, resp, &env, jsonErr == nil)
	}
	if jsonErr != nil {
		return nil, crm.RetryableError(c.hook.scrub.Errorf("bitrix24: %s: HTTP %d with an unreadable body: %w", method, resp.StatusCode, jsonErr), 0)
	}
	if out != nil {
		if isEmptyJSON(env.Result) {
			return &env, nil // PHP's [] for an empty result: out stays zero
		}
		if err := json.Unmarshal(env.Result, out); err != nil {
			return nil, crm.RetryableError(c.hook.scrub.Errorf("bitrix24: %s: unexpected result: %w", method, err), 0)
		}
	}
	return &env, nil
}

// transportError classifies a failure to get an answer
// (httpkit.Redactor.TransportError: a *url.Error's URL holds the webhook
// code, so the chain skips it), and logs it.
func (c *client) transportError(ctx context.Context, method string, err error, start time.Time, commands int) error {
	out := c.hook.scrub.TransportError(ctx, "bitrix24: "+method+": ", c.timeout, err)
	if c.log != nil {
		c.log.Warn().Str("method", method).Int("commands", commands).Dur("took_ms", time.Since(start)).
			Str("error", out.Error()).Msg("bitrix24: no answer")
	}
	return out
}

// apiError classifies an error answer.
func (c *client) apiError(method string, resp *http.Response, env *envelope, parsed bool) error {
	e := &APIError{Method: method, Status: resp.StatusCode}
	if parsed {
		if env.Error != nil {
			e.Code = string(*env.Error)
		}
		e.Description = c.hook.redact(string(env.ErrorDescription))
	}
	if !parsed || (e.Code == "" && e.Description == "") {
		e.Description = http.StatusText(resp.StatusCode)
	}
	after := httpkit.RetryAfter(resp.Header, c.now(), crm.MaxRetryAfter)
	switch {
	case e.Code == codeQueryLimit:
		// The bucket drains one request per 1/rate: that is the wait.
		c.drain()
		after = max(after, time.Duration(float64(time.Second)/c.rps))
		c.logLimit(method, e, after)
		return crm.RetryableError(e, after)
	case e.Code == codeOperationTime || (resp.StatusCode == http.StatusTooManyRequests && !permanentCodes[e.Code]):
		if at := env.resetAt(); at > 0 {
			after = max(after, c.untilReset(at))
		}
		if after <= 0 {
			after = operationBlock
		}
		after = max(after, time.Second)
		c.logLimit(method, e, after)
		return crm.RetryableError(e, after)
	case permanentCodes[e.Code]:
		return crm.PermanentError(e)
	case retryableCodes[e.Code], httpkit.StatusKind(resp.StatusCode) == httpkit.Retryable:
		return crm.RetryableError(e, after)
	default:
		// 3xx (a redirect: the portal address is wrong) and 4xx: the request
		// itself is at fault; a 200 with an unknown error code too.
		return crm.PermanentError(e)
	}
}

// commandError returns the error of batch command key, classified and
// redacted, or nil when it did not fail.
//
// OPERATION_TIME_LIMIT in a batch blocks the command's method, not the
// batch: the portal says when part of the method's budget comes back in that
// command's result_time.operating_reset_at (the limits page: every answer's
// time block carries it), and the command is retryable after that moment
// rather than at once; without it, after the documented 10-minute block.
func (c *client) commandError(br *batchResult, key, method string) error {
	raw, failed := br.ResultError[key]
	if !failed {
		return nil
	}
	var w wireError
	if jerr := jsonUnmarshal(raw, &w); jerr != nil {
		w = wireError{Error: "?", ErrorDescription: flexString(strings.TrimSpace(string(raw)))}
	}
	e := &APIError{Method: method, Code: string(w.Error), Description: c.hook.redact(string(w.ErrorDescription))}
	switch {
	case e.Code == codeOperationTime:
		after := operationBlock
		var t timingInfo
		if jsonUnmarshal(br.ResultTime[key], &t) == nil && t.OperatingResetAt > 0 {
			after = c.untilReset(float64(t.OperatingResetAt))
		}
		c.logLimit(method, e, after)
		return crm.RetryableError(e, after)
	case retryableCodes[e.Code]:
		return crm.RetryableError(e, 0)
	}
	return crm.PermanentError(e)
}

// untilReset is the wait until operating_reset_at (Unix seconds), one second
// at least.
func (c *client) untilReset(at float64) time.Duration {
	reset := time.Unix(0, int64(at*float64(time.Second)))
	return max(reset.Sub(c.now()), time.Second)
}

func (c *client) logCall(method string, status, commands int, took time.Duration) {
	if c.log == nil {
		return
	}
	ev := c.log.Debug()
	if status >= 400 {
		ev = c.log.Warn()
	}
	ev.Str("method", method).Int("status", status).Int("commands", commands).Dur("took_ms", took).Msg("bitrix24: call")
}

func (c *client) logLimit(method string, e *APIError, after time.Duration) {
	if c.log == nil {
		return
	}
	c.log.Warn().Str("method", method).Str("code", e.Code).Dur("retry_after_ms", after).Msg("bitrix24: rate limited")
}
