package bitrix24fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Parameters arrive as a JSON body, or as a query string / form body in PHP's
// bracket syntax (fields[TITLE]=x&filter[@xmlId][]=a); a batch command is
// always the latter. Both decode to nested map[string]any; JSON numbers stay
// json.Number, form values are strings.

// decodeJSON decodes a JSON object body.
func decodeJSON(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// parseQuery decodes a PHP-style query string into nested maps.
func parseQuery(q string) (map[string]any, error) {
	out := map[string]any{}
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("bad key %q: %w", k, err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("bad value of %q: %w", key, err)
		}
		base, subs, ok := splitKey(key)
		if !ok {
			return nil, fmt.Errorf("bad key %q", key)
		}
		set(out, append([]string{base}, subs...), val)
	}
	return out, nil
}

// splitKey splits a[b][c] into a and [b c]; a[] gives an empty sub.
func splitKey(k string) (base string, subs []string, ok bool) {
	i := strings.IndexByte(k, '[')
	if i < 0 {
		return k, nil, k != ""
	}
	base, rest := k[:i], k[i:]
	for rest != "" {
		if rest[0] != '[' {
			return "", nil, false
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return "", nil, false
		}
		subs = append(subs, rest[1:j])
		rest = rest[j+1:]
	}
	return base, subs, base != ""
}

// set stores v at path, creating maps; an empty path element appends.
func set(m map[string]any, path []string, v string) {
	for i, p := range path {
		if p == "" {
			p = strconv.Itoa(len(m))
		}
		if i == len(path)-1 {
			m[p] = v
			return
		}
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
}

// str is a parameter as text.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "Y"
		}
		return "N"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}

// num is a parameter as an integer.
func num(v any) (int, bool) {
	s := strings.TrimSpace(str(v))
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		return int(f), true
	}
	return 0, false
}

// obj is a parameter as an object (nil if it is not one).
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// list is a parameter as a list: a JSON array, a PHP list (a map keyed 0..n),
// or one scalar.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, errA := strconv.Atoi(keys[i])
			b, errB := strconv.Atoi(keys[j])
			if errA == nil && errB == nil {
				return a < b
			}
			return keys[i] < keys[j]
		})
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = x[k]
		}
		return out
	}
	return []any{v}
}

// orderedCmd is one batch command with its key, in the order sent.
type orderedCmd struct {
	key, line string
}

// batchCommands reads batch's cmd in the order given: from the raw JSON
// object or array, or from parsed form parameters.
func batchCommands(rawJSON json.RawMessage, form any) ([]orderedCmd, error) {
	if len(bytes.TrimSpace(rawJSON)) > 0 {
		d := json.NewDecoder(bytes.NewReader(rawJSON))
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		var out []orderedCmd
		switch tok {
		case json.Delim('{'):
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				var line string
				if err := d.Decode(&line); err != nil {
					return nil, fmt.Errorf("command %v is not a string", kt)
				}
				out = append(out, orderedCmd{key: fmt.Sprint(kt), line: line})
			}
		case json.Delim('['):
			for i := 0; d.More(); i++ {
				var line string
				if err := d.Decode(&line); err != nil {
					return nil, fmt.Errorf("command %d is not a string", i)
				}
				out = append(out, orderedCmd{key: strconv.Itoa(i), line: line})
			}
		default:
			return nil, fmt.Errorf("cmd is not an object")
		}
		return out, nil
	}
	m := obj(form)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]orderedCmd, 0, len(keys))
	for _, k := range keys {
		out = append(out, orderedCmd{key: k, line: str(m[k])})
	}
	return out, nil
}
