package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/notify/telegramfake"
)

const (
	tgToken  = "123456789:AAFs3cr3t-b0t-T0ken_xyz"
	tgSecret = "AAFs3cr3t-b0t-T0ken_xyz" // the half that makes it a credential
)

// fast are the limits, scaled down, for tests that are not about timing.
var fast = notify.TelegramOptions{PerChat: 20 * time.Millisecond, PerSecond: 1000}

func newFake(t *testing.T, opts telegramfake.Options) *telegramfake.Server {
	t.Helper()
	opts.Token = tgToken
	return telegramfake.New(t, opts)
}

func newTelegram(t *testing.T, base string, opts notify.TelegramOptions) *notify.Telegram {
	t.Helper()
	tg, err := notify.NewTelegram(config.Telegram{Token: tgToken, BaseURL: base}, opts)
	require.NoError(t, err)
	return tg
}

// listen127 starts an httptest server on 127.0.0.1 only.
func listen127(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestTelegramWireFormat(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var path, contentType, body string
	srv := listen127(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		path, contentType, body = r.URL.Path, r.Header.Get("Content-Type"), string(b)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	}))
	tg := newTelegram(t, srv.URL+"/", fast)
	require.Equal(t, "telegram", tg.Name())
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{ID: "ivanov", Telegram: "111222333"},
		notify.Message{Subject: "Отчёт за 26.11", Text: "Новые звонки: 12"}))
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "/bot"+tgToken+"/sendMessage", path)
	require.Equal(t, "application/json", contentType)
	require.JSONEq(t, `{"chat_id":"111222333","text":"<b>Отчёт за 26.11</b>\nНовые звонки: 12","parse_mode":"HTML","link_preview_options":{"is_disabled":true}}`, body)
}

func TestTelegramEscapes(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
	tg := newTelegram(t, fake.URL, fast)
	msg := notify.Message{
		Subject: "Отчёт <за> 26.11 & итог",
		Text:    "a <b>bold</b> & &amp; =HYPERLINK(\"x\")\n<script>alert(1)</script>\n\n",
	}
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{ID: "ivanov", Telegram: "42"}, msg))
	got := fake.Messages("42")
	require.Len(t, got, 1)
	require.Equal(t, "<b>Отчёт &lt;за&gt; 26.11 &amp; итог</b>\n"+
		"a &lt;b&gt;bold&lt;/b&gt; &amp; &amp;amp; =HYPERLINK(\"x\")\n"+
		"&lt;script&gt;alert(1)&lt;/script&gt;", got[0].Text)
	require.Equal(t, "Отчёт <за> 26.11 & итог\na <b>bold</b> & &amp; =HYPERLINK(\"x\")\n<script>alert(1)</script>", got[0].Plain,
		"the person reads exactly the text given")
	require.Equal(t, "HTML", got[0].ParseMode)
	require.True(t, got[0].LinkPreviewDisabled, "link_preview_options.is_disabled")

	// No subject: the text alone.
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{Telegram: "43"}, notify.Message{Text: "x > y"}))
	require.Equal(t, "x &gt; y", fake.Messages("43")[0].Text)
	require.Zero(t, fake.Violations())
}

func TestTelegramSplitsLongMessages(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
	tg := newTelegram(t, fake.URL, fast)
	// 100 lines of 99 characters and a newline: 10 000 characters, with
	// markup-looking text to escape (the limit counts the text as read,
	// not the escaped form).
	var lines []string
	for i := range 100 {
		head := fmt.Sprintf("%03d <b>&</b> строка ", i)
		lines = append(lines, head+strings.Repeat("ж", 99-len([]rune(head))))
	}
	text := strings.Join(lines, "\n") + "\n"
	require.Len(t, []rune(text), 10_000)
	subject := "Длинный отчёт"
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{Telegram: "7"}, notify.Message{Subject: subject, Text: text}))

	got := fake.Messages("7")
	require.Len(t, got, 3)
	plains := make([]string, len(got))
	for i, m := range got {
		require.LessOrEqual(t, len(utf16.Encode([]rune(m.Plain))), notify.TelegramMaxText)
		plains[i] = m.Plain
	}
	// Cut on line boundaries only: the parts, joined by newlines, are the
	// message.
	require.Equal(t, subject+"\n"+strings.TrimSuffix(text, "\n"), strings.Join(plains, "\n"))
	require.True(t, strings.HasPrefix(got[0].Text, "<b>Длинный отчёт</b>\n000 &lt;b&gt;&amp;&lt;/b&gt; строка "))
	require.True(t, strings.HasPrefix(got[1].Plain, "040 <b>&</b>"), "40 lines and the subject fill the first part")
	require.Zero(t, fake.Violations())
}

