// Package telegramfake is an in-process fake of the Telegram Bot API's
// sendMessage, for tests of the Telegram channel.
//
// It speaks the wire format (POST /bot<token>/sendMessage with a JSON body;
// answers {"ok":true,"result":{…}} or {"ok":false,"error_code":N,
// "description":"…","parameters":{…}}) and checks what the real API checks:
// the token in the path (401 otherwise), a chat_id and a non-empty text,
// parse_mode HTML that parses (only Telegram's tags; every other <, > and &
// escaped), and at most 4096 characters after entity parsing. Link previews
// are set the Bot API 7.0 way, link_preview_options {"is_disabled": true, …};
// the disable_web_page_preview it replaced is refused (400), so that a
// client drifting back to it shows in tests.
//
// It enforces the Bot API's flood limits the way the real one does, with a
// 429 carrying parameters.retry_after, and counts every request that broke
// them (Violations): two requests to one chat closer than Options.PerChat
// (default one second), or more than Options.PerSecond requests (default 30)
// within one second. Faults can be injected (Inject, Block).
//
// The server listens on 127.0.0.1 only and is closed by t.Cleanup.
package telegramfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// MaxText is the most characters a message may hold after entity parsing.
const MaxText = 4096

// Options configure a Server; the zero value is the real API's limits.
type Options struct {
	// Token is the bot token the path must carry ("": a random one).
	Token string
	// PerChat is the least time between two requests to one chat (0: one
	// second).
	PerChat time.Duration
	// PerSecond is the most requests within any second (0: 30).
	PerSecond int
}

// Message is a message the server accepted.
type Message struct {
	ChatID string
	// Text is the text as sent (HTML in parse_mode HTML).
	Text string
	// Plain is the text after entity parsing: what the person reads.
	Plain     string
	ParseMode string
	// LinkPreviewDisabled is link_preview_options.is_disabled.
	LinkPreviewDisabled bool
	At                  time.Time
}

// Fault is an answer Inject makes the server give instead of sending.
type Fault struct {
	Code        int
	Description string
	// RetryAfter is parameters.retry_after, in seconds (429 only).
	RetryAfter int
}

// Faults the real API answers.
var (
	Blocked       = Fault{Code: 403, Description: "Forbidden: bot was blocked by the user"}
	ChatNotFound  = Fault{Code: 400, Description: "Bad Request: chat not found"}
	InternalError = Fault{Code: 500, Description: "Internal Server Error"}
	BadGateway    = Fault{Code: 502, Description: "Bad Gateway"}
)

// FloodWait is the 429 the API answers a bot that sends too much.
func FloodWait(seconds int) Fault {
	return Fault{Code: 429, Description: "Too Many Requests: retry after " + strconv.Itoa(seconds), RetryAfter: seconds}
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, for notify.telegram.base_url.
	URL string
	// Token is the bot token the server accepts.
	Token string

	opts Options
	srv  *httptest.Server

	mu         sync.Mutex
	messages   []Message
	last       map[string]time.Time // last request per chat
	recent     []time.Time          // requests within the last second
	requests   int
	violations int
	faults     []Fault
	blocked    map[string]bool
}

// New starts a Server on 127.0.0.1; t.Cleanup closes it.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		opts.Token = "123456789:AA" + hex.EncodeToString(b)
	}
	if opts.PerChat <= 0 {
		opts.PerChat = time.Second
	}
	if opts.PerSecond <= 0 {
		opts.PerSecond = 30
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("telegramfake: listen: %v", err)
	}
	s := &Server{Token: opts.Token, opts: opts, last: map[string]time.Time{}, blocked: map[string]bool{}}
	s.srv = &httptest.Server{
		Listener: l,
		Config:   &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second},
	}
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server (a test of connection failures); t.Cleanup also does.
func (s *Server) Close() { s.srv.Close() }

// Inject makes the next `times` sendMessage requests (with the right token,
// within the limits) answer f.
func (s *Server) Inject(f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults = append(s.faults, f)
	}
}

// Block makes every message to chat answer 403 "bot was blocked by the user".
func (s *Server) Block(chat string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chat] = true
}

// Messages returns the messages accepted for chat, in order.
func (s *Server) Messages(chat string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChatID == chat {
			out = append(out, m)
		}
	}
	return out
}

// All returns every accepted message, in order.
func (s *Server) All() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Requests is how many sendMessage requests with the right token arrived.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Violations is how many requests broke the flood limits.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violations
}

// answer is the Bot API's envelope.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *parameters     `json:"parameters,omitempty"`
}

type parameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func write(w http.ResponseWriter, code int, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(a)
}

