package httpkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Hidden replaces a secret in text a Redactor cleans.
const Hidden = "[hidden]"

// MinSecret is the shortest secret NewRedactor hides: shorter pieces would
// mangle ordinary text and are not worth hiding on their own.
const MinSecret = 4

// Redactor removes secrets (tokens, webhook URLs and codes, keys) from
// text that may reach an error or a log line. A nil *Redactor changes
// nothing. It is safe for concurrent use.
type Redactor struct {
	r *strings.Replacer
}

// NewRedactor hides every secret, and its URL-escaped forms, behind Hidden.
// Secrets shorter than MinSecret are left alone.
func NewRedactor(secrets ...string) *Redactor {
	var pairs []string
	for _, s := range secrets {
		for _, form := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			if len(form) >= MinSecret {
				pairs = append(pairs, form, Hidden)
			}
		}
	}
	return Replacing(pairs...)
}

// Replacing is a Redactor that replaces each old with its new (pairs: old1,
// new1, old2, new2, …), longest old first, so that a secret containing
// another is hidden whole; for a service that shows what it hides (a webhook
// URL becoming https://portal/rest/…/). Empty olds are dropped.
func Replacing(pairs ...string) *Redactor {
	type pair struct{ old, new string }
	var ps []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] == "" || seen[pairs[i]] {
			continue
		}
		seen[pairs[i]] = true
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return len(b.old) - len(a.old) })
	flat := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		flat = append(flat, p.old, p.new)
	}
	return &Redactor{r: strings.NewReplacer(flat...)}
}

// Redact returns s with every secret replaced.
func (r *Redactor) Redact(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Error returns err with its text redacted and prefixed. It unwraps to err
// only when err's own text was clean, so that errors.Is still finds a
// timeout or a cancellation without a secret leaking through the chain.
// nil stays nil.
func (r *Redactor) Error(prefix string, err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	clean := r.Redact(text)
	inner := err
	if clean != text {
		inner = nil
	}
	return &redacted{msg: prefix + clean, err: inner}
}

// Mask returns err itself when its text is clean, and otherwise an error
// with the redacted text that still unwraps to err, for callers that look
// into the chain with errors.Is/As (a *googleapi.Error, a deadline) and
// never print what they find there.
func (r *Redactor) Mask(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if clean := r.Redact(text); clean != text {
		return &redacted{msg: clean, err: err}
	}
	return err
}

// Errorf is fmt.Errorf with the message redacted; a %w operand stays in
// the chain (its own text must be clean, as Error checks for a single one).
func (r *Redactor) Errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &redacted{msg: r.Redact(err.Error()), err: errors.Unwrap(err)}
}

// Scrub is the last check on an error leaving a client: when its text holds
// a secret after all, it is replaced by a redacted copy of the same
// classification (a cancellation stays one); otherwise err is returned
// as it is.
func (r *Redactor) Scrub(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	clean := r.Redact(text)
	if clean == text {
		return err
	}
	var e *Error
	if errors.As(err, &e) && e.Err != nil {
		return &Error{Kind: e.Kind, RetryAfter: e.RetryAfter, Err: errors.New(r.Redact(e.Err.Error()))}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s [%w]", clean, context.Canceled)
	}
	return errors.New(clean)
}

// redacted is an error whose text was cleaned of secrets.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// TransportError classifies a request that got no complete answer (the
// error of http.Client.Do, or of reading the body), prefix naming the call
// ("hubspot: POST batch/upsert: "):
//
//   - ctx ended: ctx's error wrapped, unclassified, so that a cancellation
//     is not retried and a deadline is (IsRetryable);
//   - a timeout (the attempt's own deadline, a net.Error timeout):
//     retryable, "no answer within <timeout>";
//   - anything else (refused, reset, a dropped connection): retryable, "no
//     answer: " and the failure's text, redacted.
//
// net/http's *url.Error quotes the request URL, which may hold a secret: it
// is dropped, and the chain keeps the cause only.
func (r *Redactor) TransportError(ctx context.Context, prefix string, timeout time.Duration, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%snot sent: %w", prefix, ctxErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return RetryableError(&redacted{msg: fmt.Sprintf("%sno answer within %s", prefix, timeout), err: context.DeadlineExceeded}, 0)
	}
	return RetryableError(r.Error(prefix+"no answer: ", err), 0)
}
