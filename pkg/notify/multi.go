package notify

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dayreport/dayreport/pkg/config"
)

// Multi sends through every channel that can reach the recipient.
type Multi []Notifier

// Name lists the channels.
func (m Multi) Name() string { return "multi" }

// Send succeeds when at least one channel delivered; otherwise it returns a
// retryable error when some failure may pass, ErrNoContact when no channel
// could reach the person, or the first permanent error.
func (m Multi) Send(ctx context.Context, to Recipient, msg Message) error {
	var retry, perm error
	delivered := false
	for _, n := range m {
		err := n.Send(ctx, to, msg)
		switch {
		case err == nil:
			delivered = true
		case errors.Is(err, ErrNoContact):
		case Retryable(err):
			retry = err
		default:
			perm = err
		}
	}
	switch {
	case delivered:
		return nil
	case retry != nil:
		return retry
	case perm != nil:
		return perm
	}
	return fmt.Errorf("%w: %s", ErrNoContact, to.ID)
}

// FromConfig builds the channels the configuration sets: Telegram when a bot
// token is set, the console when notify.console is true (printing to out).
// It returns nil when nothing is configured.
func FromConfig(cfg config.Notify, out io.Writer) (Notifier, error) {
	var m Multi
	if cfg.Telegram.Token.IsSet() {
		t, err := NewTelegram(cfg.Telegram, TelegramOptions{})
		if err != nil {
			return nil, err
		}
		m = append(m, t)
	}
	if cfg.Console {
		m = append(m, NewConsole(out))
	}
	if cfg.Email.Host != "" || cfg.Webhook.URL.IsSet() {
		return nil, errors.New("notify: e-mail and webhook channels are not built yet; use telegram or console")
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
