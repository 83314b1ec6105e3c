package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind classifies an adapter error.
type Kind int

// Kinds of error.
const (
	// Retryable errors may succeed later: rate limits, 5xx, timeouts, refused connections.
	Retryable Kind = iota + 1
	// Permanent errors will fail again until something is fixed (a bad field, a rejected value).
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

// errCanceled is what a caller's cancellation looks like in an error chain.
// It is not retryable: the caller gave up on the call, so trying again inside
// the same call is pointless (the push stays queued for the next pass).
// context.DeadlineExceeded is deliberately not here: a deadline is a timeout,
// and timeouts are retryable.
var errCanceled = context.Canceled

// Error is a classified adapter error. Its message must not carry secrets.
type Error struct {
	Kind Kind
	// RetryAfter is how long the CRM asked to wait (Retry-After, operating_reset_at); 0 if it did not say.
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

// RetryableError wraps err as retryable, with the wait the CRM asked for (0 = none).
func RetryableError(err error, after time.Duration) error {
	return &Error{Kind: Retryable, RetryAfter: after, Err: err}
}

// PermanentError wraps err as permanent.
func PermanentError(err error) error { return &Error{Kind: Permanent, Err: err} }

// IsRetryable reports whether err may succeed on a later attempt. Unclassified
// errors and context deadlines are treated as retryable: losing a record is
// worse than trying it again. A cancelled context is not retryable.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, errCanceled) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind != Permanent
	}
	return true
}

// RetryAfter returns the wait the CRM asked for, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
