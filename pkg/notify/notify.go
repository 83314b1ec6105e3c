// Package notify sends messages to people: reminders to employees before
// their deadline, what is wrong with a report, and the manager's digest.
// Channels: Telegram, e-mail, a generic webhook, and the console (the demo).
package notify

import (
	"context"
	"errors"
	"time"
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

// retryable marks a failure a later attempt may fix.
type retryable struct {
	err   error
	after time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// RetryableError wraps err as retryable, after the given wait (0: any time).
func RetryableError(err error, after time.Duration) error { return &retryable{err: err, after: after} }

// Retryable reports whether err may go away on a later attempt.
func Retryable(err error) bool {
	var r *retryable
	return errors.As(err, &r)
}

// RetryAfter is the wait a retryable error asks for (0 when none).
func RetryAfter(err error) time.Duration {
	var r *retryable
	if errors.As(err, &r) {
		return r.after
	}
	return 0
}
