package config

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fastNode parses a configuration written the way configurations are
// written (block mappings and lists by indentation, single-line {...} and
// [...], plain and quoted one-line values, comments) into the node tree
// yaml.v3 gives the same text: the same kinds, values, tags, styles, lines
// and columns (comments are not kept: the decoder does not read them). ok
// is false for anything else (anchors, tags, block scalars, multi-line
// values, escapes, tabs, documents markers, ...), which yaml.v3 parses as
// before. yaml.v3 builds its tree through a port of libyaml's scanner and
// event parser, character by character: for 10 000 employees two thirds of
// the configuration's decode, paid by every `dayreport sync`.
// TestFastNodeIsYAMLs holds it to yaml.v3 over generated and mutated files.
func fastNode(data []byte) (*yaml.Node, bool) {
	if !fastText(data) {
		return nil, false
	}
	p := &fastParser{}
	if !p.split(data) || len(p.lines) == 0 {
		return nil, false
	}
	first := p.lines[0]
	body, ok := p.block(-1)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	doc := p.node()
	doc.Kind, doc.Line, doc.Column, doc.Content = yaml.DocumentNode, first.no, first.ind+1, []*yaml.Node{body}
	return doc, true
}

// fastText: data is UTF-8 of characters YAML prints and fastNode reads as
// yaml.v3 does (no tab, no carriage return, no byte order mark, no line
// break but \n).
func fastText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r < 0xa0 || r == '\u2028' || r == '\u2029' || r == '\ufeff' ||
			(r >= 0xd800 && r < 0xe000) || r == 0xfffe || r == 0xffff {
			return false
		}
		i += n
	}
	return true
}

// fastLine is a line with something on it: its number, where its text
// starts (the indentation, or past a list's "- " for a mapping inside a
// list item) and the whole line.
type fastLine struct {
	no  int
	ind int
	s   string
}

type fastParser struct {
	lines []fastLine
	i     int
	slab  []yaml.Node
	ptrs  []*yaml.Node
}

// split keeps the lines with something on them but a comment.
func (p *fastParser) split(data []byte) bool {
	text := string(data)
	p.lines = make([]fastLine, 0, strings.Count(text, "\n")+1)
	no := 0
	for len(text) > 0 {
		no++
		line := text
		if nl := strings.IndexByte(text, '\n'); nl >= 0 {
			line, text = text[:nl], text[nl+1:]
		} else {
			text = ""
		}
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		if ind == len(line) || line[ind] == '#' {
			continue
		}
		p.lines = append(p.lines, fastLine{no: no, ind: ind, s: line})
	}
	return true
}

// node is a new node from the slab (a node each was 10 000s of
// allocations).
func (p *fastParser) node() *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, 256)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	return n
}

// content is a node's items, in a slice cut from a slab.
func (p *fastParser) content(items []*yaml.Node) []*yaml.Node {
	if len(items) == 0 {
		return nil
	}
	if len(items) > 64 {
		return append([]*yaml.Node(nil), items...)
	}
	if len(p.ptrs) < len(items) {
		p.ptrs = make([]*yaml.Node, 1024)
	}
	out := p.ptrs[:len(items):len(items)]
	p.ptrs = p.ptrs[len(items):]
	copy(out, items)
	return out
}

// column is yaml.v3's column of byte i of s: characters, from 1.
func column(s string, i int) int {
	return utf8.RuneCountInString(s[:i]) + 1
}

// block parses the list or mapping starting at the current line, indented
// more than parent.
func (p *fastParser) block(parent int) (*yaml.Node, bool) {
	if p.i >= len(p.lines) {
		return nil, false
	}
	l := p.lines[p.i]
	if l.ind <= parent {
		return nil, false
	}
	c := l.s[l.ind:]
	if isItem(c) {
		return p.sequence(l.ind)
	}
	if _, _, _, ok := keyOf(c); ok {
		return p.mapping(l.ind)
	}
	return nil, false
}

// isItem: c starts a list item ("-" alone or "- ...").
func isItem(c string) bool {
	return c == "-" || strings.HasPrefix(c, "- ")
}