// TestTelegramPerChatLimitRealRate sends 5 messages to one chat at once,
// with the Bot API's real limits on both sides: one a second, so at least
// 4 s, and the fake saw no violation.
func TestTelegramPerChatLimitRealRate(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{})
	tg := newTelegram(t, fake.URL, notify.TelegramOptions{})
	start := time.Now()
	requireAll(t, 5, func(i int) error {
		return tg.Send(t.Context(), notify.Recipient{Telegram: "100"}, notify.Message{Text: fmt.Sprint("message ", i)})
	})
	require.GreaterOrEqual(t, time.Since(start), 4*time.Second)
	require.Len(t, fake.Messages("100"), 5)
	require.Zero(t, fake.Violations())
}

// TestTelegramOverallLimitRealRate sends 40 messages to 40 chats at once:
// at most 30 within any second, so at least a second, no violation.
func TestTelegramOverallLimitRealRate(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{})
	tg := newTelegram(t, fake.URL, notify.TelegramOptions{})
	start := time.Now()
	requireAll(t, 40, func(i int) error {
		return tg.Send(t.Context(), notify.Recipient{Telegram: fmt.Sprint(1000 + i)}, notify.Message{Text: "hi"})
	})
	require.GreaterOrEqual(t, time.Since(start), time.Second)
	require.Len(t, fake.All(), 40)
	require.Zero(t, fake.Violations())
}

// TestTelegramScaledLimits runs many messages to a few chats at scaled
// limits: the client keeps to whatever limits it is given.
func TestTelegramScaledLimits(t *testing.T) {
	t.Parallel()
	opts := notify.TelegramOptions{PerChat: 50 * time.Millisecond, PerSecond: 8}
	fake := newFake(t, telegramfake.Options{PerChat: opts.PerChat, PerSecond: opts.PerSecond})
	tg := newTelegram(t, fake.URL, opts)
	start := time.Now()
	requireAll(t, 20, func(i int) error {
		return tg.Send(t.Context(), notify.Recipient{Telegram: fmt.Sprint(i % 4)}, notify.Message{Text: "hi"})
	})
	require.GreaterOrEqual(t, time.Since(start), 2*time.Second, "20 messages at 8 a second")
	require.Len(t, fake.All(), 20)
	require.Zero(t, fake.Violations())
}

// TestTelegramPartsDoNotInterleave sends two long messages to one chat at
// once: each arrives whole, its parts one after the other.
func TestTelegramPartsDoNotInterleave(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
	tg := newTelegram(t, fake.URL, fast)
	requireAll(t, 2, func(i int) error {
		text := strings.Repeat("AB"[i:i+1]+strings.Repeat(".", 99)+"\n", 60) // two parts
		return tg.Send(t.Context(), notify.Recipient{Telegram: "5"}, notify.Message{Text: text})
	})
	got := fake.Messages("5")
	require.Len(t, got, 4)
	require.Equal(t, got[0].Plain[:1], got[1].Plain[:1])
	require.Equal(t, got[2].Plain[:1], got[3].Plain[:1])
	require.NotEqual(t, got[0].Plain[:1], got[2].Plain[:1])
	require.Zero(t, fake.Violations())
}

func TestTelegramErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     telegramfake.Fault
		retryable bool
		after     time.Duration
		contains  string
	}{
		{name: "flood", fault: telegramfake.FloodWait(7), retryable: true, after: 7 * time.Second, contains: "retry after 7"},
		{name: "500", fault: telegramfake.InternalError, retryable: true, contains: "Internal Server Error"},
		{name: "502", fault: telegramfake.BadGateway, retryable: true, contains: "Bad Gateway"},
		{name: "blocked", fault: telegramfake.Blocked, contains: "bot was blocked by the user"},
		{name: "chat not found", fault: telegramfake.ChatNotFound, contains: "started a conversation with the bot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
			tg := newTelegram(t, fake.URL, fast)
			fake.Inject(tc.fault, 1)
			err := tg.Send(t.Context(), notify.Recipient{Telegram: "42"}, notify.Message{Text: "x"})
			require.Error(t, err)
			require.Equal(t, tc.retryable, notify.Retryable(err), "%v", err)
			require.Equal(t, tc.after, notify.RetryAfter(err))
			require.Contains(t, err.Error(), tc.contains)
			require.Contains(t, err.Error(), "chat 42")
			require.NotContains(t, err.Error(), tgSecret)
		})
	}
}

