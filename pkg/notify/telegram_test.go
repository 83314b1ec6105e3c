package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/notify"
)

const token = "123456:ABC-s3cr3t-token"

// botAPI is a fake Telegram Bot API: it keeps messages per chat, answers
// queued faults, and counts messages to a chat closer than a second apart.
type botAPI struct {
	mu         sync.Mutex
	texts      map[string][]string
	last       map[string]time.Time
	violations int
	faults     []int
}

func newBotAPI(t *testing.T) (*botAPI, *httptest.Server) {
	b := &botAPI{texts: map[string][]string{}, last: map[string]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bot"+token+"/sendMessage" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found"}`))
			return
		}
		var m struct {
			ChatID    string `json:"chat_id"`
			Text      string `json:"text"`
			ParseMode string `json:"parse_mode"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.faults) > 0 {
			code := b.faults[0]
			b.faults = b.faults[1:]
			w.WriteHeader(code)
			switch code {
			case 429:
				_, _ = w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`))
			case 403:
				_, _ = w.Write([]byte(`{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`))
			default:
				_, _ = w.Write([]byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`))
			}
			return
		}
		if at, ok := b.last[m.ChatID]; ok && time.Since(at) < 990*time.Millisecond {
			b.violations++
		}
		b.last[m.ChatID] = time.Now()
		b.texts[m.ChatID] = append(b.texts[m.ChatID], m.ParseMode+"|"+m.Text)
		_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":1}}`))
	}))
	t.Cleanup(srv.Close)
	return b, srv
}

func newTelegram(t *testing.T, base string) *notify.Telegram {
	t.Helper()
	tg, err := notify.NewTelegram(config.Telegram{Token: token, BaseURL: base}, notify.TelegramOptions{})
	require.NoError(t, err)
	return tg
}

func TestTelegramEscapesAndSplits(t *testing.T) {
	t.Parallel()
	b, srv := newBotAPI(t)
	tg := newTelegram(t, srv.URL)
	err := tg.Send(t.Context(), notify.Recipient{ID: "ivanov", Telegram: "42"}, notify.Message{Subject: "Отчёт <за> 26.11", Text: "a <b>bold</b> & =HYPERLINK(\"x\")"})
	require.NoError(t, err)
	require.Equal(t, []string{"HTML|<b>Отчёт &lt;за&gt; 26.11</b>\na &lt;b&gt;bold&lt;/b&gt; &amp; =HYPERLINK(&#34;x&#34;)"}, b.texts["42"])

	long := strings.Repeat("строка отчёта\n", 700) // ~17 000 bytes
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{Telegram: "7"}, notify.Message{Text: long}))
	parts := b.texts["7"]
	require.Len(t, parts, 5)
	for _, p := range parts {
		require.LessOrEqual(t, len(p)-len("HTML|"), 4096)
	}
	require.Zero(t, b.violations, "one message a second per chat")
	require.ErrorIs(t, tg.Send(t.Context(), notify.Recipient{ID: "x"}, notify.Message{}), notify.ErrNoContact)
}

func TestTelegramErrors(t *testing.T) {
	t.Parallel()
	b, srv := newBotAPI(t)
	tg := newTelegram(t, srv.URL)
	to := notify.Recipient{Telegram: "42"}
	b.faults = []int{429, 500, 403}
	err := tg.Send(t.Context(), to, notify.Message{Text: "x"})
	require.True(t, notify.Retryable(err))
	require.Equal(t, 7*time.Second, notify.RetryAfter(err))
	err = tg.Send(t.Context(), to, notify.Message{Text: "x"})
	require.True(t, notify.Retryable(err))
	err = tg.Send(t.Context(), to, notify.Message{Text: "x"})
	require.Error(t, err)
	require.False(t, notify.Retryable(err))
	require.Contains(t, err.Error(), "bot was blocked")

	srv.Close() // connection refused: retryable, and the token is not in the error
	err = tg.Send(t.Context(), to, notify.Message{Text: "x"})
	require.True(t, notify.Retryable(err))
	require.NotContains(t, err.Error(), token)
	require.NotContains(t, err.Error(), "s3cr3t")
}

func TestMulti(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	m, err := notify.FromConfig(config.Notify{Console: true}, &out)
	require.NoError(t, err)
	require.NoError(t, m.Send(t.Context(), notify.Recipient{ID: "ivanov", Name: "Иван"}, notify.Message{Subject: "S", Text: "a\nb"}))
	require.Equal(t, "→ Иван (ivanov): S\n    a\n    b\n", out.String())
	none, err := notify.FromConfig(config.Notify{}, &out)
	require.NoError(t, err)
	require.Nil(t, none)
	fail := notify.Multi{failing{notify.RetryableError(errors.New("down"), 0)}, failing{notify.ErrNoContact}}
	require.True(t, notify.Retryable(fail.Send(t.Context(), notify.Recipient{}, notify.Message{})))
	require.ErrorIs(t, notify.Multi{failing{notify.ErrNoContact}}.Send(t.Context(), notify.Recipient{}, notify.Message{}), notify.ErrNoContact)
}

type failing struct{ err error }

func (f failing) Name() string { return "failing" }
func (f failing) Send(_ context.Context, _ notify.Recipient, _ notify.Message) error {
	return f.err
}
