package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	lookup := func(name string) (string, bool) {
		v, ok := map[string]string{"A": "1", "B_2": "two", "EMPTY": ""}[name]
		return v, ok
	}
	tests := []struct {
		in, want string
		unset    []string
		whole    bool
		err      string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "1", whole: true},
		{in: " ${A} ", want: " 1 ", whole: true},
		{in: "x${A}y${B_2}z", want: "x1ytwoz"},
		{in: "${EMPTY}", want: "", whole: true},
		{in: "${NOPE}", want: "", unset: []string{"NOPE"}, whole: true},
		{in: "a${NOPE}b${NOPE2}", want: "ab", unset: []string{"NOPE", "NOPE2"}},
		{in: "$$", want: "$"},
		{in: "$${A}", want: "${A}"},
		{in: "$$$${A}", want: "$${A}"},
		{in: "$$${A}", want: "$1"},
		{in: "$A", want: "$A"},
		{in: "price $", want: "price $"},
		{in: "${_x9}", want: "", unset: []string{"_x9"}, whole: true},
		{in: "${", err: "unterminated ${"},
		{in: "abc${A", err: "unterminated ${"},
		{in: "${}", err: "malformed ${...} reference"},
		{in: "${1X}", err: "malformed reference ${1X}"},
		{in: "${A-B}", err: "malformed reference ${A-B}"},
		{in: "${A B}", err: "malformed reference ${A B}"},
	}
	for _, tt := range tests {
		x, err := expand(tt.in, lookup, false)
		if tt.err != "" {
			require.ErrorContains(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, x.value, tt.in)
		require.Equal(t, tt.unset, x.unset, tt.in)
		require.Equal(t, tt.whole, x.whole, tt.in)
	}

	// A secret's malformed reference is not quoted back.
	_, err := expand("tok${secret part}", lookup, true)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret part")

	// No lookup function: an empty environment.
	x, err := expand("${A}", nil, false)
	require.NoError(t, err)
	require.Equal(t, []string{"A"}, x.unset)
}

func TestUnsetNote(t *testing.T) {
	t.Parallel()
	require.Empty(t, unsetNote(expansion{}))
	require.Equal(t, "it is ${X}, which is not set", unsetNote(expansion{unset: []string{"X"}, whole: true}))
	require.Equal(t, "it uses ${X}, which is not set", unsetNote(expansion{unset: []string{"X"}}))
	require.Equal(t, "it uses ${X}, ${Y} and ${Z}, which are not set", unsetNote(expansion{unset: []string{"X", "Y", "Z"}}))
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	names := []string{"webhook_url", "entity_type_id", "spa_id", "requests_per_second", "fields", "to", "at"}
	tests := map[string]string{
		"webhok_url":         "webhook_url",
		"WebHook_URL":        "webhook_url",
		"entity_typeid":      "entity_type_id",
		"spa":                "",
		"spaid":              "spa_id",
		"request_per_second": "requests_per_second",
		"field":              "fields",
		"xyz":                "",
		"tp":                 "to",
		"completely_else":    "",
	}
	for key, want := range tests {
		require.Equal(t, want, suggest(key, names), key)
	}
	require.Equal(t, 3, editDistance("kitten", "sitting"))
	require.Equal(t, 0, editDistance("", ""))
	require.Equal(t, 2, editDistance("ёж", ""))
}

func TestSecretParts(t *testing.T) {
	t.Parallel()
	require.Contains(t, secretParts("https://p.bitrix24.ru/rest/12/abcdef123456/"), "abcdef123456")
	require.Contains(t, secretParts("postgres://u:pa55word@db/x"), "pa55word")
	require.Contains(t, secretParts("host=db user=u password='pa55word' dbname=x"), "pa55word")
	require.Contains(t, secretParts("123456:ABCdefGHI"), "ABCdefGHI")
	require.Empty(t, secretParts("plain-token"))
}