// keyOf splits "key: rest" or "key:" for a plain key of letters,
// digits, _, . and - (not first), or a quoted one without escapes, up to
// 100 bytes; n is the length of the key as written (quotes included).
func keyOf(c string) (key string, style yaml.Style, n int, ok bool) {
	i := 0
	if c != "" && (c[0] == '"' || c[0] == '\'') {
		q := strings.IndexByte(c[1:], c[0])
		if q < 0 || q > 100 || strings.IndexByte(c[1:1+q], '\\') >= 0 || c[0] == '\'' && 2+q < len(c) && c[2+q] == '\'' {
			return "", 0, 0, false
		}
		key, i, style = c[1:1+q], q+2, yaml.DoubleQuotedStyle
		if c[0] == '\'' {
			style = yaml.SingleQuotedStyle
		}
	} else {
		for i < len(c) && i <= 100 {
			b := c[i]
			if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || (i > 0 && (b == '.' || b == '-')) {
				i++
				continue
			}
			break
		}
		if i == 0 || i > 100 {
			return "", 0, 0, false
		}
		key = c[:i]
	}
	if i >= len(c) || c[i] != ':' || (i+1 < len(c) && c[i+1] != ' ') {
		return "", 0, 0, false
	}
	return key, style, i, true
}

// keyNode is the node of a key keyOf found at byte at of line l.
func (p *fastParser) keyNode(key string, style yaml.Style, l fastLine, at int) *yaml.Node {
	if style == 0 {
		return p.plain(key, l, at)
	}
	n := p.node()
	n.Kind, n.Style, n.Tag, n.Value, n.Line, n.Column = yaml.ScalarNode, style, "!!str", key, l.no, column(l.s, at)
	return n
}

func (p *fastParser) mapping(ind int) (*yaml.Node, bool) {
	first := p.lines[p.i]
	m := p.node()
	m.Kind, m.Tag, m.Line, m.Column = yaml.MappingNode, "!!map", first.no, column(first.s, ind)
	var buf [32]*yaml.Node
	items := buf[:0]
	for p.i < len(p.lines) && p.lines[p.i].ind == ind {
		l := p.lines[p.i]
		key, style, n, ok := keyOf(l.s[ind:])
		if !ok {
			return nil, false
		}
		k := p.keyNode(key, style, l, ind)
		v, ok := p.value(l, ind+n+1, ind)
		if !ok {
			return nil, false
		}
		items = append(items, k, v)
	}
	m.Content = p.content(items)
	return m, true
}