// TestTelegramWaitsAfterFlood: after a 429 the client leaves the chat alone
// for retry_after, so that the next message is not another violation.
func TestTelegramWaitsAfterFlood(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
	tg := newTelegram(t, fake.URL, fast)
	fake.Inject(telegramfake.FloodWait(1), 1)
	to := notify.Recipient{Telegram: "9"}
	err := tg.Send(t.Context(), to, notify.Message{Text: "x"})
	require.True(t, notify.Retryable(err))
	start := time.Now()
	require.NoError(t, tg.Send(t.Context(), to, notify.Message{Text: "x"}))
	require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
	require.Len(t, fake.Messages("9"), 1)

	// A send cancelled while it waits may be tried again.
	fake.Inject(telegramfake.FloodWait(30), 1)
	require.Error(t, tg.Send(t.Context(), to, notify.Message{Text: "x"}))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err = tg.Send(ctx, to, notify.Message{Text: "x"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.True(t, notify.Retryable(err))
	require.Zero(t, fake.Violations())
}

func TestTelegramNoContactAndEmpty(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{})
	tg := newTelegram(t, fake.URL, fast)
	err := tg.Send(t.Context(), notify.Recipient{ID: "ivanov", Email: "a@b.c"}, notify.Message{Text: "x"})
	require.ErrorIs(t, err, notify.ErrNoContact)
	err = tg.Send(t.Context(), notify.Recipient{Telegram: "1"}, notify.Message{Text: " \n "})
	require.Error(t, err)
	require.False(t, notify.Retryable(err))
	require.Zero(t, fake.Requests())
}

// TestTelegramTokenNeverInErrors drives every failure whose text could
// carry the URL (and so the token) and checks none does.
func TestTelegramTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		require.NotContains(t, err.Error(), tgSecret)
		require.NotContains(t, err.Error(), "s3cr3t")
		require.NotContains(t, fmt.Sprintf("%+v", err), tgSecret)
	}
	to := notify.Recipient{Telegram: "42"}
	msg := notify.Message{Text: "x"}

	t.Run("wrong token", func(t *testing.T) {
		t.Parallel()
		fake := telegramfake.New(t, telegramfake.Options{Token: "987654321:AAother-token"})
		err := newTelegram(t, fake.URL, fast).Send(t.Context(), to, msg)
		check(t, err)
		require.False(t, notify.Retryable(err))
		require.Contains(t, err.Error(), "check notify.telegram.token")
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t, telegramfake.Options{})
		fake.Close()
		err := newTelegram(t, fake.URL, fast).Send(t.Context(), to, msg)
		check(t, err)
		require.True(t, notify.Retryable(err))
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		srv := listen127(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		opts := fast
		opts.Timeout = 100 * time.Millisecond
		err := newTelegram(t, srv.URL, opts).Send(t.Context(), to, msg)
		check(t, err)
		require.True(t, notify.Retryable(err))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Contains(t, err.Error(), "no answer within 100ms")
	})
	t.Run("answer quoting the token", func(t *testing.T) {
		t.Parallel()
		srv := listen127(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": 400, "description": "bad path " + r.URL.Path})
		}))
		err := newTelegram(t, srv.URL, fast).Send(t.Context(), to, msg)
		check(t, err)
		require.Contains(t, err.Error(), "bad path /bot[hidden]/sendMessage")
	})
	t.Run("redirect", func(t *testing.T) {
		t.Parallel()
		srv := listen127(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere"+r.URL.Path, http.StatusFound)
		}))
		err := newTelegram(t, srv.URL, fast).Send(t.Context(), to, msg)
		check(t, err)
		require.False(t, notify.Retryable(err))
		require.Contains(t, err.Error(), "redirects are not followed")
	})
	t.Run("bad config", func(t *testing.T) {
		t.Parallel()
		for _, cfg := range []config.Telegram{
			{Token: tgToken, BaseURL: "ftp://example.org"},
			{Token: tgToken, BaseURL: "http://"},
			{Token: tgToken + "/x"},
			{BaseURL: "https://api.telegram.org"},
		} {
			_, err := notify.NewTelegram(cfg, notify.TelegramOptions{})
			check(t, err)
		}
	})
}

// requireAll runs f(0) … f(n-1) at once and requires every one to succeed.
func requireAll(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
}
