package googlefake

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// parseDriveQuery compiles the subset of Drive's q language the fake knows:
//
//	'<id>' in parents
//	trashed = true|false          (also !=)
//	mimeType = '<type>'           (also !=)
//	name = '<name>' | name contains '<part>'   (also !=)
//	modifiedTime|createdTime <op> '<RFC 3339 time>'   (op: = != < <= > >=)
//
// joined with "and" (any case) and grouped with parentheses. Anything else
// is an error (Drive answers 400 Invalid Value). An empty query matches
// every file, trashed ones included, as Drive does.
func parseDriveQuery(q string) (func(*file) bool, error) {
	toks, err := lexDriveQuery(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return func(*file) bool { return true }, nil
	}
	p := &qParser{toks: toks}
	m, err := p.and()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	return m, nil
}

type qToken struct {
	text   string
	quoted bool
}

func lexDriveQuery(q string) ([]qToken, error) {
	var toks []qToken
	for i := 0; i < len(q); {
		c := q[i]
		switch c {
		case ' ', '\t', '\n':
			i++
		case '\'':
			var b strings.Builder
			i++
			closed := false
			for i < len(q) {
				if q[i] == '\\' && i+1 < len(q) {
					b.WriteByte(q[i+1])
					i += 2
					continue
				}
				if q[i] == '\'' {
					closed = true
					i++
					break
				}
				b.WriteByte(q[i])
				i++
			}
			if !closed {
				return nil, errors.New("unterminated string")
			}
			toks = append(toks, qToken{text: b.String(), quoted: true})
		case '(', ')':
			toks = append(toks, qToken{text: string(c)})
			i++
		case '=', '!', '<', '>':
			j := i + 1
			if j < len(q) && q[j] == '=' {
				j++
			}
			toks = append(toks, qToken{text: q[i:j]})
			i = j
		default:
			j := i
			for j < len(q) && !strings.ContainsRune(" \t\n'()=!<>", rune(q[j])) {
				j++
			}
			toks = append(toks, qToken{text: q[i:j]})
			i = j
		}
	}
	return toks, nil
}

type qParser struct {
	toks []qToken
	i    int
}

func (p *qParser) peek() (qToken, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return qToken{}, false
}

func (p *qParser) next() (qToken, error) {
	t, ok := p.peek()
	if !ok {
		return qToken{}, errors.New("unexpected end of query")
	}
	p.i++
	return t, nil
}

func (p *qParser) and() (func(*file) bool, error) {
	var terms []func(*file) bool
	for {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		n, ok := p.peek()
		if !ok || n.quoted || !strings.EqualFold(n.text, "and") {
			break
		}
		p.i++
	}
	return func(f *file) bool {
		for _, t := range terms {
			if !t(f) {
				return false
			}
		}
		return true
	}, nil
}

func (p *qParser) term() (func(*file) bool, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if !t.quoted && t.text == "(" {
		m, err := p.and()
		if err != nil {
			return nil, err
		}
		if c, err := p.next(); err != nil || c.quoted || c.text != ")" {
			return nil, errors.New("missing )")
		}
		return m, nil
	}
	if t.quoted {
		in, err := p.next()
		if err != nil || in.quoted || !strings.EqualFold(in.text, "in") {
			return nil, errors.New("expected in")
		}
		coll, err := p.next()
		if err != nil || coll.quoted || coll.text != "parents" {
			return nil, errors.New("only 'x' in parents is supported")
		}
		id := t.text
		return func(f *file) bool { return slices.Contains(f.parents, id) }, nil
	}
	op, err := p.next()
	if err != nil || op.quoted {
		return nil, errors.New("expected an operator")
	}
	val, err := p.next()
	if err != nil {
		return nil, err
	}
	switch t.text {
	case "trashed":
		if val.quoted || (val.text != "true" && val.text != "false") {
			return nil, errors.New("trashed takes true or false")
		}
		want := val.text == "true"
		switch op.text {
		case "=":
			return func(f *file) bool { return f.trashed == want }, nil
		case "!=":
			return func(f *file) bool { return f.trashed != want }, nil
		}
	case "mimeType", "name":
		if !val.quoted {
			return nil, errors.New("expected a string")
		}
		get := func(f *file) string { return f.mime }
		if t.text == "name" {
			get = func(f *file) string { return f.name }
		}
		s := val.text
		switch op.text {
		case "=":
			return func(f *file) bool { return get(f) == s }, nil
		case "!=":
			return func(f *file) bool { return get(f) != s }, nil
		case "contains":
			if t.text == "name" {
				return func(f *file) bool { return strings.Contains(strings.ToLower(get(f)), strings.ToLower(s)) }, nil
			}
		}
	case "modifiedTime", "createdTime":
		if !val.quoted {
			return nil, errors.New("expected a time string")
		}
		at, err := parseDriveTime(val.text)
		if err != nil {
			return nil, err
		}
		get := func(f *file) time.Time { return f.modified }
		if t.text == "createdTime" {
			get = func(f *file) time.Time { return f.created }
		}
		cmp, err := timeOp(op.text)
		if err != nil {
			return nil, err
		}
		return func(f *file) bool { return cmp(get(f).Compare(at)) }, nil
	}
	return nil, fmt.Errorf("unsupported query term %s %s", t.text, op.text)
}

func timeOp(op string) (func(int) bool, error) {
	switch op {
	case "=":
		return func(c int) bool { return c == 0 }, nil
	case "!=":
		return func(c int) bool { return c != 0 }, nil
	case "<":
		return func(c int) bool { return c < 0 }, nil
	case "<=":
		return func(c int) bool { return c <= 0 }, nil
	case ">":
		return func(c int) bool { return c > 0 }, nil
	case ">=":
		return func(c int) bool { return c >= 0 }, nil
	}
	return nil, fmt.Errorf("bad operator %s", op)
}

// parseDriveTime reads RFC 3339 as Drive accepts it: the zone is optional
// (UTC by default) and so are fractional seconds.
func parseDriveTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", v)
}