func (p *fastParser) sequence(ind int) (*yaml.Node, bool) {
	first := p.lines[p.i]
	s := p.node()
	s.Kind, s.Tag, s.Line, s.Column = yaml.SequenceNode, "!!seq", first.no, column(first.s, ind)
	var buf [32]*yaml.Node
	items := buf[:0]
	for p.i < len(p.lines) && p.lines[p.i].ind == ind && isItem(p.lines[p.i].s[ind:]) {
		l := p.lines[p.i]
		at := skipSpaces(l.s, ind+1)
		var item *yaml.Node
		var ok bool
		if at < len(l.s) && l.s[at] != '#' {
			if isItem(l.s[at:]) {
				return nil, false // a list in a list's item on one line
			}
			if _, _, _, isKey := keyOf(l.s[at:]); isKey {
				// A mapping in the item: its keys are at the first one's
				// column.
				p.lines[p.i].ind = at
				item, ok = p.mapping(at)
			} else {
				item, ok = p.value(l, ind+1, ind)
			}
		} else {
			item, ok = p.value(l, ind+1, ind)
		}
		if !ok {
			return nil, false
		}
		items = append(items, item)
	}
	s.Content = p.content(items)
	return s, true
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// value parses what follows a key's colon or an item's dash at byte from
// of line l (the block at indentation ind): a one-line value, or nothing
// and a block on the lines after.
func (p *fastParser) value(l fastLine, from, ind int) (*yaml.Node, bool) {
	at := skipSpaces(l.s, from)
	p.i++
	if at == len(l.s) || (l.s[at] == '#' && at > from) {
		return p.block(ind)
	}
	if at == from {
		return nil, false
	}
	v, end, ok := p.inline(l, at, false)
	if !ok {
		return nil, false
	}
	// Nothing after it but a comment, and no line under it (a value
	// continued there, or an error).
	rest := skipSpaces(l.s, end)
	if rest < len(l.s) && (l.s[rest] != '#' || rest == end) {
		return nil, false
	}
	if p.i < len(p.lines) && p.lines[p.i].ind > ind {
		return nil, false
	}
	return v, true
}

// inline parses a one-line value at byte at of line l: {...}, [...], a
// quoted or a plain value; end is the byte after it.
func (p *fastParser) inline(l fastLine, at int, flow bool) (n *yaml.Node, end int, ok bool) {
	s := l.s
	switch c := s[at]; c {
	case '{', '[':
		return p.flow(l, at)
	case '"', '\'':
		q := strings.IndexByte(s[at+1:], c)
		if q < 0 {
			return nil, 0, false
		}
		end = at + 1 + q + 1
		v := s[at+1 : end-1]
		if c == '"' && strings.IndexByte(v, '\\') >= 0 || c == '\'' && end < len(s) && s[end] == '\'' {
			return nil, 0, false // escapes
		}
		style := yaml.DoubleQuotedStyle
		if c == '\'' {
			style = yaml.SingleQuotedStyle
		}
		n = p.node()
		n.Kind, n.Style, n.Tag, n.Value, n.Line, n.Column = yaml.ScalarNode, style, "!!str", v, l.no, column(s, at)
		return n, end, true
	case '?', ':', ',', ']', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`':
		return nil, 0, false
	case '-':
		if at+1 == len(s) || s[at+1] == ' ' || flow && strings.IndexByte(",[]{}", s[at+1]) >= 0 {
			return nil, 0, false
		}
	}
	// A plain value ends at ": ", at a comment (" #"), at the end of the
	// line, and in {...} or [...] at , ? [ ] { }; spaces before the end
	// are not its own.
	end = at
	for j := at; j < len(s); {
		c := s[j]
		if c == ' ' {
			k := skipSpaces(s, j)
			if k == len(s) || s[k] == '#' {
				break
			}
			j = k
			continue
		}
		if c == ':' && (j+1 == len(s) || s[j+1] == ' ') {
			break
		}
		if flow && (c == ',' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}') {
			break
		}
		j++
		end = j
	}
	return p.plain(s[at:end], l, at), end, true
}

// plain is a plain scalar, tagged as yaml.v3 resolves it.
func (p *fastParser) plain(v string, l fastLine, at int) *yaml.Node {
	n := p.node()
	n.Kind, n.Value, n.Line, n.Column = yaml.ScalarNode, v, l.no, column(l.s, at)
	switch {
	case v == "<<":
		n.Tag = "!!merge" // as yaml.v3's parser tags it, not its resolver
	case v != "" && strings.IndexByte("+-0123456789yYnNtTfFoO~.", v[0]) < 0:
		n.Tag = "!!str" // what yaml.v3's resolver says without looking further
	default:
		n.Tag = n.ShortTag()
	}
	return n
}

// flow parses {...} or [...] closed on the same line, of one-line values
// (in a mapping, "key: value" pairs with a value each).
func (p *fastParser) flow(l fastLine, at int) (*yaml.Node, int, bool) {
	s := l.s
	n := p.node()
	closer := byte('}')
	n.Kind, n.Style, n.Tag, n.Line, n.Column = yaml.MappingNode, yaml.FlowStyle, "!!map", l.no, column(s, at)
	var buf [16]*yaml.Node
	items := buf[:0]
	if s[at] == '[' {
		closer = ']'
		n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
	}
	j := skipSpaces(s, at+1)
	if j < len(s) && s[j] == closer {
		return n, j + 1, true
	}
	for {
		if j >= len(s) {
			return nil, 0, false
		}
		if n.Kind == yaml.MappingNode {
			key, style, kn, ok := keyOf(s[j:])
			if !ok || j+kn+1 >= len(s) {
				return nil, 0, false // a key without a value, or "key:value"
			}
			items = append(items, p.keyNode(key, style, l, j))
			j = skipSpaces(s, j+kn+1)
			if j >= len(s) || s[j] == ',' || s[j] == closer {
				return nil, 0, false // an empty value
			}
		}
		v, end, ok := p.inline(l, j, true)
		if !ok {
			return nil, 0, false
		}
		items = append(items, v)
		j = skipSpaces(s, end)
		if j >= len(s) {
			return nil, 0, false
		}
		switch s[j] {
		case closer:
			n.Content = p.content(items)
			return n, j + 1, true
		case ',':
			j = skipSpaces(s, j+1)
			if j < len(s) && (s[j] == closer || s[j] == ',') {
				return nil, 0, false // a trailing or doubled comma
			}
		default:
			return nil, 0, false
		}
	}
}
