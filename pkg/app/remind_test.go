package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/notify"
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

func (b *inbox) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.got
	b.got = nil
	return out
}

// TestReminders: a reminder at 18:30 in each employee's own time zone, only
// to those without a valid report, what is wrong with an invalid one, never
// twice across reruns and a restart, and a failed send retried.
func TestReminders(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"reminders: [{at: \"18:30\"}, {at: \"20:00\"}]\nnotify: {console: true}\n")
	box := &inbox{down: true}
	clk := newClock(msk("2026-11-25", 10, 0))
	a := openApp(t, tm.cfg, Options{Now: clk.Now, Notifier: box})
	tm.write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")
	_, err := a.Sync(t.Context(), wednesday, PassOptions{})
	require.NoError(t, err)

	// 10:00 Moscow is 17:00 in Vladivostok: nothing is due anywhere.
	sent, err := a.Remind(t.Context())
	require.NoError(t, err)
	require.Empty(t, sent)

	// 11:30 Moscow = 18:30 Vladivostok: vera's reminder is due, but the
	// channel is down: it is tried again on the next run.
	clk.Set(msk("2026-11-25", 11, 30))
	sent, err = a.Remind(t.Context())
	require.NoError(t, err)
	require.Len(t, sent, 1)
	require.NotEmpty(t, sent[0].Error)
	box.mu.Lock()
	box.down = false
	box.mu.Unlock()
	sent, err = a.Remind(t.Context())
	require.NoError(t, err)
	require.Len(t, sent, 1)
	require.Equal(t, []string{"vera | Отчёт за 25.11.2026 | Вера, отчёта за сегодня ещё нет. Срок — 21:00."}, box.take())

	// 18:45 Moscow: boris's report is invalid — he is told what is wrong;
	// anna has reported; vera's deadline has passed.
	clk.Set(msk("2026-11-25", 18, 45))
	_, err = a.Remind(t.Context())
	require.NoError(t, err)
	msgs := box.take()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "boris | Ошибки в отчёте за 25.11.2026 | Борис, в отчёте есть ошибки")
	require.Contains(t, msgs[0], "строка 2: «Новые звонки»: «много»")

	// A rerun and a restart send nothing again.
	_, err = a.Remind(t.Context())
	require.NoError(t, err)
	require.NoError(t, a.Close())
	b := openApp(t, tm.cfg, Options{Now: clk.Now, Notifier: box})
	_, err = b.Remind(t.Context())
	require.NoError(t, err)
	require.Empty(t, box.take())

	// 20:05: the second reminder; boris's errors are unchanged: no repeat.
	clk.Set(msk("2026-11-25", 20, 5))
	_, err = b.Remind(t.Context())
	require.NoError(t, err)
	require.Empty(t, box.take(), "an unchanged error list is not sent again")
	// He fixes one error, adds another: that is news.
	tm.write(t, "boris.txt", "25.11.2026\nНовые звонки: 5\nОплаты: 1,5\n")
	_, err = b.Sync(t.Context(), wednesday, PassOptions{})
	require.NoError(t, err)
	_, err = b.Remind(t.Context())
	require.NoError(t, err)
	msgs = box.take()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "«Оплаты»: «1,5» — нужно целое число")
}

// TestDigest: after the day is closed, the manager gets who is absent, late
// or invalid, the funnels and the flags, once.
func TestDigest(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"digest: {to: [{telegram: \"100\"}]}\nnotify: {telegram: {token: \"123:abc\"}}\n")
	box := &inbox{}
	a := openApp(t, tm.cfg, Options{Now: newClock(msk("2026-11-26", 9, 0)).Now, Notifier: box})
	tm.write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")
	_, err := a.Sync(t.Context(), wednesday, PassOptions{Kind: KindCloseDay})
	require.NoError(t, err)
	_, err = a.Digest(t.Context(), wednesday)
	require.NoError(t, err)
	_, err = a.Digest(t.Context(), wednesday)
	require.NoError(t, err)
	msgs := box.take()
	require.Len(t, msgs, 1, "once a day")
	for _, want := range []string{"manager | Итоги дня 25.11.2026", "отсутствовал: Вера", "с ошибками: Борис", "сдан: 1",
		"Воронка за день: Звонки 10 → Повторные звонки 5 (50,0 %)", "Слабое место: Звонки → Повторные звонки: 50,0 %"} {
		require.Contains(t, msgs[0], want)
	}
}

// TestDryRunWouldSend: sync --dry-run lists the reminders and error lists
// that are due given what it just read, and sends or marks nothing.
func TestDryRunWouldSend(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio+"reminders: [{at: \"18:30\"}]\nnotify: {console: true}\n")
	box := &inbox{}
	clk := newClock(msk("2026-11-25", 18, 40))
	// A real pass first, so that the state database exists; nobody has
	// written anything yet.
	a := openApp(t, tm.cfg, Options{Now: clk.Now, Notifier: box})
	_, err := a.Sync(t.Context(), wednesday, PassOptions{})
	require.NoError(t, err)
	require.NoError(t, a.Close())

	// Now anna reports, boris writes nonsense; vera (Vladivostok) is past
	// her deadline. The dry run reads that without storing it.
	tm.write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")
	dry := openApp(t, tm.cfg, Options{Now: clk.Now, Notifier: box, DryRun: true})
	res, err := dry.Sync(t.Context(), wednesday, PassOptions{})
	require.NoError(t, err)
	require.Equal(t, []Sent{{Key: res.WouldSend[0].Key, To: "boris", Subject: "Ошибки в отчёте за 25.11.2026"}}, res.WouldSend)
	require.Contains(t, res.WouldSend[0].Key, "invalid:boris:2026-11-25:")
	require.Empty(t, box.take(), "a dry run sends nothing")

	var out strings.Builder
	require.NoError(t, WritePass(&out, res, dry.Template(), "ru", FormatText))
	require.Contains(t, out.String(), "Было бы отправлено сейчас:\n  boris: Ошибки в отчёте за 25.11.2026\n")
	require.NoError(t, dry.Close())

	// Nothing was marked: the real run sends it (and the reminder of the
	// employee whose report the dry run did not store is due as before).
	b := openApp(t, tm.cfg, Options{Now: clk.Now, Notifier: box})
	_, err = b.Sync(t.Context(), wednesday, PassOptions{})
	require.NoError(t, err)
	sent, err := b.Remind(t.Context())
	require.NoError(t, err)
	require.Len(t, sent, 1)
	require.Equal(t, "boris", sent[0].To)
}
