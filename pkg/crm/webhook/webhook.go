// Package webhook is the CRM adapter that POSTs every record, as JSON, to a
// URL of the user's choosing (SPEC §6), for a CRM or a script that dayreport
// has no adapter for.
//
// # Wire format
//
// One request per record:
//
//	POST <crm.webhook.url>
//	Content-Type: application/json
//	Idempotency-Key: dayreport:<employee id>:<YYYY-MM-DD>
//	X-Dayreport-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with crm.webhook.secret>
//
//	{"key":"dayreport:ivanov:2026-11-26","employee":"ivanov","date":"2026-11-26","status":"submitted","metrics":{…},…}
//
// The body is crm.Record's JSON encoding. The signature header is left out
// when no secret is configured. The Idempotency-Key names the object, not the
// attempt: a changed report is posted again under the same key, so a
// receiver must upsert by it (keep the latest body per key) rather than drop
// repeats. The request is never replayed by the HTTP transport itself;
// retrying belongs to crm.Retrier.
//
// # Answers
//
//   - 2xx: written. The object id is the "id" member of a JSON answer when
//     there is one (a string or a number), the record key otherwise.
//   - 429, 408, 5xx, connection failures and timeouts: retryable. A
//     Retry-After header (delta-seconds or an HTTP-date, RFC 9110 §10.2.3) is
//     reported as crm.RetryAfter.
//   - Any other status (other 4xx, 3xx: redirects are not followed, since the
//     body and signature are meant for the configured URL only): permanent.
//
// After a failure that concerns the endpoint rather than the record (no
// connection, a timeout, 429, 502, 503, 504) the rest of the call's records
// are not sent and fail with the same retryable error, so an outage costs one
// timeout per call rather than one per record.
//
// # Limits
//
// None are imposed by the protocol; the receiver signals overload with 429
// and Retry-After. The webhook URL may carry a token and is treated as a
// secret: no error or log line names it, nor the HMAC secret.
//
// Sources: SPEC.md §6 (the header names and retry rules; there is no third
// party API to look up); RFC 9110 §10.2.3 (Retry-After); RFC 2104 (HMAC);
// net/http's Request.isReplayable, which replays requests carrying an
// Idempotency-Key on a fresh connection unless GetBody is nil (checked by
// TestNoTransportReplay).
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Name is the adapter's config name.
const Name = "webhook"

// MaxBatch is how many records one Upsert call carries at most. Each record
// is its own POST; the batch only bounds how much one call may try while the
// endpoint is failing.
const MaxBatch = 10

// DefaultTimeout bounds one POST when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Header names.
const (
	SignatureHeader   = "X-Dayreport-Signature"
	IdempotencyHeader = "Idempotency-Key"
)

// maxAnswer is how much of an answer body is read.
const maxAnswer = 1 << 20

// Options tune the adapter; the zero value is usable.
type Options struct {
	// HTTPClient sends the requests (nil: a client that does not follow
	// redirects). Its own Timeout, if any, also applies.
	HTTPClient *http.Client
	// Timeout bounds one POST, answer included (0: DefaultTimeout).
	Timeout time.Duration
}

// Adapter posts records to a webhook.
type Adapter struct {
	url     string
	secret  []byte
	client  *http.Client
	timeout time.Duration
	scrub   *httpkit.Redactor
}

var _ crm.Adapter = (*Adapter)(nil)

