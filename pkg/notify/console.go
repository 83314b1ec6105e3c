package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Console prints messages instead of sending them (the demo; a dry run).
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsole prints to w.
func NewConsole(w io.Writer) *Console { return &Console{w: w} }

// Name is "console".
func (c *Console) Name() string { return "console" }

// Send prints "→ Name (id): Subject" and the text, indented.
func (c *Console) Send(_ context.Context, to Recipient, m Message) error {
	var b strings.Builder
	fmt.Fprintf(&b, "→ %s (%s): %s\n", to.Name, to.ID, m.Subject)
	for _, line := range strings.Split(m.Text, "\n") {
		b.WriteString("    " + line + "\n")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := io.WriteString(c.w, b.String())
	return err
}
