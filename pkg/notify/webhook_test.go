package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/notify"
)

const (
	hookPath   = "/hooks/T0ken-in-the-path-42"
	hookQuery  = "key=qwerty-SECRET-9"
	hookSecret = "hmac-secret-value"
)

// hookRecorder keeps what a webhook receiver got.
type hookRecorder struct {
	mu     sync.Mutex
	header http.Header
	body   []byte
	calls  int
}

func (h *hookRecorder) last() (http.Header, []byte, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.header, h.body, h.calls
}

func hookServer(t *testing.T, answer func(w http.ResponseWriter)) (*hookRecorder, string) {
	t.Helper()
	rec := &hookRecorder{}
	srv := listen127(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.header, rec.body = r.Header.Clone(), b
		rec.calls++
		rec.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != hookPath || r.URL.RawQuery != hookQuery {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		answer(w)
	}))
	return rec, srv.URL + hookPath + "?" + hookQuery
}

func TestWebhookSignsBody(t *testing.T) {
	t.Parallel()
	rec, url := hookServer(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) })
	w, err := notify.NewWebhook(config.NotifyWebhook{URL: config.Secret(url), Secret: hookSecret}, notify.WebhookOptions{})
	require.NoError(t, err)
	require.Equal(t, "webhook", w.Name())
	require.NoError(t, w.Send(t.Context(), ivanov, notify.Message{Subject: "Отчёт <за> 26.11", Text: "a & b\nc"}))

	header, body, _ := rec.last()
	require.JSONEq(t, `{"to":{"id":"ivanov","name":"Иван Иванов","telegram":"111222333","email":"ivanov@example.ru"},
		"subject":"Отчёт <за> 26.11","text":"a & b\nc"}`, string(body))
	require.Equal(t, "application/json", header.Get("Content-Type"))
	// The signature, computed here independently of notify.Sign.
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write(body)
	require.Equal(t, "sha256="+hex.EncodeToString(mac.Sum(nil)), header.Get(notify.SignatureHeader))
	require.Equal(t, header.Get(notify.SignatureHeader), notify.Sign([]byte(hookSecret), body))

	// No secret, no signature; a recipient without contacts is posted too.
	w, err = notify.NewWebhook(config.NotifyWebhook{URL: config.Secret(url)}, notify.WebhookOptions{})
	require.NoError(t, err)
	require.NoError(t, w.Send(t.Context(), notify.Recipient{ID: "manager", Name: "manager"}, notify.Message{Subject: "S"}))
	header, body, _ = rec.last()
	require.Empty(t, header.Get(notify.SignatureHeader))
	require.JSONEq(t, `{"to":{"id":"manager","name":"manager","telegram":"","email":""},"subject":"S","text":""}`, string(body))
}

func TestWebhookClassifies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status     int
		retryAfter string
		ok         bool
		retryable  bool
		after      time.Duration
		contains   string
	}{
		{status: 200, ok: true},
		{status: 202, ok: true},
		{status: 429, retryAfter: "3", retryable: true, after: 3 * time.Second, contains: "429 Too Many Requests"},
		{status: 503, retryAfter: "1.5", retryable: true, after: 1500 * time.Millisecond},
		{status: 500, retryable: true},
		{status: 408, retryable: true},
		{status: 400, contains: "400 Bad Request"},
		{status: 401},
		{status: 302, contains: "redirects are not followed"},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			_, url := hookServer(t, func(w http.ResponseWriter) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				if tc.status == 302 {
					w.Header().Set("Location", hookPath+"/moved?"+hookQuery)
				}
				w.WriteHeader(tc.status)
			})
			w, err := notify.NewWebhook(config.NotifyWebhook{URL: config.Secret(url), Secret: hookSecret}, notify.WebhookOptions{})
			require.NoError(t, err)
			err = w.Send(t.Context(), ivanov, notify.Message{Subject: "S"})
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tc.retryable, notify.Retryable(err), "%v", err)
			require.Equal(t, tc.after, notify.RetryAfter(err))
			require.Contains(t, err.Error(), tc.contains)
			requireNoURL(t, err)
		})
	}
}

func requireNoURL(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{hookPath, "T0ken-in-the-path", "qwerty-SECRET", hookSecret} {
		require.NotContains(t, err.Error(), s)
	}
}

func TestWebhookURLNeverInErrors(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		srv := listen127(t, http.NotFoundHandler())
		url := srv.URL + hookPath + "?" + hookQuery
		srv.Close()
		w, err := notify.NewWebhook(config.NotifyWebhook{URL: config.Secret(url)}, notify.WebhookOptions{})
		require.NoError(t, err)
		err = w.Send(t.Context(), ivanov, notify.Message{Subject: "S"})
		require.True(t, notify.Retryable(err))
		requireNoURL(t, err)
		require.NotContains(t, err.Error(), srv.URL)
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		_, url := hookServer(t, func(http.ResponseWriter) { time.Sleep(300 * time.Millisecond) })
		w, err := notify.NewWebhook(config.NotifyWebhook{URL: config.Secret(url)}, notify.WebhookOptions{Timeout: 50 * time.Millisecond})
		require.NoError(t, err)
		err = w.Send(t.Context(), ivanov, notify.Message{Subject: "S"})
		require.True(t, notify.Retryable(err))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		requireNoURL(t, err)
	})
	t.Run("bad config", func(t *testing.T) {
		t.Parallel()
		for _, u := range []string{"", "ftp://example.org" + hookPath, "http://" + hookPath[1:] + "%zz", "://" + hookPath} {
			_, err := notify.NewWebhook(config.NotifyWebhook{URL: config.Secret(u)}, notify.WebhookOptions{})
			require.Error(t, err)
			require.NotContains(t, err.Error(), "T0ken-in-the-path")
		}
	})
}