// New returns the adapter for cfg. The URL is required and must be http or
// https; errors never repeat it.
func New(cfg config.WebhookCRM, opts Options) (*Adapter, error) {
	raw := strings.TrimSpace(cfg.URL.Value())
	if raw == "" {
		return nil, errors.New("webhook: crm.webhook.url is not set")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("webhook: crm.webhook.url is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("webhook: crm.webhook.url must be an http or https URL")
	}
	if u.Host == "" {
		return nil, errors.New("webhook: crm.webhook.url has no host")
	}
	if opts.Timeout < 0 {
		return nil, errors.New("webhook: negative timeout")
	}
	a := &Adapter{
		url:     raw,
		secret:  []byte(cfg.Secret.Value()),
		client:  opts.HTTPClient,
		timeout: opts.Timeout,
		scrub:   newScrubber(u, raw, cfg.Secret.Value()),
	}
	if a.timeout == 0 {
		a.timeout = DefaultTimeout
	}
	if a.client == nil {
		a.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return a, nil
}

// newScrubber hides the secret parts of the configuration in text that may
// reach an error: the URL in its written and parsed forms, its query and
// password, and the HMAC secret.
func newScrubber(u *url.URL, raw, secret string) *httpkit.Redactor {
	secrets := []string{raw, u.String(), u.Redacted(), u.RawQuery, u.Query().Encode(), secret}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	return httpkit.NewRedactor(secrets...)
}

// Name returns "webhook".
func (a *Adapter) Name() string { return Name }

// MaxBatch returns MaxBatch.
func (a *Adapter) MaxBatch() int { return MaxBatch }

// Upsert posts each record in order. The receiver upserts by key, so a
// missing or stale Push.ObjectID needs no lookup: the key finds the object,
// and after an ambiguous failure (a timeout, a 5xx after the receiver stored
// the record) posting again updates rather than duplicates.
func (a *Adapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	results := make([]crm.Result, len(pushes))
	var down error // set once the endpoint itself is failing
	for i, p := range pushes {
		if err := ctx.Err(); err != nil {
			results[i].Err = fmt.Errorf("webhook: %s: not sent: %w", p.Record.Key, err)
			continue
		}
		if down != nil {
			results[i].Err = crm.RetryableError(fmt.Errorf("webhook: %s: not sent after an earlier failure of this call: %s",
				p.Record.Key, httpkit.Message(down)), crm.RetryAfter(down))
			continue
		}
		id, endpointDown, err := a.post(ctx, p.Record)
		results[i] = crm.Result{ObjectID: id, Err: err}
		if endpointDown {
			down = err
		}
	}
	return results
}

// post sends one record. endpointDown reports a failure that will hit the
// next record too.
func (a *Adapter) post(ctx context.Context, rec crm.Record) (id string, endpointDown bool, err error) {
	if rec.Key == "" {
		return "", false, crm.PermanentError(errors.New("webhook: record has no key"))
	}
	body, err := json.Marshal(rec)
	if err != nil { // a NaN or an infinity among the metrics
		return "", false, crm.PermanentError(fmt.Errorf("webhook: %s: the record does not encode as JSON: %w", rec.Key, err))
	}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		return "", false, crm.PermanentError(errors.New("webhook: POST: the request cannot be built from crm.webhook.url"))
	}
	// Without GetBody the transport never replays the request on a fresh
	// connection by itself (it would, for a request with an Idempotency-Key):
	// retrying is crm.Retrier's job alone.
	req.GetBody = nil
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dayreport")
	req.Header.Set(IdempotencyHeader, rec.Key)
	if len(a.secret) > 0 {
		req.Header.Set(SignatureHeader, sign(a.secret, body))
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return "", true, a.scrub.TransportError(ctx, "webhook: POST: ", a.timeout, err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err := classify(resp.StatusCode, resp.Status, resp.Header, time.Now()); err != nil {
		return "", endpointFailure(resp.StatusCode), err
	}
	if readErr != nil {
		if ctx.Err() != nil {
			return "", false, fmt.Errorf("webhook: POST: %s, answer cut short: %w", resp.Status, ctx.Err())
		}
		// Written, but the id may be in the part we lost: posting again is harmless.
		return "", false, crm.RetryableError(fmt.Errorf("webhook: POST: %s, answer unreadable: %s", resp.Status, a.scrub.Redact(readErr.Error())), 0)
	}
	return objectID(answer, rec.Key), false, nil
}

// sign returns the X-Dayreport-Signature value of body.
func sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// objectID returns the "id" of a JSON answer, or key.
func objectID(answer []byte, key string) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if len(bytes.TrimSpace(answer)) == 0 || json.Unmarshal(answer, &v) != nil || len(v.ID) == 0 {
		return key
	}
	var s string
	if json.Unmarshal(v.ID, &s) == nil {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
		return key
	}
	var n json.Number
	if json.Unmarshal(v.ID, &n) == nil {
		return n.String()
	}
	return key
}

// classify returns nil for a 2xx status and the classified error otherwise
// (httpkit.StatusKind: 408, 429 and 5xx retryable with their Retry-After).
func classify(code int, status string, h http.Header, now time.Time) error {
	if status == "" {
		status = strconv.Itoa(code) + " " + http.StatusText(code)
	}
	what := fmt.Errorf("webhook: POST: %s", status)
	if code >= 300 && code < 400 {
		what = fmt.Errorf("%w (redirects are not followed; point crm.webhook.url at the final address)", what)
	}
	return httpkit.StatusError(code, what, httpkit.RetryAfter(h, now, crm.MaxRetryAfter))
}

// endpointFailure reports statuses that say the endpoint, not the record, is failing.
func endpointFailure(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
