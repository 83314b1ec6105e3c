package pass

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendLine appends the text json.Encoder gives line (without its
// newline), written field by field instead of through encoding/json's
// reflection: a pass over 10 000 employees stores 10 000 lines, and a
// cron's quiet `dayreport sync` spent a tenth of its CPU encoding them.
// What is rare (a string JSON escapes, a non-empty list) is encoded by
// encoding/json itself; ok is false when the line does not encode (a NaN
// or an infinite number), as json.Encoder would fail.
func appendLine(b []byte, l *EmployeeResult) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, l.ID)
	if l.Date != "" {
		b = append(b, `,"date":`...)
		b = appendJSONString(b, l.Date)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(l.Status))
	b = append(b, `,"metrics":`...)
	var ok bool
	if b, ok = appendMetrics(b, l.Metrics); !ok {
		return b, false
	}
	if l.Notes != "" {
		b = append(b, `,"notes":`...)
		b = appendJSONString(b, l.Notes)
	}
	if l.LongTerm != "" {
		b = append(b, `,"long_term":`...)
		b = appendJSONString(b, l.LongTerm)
	}
	b = append(b, `,"errors":`...)
	if b, ok = appendList(b, l.Errors == nil, len(l.Errors), l.Errors); !ok {
		return b, false
	}
	if len(l.Warnings) > 0 {
		b = append(b, `,"warnings":`...)
		if b, ok = appendList(b, false, len(l.Warnings), l.Warnings); !ok {
			return b, false
		}
	}
	b = append(b, `,"flags":`...)
	if b, ok = appendList(b, l.Flags == nil, len(l.Flags), l.Flags); !ok {
		return b, false
	}
	if l.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, l.Error)
	}
	if l.Queued {
		b = append(b, `,"queued":true`...)
	}
	return append(b, '}'), true
}

// appendList appends a list: null when nil, [] when empty, and
// encoding/json's text of it otherwise.
func appendList(b []byte, isNil bool, n int, list any) ([]byte, bool) {
	switch {
	case isNil:
		return append(b, "null"...), true
	case n == 0:
		return append(b, "[]"...), true
	}
	text, err := json.Marshal(list)
	if err != nil {
		return b, false
	}
	return append(b, text...), true
}

// appendMetrics appends a map of numbers as encoding/json does: its keys
// sorted, each number in encoding/json's form.
func appendMetrics(b []byte, m map[string]float64) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendJSONFloat(b, m[k]); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendJSONFloat is encoding/json's float64 encoder: the shortest text
// that reads back as f, in exponent form below 1e-6 and from 1e21, the
// exponent without a leading zero.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 is written 1e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// appendJSONString appends s quoted as json.Encoder quotes it: as it is
// when nothing in it is escaped (printable ASCII but the quote, the
// backslash and <, >, &; valid UTF-8 beyond it but U+2028 and U+2029),
// encoding/json's own text otherwise.
func appendJSONString(b []byte, s string) []byte {
	if !plainJSON(s) {
		text, _ := json.Marshal(s) // a string always encodes
		return append(b, text...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON: nothing in s is escaped by json.Encoder.
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += n
	}
	return true
}
