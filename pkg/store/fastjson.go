package store

import (
	"reflect"
	"strconv"
	"unicode/utf8"
)

// fastJSON decodes the shapes the store itself writes in its JSON columns
// without encoding/json's reflection: null, an empty list or mapping, and
// a day's metrics (a compact mapping of plain keys to numbers). It gives
// what json.Unmarshal gives into a zero value of v (null: v stays as it
// is; [] and {}: empty, not nil) and reports false for anything else,
// which fromJSON hands to encoding/json: a key with an escape, a number
// out of range, a space. A quiet poll reads 10 000 days' metrics;
// encoding/json was most of the time it spent reading them.
func fastJSON(s string, v any) bool {
	switch s {
	case "null":
		return true
	case "[]", "{}":
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return false
		}
		e := rv.Elem()
		switch {
		case s == "[]" && e.Kind() == reflect.Slice && e.IsNil():
			e.Set(reflect.MakeSlice(e.Type(), 0, 0))
			return true
		case s == "{}" && e.Kind() == reflect.Map && e.IsNil():
			e.Set(reflect.MakeMap(e.Type()))
			return true
		}
		return false
	}
	m, ok := v.(*map[string]float64)
	if !ok || *m != nil {
		return false
	}
	got, ok := numbersJSON(s)
	if ok {
		*m = got
	}
	return ok
}

// numbersJSON decodes a compact JSON object of string keys (without
// escapes, valid UTF-8) and numbers; ok is false for anything else.
func numbersJSON(s string) (map[string]float64, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	out := make(map[string]float64, 12)
	i := 1
	if s[i] == '}' {
		return nil, false // "{}" is decoded above; "{}" with trailing bytes is not ours
	}
	for {
		if s[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' || s[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j >= len(s) {
			return nil, false
		}
		key := s[i+1 : j]
		if !utf8.ValidString(key) {
			return nil, false // encoding/json replaces invalid bytes
		}
		i = j + 1
		if i >= len(s) || s[i] != ':' {
			return nil, false
		}
		i++
		j = numberEnd(s, i)
		if j == i {
			return nil, false
		}
		f, err := strconv.ParseFloat(s[i:j], 64)
		if err != nil {
			return nil, false
		}
		out[key] = f
		i = j
		if i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case ',':
			i++
			if i >= len(s) {
				return nil, false
			}
		case '}':
			if i != len(s)-1 {
				return nil, false
			}
			return out, true
		default:
			return nil, false
		}
	}
}

// numberEnd is the end of the JSON number starting at s[i] (i when there
// is none): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(s string, i int) int {
	start := i
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(i)
	default:
		return start
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return start
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return start
		}
		i = j
	}
	return i
}
