package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/pass"
)

// inbox is a Notifier that keeps what it is given; it fails while down.
type inbox struct {
	mu   sync.Mutex
	got  []string
	down bool
}

func (b *inbox) Name() string { return "inbox" }

func (b *inbox) Send(_ context.Context, to notify.Recipient, m notify.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down {
		return notify.RetryableError(errors.New("telegram: 502"), 0)
	}
	b.got = append(b.got, to.ID+" | "+m.Subject+" | "+m.Text)
	return nil
}

func (b *inbox) setDown(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down = down
}

func (b *inbox) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.got
	b.got = nil
	return out
}

// TestReminders: every pass sends what is due: an invalid report's errors as
// soon as they are seen, a reminder at 18:30 in each employee's own time
// zone to those without a valid report, never twice across reruns and a
// restart, a failed send retried by the next pass, and an error list again
// only when the errors change.
func TestReminders(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"reminders: [{at: \"18:30\"}, {at: \"20:00\"}]\nnotify: {console: true}\n")
	box := &inbox{}
	clk := newClock(msk("2026-11-25", 10, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, Notifier: box})
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.Write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")

	// 10:00 Moscow is 17:00 in Vladivostok: no reminder is due anywhere, but
	// boris is told at once what is wrong with his report.
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Len(t, res.Sent, 1)
	msgs := box.take()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "boris | Ошибки в отчёте за 25.11.2026 | Борис, в отчёте есть ошибки")
	require.Contains(t, msgs[0], "строка 2: «Новые звонки»: «много»")

	// 11:30 Moscow = 18:30 Vladivostok: vera's reminder is due, but the
	// channel is down: the next pass tries again.
	clk.Set(msk("2026-11-25", 11, 30))
	box.setDown(true)
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Len(t, res.Sent, 1)
	require.NotEmpty(t, res.Sent[0].Error)
	box.setDown(false)
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Len(t, res.Sent, 1)
	require.Equal(t, []string{"vera | Отчёт за 25.11.2026 | Вера, отчёта за сегодня ещё нет. Срок — 21:00."}, box.take())

	// 18:45 Moscow: anna has reported, boris's list went out already (his
	// 18:30 reminder is answered by it), vera's deadline has passed.
	clk.Set(msk("2026-11-25", 18, 45))
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Empty(t, res.Sent)

	// A rerun and a restart send nothing again.
	require.NoError(t, a.Close())
	b := openApp(t, tm.Cfg, Options{Now: clk.Now, Notifier: box})
	_, err = b.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Empty(t, box.take())

	// 20:05: the second reminder; boris's errors are unchanged: no repeat.
	clk.Set(msk("2026-11-25", 20, 5))
	_, err = b.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Empty(t, box.take(), "an unchanged error list is not sent again")
	// He fixes one error, adds another: that is news, sent by the pass
	// that sees it.
	tm.Write(t, "boris.txt", "25.11.2026\nНовые звонки: 5\nОплаты: 1,5\n")
	_, err = b.sync(t.Context(), wednesday)
	require.NoError(t, err)
	msgs = box.take()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "«Оплаты»: «1,5» — нужно целое число")

	// --no-notify: a due reminder is not sent by that run, and stays due.
	clk.Set(msk("2026-11-26", 18, 31))
	res, err = b.Run(t.Context(), pass.Request{Date: wednesday.AddDays(1), NoNotify: true})
	require.NoError(t, err)
	require.Empty(t, res.Sent)
	require.Empty(t, box.take())
	res, err = b.sync(t.Context(), wednesday.AddDays(1))
	require.NoError(t, err)
	require.Len(t, res.Sent, 2, "the 18:30 reminders of anna and boris; vera's day is over")
}

// TestDigest: a close-day pass sends the manager who is absent, late or
// invalid, the funnels and the flags; once a day.
func TestDigest(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"digest: {to: [{telegram: \"100\"}]}\nnotify: {telegram: {token: \"123:abc\"}}\n")
	box := &inbox{}
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 9, 0)).Now, Notifier: box})
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.Write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")
	_, err := a.Run(t.Context(), pass.Request{Date: wednesday, Kind: pass.KindCloseDay})
	require.NoError(t, err)
	_, err = a.Run(t.Context(), pass.Request{Date: wednesday, Kind: pass.KindCloseDay})
	require.NoError(t, err)
	sent, err := a.Digest(t.Context(), wednesday)
	require.NoError(t, err)
	require.Empty(t, sent)
	var digests []string
	for _, m := range box.take() {
		if strings.HasPrefix(m, "manager | ") {
			digests = append(digests, m)
		}
	}
	require.Len(t, digests, 1, "once a day")
	for _, want := range []string{"manager | Итоги дня 25.11.2026", "отсутствовал: Вера", "с ошибками: Борис", "сдан: 1",
		"Воронка за день: Звонки 10 → Повторные звонки 5 (50,0 %)", "Слабое место: Звонки → Повторные звонки: 50,0 %"} {
		require.Contains(t, digests[0], want)
	}
}

// TestDryRunWouldSend: sync --dry-run lists exactly what the same pass would
// send, and sends or marks nothing; the real pass then sends that.
func TestDryRunWouldSend(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"reminders: [{at: \"18:30\"}]\nnotify: {console: true}\n")
	box := &inbox{}
	clk := newClock(msk("2026-11-25", 18, 40))
	// A real pass first, so that the state database exists; nobody has
	// written anything yet: the 18:30 reminders go out (vera's day is over).
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, Notifier: box})
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Len(t, res.Sent, 2)
	require.Len(t, box.take(), 2)
	require.NoError(t, a.Close())

	// Now anna reports, boris writes nonsense. The dry run reads that
	// without storing it.
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.Write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")
	dry := openApp(t, tm.Cfg, Options{Now: clk.Now, Notifier: box, DryRun: true})
	res, err = dry.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, []pass.Sent{{Key: res.WouldSend[0].Key, To: "boris", Subject: "Ошибки в отчёте за 25.11.2026"}}, res.WouldSend)
	require.Contains(t, res.WouldSend[0].Key, "invalid:boris:2026-11-25:")
	require.Empty(t, box.take(), "a dry run sends nothing")
	require.NoError(t, dry.Close())

	// Nothing was marked: the real pass sends exactly what the dry run listed.
	b := openApp(t, tm.Cfg, Options{Now: clk.Now, Notifier: box})
	res, err = b.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, []pass.Sent{{Key: res.Sent[0].Key, To: "boris", Subject: "Ошибки в отчёте за 25.11.2026"}}, res.Sent)
	require.Len(t, box.take(), 1)
}
