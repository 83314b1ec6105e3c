package app

import (
	"bytes"
	"io"
	"sort"
)

// Scrubber is an io.Writer that replaces every secret with "[hidden]" before
// passing the bytes on. zerolog writes one whole line per Write, so a secret
// never straddles two calls. It is the last line of defence: adapters already
// keep secrets out of their errors.
type Scrubber struct {
	w       io.Writer
	secrets [][]byte
}

// NewScrubber wraps w; empty secrets are ignored.
func NewScrubber(w io.Writer, secrets []string) *Scrubber {
	s := &Scrubber{w: w}
	for _, sec := range secrets {
		if len(sec) >= 4 { // shorter strings would scrub ordinary words
			s.secrets = append(s.secrets, []byte(sec))
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
	return s
}

var hidden = []byte("[hidden]")

// Write scrubs p and writes it; it reports len(p) on success.
func (s *Scrubber) Write(p []byte) (int, error) {
	out := p
	for _, sec := range s.secrets {
		if bytes.Contains(out, sec) {
			out = bytes.ReplaceAll(out, sec, hidden)
		}
	}
	if _, err := s.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
