package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
)

// Multi sends a message through every channel at once, each on the
// contact it knows (a channel without the recipient's contact answers
// ErrNoContact; the console and the webhook take everyone).
//
// Send succeeds when every channel that knows the person delivered. When
// some delivered and others failed it returns a *PartlyDelivered (a
// permanent error: sending again through every channel would repeat the
// message to the person who has it; a caller that can, sends through each
// of Channels and retries the failed one alone, as a pass does). When none
// delivered it returns a retryable error when some channel may deliver
// later (waiting the longest RetryAfter asked for), ErrNoContact (wrapped)
// when no channel could reach the person, and the channels' permanent
// errors otherwise.
type Multi []Notifier

// PartlyDelivered is Multi's error when some channels delivered and others
// failed: the person has the message, and Err says what failed where.
type PartlyDelivered struct {
	Delivered []string
	Err       error
}

func (e *PartlyDelivered) Error() string {
	return fmt.Sprintf("delivered by %s only: %v", strings.Join(e.Delivered, ", "), e.Err)
}

func (e *PartlyDelivered) Unwrap() error { return e.Err }

// Channels are a notifier's channels: a Multi's, or the notifier itself.
func Channels(n Notifier) []Notifier {
	if m, ok := n.(Multi); ok {
		return m
	}
	return []Notifier{n}
}

var _ Notifier = Multi(nil)

// Name lists the channels: "telegram+email".
func (m Multi) Name() string {
	names := make([]string, len(m))
	for i, n := range m {
		names[i] = n.Name()
	}
	return strings.Join(names, "+")
}

// Send sends through every channel concurrently; see Multi.
func (m Multi) Send(ctx context.Context, to Recipient, msg Message) error {
	return classified(m.send(ctx, to, msg))
}

func (m Multi) send(ctx context.Context, to Recipient, msg Message) error {
	errs := make([]error, len(m))
	var wg sync.WaitGroup
	for i, n := range m {
		wg.Go(func() { errs[i] = n.Send(ctx, to, msg) })
	}
	wg.Wait()
	var retry, perm []error
	var (
		after     time.Duration
		delivered []string
	)
	for i, err := range errs {
		switch {
		case err == nil:
			delivered = append(delivered, m[i].Name())
		case errors.Is(err, ErrNoContact):
		case Retryable(err):
			retry = append(retry, err)
			after = max(after, RetryAfter(err))
		default:
			perm = append(perm, err)
		}
	}
	switch {
	case len(delivered) > 0 && len(retry)+len(perm) > 0:
		return PermanentError(&PartlyDelivered{Delivered: delivered, Err: joined(append(retry, perm...))})
	case len(delivered) > 0:
		return nil
	case len(retry) > 0:
		return RetryableError(joined(retry), after)
	case len(perm) > 0:
		return joined(perm)
	}
	return fmt.Errorf("%w: %s (channels: %s)", ErrNoContact, to.ID, m.Name())
}

// joinedError is several channels' errors on one line.
type joinedError []error

func (e joinedError) Error() string {
	texts := make([]string, len(e))
	for i, err := range e {
		texts[i] = err.Error()
	}
	return strings.Join(texts, "; ")
}

func (e joinedError) Unwrap() []error { return e }

func joined(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return joinedError(errs)
}

// FromConfig builds the channels the configuration sets: Telegram when
// notify.telegram.token is set, e-mail when notify.email.host is, the
// webhook when notify.webhook.url is, and the console (printing to stdout)
// when notify.console is true. It returns a nil Notifier and no error when
// none is set.
func FromConfig(cfg config.Notify, stdout io.Writer) (Notifier, error) {
	var m Multi
	if cfg.Telegram.Token.IsSet() {
		t, err := NewTelegram(cfg.Telegram, TelegramOptions{})
		if err != nil {
			return nil, err
		}
		m = append(m, t)
	}
	if strings.TrimSpace(cfg.Email.Host) != "" {
		e, err := NewEmail(cfg.Email, EmailOptions{})
		if err != nil {
			return nil, err
		}
		m = append(m, e)
	}
	if cfg.Webhook.URL.IsSet() {
		w, err := NewWebhook(cfg.Webhook, WebhookOptions{})
		if err != nil {
			return nil, err
		}
		m = append(m, w)
	}
	if cfg.Console {
		if stdout == nil {
			stdout = io.Discard
		}
		m = append(m, NewConsole(stdout))
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
