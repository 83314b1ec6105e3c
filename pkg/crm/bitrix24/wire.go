package bitrix24

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The decoders in this file are tolerant on purpose. Bitrix24 answers from
// PHP: ids and numbers arrive as JSON numbers or as strings ("17"), an empty
// associative array is encoded as [] rather than {}, a list keyed 0..n-1 as
// a JSON array, and an error code may be a string, an empty string or 0.

// isEmptyJSON reports whether b is absent, null, false, "", [] or {}.
func isEmptyJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return true
	}
	switch string(b) {
	case "null", "false", `""`:
		return true
	}
	if len(b) >= 2 && (b[0] == '[' || b[0] == '{') && len(bytes.TrimSpace(b[1:len(b)-1])) == 0 {
		return true
	}
	return false
}

// unquote returns the text of a JSON scalar: the content of a string, or the
// literal of a number or boolean.
func unquote(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	if len(b) > 0 && (b[0] == '[' || b[0] == '{') {
		return "", fmt.Errorf("want a scalar, got %.40s", b)
	}
	return string(b), nil
}

// flexInt is an integer sent as a JSON number or a string; null, "", [] and
// false decode as 0.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	if isEmptyJSON(b) {
		*n = 0
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt(i)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return fmt.Errorf("not an integer: %.40q", s)
	}
	*n = flexInt(f)
	return nil
}

// flexFloat is a number sent as a JSON number or a string; empty values
// decode as 0.
type flexFloat float64

func (x *flexFloat) UnmarshalJSON(b []byte) error {
	if isEmptyJSON(b) {
		*x = 0
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	if s == "" {
		*x = 0
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %.40q", s)
	}
	*x = flexFloat(f)
	return nil
}

// flexString is text sent as a JSON string, number or boolean (an error code
// may be 0); null and [] decode as "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if isEmptyJSON(b) {
		*s = ""
		return nil
	}
	t, err := unquote(b)
	if err != nil {
		return err
	}
	*s = flexString(t)
	return nil
}

// objectMap is a JSON object of raw values that also accepts [] (PHP's empty
// array), null, and a JSON array (PHP's list: keys "0", "1", …).
type objectMap map[string]json.RawMessage

func (m *objectMap) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isEmptyJSON(b) {
		*m = objectMap{}
		return nil
	}
	switch b[0] {
	case '{':
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		*m = raw
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make(objectMap, len(list))
		for i, v := range list {
			out[strconv.Itoa(i)] = v
		}
		*m = out
	default:
		return fmt.Errorf("want an object, got %.40s", b)
	}
	return nil
}

// keys returns the map's keys sorted.
func (m objectMap) keys() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lenient decodes a JSON object into V, leaving V zero when the value is
// empty ([] from PHP, null, "").
type lenient[V any] struct{ V V }

func (l *lenient[V]) UnmarshalJSON(b []byte) error {
	if isEmptyJSON(b) {
		var zero V
		l.V = zero
		return nil
	}
	return json.Unmarshal(b, &l.V)
}

// envelope is every REST answer: a result, or an error, plus list paging and
// timing.
type envelope struct {
	Result           json.RawMessage     `json:"result"`
	Error            *flexString         `json:"error"`
	ErrorDescription flexString          `json:"error_description"`
	Total            flexInt             `json:"total"`
	Next             flexInt             `json:"next"`
	Time             lenient[timingInfo] `json:"time"`
	// OperatingResetAt is also looked for at the top level of an error body.
	OperatingResetAt flexFloat `json:"operating_reset_at"`
}

// timingInfo is the "time" block; operating_reset_at is the Unix time when
// part of a method's operating-time budget is released.
type timingInfo struct {
	OperatingResetAt flexFloat `json:"operating_reset_at"`
}

// failed reports whether the envelope carries an error.
func (e *envelope) failed() bool {
	return e.Error != nil || e.ErrorDescription != ""
}

// resetAt returns operating_reset_at wherever the body put it, or 0.
func (e *envelope) resetAt() float64 {
	if t := float64(e.Time.V.OperatingResetAt); t > 0 {
		return t
	}
	return float64(e.OperatingResetAt)
}

// wireError is an error as batch's result_error or a body carries it.
type wireError struct {
	Error            flexString `json:"error"`
	ErrorDescription flexString `json:"error_description"`
}

// batchResult is the result of the batch method.
type batchResult struct {
	Result      objectMap `json:"result"`
	ResultError objectMap `json:"result_error"`
	ResultTotal objectMap `json:"result_total"`
	ResultNext  objectMap `json:"result_next"`
	// ResultTime is each command's time block (operating_reset_at).
	ResultTime objectMap `json:"result_time"`
}

// wireItem is the part of a smart-process item the adapter reads.
type wireItem struct {
	ID    flexInt    `json:"id"`
	XMLID flexString `json:"xmlId"`
}

// itemResult is the result of crm.item.add and crm.item.update.
type itemResult struct {
	Item lenient[wireItem] `json:"item"`
}

// itemList is the result of crm.item.list.
type itemList struct {
	Items []lenient[wireItem] `json:"items"`
}

// typeResult is the result of crm.type.add.
type typeResult struct {
	Type lenient[struct {
		ID           flexInt    `json:"id"`
		EntityTypeID flexInt    `json:"entityTypeId"`
		Title        flexString `json:"title"`
	}] `json:"type"`
}

// typeList is the result of crm.type.list.
type typeList struct {
	Types []lenient[struct {
		ID           flexInt    `json:"id"`
		EntityTypeID flexInt    `json:"entityTypeId"`
		Title        flexString `json:"title"`
	}] `json:"types"`
}

// fieldList is the result of userfieldconfig.list.
type fieldList struct {
	Fields []lenient[struct {
		ID        flexInt    `json:"id"`
		EntityID  flexString `json:"entityId"`
		FieldName flexString `json:"fieldName"`
	}] `json:"fields"`
}

// fieldResult is the result of userfieldconfig.add.
type fieldResult struct {
	Field lenient[struct {
		ID        flexInt    `json:"id"`
		FieldName flexString `json:"fieldName"`
	}] `json:"field"`
}

// orderedCommands marshals batch commands as a JSON object in the order
// given: batch runs the commands in the order of the object's keys.
type orderedCommands []command

// command is one batch command: its key in cmd and its query line.
type command struct {
	key, line string
}

func (c orderedCommands) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(x.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(x.line)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonUnmarshal decodes b into v, leaving v as it is when b is empty (PHP's []
// for an empty object).
func jsonUnmarshal(b []byte, v any) error {
	if isEmptyJSON(b) {
		return nil
	}
	return json.Unmarshal(b, v)
}
