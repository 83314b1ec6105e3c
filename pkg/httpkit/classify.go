package httpkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies a failure.
type Kind int

// Kinds of failure.
const (
	// Retryable failures may pass later: rate limits, 5xx, timeouts,
	// refused or dropped connections.
	Retryable Kind = iota + 1
	// Permanent failures repeat until something is fixed: a refused token,
	// a rejected value, a wrong address.
	Permanent
)

func (k Kind) String() string {
	switch k {
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	}
	return "unclassified"
}

// Error is a classified failure. Its message must not carry secrets.
type Error struct {
	Kind Kind
	// RetryAfter is how long the service asked to wait (Retry-After, a
	// reset time in the body); 0 if it did not say.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%v (%s, retry after %s)", e.Err, e.Kind, e.RetryAfter)
	}
	return fmt.Sprintf("%v (%s)", e.Err, e.Kind)
}

func (e *Error) Unwrap() error { return e.Err }

// RetryableError classifies err as retryable, after the wait the service asked for
// (0: none).
func RetryableError(err error, after time.Duration) error {
	return &Error{Kind: Retryable, RetryAfter: after, Err: err}
}

// PermanentError classifies err as permanent.
func PermanentError(err error) error { return &Error{Kind: Permanent, Err: err} }

// IsRetryable reports whether err may pass on a later attempt: nil and a
// cancelled context never, a classified error as classified, and any other
// error yes — the one default of the project (see the package doc).
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind != Permanent
	}
	return true
}

// RetryAfterOf returns the wait a classified error asks for, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Message is err's text without the classification suffix Error adds, for
// building another error from it.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}

// StatusKind classifies an HTTP status: 0 for 1xx and 2xx; Retryable for
// 408 Request Timeout, 425 Too Early, 429 Too Many Requests and the 5xx
// statuses that say the server may do better later (all but 501 Not
// Implemented and 505 HTTP Version Not Supported); Permanent for the rest,
// 3xx included (clients here follow no redirect: a body or a token is meant
// for the configured address only). Services with statuses of their own
// (HubSpot's 423, 477) check those first.
func StatusKind(code int) Kind {
	switch {
	case code < 300:
		return 0
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests:
		return Retryable
	case code == http.StatusNotImplemented, code == http.StatusHTTPVersionNotSupported:
		return Permanent
	case code >= 500:
		return Retryable
	}
	return Permanent
}

// StatusError returns nil for a status StatusKind gives no kind, and
// otherwise err classified by it, with after as the wait when retryable.
func StatusError(code int, err error, after time.Duration) error {
	switch StatusKind(code) {
	case Retryable:
		return RetryableError(err, after)
	case Permanent:
		return PermanentError(err)
	}
	return nil
}
