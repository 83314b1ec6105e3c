package notify_test

import (
	"bufio"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpd is a minimal SMTP server for the e-mail tests, on 127.0.0.1: EHLO
// and HELO, AUTH PLAIN (offered and required when user is set), MAIL, RCPT,
// DATA, RSET, NOOP, QUIT. No STARTTLS: the client under test runs with a
// TLS policy that allows that. The mode picks a failure.
type smtpd struct {
	host string
	port int

	user, pass string
	mode       smtpMode

	mu     sync.Mutex
	active int // sessions the client has not closed yet
	mails  []mailIn
	auths  []string // "user\x00pass" of every AUTH attempt
}

type smtpMode int

const (
	smtpOK        smtpMode = iota
	smtpGreylist           // RCPT: 451
	smtpNoMailbox          // RCPT: 550
	smtpAuthTemp           // AUTH: 454
	smtpAuthFail           // AUTH: 535
)

// mailIn is one message the server accepted.
type mailIn struct {
	from  string
	rcpts []string
	data  string // dot-unstuffed, CRLF line ends
}

func startSMTPD(t *testing.T, user, pass string, mode smtpMode) *smtpd {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtpd: listen: %v", err)
	}
	s := &smtpd{host: "127.0.0.1", port: l.Addr().(*net.TCPAddr).Port, user: user, pass: pass, mode: mode}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range open {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Go(func() { s.session(c) })
		}
	})
	return s
}

func (s *smtpd) received() []mailIn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailIn(nil), s.mails...)
}

func (s *smtpd) authAttempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

// open is how many sessions the client has not hung up yet.
func (s *smtpd) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

func (s *smtpd) session(c net.Conn) {
	s.mu.Lock()
	s.active++
	s.mu.Unlock()
	defer func() {
		_ = c.Close()
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	r := bufio.NewReader(c)
	reply := func(lines ...string) bool {
		_, err := c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n"))
		return err == nil
	}
	readLine := func() (string, bool) {
		line, err := r.ReadString('\n')
		return strings.TrimRight(line, "\r\n"), err == nil
	}
	if !reply("220 127.0.0.1 test ESMTP") {
		return
	}
	authed := s.user == ""
	var cur mailIn
	for {
		line, ok := readLine()
		if !ok {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			lines := []string{"250-127.0.0.1 hello", "250-8BITMIME", "250-PIPELINING"}
			if s.user != "" {
				lines = append(lines, "250-AUTH PLAIN")
			}
			ok = reply(append(lines, "250 SIZE 10485760")...)
		case "HELO":
			ok = reply("250 127.0.0.1")
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if s.user == "" || !strings.EqualFold(mech, "PLAIN") {
				ok = reply("504 5.5.4 mechanism not supported")
				break
			}
			if initial == "" {
				if !reply("334 ") {
					return
				}
				if initial, ok = readLine(); !ok {
					return
				}
			}
			raw, err := base64.StdEncoding.DecodeString(initial)
			if err != nil {
				ok = reply("501 5.5.2 cannot decode")
				break
			}
			fields := strings.Split(string(raw), "\x00")
			s.mu.Lock()
			if len(fields) == 3 {
				s.auths = append(s.auths, fields[1]+"\x00"+fields[2])
			}
			s.mu.Unlock()
			switch {
			case s.mode == smtpAuthTemp:
				ok = reply("454 4.7.0 temporary authentication failure")
			case s.mode == smtpAuthFail || len(fields) != 3 || fields[1] != s.user || fields[2] != s.pass:
				ok = reply("535 5.7.8 authentication credentials invalid")
			default:
				authed = true
				ok = reply("235 2.7.0 authentication successful")
			}
		case "MAIL":
			if !authed {
				ok = reply("530 5.7.0 authentication required")
				break
			}
			cur = mailIn{from: angle(arg)}
			ok = reply("250 2.1.0 ok")
		case "RCPT":
			switch s.mode {
			case smtpGreylist:
				ok = reply("451 4.7.1 greylisted, try again later")
			case smtpNoMailbox:
				ok = reply("550 5.1.1 mailbox unavailable")
			default:
				cur.rcpts = append(cur.rcpts, angle(arg))
				ok = reply("250 2.1.5 ok")
			}
		case "DATA":
			if len(cur.rcpts) == 0 {
				ok = reply("554 5.5.1 no valid recipients")
				break
			}
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			var b strings.Builder
			for {
				l, ok := readLine()
				if !ok {
					return
				}
				if l == "." {
					break
				}
				b.WriteString(strings.TrimPrefix(l, ".") + "\r\n")
			}
			cur.data = b.String()
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			cur = mailIn{}
			ok = reply("250 2.0.0 queued")
		case "RSET":
			cur = mailIn{}
			ok = reply("250 2.0.0 ok")
		case "NOOP":
			ok = reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			ok = reply("502 5.5.2 command not recognized")
		}
		if !ok {
			return
		}
	}
}

// angle returns the address inside <…> of "FROM:<a@b> BODY=8BITMIME".
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
