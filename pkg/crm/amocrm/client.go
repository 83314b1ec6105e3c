package amocrm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// maxBody bounds what is read of an answer.
const maxBody = 16 << 20

// maxRetryAfter caps a Retry-After taken from an answer.
const maxRetryAfter = 10 * time.Minute

// DefaultCooldown is how long the adapter sends nothing after a 401 or a 403.
const DefaultCooldown = 15 * time.Minute

// apiError is a non-2xx answer. Its texts are scrubbed of the token when it
// is built.
type apiError struct {
	method, path string
	status       int
	title        string
	detail       string
	validation   []validationGroup
	hint         string
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "amocrm: %s %s: %d %s", e.method, e.path, e.status, http.StatusText(e.status))
	switch {
	case e.detail != "":
		b.WriteString(": " + e.detail)
	case e.title != "" && e.title != http.StatusText(e.status):
		b.WriteString(": " + e.title)
	}
	if n := len(e.validation); n > 0 {
		fmt.Fprintf(&b, " (%d elements rejected)", n)
	}
	if e.hint != "" {
		b.WriteString("; " + e.hint)
	}
	return b.String()
}

// The adapter-wide stop after a 401 or a 403.
type stopper struct {
	mu    sync.Mutex
	until time.Time
	err   error
}

func (s *stopper) stopped() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil && time.Now().Before(s.until) {
		return s.err
	}
	return nil
}

func (s *stopper) stop(err error, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err, s.until = err, time.Now().Add(d)
}

// do sends one request to the list's elements endpoint through the pacer and
// decodes a 2xx JSON answer into out (nil: the body is dropped). A 204 leaves
// out alone. It returns the status, or a classified error.
func (a *Adapter) do(ctx context.Context, method string, query url.Values, body, out any) (int, error) {
	return a.request(ctx, a.endpoint, a.path, method, query, body, out)
}

// request is do for any endpoint of the account: endpoint is the full URL
// without a query, path its path (for errors and logs, never the token).
func (a *Adapter) request(ctx context.Context, endpoint, path, method string, query url.Values, body, out any) (int, error) {
	if err := a.stop.stopped(); err != nil {
		return 0, err
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, crm.PermanentError(fmt.Errorf("amocrm: %s %s: encoding the request: %w", method, path, err))
		}
	}
	if err := a.pacer.wait(ctx); err != nil {
		return 0, fmt.Errorf("amocrm: %s %s: not sent: %w", method, path, err)
	}
	if err := a.stop.stopped(); err != nil { // another request was refused meanwhile
		return 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	u := endpoint
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(rctx, method, u, rd)
	if err != nil {
		return 0, crm.PermanentError(fmt.Errorf("amocrm: %s %s: %v", method, path, a.scrub.Redact(err.Error())))
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/hal+json, application/json, application/problem+json")
	req.Header.Set("User-Agent", "dayreport-amocrm")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, a.transportError(ctx, method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	a.log.Debug().Str("method", method).Str("path", path).Int("status", resp.StatusCode).
		Dur("took_ms", time.Since(start)).Msg("amocrm request")
	if err != nil {
		return 0, a.transportError(ctx, method, path, err)
	}
	switch s := resp.StatusCode; {
	case s == http.StatusNoContent:
		return s, nil
	case s >= 200 && s < 300:
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return 0, crm.RetryableError(fmt.Errorf("amocrm: %s %s: %d with a body that is not the expected JSON: %w", method, path, s, err), 0)
			}
		}
		return s, nil
	}
	return resp.StatusCode, a.classify(method, path, resp, data)
}

// transportError classifies a request that got no complete answer
// (httpkit.Redactor.TransportError: the URL, which carries no token but
// says nothing method and path do not, is dropped).
func (a *Adapter) transportError(ctx context.Context, method, path string, err error) error {
	return a.scrub.TransportError(ctx, "amocrm: "+method+" "+path+": ", a.timeout, err)
}

// classify turns a non-2xx answer into a classified error.
func (a *Adapter) classify(method, path string, resp *http.Response, data []byte) error {
	e := &apiError{method: method, path: path, status: resp.StatusCode}
	var p problem
	if json.Unmarshal(data, &p) == nil {
		e.title, e.detail = a.scrub.Redact(p.Title), a.scrub.Redact(p.Detail)
		for _, g := range p.ValidationErrors {
			g.RequestID = flexString(a.scrub.Redact(string(g.RequestID)))
			for i := range g.Errors {
				ve := &g.Errors[i]
				ve.Code, ve.Path, ve.Detail = a.scrub.Redact(ve.Code), a.scrub.Redact(ve.Path), a.scrub.Redact(ve.Detail)
			}
			e.validation = append(e.validation, g)
		}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		after := retryAfter(resp.Header)
		if after <= 0 {
			after = a.per
		}
		a.pacer.holdOff(after)
		a.log.Warn().Str("method", method).Str("path", path).Dur("retry_after_ms", after).
			Msg("amoCRM answered 429 Too Many Requests; pausing every request")
		return crm.RetryableError(e, after)
	case httpkit.StatusKind(s) == httpkit.Retryable:
		return crm.RetryableError(e, retryAfter(resp.Header))
	case s == http.StatusUnauthorized:
		e.hint = "the long-lived token was refused (wrong, expired or revoked): issue a new one in the integration's settings"
		err := crm.PermanentError(e)
		a.stop.stop(err, a.cooldown)
		a.log.Error().Int("status", s).Msg("amoCRM refused the token; sending nothing for a while")
		return err
	case s == http.StatusForbidden:
		e.hint = "access denied: amoCRM blocks an account or IP address that exceeds the request rate repeatedly, " +
			"so the account may be blocked (it also answers 403 when the token's user may not use this list); " +
			"check the account in amoCRM before pushing again"
		err := crm.PermanentError(e)
		a.stop.stop(err, a.cooldown)
		a.log.Error().Int("status", s).Msg("amoCRM answered 403 Forbidden: the account may be blocked; sending nothing for a while")
		return err
	case s >= 300 && s < 400:
		e.hint = "amoCRM redirected the request"
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
			e.hint += " to " + loc.Scheme + "://" + loc.Host
		}
		e.hint += "; check base_url"
	case s == http.StatusPaymentRequired:
		e.hint = "the account's plan does not allow this"
	case s == http.StatusNotFound && path == a.path:
		e.hint = fmt.Sprintf("check catalog_id %d and base_url", a.catalogID)
	case s == http.StatusNotFound:
		e.hint = "check base_url"
	}
	return crm.PermanentError(e)
}

// retryAfter reads a Retry-After header, at most maxRetryAfter.
func retryAfter(h http.Header) time.Duration {
	return httpkit.RetryAfter(h, time.Now(), maxRetryAfter)
}
