package config

import (
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Secret is a credential: a token, a password, a webhook URL, a DSN. It never
// prints: String, GoString and every marshaler gives "[hidden]" (or "" when
// empty). Value returns the raw text for the code that actually uses it.
type Secret string

const hidden = "[hidden]"

// Value returns the raw secret.
func (s Secret) Value() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) masked() string {
	if s == "" {
		return ""
	}
	return hidden
}

// String implements fmt.Stringer: "[hidden]" or "".
func (s Secret) String() string { return s.masked() }

// GoString implements fmt.GoStringer (%#v): "[hidden]" or "".
func (s Secret) GoString() string { return s.masked() }

// MarshalText implements encoding.TextMarshaler: "[hidden]" or "".
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.masked()), nil }

// MarshalJSON implements json.Marshaler: "[hidden]" or "".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.masked() + `"`), nil }

// MarshalYAML implements yaml.Marshaler: "[hidden]" or "".
func (s Secret) MarshalYAML() (any, error) { return s.masked(), nil }

// Secrets returns every non-empty secret of the configuration, raw, plus the
// sensitive parts of URL-shaped ones (a password in a URL or DSN, the code of
// a Bitrix24 webhook), without duplicates, longest first: the logging layer
// replaces each with "[hidden]" in whatever it writes.
func (c *Config) Secrets() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	collectSecrets(reflect.ValueOf(c).Elem(), func(s Secret) {
		add(s.Value())
		for _, p := range secretParts(s.Value()) {
			if len(p) >= 6 {
				add(p)
			}
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

var secretType = reflect.TypeFor[Secret]()

// collectSecrets calls fn for every non-empty Secret reachable from v.
func collectSecrets(v reflect.Value, fn func(Secret)) {
	if !mayHoldSecret(v.Type()) {
		return // the roster's 10 000 employees were walked field by field
	}
	if v.Type() == secretType {
		if s := Secret(v.String()); s != "" {
			fn(s)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				collectSecrets(v.Field(i), fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collectSecrets(v.Index(i), fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			collectSecrets(iter.Value(), fn)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			collectSecrets(v.Elem(), fn)
		}
	}
}

// secretHolders caches mayHoldSecret by type.
var secretHolders sync.Map // reflect.Type -> bool

// mayHoldSecret reports whether a value of type t can reach a Secret (an
// interface may hold anything).
func mayHoldSecret(t reflect.Type) bool {
	if got, ok := secretHolders.Load(t); ok {
		return got.(bool)
	}
	got := holdsSecret(t, map[reflect.Type]bool{})
	secretHolders.Store(t, got)
	return got
}

func holdsSecret(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if t == secretType {
		return true
	}
	if visiting[t] {
		return false // a cycle: what it can reach is answered where it started
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holdsSecret(f.Type, visiting) {
				return true
			}
		}
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return holdsSecret(t.Elem(), visiting)
	case reflect.Map:
		return holdsSecret(t.Elem(), visiting)
	}
	return false
}

// secretParts returns the pieces of a secret that may be printed on their own:
// the password of a URL or of a key=value DSN, the path segments of a
// Bitrix24-style webhook URL (/rest/<user>/<code>/) and a Telegram-style
// token's part after the colon.
func secretParts(s string) []string {
	var parts []string
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if p, ok := u.User.Password(); ok {
			parts = append(parts, p, url.QueryEscape(p))
		}
		segs := strings.Split(strings.Trim(u.Path, "/"), "/")
		for i, seg := range segs {
			if seg == "rest" && i+2 < len(segs) {
				parts = append(parts, segs[i+2])
			}
		}
		if p := u.Query().Get("password"); p != "" {
			parts = append(parts, p)
		}
		return parts
	}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "password") {
			parts = append(parts, strings.Trim(v, `'"`))
		}
	}
	if _, after, ok := strings.Cut(s, ":"); ok && !strings.ContainsAny(s, " /") {
		parts = append(parts, after)
	}
	return parts
}
