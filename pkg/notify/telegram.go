package notify

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Telegram wire format (Bot API, https://core.telegram.org/bots/api):
//
//	POST {base_url}/bot<token>/sendMessage
//	Content-Type: application/json
//
//	{"chat_id":"111222333","text":"<b>Subject</b>\ntext","parse_mode":"HTML","link_preview_options":{"is_disabled":true}}
//
// link_preview_options (a LinkPreviewOptions object) replaced
// disable_web_page_preview in Bot API 7.0 (December 2023); a link in a
// reminder or a digest gets no preview card.
// The answer is {"ok":true,"result":{…}} or {"ok":false,"error_code":N,
// "description":"…","parameters":{"retry_after":S,"migrate_to_chat_id":C}}.
// The text may hold 1-4096 characters after entity parsing; in HTML mode
// every <, > and & that is not markup must be written &lt;, &gt;, &amp;.
// The Bot API asks bots to keep to about 30 messages a second overall and
// one a second per chat, and answers flood with 429 and retry_after.

// Telegram defaults.
const (
	DefaultTelegramURL       = "https://api.telegram.org"
	DefaultTelegramPerChat   = time.Second
	DefaultTelegramPerSecond = 30
	// TelegramMaxText is the longest message text, in characters (UTF-16
	// code units) after entity parsing.
	TelegramMaxText = 4096
)

// TelegramOptions tune a Telegram channel; the zero value is the Bot API's
// limits.
type TelegramOptions struct {
	// HTTPClient sends the requests (nil: a client that does not follow
	// redirects). Its own Timeout, if any, also applies.
	HTTPClient *http.Client
	// Timeout bounds one request (0: DefaultTimeout).
	Timeout time.Duration
	// PerChat is the least time between two messages to one chat, counted
	// from the answer to the first (0: DefaultTelegramPerChat).
	PerChat time.Duration
	// PerSecond is the most messages sent within any one second (0:
	// DefaultTelegramPerSecond).
	PerSecond int
}

// Telegram sends messages through a bot, as HTML: the subject in bold on the
// first line, every text escaped, a long message in parts cut on line
// boundaries. It keeps to the Bot API's limits itself: one message a second
// per chat and 30 a second overall (TelegramOptions), and after a 429 it
// leaves the chat alone for the retry_after the API asked for.
//
// The bot token is part of the request URL: no error ever contains it.
// A Telegram is safe for concurrent use; messages to one chat go out one
// after the other, never interleaved.
type Telegram struct {
	endpoint string
	client   *http.Client
	timeout  time.Duration
	perChat  time.Duration
	overall  *window
	chats    gates
	scrub    *httpkit.Redactor
}

var _ Notifier = (*Telegram)(nil)

// NewTelegram returns the Telegram channel for cfg: the token is required,
// base_url defaults to DefaultTelegramURL. Errors never repeat the token.
func NewTelegram(cfg config.Telegram, opts TelegramOptions) (*Telegram, error) {
	token := strings.TrimSpace(cfg.Token.Value())
	if token == "" {
		return nil, errors.New("telegram: notify.telegram.token is not set")
	}
	if strings.ContainsAny(token, "/?#% \t\r\n") {
		return nil, errors.New("telegram: notify.telegram.token is not a bot token (it holds a character a token never has)")
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		base = DefaultTelegramURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("telegram: notify.telegram.base_url must be an http or https URL without query, like " + DefaultTelegramURL)
	}
	if opts.Timeout < 0 || opts.PerChat < 0 || opts.PerSecond < 0 {
		return nil, errors.New("telegram: negative option")
	}
	t := &Telegram{
		endpoint: base + "/bot" + token + "/sendMessage",
		client:   opts.HTTPClient,
		timeout:  cmp.Or(opts.Timeout, DefaultTimeout),
		perChat:  cmp.Or(opts.PerChat, DefaultTelegramPerChat),
		overall:  newWindow(cmp.Or(opts.PerSecond, DefaultTelegramPerSecond), time.Second),
		scrub:    telegramScrubber(token),
	}
	if t.client == nil {
		t.client = defaultHTTPClient()
	}
	return t, nil
}

// telegramScrubber hides the token and its secret half (the part after the
// colon, which is what makes a token a credential).
func telegramScrubber(token string) *httpkit.Redactor {
	secrets := []string{token}
	if _, after, ok := strings.Cut(token, ":"); ok {
		secrets = append(secrets, after)
	}
	return httpkit.NewRedactor(secrets...)
}

// Name returns "telegram".
func (t *Telegram) Name() string { return "telegram" }

// Send sends m to the recipient's chat (ErrNoContact without one), in parts
// when it is longer than TelegramMaxText. It waits as the rate limits
// require, as long as ctx allows. When a part fails, the rest is not sent.
func (t *Telegram) Send(ctx context.Context, to Recipient, m Message) error {
	return classified(t.send(ctx, to, m))
}

func (t *Telegram) send(ctx context.Context, to Recipient, m Message) error {
	chat := strings.TrimSpace(to.Telegram)
	if chat == "" {
		return fmt.Errorf("telegram: %s: %w", to.ID, ErrNoContact)
	}
	parts := telegramParts(m, TelegramMaxText)
	if len(parts) == 0 {
		return errors.New("telegram: the message is empty")
	}
	if m.OnePart && len(parts) > 1 {
		parts = []string{telegramParts(m, TelegramMaxText-textLen(cutMark))[0] + cutMark}
	}
	g, err := t.chats.enter(ctx, chat)
	if err != nil {
		return RetryableError(fmt.Errorf("telegram: chat %s: not sent: %w", chat, err), 0)
	}
	defer t.chats.leave(g)
	for i, part := range parts {
		if err := t.sendPart(ctx, g, chat, part); err != nil {
			if i > 0 {
				return fmt.Errorf("%w (part %d of %d; the earlier parts were sent)", err, i+1, len(parts))
			}
			return err
		}
	}
	return nil
}

// sendPart sends one message once its chat's interval and the overall
// window allow, and moves the chat's next slot on.
func (t *Telegram) sendPart(ctx context.Context, g *gate, chat, text string) error {
	if err := sleepUntil(ctx, g.next); err != nil {
		return RetryableError(fmt.Errorf("telegram: chat %s: not sent: %w", chat, err), 0)
	}
	if err := t.overall.acquire(ctx); err != nil {
		return RetryableError(fmt.Errorf("telegram: chat %s: not sent: %w", chat, err), 0)
	}
	err := t.post(ctx, chat, text)
	t.overall.release()
	now := time.Now()
	g.next = now.Add(t.perChat)
	if wait := RetryAfter(err); wait > 0 {
		g.next = now.Add(max(wait, t.perChat))
	}
	return err
}

type telegramRequest struct {
	ChatID             string             `json:"chat_id"`
	Text               string             `json:"text"`
	ParseMode          string             `json:"parse_mode"`
	LinkPreviewOptions linkPreviewOptions `json:"link_preview_options"`
}

// linkPreviewOptions is the Bot API's LinkPreviewOptions (7.0), as far as
// the channel sets it.
type linkPreviewOptions struct {
	IsDisabled bool `json:"is_disabled"`
}

type telegramAnswer struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      float64 `json:"retry_after"`
		MigrateToChatID int64   `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// post makes one sendMessage call and classifies its outcome.
func (t *Telegram) post(ctx context.Context, chat, text string) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(telegramRequest{ChatID: chat, Text: text, ParseMode: "HTML", LinkPreviewOptions: linkPreviewOptions{IsDisabled: true}}); err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, t.endpoint, &body)
	if err != nil {
		return errors.New("telegram: sendMessage: the request cannot be built from notify.telegram.base_url")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dayreport")
	resp, err := t.client.Do(req)
	if err != nil {
		return t.scrub.TransportError(ctx, "telegram: sendMessage to chat "+chat+": ", t.timeout, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	var a telegramAnswer
	parsed := json.Unmarshal(raw, &a) == nil
	if resp.StatusCode == http.StatusOK && (a.OK || !parsed || a.ErrorCode == 0) {
		// A 200 is a sent message even when a proxy garbled the answer:
		// sending again would send it twice.
		return nil
	}
	return t.failure(chat, resp, a, parsed)
}

// failure turns an error answer into an error: retryable for flood (429)
// and server trouble (5xx), permanent with advice for the rest.
func (t *Telegram) failure(chat string, resp *http.Response, a telegramAnswer, parsed bool) error {
	code := resp.StatusCode
	if parsed && a.ErrorCode != 0 {
		code = a.ErrorCode
	}
	desc := shorten(t.scrub.Redact(a.Description), 300)
	if desc == "" {
		desc = strconv.Itoa(code) + " " + http.StatusText(code)
	}
	what := fmt.Sprintf("telegram: sendMessage to chat %s: %s", chat, desc)
	lower := strings.ToLower(desc)
	switch {
	case code == http.StatusTooManyRequests:
		after := time.Duration(a.Parameters.RetryAfter * float64(time.Second))
		if after <= 0 {
			after = httpkit.RetryAfter(resp.Header, time.Now(), maxRetryAfter)
		}
		return RetryableError(errors.New(what+" (flood control)"), min(max(after, 0), maxRetryAfter))
	case code >= 500, code == http.StatusRequestTimeout:
		return RetryableError(errors.New(what), 0)
	case code == http.StatusUnauthorized:
		return errors.New(what + ": the bot token was rejected; check notify.telegram.token")
	case code == http.StatusNotFound:
		return errors.New(what + ": check notify.telegram.token and notify.telegram.base_url")
	case code == http.StatusForbidden:
		return errors.New(what + ": the bot may not write to this chat (the person blocked the bot or never started it, or the bot is not in the group)")
	case a.Parameters.MigrateToChatID != 0:
		return fmt.Errorf("%s: the group became a supergroup with chat id %d; use that chat id", what, a.Parameters.MigrateToChatID)
	case strings.Contains(lower, "chat not found"):
		return errors.New(what + ": check the chat id, and that the person has started a conversation with the bot")
	case code >= 300 && code < 400:
		return errors.New(what + ": redirects are not followed; point notify.telegram.base_url at the Bot API itself")
	}
	return errors.New(what)
}

// htmlEscaper escapes what Telegram's HTML mode would read as markup.
// cutMark ends a message cut to one part (Message.OnePart); two
// characters, as Telegram counts them.
const cutMark = "\n…"

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// telegramParts renders m as Telegram HTML messages of at most limit
// characters (after entity parsing) each: the subject in bold on the first
// line, then the text; a message too long for one is cut between lines (a
// line too long on its own, at a space or where it must be). Blank lines
// where a message is cut are dropped.
func telegramParts(m Message, limit int) []string {
	type line struct {
		text string
		bold bool
	}
	var lines []line
	if subject := strings.Join(strings.Fields(m.Subject), " "); subject != "" {
		for _, c := range cutLine(subject, limit) {
			lines = append(lines, line{c, true})
		}
	}
	text := strings.TrimRight(strings.ReplaceAll(m.Text, "\r\n", "\n"), " \t\r\n")
	if text != "" {
		for l := range strings.SplitSeq(text, "\n") {
			for _, c := range cutLine(l, limit) {
				lines = append(lines, line{text: c})
			}
		}
	}
	var parts []string
	var b strings.Builder
	size := -1 // characters in b, counting a newline before each line but the first
	flush := func() {
		if s := strings.TrimRight(b.String(), "\n"); s != "" {
			parts = append(parts, s)
		}
		b.Reset()
		size = -1
	}
	for _, l := range lines {
		n := textLen(l.text)
		if size >= 0 && size+1+n > limit {
			flush()
		}
		if size < 0 && strings.TrimSpace(l.text) == "" {
			continue // a part does not start with a blank line
		}
		if size >= 0 {
			b.WriteByte('\n')
		}
		size += 1 + n
		if l.bold {
			b.WriteString("<b>" + htmlEscaper.Replace(l.text) + "</b>")
		} else {
			b.WriteString(htmlEscaper.Replace(l.text))
		}
	}
	flush()
	return parts
}

// cutLine cuts a line into pieces of at most limit characters, after a
// space where there is one in the second half of a piece, never inside a
// rune. The pieces put together are the line.
func cutLine(s string, limit int) []string {
	if textLen(s) <= limit {
		return []string{s}
	}
	var out []string
	for textLen(s) > limit {
		n, cut, space := 0, 0, -1
		for i, r := range s {
			w := utf16.RuneLen(r)
			if w < 0 {
				w = 1
			}
			if n+w > limit {
				cut = i
				break
			}
			n += w
			if r == ' ' && n > limit/2 {
				space = i + 1
			}
		}
		if space > 0 {
			cut = space
		}
		if cut == 0 { // limit below one rune: a rune per piece
			_, cut = utf8.DecodeRuneInString(s)
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

// textLen is the length of s as Telegram counts it: UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if w := utf16.RuneLen(r); w > 0 {
			n += w
		} else {
			n++
		}
	}
	return n
}
