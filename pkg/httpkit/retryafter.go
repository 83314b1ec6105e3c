package httpkit

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3):
// delta-seconds (a fraction is tolerated) or an HTTP-date, relative to now.
// It returns 0 when there is none, it is unreadable or in the past, and at
// most limit.
func ParseRetryAfter(v string, now time.Time, limit time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if strings.Trim(v, "0123456789.") == "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 || math.IsNaN(secs) {
			return 0
		}
		if secs >= limit.Seconds() {
			return limit
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), limit)
}

// RetryAfter reads the Retry-After header of an answer (ParseRetryAfter).
func RetryAfter(h http.Header, now time.Time, limit time.Duration) time.Duration {
	return ParseRetryAfter(h.Get("Retry-After"), now, limit)
}
