package httpkit

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
)

// InProcess is an HTTP client that serves every request with h in the
// calling goroutine: no socket, so that in a testing/synctest bubble the
// fake clock moves while the client and the fake wait (a socket keeps the
// bubble from being idle), and rate-limit and quota tests do not depend on
// how busy the machine is. The request's host is ignored; redirects are
// not followed. For the in-repo fakes (googlefake, the CRM fakes).
func InProcess(h http.Handler) *http.Client {
	return &http.Client{
		Transport:     handlerTransport{h},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	// The request as a server sees it.
	in := r.Clone(r.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI, in.RemoteAddr, in.Host = r.URL.RequestURI(), "127.0.0.1:1", r.URL.Host
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	if r.Body != nil {
		_ = r.Body.Close()
	}
	if err := r.Context().Err(); err != nil {
		// The client gave up while the handler waited (an injected
		// timeout): it sees its own error, as over a socket.
		return nil, err
	}
	resp := rec.Result()
	resp.Request = r
	if body := rec.Body.Bytes(); resp.ContentLength > int64(len(body)) {
		// Fewer bytes than announced, then the connection closes: a
		// socket's reader reports that as an unexpected EOF.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{io.ErrUnexpectedEOF}))
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
