package notify

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTelegramPartsCutsLongLines(t *testing.T) {
	t.Parallel()
	// One 10 000-character line without a space: cut where it must be,
	// never inside a rune; an emoji counts two (UTF-16), as Telegram counts.
	line := strings.Repeat("я", 4095) + "😀" + strings.Repeat("b", 5904)
	parts := telegramParts(Message{Text: line}, TelegramMaxText)
	require.Len(t, parts, 3)
	require.Equal(t, strings.Repeat("я", 4095), parts[0], "the emoji does not fit in the 4096th unit")
	require.Equal(t, line, strings.Join(parts, ""))
	for _, p := range parts {
		require.LessOrEqual(t, textLen(p), TelegramMaxText)
	}

	// With spaces, the cut is after a space in the second half of a part.
	words := strings.Repeat("слово ", 1000) // 6000 characters
	parts = telegramParts(Message{Text: words}, TelegramMaxText)
	require.Len(t, parts, 2)
	require.True(t, strings.HasSuffix(parts[0], "слово "))
	require.Equal(t, strings.TrimSpace(words), strings.Join(parts, ""))
}

func TestTelegramPartsEdges(t *testing.T) {
	t.Parallel()
	require.Empty(t, telegramParts(Message{}, 10))
	require.Empty(t, telegramParts(Message{Subject: " \n ", Text: "\n\n"}, 10))
	require.Equal(t, []string{"<b>a b</b>"}, telegramParts(Message{Subject: "a\nb"}, 10))
	// Escaping does not count against the limit; blank lines at a cut go.
	require.Equal(t, []string{"<b>S</b>\n&lt;&gt;&amp;", "abcd"}, telegramParts(Message{Subject: "S", Text: "<>&\n\n\nabcd"}, 5))
	require.Equal(t, []string{"a\n\nb"}, telegramParts(Message{Text: "a\r\n\r\nb\r\n"}, 10))
}

// TestWindowSpacesArrivals checks the overall limiter's promise: of any
// n+1 requests, the last leaves more than span after the first was answered.
func TestWindowSpacesArrivals(t *testing.T) {
	t.Parallel()
	w := newWindow(3, 100*time.Millisecond)
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := w.acquire(t.Context()); err != nil {
				return
			}
			now := time.Now()
			time.Sleep(5 * time.Millisecond) // the request in flight
			mu.Lock()
			starts = append(starts, now)
			mu.Unlock()
			w.release()
		})
	}
	wg.Wait()
	require.Len(t, starts, 10)
	// Sorted by start, the (i+3)th starts after the ith was answered + span.
	order := make([]int, len(starts))
	for i := range order {
		order[i] = i
	}
	for i := range order {
		for j := i + 1; j < len(order); j++ {
			if starts[order[j]].Before(starts[order[i]]) {
				order[i], order[j] = order[j], order[i]
			}
		}
	}
	for k := 3; k < len(order); k++ {
		require.Greater(t, starts[order[k]].Sub(starts[order[k-3]]), 100*time.Millisecond)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 3 {
		_ = w.acquire(t.Context())
	}
	require.ErrorIs(t, w.acquire(ctx), context.Canceled)
}
