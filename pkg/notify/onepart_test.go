package notify_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/notify/telegramfake"
)

// TestTelegramErrorListIsOneMessage: an error list (Message.OnePart) of
// 5 000 lines used to go out in parts, one a second (4 593 messages for a
// pasted log, 76 minutes); it is now one message cut to Telegram's limit
// on a line boundary, ending in «…».
func TestTelegramErrorListIsOneMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
	tg := newTelegram(t, fake.URL, fast)
	var lines []string
	for i := range 5000 {
		lines = append(lines, fmt.Sprintf("• строка %d: «Новые звонки»: «много» — не число; нужно целое число, например 12", i+2))
	}
	m := notify.Message{Subject: "Ошибки в отчёте за 26.11.2026", Text: strings.Join(lines, "\n"), OnePart: true}
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{Telegram: "7"}, m))
	got := fake.Messages("7")
	require.Len(t, got, 1)
	plain := got[0].Plain
	require.LessOrEqual(t, len(utf16.Encode([]rune(plain))), notify.TelegramMaxText)
	require.Greater(t, len(utf16.Encode([]rune(plain))), notify.TelegramMaxText-200, "filled, not cut short")
	require.True(t, strings.HasPrefix(plain, "Ошибки в отчёте за 26.11.2026\n• строка 2: "))
	require.True(t, strings.HasSuffix(plain, "например 12\n…"), "cut between lines")
	require.Zero(t, fake.Violations())

	// Without OnePart (the digest) a long message still goes in parts.
	m.OnePart = false
	m.Text = strings.Join(lines[:100], "\n")
	require.NoError(t, tg.Send(t.Context(), notify.Recipient{Telegram: "8"}, m))
	require.Greater(t, len(fake.Messages("8")), 1)
}
