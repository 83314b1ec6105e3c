package notify_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	gomail "github.com/wneessen/go-mail"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/notify"
)

const (
	smtpUser = "reports@example.ru"
	smtpPass = "p4ss-w0rd-SECRET"
)

// testEmail is an e-mail channel for srv, without TLS (the test server has
// none) and with AUTH PLAIN, which go-mail allows unencrypted to 127.0.0.1
// only.
func testEmail(t *testing.T, srv *smtpd, user, pass string) *notify.Email {
	t.Helper()
	e, err := notify.NewEmail(config.Email{Host: srv.host, Port: srv.port, Username: user, Password: config.Secret(pass), From: "Dayreport <reports@example.ru>"},
		notify.EmailOptions{TLSPolicy: gomail.NoTLS, Auth: gomail.SMTPAuthPlain, Timeout: 5 * time.Second})
	require.NoError(t, err)
	return e
}

var ivanov = notify.Recipient{ID: "ivanov", Name: "Иван Иванов", Telegram: "111222333", Email: "ivanov@example.ru"}

func TestEmailDelivers(t *testing.T) {
	t.Parallel()
	srv := startSMTPD(t, smtpUser, smtpPass, 0)
	e := testEmail(t, srv, smtpUser, smtpPass)
	require.Equal(t, "email", e.Name())
	text := "Не найден отчёт за 26.11.\n\nНовые звонки: 12 <b>&amp;</b>\n.точка в начале строки\n" + strings.Repeat("длинная строка ", 20)
	require.NoError(t, e.Send(t.Context(), ivanov, notify.Message{Subject: "Отчёт за 26 ноября <срочно>", Text: text}))

	require.Equal(t, []string{smtpUser + "\x00" + smtpPass}, srv.authAttempts())
	got := srv.received()
	require.Len(t, got, 1)
	require.Equal(t, "reports@example.ru", got[0].from)
	require.Equal(t, []string{"ivanov@example.ru"}, got[0].rcpts)

	msg, err := mail.ReadMessage(strings.NewReader(got[0].data))
	require.NoError(t, err)
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	require.NoError(t, err)
	require.Equal(t, mail.Address{Name: "Dayreport", Address: "reports@example.ru"}, *from)
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	require.NoError(t, err)
	require.Equal(t, mail.Address{Name: "Иван Иванов", Address: "ivanov@example.ru"}, *to)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Отчёт за 26 ноября <срочно>", subject)
	require.NotEmpty(t, msg.Header.Get("Date"))
	require.NotEmpty(t, msg.Header.Get("Message-Id"))

	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "text/plain", mt)
	require.Equal(t, "utf-8", strings.ToLower(params["charset"]))
	body := io.Reader(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	raw, err := io.ReadAll(body)
	require.NoError(t, err)
	require.Equal(t, text, strings.TrimRight(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n"))
}

func TestEmailWithoutAuth(t *testing.T) {
	t.Parallel()
	srv := startSMTPD(t, "", "", 0)
	e := testEmail(t, srv, "", "")
	require.NoError(t, e.Send(t.Context(), ivanov, notify.Message{Subject: "S", Text: "T"}))
	require.Len(t, srv.received(), 1)
	require.Empty(t, srv.authAttempts())
}

func TestEmailNoContact(t *testing.T) {
	t.Parallel()
	srv := startSMTPD(t, "", "", 0)
	e := testEmail(t, srv, "", "")
	err := e.Send(t.Context(), notify.Recipient{ID: "petrova", Telegram: "1"}, notify.Message{Subject: "S"})
	require.ErrorIs(t, err, notify.ErrNoContact)
	err = e.Send(t.Context(), notify.Recipient{ID: "petrova", Email: "not an address"}, notify.Message{Subject: "S"})
	require.Error(t, err)
	require.False(t, notify.Retryable(err))
	require.Empty(t, srv.received())
}

// TestEmailClassifies checks which failures may pass (4xx, the network, a
// cancelled send) and which will not (5xx, no STARTTLS while it is
// mandatory), and that no error holds the password, raw or in base64.
func TestEmailClassifies(t *testing.T) {
	t.Parallel()
	closed := func() (string, int) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		require.NoError(t, l.Close())
		return "127.0.0.1", port
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name      string
		mode      smtpMode
		pass      string
		ctx       context.Context
		closed    bool
		mandatory bool
		retryable bool
		contains  string
	}{
		{name: "451 greylisted", mode: smtpGreylist, retryable: true, contains: "451"},
		{name: "550 no mailbox", mode: smtpNoMailbox, contains: "550"},
		{name: "454 auth", mode: smtpAuthTemp, retryable: true, contains: "454"},
		{name: "535 auth", mode: smtpAuthFail, contains: "535"},
		{name: "wrong password", pass: "wrong-" + smtpPass, contains: "535"},
		{name: "connection refused", closed: true, retryable: true},
		{name: "cancelled", ctx: cancelled, retryable: true, contains: "not sent"},
		{name: "no STARTTLS while mandatory", mandatory: true, contains: "STARTTLS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTPD(t, smtpUser, smtpPass, tc.mode)
			host, port := srv.host, srv.port
			if tc.closed {
				host, port = closed()
			}
			pass := cmp.Or(tc.pass, smtpPass)
			opts := notify.EmailOptions{TLSPolicy: gomail.NoTLS, Auth: gomail.SMTPAuthPlain, Timeout: 5 * time.Second}
			if tc.mandatory {
				opts.TLSPolicy = gomail.TLSMandatory
			}
			e, err := notify.NewEmail(config.Email{Host: host, Port: port, Username: smtpUser, Password: config.Secret(pass), From: smtpUser}, opts)
			require.NoError(t, err)
			ctx := tc.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			err = e.Send(ctx, ivanov, notify.Message{Subject: "S", Text: "T"})
			require.Error(t, err)
			require.Equal(t, tc.retryable, notify.Retryable(err), "%v", err)
			require.Contains(t, err.Error(), tc.contains)
			for _, secret := range []string{pass, base64.StdEncoding.EncodeToString([]byte(pass)),
				base64.StdEncoding.EncodeToString([]byte("\x00" + smtpUser + "\x00" + pass))} {
				require.NotContains(t, err.Error(), secret)
			}
			require.Empty(t, srv.received())
			require.Eventually(t, func() bool { return srv.open() == 0 }, 5*time.Second, 10*time.Millisecond,
				"the client closes its connection, whatever failed")
		})
	}
}

func TestNewEmailErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []config.Email{
		{From: "a@b.c"},
		{Host: "smtp.example.ru"},
		{Host: "smtp.example.ru", From: "nobody"},
		{Host: "smtp.example.ru", From: "a@b.c", Port: 70000},
	} {
		cfg.Password = smtpPass
		_, err := notify.NewEmail(cfg, notify.EmailOptions{})
		require.Error(t, err)
		require.NotContains(t, err.Error(), smtpPass)
	}
}
