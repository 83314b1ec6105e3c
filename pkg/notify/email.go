package notify

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// DefaultSMTPPort is the submission port (STARTTLS), used when
// notify.email.port is 0.
const DefaultSMTPPort = 587

// implicitTLSPort is the submissions port: TLS from the first byte (RFC 8314).
const implicitTLSPort = 465

// maxSMTPConns is how many SMTP connections an Email keeps open at once.
const maxSMTPConns = 4

// EmailOptions tune an Email channel; the zero value is what production
// wants.
type EmailOptions struct {
	// TLSPolicy is the STARTTLS policy. The zero value, mail.TLSMandatory,
	// refuses a server that does not offer STARTTLS; tests on a plain
	// local server use mail.TLSOpportunistic or mail.NoTLS. Port 465 uses
	// TLS from the start instead, unless the policy is mail.NoTLS.
	TLSPolicy gomail.TLSPolicy
	// TLSConfig verifies the server (nil: the system's roots, the host's
	// name).
	TLSConfig *tls.Config
	// Auth is the SMTP AUTH mechanism when notify.email.username is set
	// ("": the strongest the server offers; PLAIN and LOGIN only over TLS).
	Auth gomail.SMTPAuthType
	// Timeout bounds one delivery, connection included (0: DefaultTimeout).
	Timeout time.Duration
}

// Email sends plain-text e-mail through an SMTP server: STARTTLS (mandatory
// by default), SMTP AUTH when a username is set, one connection per message
// (at most a few at once). Temporary SMTP answers (4xx) and network failures
// are retryable, permanent ones (5xx) are not. The password never appears in
// an error. An Email is safe for concurrent use.
type Email struct {
	host     string
	port     int
	from     *mail.Address
	user     string
	password string
	opts     EmailOptions
	conns    chan struct{}
	scrub    *httpkit.Redactor
}

var _ Notifier = (*Email)(nil)

// NewEmail returns the e-mail channel for cfg: host and from are required,
// the port defaults to DefaultSMTPPort.
func NewEmail(cfg config.Email, opts EmailOptions) (*Email, error) {
	host := strings.TrimSpace(cfg.Host)
	if host == "" {
		return nil, errors.New("email: notify.email.host is not set")
	}
	port := cmp.Or(cfg.Port, DefaultSMTPPort)
	if port < 1 || port > 65535 {
		return nil, errors.New("email: notify.email.port must be from 1 to 65535")
	}
	if strings.TrimSpace(cfg.From) == "" {
		return nil, errors.New("email: notify.email.from is not set")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: notify.email.from %q is not an e-mail address", cfg.From)
	}
	if opts.Timeout < 0 {
		return nil, errors.New("email: negative timeout")
	}
	opts.Timeout = cmp.Or(opts.Timeout, DefaultTimeout)
	opts.Auth = cmp.Or(opts.Auth, gomail.SMTPAuthAutoDiscover)
	user, password := cfg.Username, cfg.Password.Value()
	secrets := []string{password}
	if password != "" {
		// AUTH PLAIN and LOGIN send the password in base64.
		secrets = append(secrets,
			base64.StdEncoding.EncodeToString([]byte(password)),
			base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)))
	}
	return &Email{
		host: host, port: port, from: from, user: user, password: password, opts: opts,
		conns: make(chan struct{}, maxSMTPConns),
		scrub: httpkit.NewRedactor(secrets...),
	}, nil
}

// Name returns "email".
func (e *Email) Name() string { return "email" }

// Send delivers m to the recipient's address (ErrNoContact without one).
func (e *Email) Send(ctx context.Context, to Recipient, m Message) error {
	return classified(e.send(ctx, to, m))
}

