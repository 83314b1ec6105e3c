package httpkit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

const token = "s3cr3t/tok+en=="

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := httpkit.NewRedactor(token, "ab", "")
	for in, want := range map[string]string{
		"Bearer " + token:                   "Bearer [hidden]",
		"path /bot" + url.PathEscape(token): "path /bot[hidden]",
		"q=" + url.QueryEscape(token):       "q=[hidden]",
		"ab stays: too short to hide":       "ab stays: too short to hide",
	} {
		require.Equal(t, want, r.Redact(in), in)
	}
	var none *httpkit.Redactor
	require.Equal(t, token, none.Redact(token))

	// Longest first: a secret containing another is hidden whole.
	pr := httpkit.Replacing("https://p.example/rest/1/code42/", "https://p.example/rest/…/", "code42", "…")
	require.Equal(t, "POST https://p.example/rest/…/crm.item.add: code … refused",
		pr.Redact("POST https://p.example/rest/1/code42/crm.item.add: code code42 refused"))
}

func TestRedactorError(t *testing.T) {
	t.Parallel()
	r := httpkit.NewRedactor(token)
	require.NoError(t, r.Error("x: ", nil))

	clean := fmt.Errorf("dial: %w", context.DeadlineExceeded)
	err := r.Error("x: ", clean)
	require.Equal(t, "x: dial: context deadline exceeded", err.Error())
	require.ErrorIs(t, err, context.DeadlineExceeded, "a clean cause stays in the chain")

	dirty := fmt.Errorf("GET /?key=%s: %w", token, context.DeadlineExceeded)
	err = r.Error("x: ", dirty)
	require.NotContains(t, err.Error(), token)
	require.NoError(t, errors.Unwrap(err), "a cause holding the secret is cut from the chain")

	err = r.Errorf("y: %s: %w", token, context.Canceled)
	require.Equal(t, "y: [hidden]: context canceled", err.Error())
	require.ErrorIs(t, err, context.Canceled)

	// Scrub keeps the classification and drops the secret.
	s := r.Scrub(httpkit.RetryableError(errors.New("with "+token), time.Second))
	require.NotContains(t, s.Error(), token)
	require.True(t, httpkit.IsRetryable(s))
	require.Equal(t, time.Second, httpkit.RetryAfterOf(s))
	s = r.Scrub(httpkit.PermanentError(errors.New("with " + token)))
	require.False(t, httpkit.IsRetryable(s))
	s = r.Scrub(fmt.Errorf("with %s: %w", token, context.Canceled))
	require.NotContains(t, s.Error(), token)
	require.ErrorIs(t, s, context.Canceled)
	plain := errors.New("clean")
	require.Same(t, plain, r.Scrub(plain))
	require.Same(t, plain, r.Mask(plain))
	m := r.Mask(dirty)
	require.NotContains(t, m.Error(), token)
	require.ErrorIs(t, m, context.DeadlineExceeded, "Mask keeps the chain for errors.Is")
	require.NoError(t, r.Mask(nil))
	require.NoError(t, r.Scrub(nil))
}

// TestTransportError: every way of getting no answer, classified, with the
// URL (and its token) gone.
func TestTransportError(t *testing.T) {
	t.Parallel()
	r := httpkit.NewRedactor(token)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { <-req.Context().Done() }))
	defer hang.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	do := func(ctx context.Context, u string, timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/x?token="+url.QueryEscape(token), nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		require.Error(t, err)
		return err
	}

	err := r.TransportError(t.Context(), "svc: GET: ", time.Second, do(t.Context(), closedURL, time.Second))
	require.True(t, httpkit.IsRetryable(err), "%v", err)
	require.NotContains(t, err.Error(), token)
	require.NotContains(t, err.Error(), closedURL, "the URL is dropped")
	require.True(t, strings.HasPrefix(err.Error(), "svc: GET: "), err.Error())
	var ne *net.OpError
	require.ErrorAs(t, err, &ne, "the cause stays in the chain")

	err = r.TransportError(t.Context(), "svc: GET: ", 50*time.Millisecond, do(t.Context(), hang.URL, 50*time.Millisecond))
	require.True(t, httpkit.IsRetryable(err))
	require.Contains(t, err.Error(), "svc: GET: no answer within 50ms")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = r.TransportError(ctx, "svc: GET: ", time.Second, errors.New("Get "+token+": context canceled"))
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, httpkit.IsRetryable(err), "a cancellation is not retried")
	require.NotContains(t, err.Error(), token)
}
