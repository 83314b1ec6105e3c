package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Console prints messages instead of sending them (the demo, notify.console):
//
//	→ Иван Иванов (ivanov): Отчёт за 26 ноября
//	  first line of the text
//	  second line
//
// It reaches everyone, contact or not. It is safe for concurrent use: each
// message is written whole, in one Write.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

var _ Notifier = (*Console)(nil)

// NewConsole returns a Console printing to w.
func NewConsole(w io.Writer) *Console { return &Console{w: w} }

// Name returns "console".
func (c *Console) Name() string { return "console" }

// Send prints the recipient, the subject and the text, indented.
func (c *Console) Send(ctx context.Context, to Recipient, m Message) error {
	return classified(c.send(ctx, to, m))
}

func (c *Console) send(_ context.Context, to Recipient, m Message) error {
	var b strings.Builder
	b.WriteString("→ ")
	switch {
	case to.Name != "" && to.ID != "" && to.Name != to.ID:
		fmt.Fprintf(&b, "%s (%s)", to.Name, to.ID)
	case to.Name != "":
		b.WriteString(to.Name)
	default:
		b.WriteString(to.ID)
	}
	if m.Subject != "" {
		b.WriteString(": " + strings.Join(strings.Fields(m.Subject), " "))
	}
	b.WriteByte('\n')
	if text := strings.TrimRight(strings.ReplaceAll(m.Text, "\r\n", "\n"), " \t\r\n"); text != "" {
		for line := range strings.SplitSeq(text, "\n") {
			b.WriteString(strings.TrimRight("  "+line, " \t") + "\n")
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
