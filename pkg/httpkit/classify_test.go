package httpkit_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

func TestStatusKind(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]httpkit.Kind{
		200: 0, 201: 0, 204: 0, 207: 0,
		301: httpkit.Permanent, 302: httpkit.Permanent, 400: httpkit.Permanent, 401: httpkit.Permanent,
		403: httpkit.Permanent, 404: httpkit.Permanent, 409: httpkit.Permanent, 422: httpkit.Permanent,
		408: httpkit.Retryable, 425: httpkit.Retryable, 429: httpkit.Retryable,
		500: httpkit.Retryable, 502: httpkit.Retryable, 503: httpkit.Retryable, 504: httpkit.Retryable, 599: httpkit.Retryable,
		501: httpkit.Permanent, 505: httpkit.Permanent,
	} {
		require.Equal(t, want, httpkit.StatusKind(code), "%d", code)
	}
	require.NoError(t, httpkit.StatusError(http.StatusOK, errors.New("x"), 0))
	err := httpkit.StatusError(http.StatusServiceUnavailable, errors.New("x"), time.Second)
	require.True(t, httpkit.IsRetryable(err))
	require.Equal(t, time.Second, httpkit.RetryAfterOf(err))
	require.False(t, httpkit.IsRetryable(httpkit.StatusError(http.StatusBadRequest, errors.New("x"), time.Second)))
}

// TestIsRetryable: one default for every client: unclassified errors are
// retryable, a cancellation never is, a classification wins otherwise.
func TestIsRetryable(t *testing.T) {
	t.Parallel()
	plain := errors.New("something nobody foresaw")
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"nil":                      {nil, false},
		"unclassified":             {plain, true},
		"unclassified wrapped":     {fmt.Errorf("x: %w", plain), true},
		"deadline":                 {fmt.Errorf("x: %w", context.DeadlineExceeded), true},
		"canceled":                 {fmt.Errorf("x: %w", context.Canceled), false},
		"canceled classified":      {httpkit.RetryableError(context.Canceled, 0), false},
		"retryable":                {httpkit.RetryableError(plain, 0), true},
		"permanent":                {httpkit.PermanentError(plain), false},
		"permanent wrapped":        {fmt.Errorf("y: %w", httpkit.PermanentError(plain)), false},
		"retryable under wrapping": {fmt.Errorf("y: %w", httpkit.RetryableError(plain, time.Minute)), true},
	} {
		require.Equal(t, tc.want, httpkit.IsRetryable(tc.err), name)
	}
	err := fmt.Errorf("y: %w", httpkit.RetryableError(plain, time.Minute))
	require.Equal(t, time.Minute, httpkit.RetryAfterOf(err))
	require.Zero(t, httpkit.RetryAfterOf(plain))
	require.Equal(t, plain.Error(), httpkit.Message(httpkit.RetryableError(plain, time.Minute)))
	require.Equal(t, "something nobody foresaw (retryable, retry after 1m0s)", httpkit.RetryableError(plain, time.Minute).Error())
	require.Equal(t, "permanent", httpkit.Permanent.String())
	require.Equal(t, "unclassified", httpkit.Kind(0).String())
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	b := httpkit.Backoff{Base: time.Second, Max: 10 * time.Second, Rand: func() float64 { return 0.5 }}
	want := []time.Duration{1500 * time.Millisecond, 2500 * time.Millisecond, 4500 * time.Millisecond, 8500 * time.Millisecond, 10 * time.Second, 10 * time.Second}
	for n, w := range want {
		require.Equal(t, w, b.Delay(n), "retry %d", n)
	}
	require.Equal(t, 10*time.Second, b.Delay(200), "no overflow")
	for _, j := range []float64{-1, 2} {
		jb := httpkit.Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return j }}
		require.GreaterOrEqual(t, jb.Delay(0), time.Second)
		require.Less(t, jb.Delay(0), 2*time.Second, "jitter is below one Base")
	}
	d := httpkit.Backoff{Base: time.Second, Max: time.Minute}.Delay(0)
	require.GreaterOrEqual(t, d, time.Second)
	require.Less(t, d, 2*time.Second)
}

func TestSleep(t *testing.T) {
	t.Parallel()
	require.NoError(t, httpkit.Sleep(t.Context(), 0))
	require.NoError(t, httpkit.Sleep(t.Context(), time.Nanosecond))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, httpkit.Sleep(ctx, time.Hour), context.Canceled)
	require.ErrorIs(t, httpkit.Sleep(ctx, 0), context.Canceled)
}
