package pass

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/notify"
)

// send delivers m through each channel of the notifier on its own, each
// channel's delivery kept in the state database (the message's key and
// "@channel"): a channel that failed for a while is tried again by the next
// pass alone, and the person does not get the message twice from the
// channels that delivered. Every failure is logged with its channel, even
// when another channel delivered.
//
// The error is nil when every channel that knows the person delivered;
// retryable when one may deliver later (the message stays due); otherwise
// the failures (ErrNoContact when no channel knows the person).
func (e *Engine) send(ctx context.Context, m message) error {
	channels := notify.Channels(e.Notifier)
	if len(channels) == 1 {
		return e.Notifier.Send(ctx, m.to, m.msg)
	}
	var (
		retry, perm []error
		after       time.Duration
		delivered   []string
		reached     bool
	)
	for _, ch := range channels {
		key := m.key + "@" + ch.Name()
		done, err := e.Store.WasSent(ctx, key)
		if err != nil {
			return fmt.Errorf("state: %w", err)
		}
		if done {
			reached = true
			continue
		}
		err = ch.Send(ctx, m.to, m.msg)
		log := e.Log.With().Str("key", m.key).Str("to", m.to.ID).Str("channel", ch.Name()).Logger()
		switch {
		case err == nil:
			delivered = append(delivered, ch.Name())
			reached = true
		case errors.Is(err, notify.ErrNoContact):
		case notify.Retryable(err):
			log.Warn().Err(err).Msg("message not sent through this channel; the next pass tries it alone")
			retry = append(retry, err)
			after = max(after, notify.RetryAfter(err))
			continue // not marked: due again
		default:
			log.Error().Err(err).Msg("message cannot be sent through this channel")
			perm = append(perm, err)
			reached = true
		}
		if _, err := e.Store.MarkSent(ctx, key); err != nil {
			return fmt.Errorf("state: %w", err)
		}
	}
	switch {
	case len(retry) > 0:
		return notify.RetryableError(channelErrors(retry, delivered), after)
	case len(perm) > 0:
		return notify.PermanentError(channelErrors(perm, delivered))
	case !reached:
		return fmt.Errorf("%w: %s", notify.ErrNoContact, m.to.ID)
	}
	return nil
}

// channelErrors joins the channels' failures, saying which delivered.
func channelErrors(errs []error, delivered []string) error {
	texts := make([]string, len(errs))
	for i, err := range errs {
		texts[i] = err.Error()
	}
	text := strings.Join(texts, "; ")
	if len(delivered) > 0 {
		text += " (delivered by " + strings.Join(delivered, ", ") + ")"
	}
	return errors.New(text)
}
