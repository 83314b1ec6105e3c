package telegramfake

import (
	"fmt"
	"strconv"
	"strings"
)

// tags are the HTML tags the Bot API understands (formatting options,
// "HTML style").
var tags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
}

// entities are the named entities the Bot API understands; numeric ones
// are all accepted.
var entities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}

// parseHTML returns the text of an HTML-mode message, or why the API would
// refuse it: an unknown or unbalanced tag, or a <, > or & that is neither
// markup nor an entity. (The real API tolerates a stray > or &; this fake
// does not, so that a client that forgets to escape is caught.)
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			closing := strings.HasPrefix(tag, "/")
			name := strings.ToLower(strings.TrimPrefix(tag, "/"))
			if sp := strings.IndexAny(name, " \t\n"); sp >= 0 {
				if closing {
					return "", fmt.Errorf("unexpected end tag at byte offset %d", i)
				}
				name = name[:sp]
			}
			if !tags[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, last(open), name)
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, name)
			}
			i += end + 1
		case '>':
			return "", fmt.Errorf("unescaped '>' at byte offset %d", i)
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 || end > 10 {
				return "", fmt.Errorf("unescaped '&' at byte offset %d", i)
			}
			text, ok := entity(s[i+1 : i+end])
			if !ok {
				return "", fmt.Errorf("unsupported entity %q at byte offset %d", s[i:i+end+1], i)
			}
			out.WriteString(text)
			i += end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", last(open))
	}
	return out.String(), nil
}

func last(open []string) string {
	if len(open) == 0 {
		return ""
	}
	return open[len(open)-1]
}

func entity(name string) (string, bool) {
	if t, ok := entities[name]; ok {
		return t, true
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
			num, base = hex, 16
		}
		if n, err := strconv.ParseInt(num, base, 32); err == nil && n > 0 {
			return string(rune(n)), true
		}
	}
	return "", false
}