func (e *Email) send(ctx context.Context, to Recipient, m Message) error {
	addr := strings.TrimSpace(to.Email)
	if addr == "" {
		return fmt.Errorf("email: %s: %w", to.ID, ErrNoContact)
	}
	rcpt, err := mail.ParseAddress(addr)
	if err != nil || rcpt.Name != "" {
		return fmt.Errorf("email: %s: %q is not an e-mail address", to.ID, addr)
	}
	rcpt.Name = strings.Join(strings.Fields(to.Name), " ")

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(e.from)
	msg.ToMailAddress(rcpt)
	msg.Subject(strings.Join(strings.Fields(m.Subject), " "))
	msg.SetUserAgent("dayreport")
	msg.SetBodyString(gomail.TypeTextPlain, strings.ReplaceAll(m.Text, "\r\n", "\n"))

	// go-mail leaves the socket open when the dialogue fails before the
	// message (no STARTTLS, a refused EHLO): the connections dialed for it
	// are kept here and closed once the delivery is over.
	var conns connList
	defer conns.closeAll()
	client, err := e.client(conns.dial)
	if err != nil {
		return err
	}
	select {
	case e.conns <- struct{}{}:
	case <-ctx.Done():
		return RetryableError(fmt.Errorf("email: to %s: not sent: %w", rcpt.Address, ctx.Err()), 0)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	<-e.conns
	if err == nil || msg.IsDelivered() {
		// Accepted: a failure after DATA (RSET, QUIT) does not undo it.
		return nil
	}
	return e.classify(ctx, rcpt.Address, err)
}

// client builds a go-mail client for one delivery, dialing with dial.
func (e *Email) client(dial gomail.DialContextFunc) (*gomail.Client, error) {
	tlsConfig := e.opts.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: e.host, MinVersion: tls.VersionTLS12}
	}
	opts := []gomail.Option{
		gomail.WithPort(e.port),
		gomail.WithTimeout(e.opts.Timeout),
		gomail.WithTLSPolicy(e.opts.TLSPolicy),
		gomail.WithTLSConfig(tlsConfig),
	}
	if e.port == implicitTLSPort && e.opts.TLSPolicy != gomail.NoTLS {
		// go-mail dials TLS itself (with a dial function of ours it would
		// not know the connection is encrypted, and refuse PLAIN and LOGIN).
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithDialContextFunc(dial))
	}
	if e.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(e.opts.Auth), gomail.WithUsername(e.user), gomail.WithPassword(e.password))
	}
	c, err := gomail.NewClient(e.host, opts...)
	if err != nil {
		return nil, e.scrub.Error("email: ", err)
	}
	return c, nil
}

// classify turns a failed delivery into an error: retryable for temporary
// SMTP answers (4xx), network failures and cancellation, permanent for
// permanent answers (5xx) and what configuration must fix (no STARTTLS, an
// untrusted certificate, no usable AUTH mechanism). The text is scrubbed.
func (e *Email) classify(ctx context.Context, rcpt string, err error) error {
	prefix := "email: to " + rcpt + ": "
	if ctxErr := ctx.Err(); ctxErr != nil {
		return RetryableError(fmt.Errorf("%snot sent: %w", prefix, ctxErr), 0)
	}
	out := e.scrub.Error(prefix, err)
	if smtpRetryable(err) {
		return RetryableError(out, 0)
	}
	return out
}

// smtpRetryable reports whether a later attempt may deliver.
func smtpRetryable(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch code := se.ErrorCode(); {
		case code >= 500:
			return false
		case code >= 400 || se.IsTemp():
			return true
		}
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return false // the message itself is wrong
		}
		return true // the connection failed in the middle
	}
	var te *textproto.Error
	if errors.As(err, &te) { // an answer to EHLO, STARTTLS or AUTH
		return te.Code >= 400 && te.Code < 500
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return false // the server's certificate is not trusted: configuration
	case errors.Is(err, smtp.ErrUnencrypted), errors.Is(err, gomail.ErrNoSupportedAuthDiscovered),
		errors.Is(err, gomail.ErrPlainAuthNotSupported), errors.Is(err, gomail.ErrLoginAuthNotSupported):
		return false // no way to log in: configuration
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, context.DeadlineExceeded)
}

// connList keeps the connections of one delivery, to close them all after.
type connList struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (l *connList) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns = append(l.conns, c)
	return c, nil
}

func (l *connList) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close() // usually closed already, after QUIT
	}
}
