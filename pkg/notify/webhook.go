package notify

import (
	"bytes"
	"cmp"
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
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Webhook wire format: one request per message,
//
//	POST <notify.webhook.url>
//	Content-Type: application/json
//	X-Dayreport-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with notify.webhook.secret>
//
//	{"to":{"id":"ivanov","name":"Иван Иванов","telegram":"111222333","email":"ivanov@example.ru"},
//	 "subject":"…","text":"…"}
//
// The signature header is left out when no secret is set. Any 2xx is
// delivered; 429, 408 and 5xx (with Retry-After honoured) and connection
// failures are retryable; anything else, redirects included (they are not
// followed), is permanent.

// SignatureHeader carries the HMAC of a webhook body.
const SignatureHeader = "X-Dayreport-Signature"

// WebhookOptions tune a Webhook; the zero value is usable.
type WebhookOptions struct {
	// HTTPClient sends the requests (nil: a client that does not follow
	// redirects). Its own Timeout, if any, also applies.
	HTTPClient *http.Client
	// Timeout bounds one request (0: DefaultTimeout).
	Timeout time.Duration
}

// Webhook posts every message, with all the recipient's contacts, as JSON
// to a URL: the receiver routes it. It reaches everyone. The URL may carry a
// token and is treated as a secret: no error names it, nor the HMAC secret.
// A Webhook is safe for concurrent use.
type Webhook struct {
	url     string
	secret  []byte
	client  *http.Client
	timeout time.Duration
	scrub   *httpkit.Redactor
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook returns the webhook channel for cfg; the URL is required and
// must be http or https.
func NewWebhook(cfg config.NotifyWebhook, opts WebhookOptions) (*Webhook, error) {
	raw := strings.TrimSpace(cfg.URL.Value())
	if raw == "" {
		return nil, errors.New("webhook: notify.webhook.url is not set")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook: notify.webhook.url must be an http or https URL")
	}
	if opts.Timeout < 0 {
		return nil, errors.New("webhook: negative timeout")
	}
	secrets := []string{raw, u.String(), u.Redacted(), u.RawQuery, u.Query().Encode(), u.Path, cfg.Secret.Value()}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	w := &Webhook{
		url:     raw,
		secret:  []byte(cfg.Secret.Value()),
		client:  opts.HTTPClient,
		timeout: cmp.Or(opts.Timeout, DefaultTimeout),
		scrub:   httpkit.NewRedactor(secrets...),
	}
	if w.client == nil {
		w.client = defaultHTTPClient()
	}
	return w, nil
}

// Name returns "webhook".
func (w *Webhook) Name() string { return "webhook" }

// WebhookRecipient is the "to" member of a webhook body.
type WebhookRecipient struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Telegram string `json:"telegram"`
	Email    string `json:"email"`
}

// WebhookBody is the JSON a webhook receives.
type WebhookBody struct {
	To      WebhookRecipient `json:"to"`
	Subject string           `json:"subject"`
	Text    string           `json:"text"`
}

// Sign returns the X-Dayreport-Signature value of body: "sha256=" and the
// hex HMAC-SHA256 of the body keyed with secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Send posts the message.
func (w *Webhook) Send(ctx context.Context, to Recipient, m Message) error {
	return classified(w.send(ctx, to, m))
}

func (w *Webhook) send(ctx context.Context, to Recipient, m Message) error {
	body, err := json.Marshal(WebhookBody{
		To:      WebhookRecipient(to),
		Subject: m.Subject,
		Text:    m.Text,
	})
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return errors.New("webhook: POST: the request cannot be built from notify.webhook.url")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dayreport")
	if len(w.secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(w.secret, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return w.scrub.TransportError(ctx, "webhook: POST: ", w.timeout, err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	code := resp.StatusCode
	what := fmt.Errorf("webhook: POST: %d %s", code, http.StatusText(code))
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout, code >= 500:
		return RetryableError(what, httpkit.RetryAfter(resp.Header, time.Now(), maxRetryAfter))
	case code >= 300 && code < 400:
		return fmt.Errorf("%w (redirects are not followed; point notify.webhook.url at the final address)", what)
	}
	return what
}