func fail(w http.ResponseWriter, f Fault) {
	a := answer{ErrorCode: f.Code, Description: f.Description}
	if f.RetryAfter > 0 {
		a.Parameters = &parameters{RetryAfter: f.RetryAfter}
	}
	write(w, f.Code, a)
}

func badRequest(w http.ResponseWriter, desc string) {
	fail(w, Fault{Code: 400, Description: "Bad Request: " + desc})
}

type sendMessage struct {
	ChatID             json.RawMessage     `json:"chat_id"`
	Text               *string             `json:"text"`
	ParseMode          string              `json:"parse_mode"`
	LinkPreviewOptions *linkPreviewOptions `json:"link_preview_options"`
	// DisableWebPagePreview was replaced by link_preview_options in Bot API 7.0.
	DisableWebPagePreview *bool `json:"disable_web_page_preview"`
}

// linkPreviewOptions is the Bot API's LinkPreviewOptions object.
type linkPreviewOptions struct {
	IsDisabled       bool   `json:"is_disabled"`
	URL              string `json:"url"`
	PreferSmallMedia bool   `json:"prefer_small_media"`
	PreferLargeMedia bool   `json:"prefer_large_media"`
	ShowAboveText    bool   `json:"show_above_text"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	switch {
	case !strings.HasPrefix(r.URL.Path, "/bot") || !ok:
		fail(w, Fault{Code: 404, Description: "Not Found"})
		return
	case token != s.Token:
		fail(w, Fault{Code: 401, Description: "Unauthorized"})
		return
	case method != "sendMessage":
		fail(w, Fault{Code: 404, Description: "Not Found: method not found"})
		return
	case r.Method != http.MethodPost:
		badRequest(w, "this fake accepts POST only")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		badRequest(w, "this fake accepts application/json bodies only")
		return
	}
	var req sendMessage
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		badRequest(w, "invalid JSON: "+err.Error())
		return
	}
	chat, err := chatID(req.ChatID)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	if req.DisableWebPagePreview != nil {
		badRequest(w, "disable_web_page_preview was replaced by link_preview_options in Bot API 7.0")
		return
	}
	disabled := false
	if o := req.LinkPreviewOptions; o != nil {
		if o.PreferSmallMedia && o.PreferLargeMedia {
			badRequest(w, "link_preview_options: prefer_small_media and prefer_large_media exclude each other")
			return
		}
		disabled = o.IsDisabled
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.requests++
	if wait := s.flood(chat, now); wait > 0 {
		s.violations++
		fail(w, FloodWait(int(math.Ceil(wait.Seconds()))))
		return
	}
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		fail(w, f)
		return
	}
	if s.blocked[chat] {
		fail(w, Blocked)
		return
	}
	if req.Text == nil || strings.TrimSpace(*req.Text) == "" {
		badRequest(w, "message text is empty")
		return
	}
	plain := *req.Text
	switch req.ParseMode {
	case "":
	case "HTML":
		if plain, err = parseHTML(*req.Text); err != nil {
			badRequest(w, "can't parse entities: "+err.Error())
			return
		}
	default:
		badRequest(w, "unsupported parse_mode")
		return
	}
	if n := len(utf16.Encode([]rune(strings.TrimSpace(plain)))); n > MaxText {
		badRequest(w, "message is too long")
		return
	}
	s.messages = append(s.messages, Message{ChatID: chat, Text: *req.Text, Plain: plain, ParseMode: req.ParseMode,
		LinkPreviewDisabled: disabled, At: now})
	result, _ := json.Marshal(map[string]any{"message_id": len(s.messages), "date": now.Unix(),
		"chat": map[string]any{"id": chat}, "text": plain})
	write(w, http.StatusOK, answer{OK: true, Result: result})
}

// flood records a request to chat at now and returns how long the bot
// should have waited (0: it kept to the limits).
func (s *Server) flood(chat string, now time.Time) time.Duration {
	var wait time.Duration
	if at, ok := s.last[chat]; ok && now.Sub(at) < s.opts.PerChat {
		wait = s.opts.PerChat - now.Sub(at)
	}
	s.last[chat] = now
	i := 0
	for i < len(s.recent) && now.Sub(s.recent[i]) >= time.Second {
		i++
	}
	s.recent = append(s.recent[i:], now)
	if len(s.recent) > s.opts.PerSecond {
		wait = max(wait, time.Second-now.Sub(s.recent[len(s.recent)-1-s.opts.PerSecond]))
	}
	return wait
}

// chatID reads chat_id: an integer or a string (a number or @channelname).
func chatID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("chat_id is empty")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("chat_id is empty")
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if _, err := n.Int64(); err == nil {
			return n.String(), nil
		}
	}
	return "", fmt.Errorf("chat not found")
}
