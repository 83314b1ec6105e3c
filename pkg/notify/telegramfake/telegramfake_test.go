package telegramfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/notify/telegramfake"
)

// post sends a raw sendMessage request and returns the status and answer.
func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body)) //nolint:noctx // a test against a local server
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var a map[string]any
	require.NoError(t, json.Unmarshal(raw, &a), string(raw))
	return resp.StatusCode, a
}

func TestFakeCountsViolations(t *testing.T) {
	t.Parallel()
	s := telegramfake.New(t, telegramfake.Options{Token: "1:tok", PerChat: time.Hour, PerSecond: 2})
	url := s.URL + "/bot1:tok/sendMessage"
	code, a := post(t, url, `{"chat_id":1,"text":"one"}`)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, true, a["ok"])

	// Same chat at once: the real 429, with retry_after, counted.
	code, a = post(t, url, `{"chat_id":1,"text":"two"}`)
	require.Equal(t, http.StatusTooManyRequests, code)
	require.Equal(t, false, a["ok"])
	require.InDelta(t, 429, a["error_code"], 0)
	require.Contains(t, a["description"], "Too Many Requests: retry after ")
	require.Greater(t, a["parameters"].(map[string]any)["retry_after"], 3000.0)
	require.Equal(t, 1, s.Violations())

	// Other chats: the third request within a second breaks the overall limit.
	code, _ = post(t, url, `{"chat_id":"2","text":"three"}`)
	require.Equal(t, http.StatusTooManyRequests, code)
	require.Equal(t, 2, s.Violations())
	require.Equal(t, 3, s.Requests())
	require.Len(t, s.All(), 1)
}

func TestFakeChecksRequests(t *testing.T) {
	t.Parallel()
	s := telegramfake.New(t, telegramfake.Options{Token: "1:tok", PerChat: time.Nanosecond, PerSecond: 1000})
	url := s.URL + "/bot1:tok/sendMessage"
	tests := []struct {
		body string
		code int
		desc string
	}{
		{`{"chat_id":"1","text":"<b>a &lt; b &amp; c</b> &#34;q&#x22;","parse_mode":"HTML"}`, 200, ""},
		{`{"chat_id":"1","text":"a < b","parse_mode":"HTML"}`, 400, "can't parse entities"},
		{`{"chat_id":"1","text":"a & b","parse_mode":"HTML"}`, 400, "can't parse entities"},
		{`{"chat_id":"1","text":"a > b","parse_mode":"HTML"}`, 400, "can't parse entities"},
		{`{"chat_id":"1","text":"<script>x</script>","parse_mode":"HTML"}`, 400, "unsupported start tag"},
		{`{"chat_id":"1","text":"<b>x</i>","parse_mode":"HTML"}`, 400, "unmatched end tag"},
		{`{"chat_id":"1","text":"<b>x","parse_mode":"HTML"}`, 400, "end tag"},
		{`{"chat_id":"1","text":"a < b"}`, 200, ""},
		{`{"chat_id":"1","text":"  "}`, 400, "message text is empty"},
		{`{"text":"x"}`, 400, "chat_id is empty"},
		{`{"chat_id":"1","text":"x","disable_web_page_preview":true}`, 400, "replaced by link_preview_options"},
		{`{"chat_id":"1","text":"x","link_preview_options":{"prefer_small_media":true,"prefer_large_media":true}}`, 400, "exclude each other"},
		{`{"chat_id":"1","text":"` + strings.Repeat("я", 4097) + `"}`, 400, "message is too long"},
		{`{"chat_id":"1","text":"<b>` + strings.Repeat("я", 4096) + `</b>","parse_mode":"HTML"}`, 200, ""},
	}
	for _, tc := range tests {
		code, a := post(t, url, tc.body)
		require.Equal(t, tc.code, code, tc.body[:min(len(tc.body), 80)])
		if tc.desc != "" {
			require.Contains(t, a["description"], tc.desc)
		}
	}
	require.Equal(t, `a < b & c "q"`, s.Messages("1")[0].Plain)

	code, a := post(t, s.URL+"/bot2:other/sendMessage", `{"chat_id":"1","text":"x"}`)
	require.Equal(t, http.StatusUnauthorized, code)
	require.Equal(t, "Unauthorized", a["description"])
	code, _ = post(t, s.URL+"/bot1:tok/getMe", `{}`)
	require.Equal(t, http.StatusNotFound, code)
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	s := telegramfake.New(t, telegramfake.Options{Token: "1:tok", PerChat: time.Nanosecond, PerSecond: 1000})
	url := s.URL + "/bot1:tok/sendMessage"
	s.Inject(telegramfake.FloodWait(7), 1)
	s.Inject(telegramfake.InternalError, 1)
	s.Block("9")
	code, a := post(t, url, `{"chat_id":"1","text":"x"}`)
	require.Equal(t, 429, code)
	require.InDelta(t, 7, a["parameters"].(map[string]any)["retry_after"], 0)
	code, _ = post(t, url, `{"chat_id":"1","text":"x"}`)
	require.Equal(t, 500, code)
	code, a = post(t, url, `{"chat_id":"9","text":"x"}`)
	require.Equal(t, 403, code)
	require.Equal(t, "Forbidden: bot was blocked by the user", a["description"])
	code, _ = post(t, url, `{"chat_id":"1","text":"x"}`)
	require.Equal(t, 200, code)
	require.Zero(t, s.Violations())
}
