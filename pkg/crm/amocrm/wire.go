package amocrm

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The JSON of API v4 list elements, as far as the adapter needs it.

// element is one element in a POST or PATCH body.
type element struct {
	ID                 int64         `json:"id,omitempty"`
	Name               string        `json:"name"`
	CustomFieldsValues []fieldValues `json:"custom_fields_values,omitempty"`
	RequestID          string        `json:"request_id,omitempty"`
}

// fieldValues sets one custom field; nil Values is sent as null, which clears
// the field.
type fieldValues struct {
	FieldID int          `json:"field_id"`
	Values  []fieldValue `json:"values"`
}

type fieldValue struct {
	Value any `json:"value"` // json.Number for numeric fields, string for text
}

// elementOut is an element in an answer.
type elementOut struct {
	ID                 flexInt        `json:"id"`
	Name               string         `json:"name"`
	IsDeleted          bool           `json:"is_deleted"`
	RequestID          flexString     `json:"request_id"`
	CustomFieldsValues []fieldValuesO `json:"custom_fields_values"`
}

type fieldValuesO struct {
	FieldID flexInt `json:"field_id"`
	Values  []struct {
		Value json.RawMessage `json:"value"`
	} `json:"values"`
}

// halPage is a HAL collection: GET answers and the answers to POST and PATCH.
type halPage struct {
	Page  int `json:"_page"`
	Links struct {
		Next *struct {
			Href string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
	Embedded struct {
		Elements []elementOut `json:"elements"`
	} `json:"_embedded"`
}

// problem is an application/problem+json error body.
type problem struct {
	Title            string            `json:"title"`
	Type             string            `json:"type"`
	Status           flexInt           `json:"status"`
	Detail           string            `json:"detail"`
	ValidationErrors []validationGroup `json:"validation-errors"`
}

// validationGroup lists the errors of one element of the request.
type validationGroup struct {
	RequestID flexString      `json:"request_id"`
	Errors    []validationErr `json:"errors"`
}

type validationErr struct {
	Code   string `json:"code"`
	Path   string `json:"path"`
	Detail string `json:"detail"`
}

// flexString accepts a JSON string or number (request ids come back as given).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*s = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*s = flexString(n.String())
	return nil
}

// flexInt accepts a JSON number or a string holding one.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return err
	}
	*n = flexInt(v)
	return nil
}

// number returns the value as a number: a JSON number, or a string holding
// one (amoCRM may answer numeric fields either way).
func number(raw json.RawMessage) (float64, bool) {
	var s flexString
	if err := s.UnmarshalJSON(raw); err != nil || s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	return v, err == nil
}

// text returns the value as text.
func text(raw json.RawMessage) (string, bool) {
	var s flexString
	if err := s.UnmarshalJSON(raw); err != nil {
		return "", false
	}
	return string(s), true
}
