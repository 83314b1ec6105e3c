package notify

import (
	"net/http"
	"strings"
	"time"
)

// DefaultTimeout bounds one request (an HTTP call, an SMTP delivery) when
// the options leave it zero.
const DefaultTimeout = 30 * time.Second

// maxAnswer is how much of an HTTP answer body is read.
const maxAnswer = 1 << 20

// maxRetryAfter caps the wait a service may ask for.
const maxRetryAfter = 24 * time.Hour

// defaultHTTPClient does not follow redirects: the body (and the token in
// Telegram's path) is meant for the configured address only.
func defaultHTTPClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// shorten cuts s to at most n bytes (on a rune boundary), marking the cut.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
