package crm

import (
	"time"

	"github.com/dayreport/dayreport/pkg/retryafter"
)

// MaxRetryAfter caps the wait a Retry-After may ask for.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header value: delta-seconds (a
// fraction is tolerated) or an HTTP-date, relative to now. It returns 0 when
// there is none, it is unreadable or in the past, and at most MaxRetryAfter.
// Every adapter reads the header with it.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	return retryafter.Parse(v, now, MaxRetryAfter)
}
