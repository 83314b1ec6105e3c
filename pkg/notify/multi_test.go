package notify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	gomail "github.com/wneessen/go-mail"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/notify/telegramfake"
)

// TestMultiRoutesByContacts sends through real Telegram and e-mail channels
// (to their fakes) and the console: each person gets the message on every
// contact they have, and the console prints everyone.
func TestMultiRoutesByContacts(t *testing.T) {
	t.Parallel()
	fake := newFake(t, telegramfake.Options{PerChat: fast.PerChat, PerSecond: fast.PerSecond})
	smtp := startSMTPD(t, "", "", smtpOK)
	email, err := notify.NewEmail(config.Email{Host: smtp.host, Port: smtp.port, From: "reports@example.ru"},
		notify.EmailOptions{TLSPolicy: gomail.NoTLS, Timeout: 5 * time.Second})
	require.NoError(t, err)
	var out syncBuilder
	m := notify.Multi{newTelegram(t, fake.URL, fast), email, notify.NewConsole(&out)}
	require.Equal(t, "telegram+email+console", m.Name())

	people := []notify.Recipient{
		{ID: "both", Name: "Both", Telegram: "1", Email: "both@example.ru"},
		{ID: "tg", Name: "Tg", Telegram: "2"},
		{ID: "mail", Name: "Mail", Email: "mail@example.ru"},
		{ID: "none", Name: "None"},
	}
	for _, p := range people {
		require.NoError(t, m.Send(t.Context(), p, notify.Message{Subject: "Hi " + p.ID, Text: "x"}))
	}
	require.Len(t, fake.Messages("1"), 1)
	require.Len(t, fake.Messages("2"), 1)
	require.Len(t, fake.All(), 2)
	var rcpts []string
	for _, mail := range smtp.received() {
		rcpts = append(rcpts, mail.rcpts...)
	}
	require.ElementsMatch(t, []string{"both@example.ru", "mail@example.ru"}, rcpts)
	for _, p := range people {
		require.Contains(t, out.String(), fmt.Sprintf("→ %s (%s): Hi %s\n  x\n", p.Name, p.ID, p.ID))
	}

	// Without the console, a person with no contact is out of reach.
	err = notify.Multi{newTelegram(t, fake.URL, fast), email}.Send(t.Context(), people[3], notify.Message{Subject: "S"})
	require.ErrorIs(t, err, notify.ErrNoContact)
	require.False(t, notify.Retryable(err))
	require.Contains(t, err.Error(), "none")
}

// stub is a channel that answers err (nil: delivered) and counts calls.
type stub struct {
	name  string
	err   error
	mu    sync.Mutex
	calls int
}

func (s *stub) Name() string { return s.name }

func (s *stub) Send(context.Context, notify.Recipient, notify.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return s.err
}

