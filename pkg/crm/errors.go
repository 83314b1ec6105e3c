package crm

import (
	"time"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// The classification of adapter errors is httpkit's, shared with notify and
// the Google transport: one Error type and one default for errors nobody
// classified (retryable; a cancelled context never). The names below keep
// the adapters' calls reading as CRM calls.

// Kind classifies an adapter error.
type Kind = httpkit.Kind

// Kinds of error.
const (
	// Retryable errors may succeed later: rate limits, 5xx, timeouts, refused connections.
	Retryable = httpkit.Retryable
	// Permanent errors will fail again until something is fixed (a bad field, a rejected value).
	Permanent = httpkit.Permanent
)

// Error is a classified adapter error. Its message must not carry secrets.
// RetryAfter is how long the CRM asked to wait (Retry-After,
// operating_reset_at); 0 if it did not say.
type Error = httpkit.Error

// RetryableError wraps err as retryable, with the wait the CRM asked for (0 = none).
func RetryableError(err error, after time.Duration) error {
	return httpkit.RetryableError(err, after)
}

// PermanentError wraps err as permanent.
func PermanentError(err error) error { return httpkit.PermanentError(err) }

// IsRetryable reports whether err may succeed on a later attempt.
// Unclassified errors and context deadlines are retryable: losing a record
// is worse than trying it again. A cancelled context is not: the caller
// gave up on the call, so trying again inside it is pointless (the push
// stays queued for the next pass). See httpkit.IsRetryable.
func IsRetryable(err error) bool { return httpkit.IsRetryable(err) }

// RetryAfter returns the wait the CRM asked for, or 0.
func RetryAfter(err error) time.Duration { return httpkit.RetryAfterOf(err) }
