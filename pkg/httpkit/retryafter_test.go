package httpkit_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"  ":                            0,
		"0":                             0,
		"7":                             7 * time.Second,
		" 1.5 ":                         1500 * time.Millisecond,
		"-3":                            0,
		"1e3":                           0, // not delta-seconds, not a date
		"soon":                          0,
		"1.2.3":                         0,
		"999999999":                     time.Hour, // capped
		"Fri, 27 Nov 2026 10:00:30 GMT": 30 * time.Second,
		"Fri, 27 Nov 2026 09:00:00 GMT": 0, // past
		"Sat, 28 Nov 2026 10:00:00 GMT": time.Hour,
	} {
		require.Equal(t, want, httpkit.ParseRetryAfter(v, now, time.Hour), "%q", v)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	h := http.Header{}
	require.Zero(t, httpkit.RetryAfter(h, now, time.Hour))
	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	require.Equal(t, 90*time.Second, httpkit.RetryAfter(h, now, time.Hour))
}
