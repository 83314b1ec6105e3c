package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/retryafter"
)

// DefaultTimeout bounds one request (an HTTP call, an SMTP delivery) when
// the options leave it zero.
const DefaultTimeout = 30 * time.Second

// maxAnswer is how much of an HTTP answer body is read.
const maxAnswer = 1 << 20

// maxRetryAfter caps the wait a service may ask for.
const maxRetryAfter = 24 * time.Hour

// hidden replaces a secret in error text.
const hidden = "[hidden]"

// defaultHTTPClient does not follow redirects: the body (and the token in
// Telegram's path) is meant for the configured address only.
func defaultHTTPClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// scrubber replaces every given secret, and its URL-escaped forms, with
// "[hidden]". Pieces shorter than 6 characters are left alone (they would
// mangle ordinary text and are not worth hiding on their own).
func scrubber(secrets ...string) *strings.Replacer {
	seen := map[string]bool{}
	var pairs []string
	add := func(s string) {
		if len(s) < 6 || seen[s] {
			return
		}
		seen[s] = true
		pairs = append(pairs, s, hidden)
	}
	for _, s := range secrets {
		add(s)
		add(url.PathEscape(s))
		add(url.QueryEscape(s))
	}
	// Longest first, so that a secret containing another is hidden whole.
	for i := 2; i < len(pairs); i += 2 {
		for j := i; j >= 2 && len(pairs[j]) > len(pairs[j-2]); j -= 2 {
			pairs[j], pairs[j-2] = pairs[j-2], pairs[j]
		}
	}
	return strings.NewReplacer(pairs...)
}

// redactedError is an error whose text was scrubbed of secrets. It unwraps
// to the original only when the original's own text is clean, so that
// errors.Is still sees context.DeadlineExceeded and the like without a
// secret leaking through the chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err's text scrubbed, prefixed, as an error.
func redact(prefix string, err error, scrub *strings.Replacer) error {
	text := err.Error()
	clean := scrub.Replace(text)
	inner := err
	if clean != text {
		inner = nil
	}
	return &redactedError{msg: prefix + clean, err: inner}
}

// transportFailure classifies a failure to get an HTTP answer: all of them
// (the caller's cancellation, a refused connection, a reset, a timeout) may
// pass, so the error is retryable. net/http's *url.Error quotes the URL,
// which may hold a token: it is dropped, and the rest scrubbed.
func transportFailure(ctx context.Context, prefix string, timeout time.Duration, err error, scrub *strings.Replacer) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Shutting down: the message was not sent, and the next run may send it.
		return RetryableError(fmt.Errorf("%snot sent: %w", prefix, ctxErr), 0)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return RetryableError(&redactedError{msg: fmt.Sprintf("%sno answer within %s", prefix, timeout), err: context.DeadlineExceeded}, 0)
	}
	return RetryableError(redact(prefix, err, scrub), 0)
}

// parseRetryAfter reads a Retry-After header: delta-seconds or an HTTP-date
// (RFC 9110 §10.2.3). It returns 0 when there is none or it is unreadable
// or past, and at most maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	return retryafter.Parse(v, now, maxRetryAfter)
}

// shorten cuts s to at most n bytes (on a rune boundary), marking the cut.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
