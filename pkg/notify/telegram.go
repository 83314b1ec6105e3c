package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dayreport/dayreport/pkg/config"
)

// Telegram sends through a bot: POST {base}/bot<token>/sendMessage with
// parse_mode HTML (all text escaped, the subject in bold). The Bot API allows
// about 30 messages a second overall and one a second per chat; both are kept
// client-side, and a 429's parameters.retry_after is honoured. The token is
// part of the URL: it never appears in an error.
type Telegram struct {
	base, token string
	client      *http.Client
	overall     *rate.Limiter
	perChat     time.Duration

	mu    sync.Mutex
	chats map[string]*rate.Limiter
}

// TelegramOptions tune a Telegram notifier; zero values are the Bot API's limits.
type TelegramOptions struct {
	HTTPClient *http.Client
	Timeout    time.Duration // per request (default 30 s)
	PerSecond  float64       // overall (default 30)
	PerChat    time.Duration // between messages to one chat (default 1 s)
}

// maxMessage is the Bot API's limit on a message's text.
const maxMessage = 4096

// NewTelegram builds a Telegram notifier from the configuration.
func NewTelegram(cfg config.Telegram, opts TelegramOptions) (*Telegram, error) {
	if !cfg.Token.IsSet() {
		return nil, errors.New("telegram: notify.telegram.token is not set")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = "https://api.telegram.org"
	}
	if opts.PerSecond <= 0 {
		opts.PerSecond = 30
	}
	if opts.PerChat <= 0 {
		opts.PerChat = time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	c := opts.HTTPClient
	if c == nil {
		c = &http.Client{}
	}
	c = &http.Client{Transport: c.Transport, Timeout: opts.Timeout}
	return &Telegram{base: base, token: cfg.Token.Value(), client: c, perChat: opts.PerChat,
		overall: rate.NewLimiter(rate.Limit(opts.PerSecond), 1), chats: map[string]*rate.Limiter{}}, nil
}

// Name is "telegram".
func (t *Telegram) Name() string { return "telegram" }

func (t *Telegram) chat(id string) *rate.Limiter {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.chats[id]
	if !ok {
		// 5 % headroom: arrivals jitter, and a chat over its limit gets 429s.
		l = rate.NewLimiter(rate.Every(t.perChat+t.perChat/20), 1)
		t.chats[id] = l
	}
	return l
}

// Send sends m to the recipient's chat, in parts when it is longer than a
// Telegram message.
func (t *Telegram) Send(ctx context.Context, to Recipient, m Message) error {
	if to.Telegram == "" {
		return ErrNoContact
	}
	text := html.EscapeString(m.Text)
	if m.Subject != "" {
		text = "<b>" + html.EscapeString(m.Subject) + "</b>\n" + text
	}
	for _, part := range split(text, maxMessage) {
		if err := t.send(ctx, to.Telegram, part); err != nil {
			return err
		}
	}
	return nil
}

// split cuts text into parts of at most n bytes on line boundaries (a line
// longer than n is cut where it must be, never inside a rune).
func split(text string, n int) []string {
	var parts []string
	for len(text) > n {
		cut := strings.LastIndex(text[:n], "\n")
		if cut <= 0 {
			cut = n
			for cut > 0 && text[cut]&0xC0 == 0x80 {
				cut--
			}
		}
		parts = append(parts, text[:cut])
		text = strings.TrimPrefix(text[cut:], "\n")
	}
	return append(parts, text)
}

type tgAnswer struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func (t *Telegram) send(ctx context.Context, chat, text string) error {
	if err := t.chat(chat).Wait(ctx); err != nil {
		return err
	}
	if err := t.overall.Wait(ctx); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"chat_id": chat, "text": text, "parse_mode": "HTML", "disable_web_page_preview": true})
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/bot"+t.token+"/sendMessage", bytes.NewReader(body))
	if err != nil {
		return errors.New("telegram: bad base_url")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		// net/http's error quotes the URL, which holds the token.
		return RetryableError(fmt.Errorf("telegram: sendMessage: %s", t.redact(err.Error())), 0)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var a tgAnswer
	_ = json.Unmarshal(raw, &a)
	if resp.StatusCode == http.StatusOK && a.OK {
		return nil
	}
	err = fmt.Errorf("telegram: sendMessage to chat %s: %d %s", chat, resp.StatusCode, t.redact(a.Description))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return RetryableError(err, time.Duration(a.Parameters.RetryAfter)*time.Second)
	case resp.StatusCode >= 500:
		return RetryableError(err, 0)
	}
	return err // 400 chat not found, 403 the bot was blocked: asking again will not help
}

func (t *Telegram) redact(s string) string {
	return strings.ReplaceAll(s, t.token, "[token]")
}
