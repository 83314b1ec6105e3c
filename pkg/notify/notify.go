// Package notify sends messages to people: reminders to employees before
// their deadline, what is wrong with a report, and the manager's digest.
// Channels: Telegram, e-mail, a generic webhook, and the console (the demo).
package notify

import (
	"context"
	"errors"
	"time"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Recipient is a person with the contacts a channel can use.
type Recipient struct {
	// ID is the employee id (or "manager"): for logs, never sent.
	ID   string
	Name string
	// Telegram is a chat id; Email an address. A channel skips a
	// recipient without its contact (ErrNoContact).
	Telegram string
	Email    string
}

// Message is plain text; a channel escapes it for its format (Telegram
// HTML, e-mail text) so that user text never becomes markup.
type Message struct {
	Subject string
	Text    string
	// OnePart asks a channel with a length limit (Telegram) to send the
	// message as one, cut to its limit and ended with «…», not in parts:
	// an error list is read from its top, and a list in thousands of parts
	// held the channel for an hour.
	OnePart bool
}

// Notifier sends a message through one channel.
//
// Send returns ErrNoContact (wrapped) when the recipient has no contact on
// this channel, an error for which Retryable is true when a later attempt
// may succeed (429, 5xx, a network failure; RetryAfter says when), and any
// other error when it will not. Errors never contain tokens or webhook URLs.
// Implementations are safe for concurrent use and keep to their service's
// rate limits themselves.
type Notifier interface {
	Name() string
	Send(ctx context.Context, to Recipient, m Message) error
}

// ErrNoContact means the recipient has no contact on the channel.
var ErrNoContact = errors.New("notify: no contact on this channel")

// A channel's errors are httpkit's classified errors, the same the CRM
// adapters return: every channel classifies what it returns (Send marks
// anything it did not find retryable as permanent), and an error nobody
// classified counts as retryable, the project's one default.

// RetryableError wraps err as retryable, after the given wait (0: any time).
func RetryableError(err error, after time.Duration) error { return httpkit.RetryableError(err, after) }

// PermanentError wraps err as permanent: the message is not sent, and
// sending it again would fail the same way.
func PermanentError(err error) error { return httpkit.PermanentError(err) }

// Retryable reports whether a later run may send what failed with err: a
// retryable failure, an unclassified one (httpkit.IsRetryable), or a send
// cut short by a cancelled context (shutting down: the message was not
// sent, and the next run may send it).
func Retryable(err error) bool {
	return errors.Is(err, context.Canceled) || httpkit.IsRetryable(err)
}

// RetryAfter is the wait a retryable error asks for (0 when none).
func RetryAfter(err error) time.Duration { return httpkit.RetryAfterOf(err) }

// classified returns err as a channel's Send returns it: nil, or classified,
// anything not marked retryable being permanent.
func classified(err error) error {
	var e *httpkit.Error
	if err == nil || errors.As(err, &e) || errors.Is(err, context.Canceled) {
		return err
	}
	return PermanentError(err)
}