func TestMultiPartialFailures(t *testing.T) {
	t.Parallel()
	down := func(after time.Duration) error { return notify.RetryableError(errors.New("telegram: 502"), after) }
	// Channels classify what they return; an unclassified error would count
	// as retryable (the one default, httpkit.IsRetryable).
	perm := notify.PermanentError(errors.New("email: 550 mailbox unavailable"))
	noContact := fmt.Errorf("telegram: x: %w", notify.ErrNoContact)
	tests := []struct {
		name      string
		errs      []error
		ok        bool
		retryable bool
		after     time.Duration
		noContact bool
		contains  []string
	}{
		// The person has the message, and the failure is not hidden (it
		// used to be dropped): permanent, so that nobody resends it through
		// every channel; a pass retries the failed channel alone.
		{name: "one delivered, one down", errs: []error{down(0), nil}, contains: []string{"delivered by ch1 only", "502"}},
		{name: "one delivered, one refused", errs: []error{perm, nil}, contains: []string{"delivered by ch1 only", "550"}},
		{name: "one delivered, one without contact", errs: []error{noContact, nil}, ok: true},
		{name: "down and no contact", errs: []error{down(5 * time.Second), noContact}, retryable: true, after: 5 * time.Second},
		{name: "down twice: the longest wait", errs: []error{down(5 * time.Second), down(9 * time.Second)}, retryable: true, after: 9 * time.Second},
		{name: "down and refused: may pass", errs: []error{perm, down(0)}, retryable: true, contains: []string{"502"}},
		{name: "refused and no contact", errs: []error{perm, noContact}, contains: []string{"550"}},
		{name: "refused twice", errs: []error{perm, notify.PermanentError(errors.New("webhook: POST: 400 Bad Request"))}, contains: []string{"550", "; webhook: POST: 400"}},
		{name: "no contact anywhere", errs: []error{noContact, noContact}, noContact: true},
		{name: "no channel", noContact: true},
		{name: "unclassified: retryable", errs: []error{errors.New("something nobody foresaw")}, retryable: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m notify.Multi
			var stubs []*stub
			for i, err := range tc.errs {
				s := &stub{name: fmt.Sprint("ch", i), err: err}
				stubs = append(stubs, s)
				m = append(m, s)
			}
			err := m.Send(t.Context(), notify.Recipient{ID: "ivanov"}, notify.Message{Subject: "S"})
			for _, s := range stubs {
				require.Equal(t, 1, s.calls, "every channel is tried")
			}
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tc.retryable, notify.Retryable(err), "%v", err)
			require.Equal(t, tc.after, notify.RetryAfter(err))
			require.Equal(t, tc.noContact, errors.Is(err, notify.ErrNoContact), "%v", err)
			for _, c := range tc.contains {
				require.Contains(t, err.Error(), c)
			}
		})
	}
}

func TestFromConfig(t *testing.T) {
	t.Parallel()
	none, err := notify.FromConfig(config.Notify{}, nil)
	require.NoError(t, err)
	require.Nil(t, none)

	var out strings.Builder
	n, err := notify.FromConfig(config.Notify{Console: true}, &out)
	require.NoError(t, err)
	require.Equal(t, "console", n.Name())
	require.NoError(t, n.Send(t.Context(), notify.Recipient{ID: "ivanov", Name: "Иван"}, notify.Message{Subject: "S", Text: "a\nb"}))
	require.Equal(t, "→ Иван (ivanov): S\n  a\n  b\n", out.String())

	n, err = notify.FromConfig(config.Notify{
		Telegram: config.Telegram{Token: tgToken},
		Email:    config.Email{Host: "smtp.example.ru", Port: 587, From: "reports@example.ru"},
		Webhook:  config.NotifyWebhook{URL: "https://hooks.example.org/x"},
		Console:  true,
	}, &out)
	require.NoError(t, err)
	require.Equal(t, "telegram+email+webhook+console", n.Name())

	_, err = notify.FromConfig(config.Notify{Telegram: config.Telegram{Token: tgToken, BaseURL: "ftp://x"}}, &out)
	require.Error(t, err)
	require.NotContains(t, err.Error(), tgSecret)
}

// syncBuilder is a strings.Builder safe for concurrent writes.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConsole(t *testing.T) {
	t.Parallel()
	var out syncBuilder
	c := notify.NewConsole(&out)
	require.NoError(t, c.Send(t.Context(), notify.Recipient{ID: "manager", Name: "manager"}, notify.Message{Subject: "Итоги\nдня", Text: "line 1\n\n  line 3\n"}))
	require.Equal(t, "→ manager: Итоги дня\n  line 1\n\n    line 3\n", out.String())

	// Concurrent messages are printed whole, never interleaved.
	var many syncBuilder
	c = notify.NewConsole(&many)
	text := strings.TrimSuffix(strings.Repeat("строка\n", 50), "\n")
	requireAll(t, 20, func(i int) error {
		return c.Send(t.Context(), notify.Recipient{ID: fmt.Sprint("e", i), Name: "N"}, notify.Message{Subject: "S", Text: text})
	})
	block := "  " + strings.ReplaceAll(text, "\n", "\n  ") + "\n"
	for i := range 20 {
		require.Contains(t, many.String(), fmt.Sprintf("→ N (e%d): S\n", i)+block)
	}
}
