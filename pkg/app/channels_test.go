package app

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/notify"
)

// channel is an inbox under a name of its own.
type channel struct {
	*inbox
	name string
}

func (c channel) Name() string { return c.name }

// lockedLog is a goroutine-safe log sink.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFailedChannelIsRetriedAlone: Telegram down while the webhook
// delivers. The message used to count as sent and Telegram's failure was
// dropped without a word; now the failure is logged with its channel and
// shown in the pass result, the next pass tries Telegram alone (the
// webhook does not get the message twice), and once Telegram delivers
// nothing is sent again.
func TestFailedChannelIsRetriedAlone(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"notify: {console: true}\n")
	telegram, webhook := channel{&inbox{down: true}, "telegram"}, channel{&inbox{}, "webhook"}
	logs := &lockedLog{}
	clk := newClock(msk("2026-11-25", 10, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, Notifier: notify.Multi{telegram, webhook},
		Log: zerolog.New(logs)})
	tm.Write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")

	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Len(t, res.Sent, 1)
	require.Contains(t, res.Sent[0].Error, "telegram: 502")
	require.Contains(t, res.Sent[0].Error, "(delivered by webhook)")
	require.Len(t, webhook.take(), 1)
	require.Empty(t, telegram.take())
	require.Contains(t, logs.String(), `"channel":"telegram"`)
	require.Contains(t, logs.String(), "the next pass tries it alone")

	clk.Set(msk("2026-11-25", 10, 20))
	_, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Empty(t, webhook.take(), "the webhook delivered already")
	require.Empty(t, telegram.take(), "still down")

	telegram.setDown(false)
	clk.Set(msk("2026-11-25", 10, 40))
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Len(t, res.Sent, 1)
	require.Empty(t, res.Sent[0].Error)
	got := telegram.take()
	require.Len(t, got, 1)
	require.True(t, strings.HasPrefix(got[0], "boris | Ошибки в отчёте за 25.11.2026"))
	require.Empty(t, webhook.take())

	clk.Set(msk("2026-11-25", 11, 0))
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Empty(t, res.Sent, "delivered everywhere: nothing more")
}
