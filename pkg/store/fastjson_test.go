package store

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

// TestFastJSONIsEncodingJSON: fromJSON's shortcut decodes every column
// text as encoding/json does (the value, nil or empty, and whether it
// fails), over what the store writes and texts broken on purpose.
func TestFastJSONIsEncodingJSON(t *testing.T) {
	texts := []string{
		`null`, `[]`, `{}`, `{"new_calls":20}`, `{"new_calls":20,"rating":4.5}`,
		`{"a":-0,"b":0.000001,"c":1e21,"d":1E-7,"e":-12.50e+3}`,
		`{"звонки":3,"a":1,"a":2}`, `{"a":1e400}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`,
		`{"a":1 }`, `{ "a":1}`, `{"a":1,}`, `{"a\"b":1}`, `{"a\u0062":1}`, "{\"a\xff\":1}", "{\"a\tb\":1}",
		`{"a":"1"}`, `{"a":null}`, `{"a":true}`, `{"a":[1]}`, `{"a":1}x`, `{"a":1}}`, `{"a"}`, `{"a":}`,
		`{`, `}`, `{"a":1`, `{"":1}`, `{"a":-}`, `{"a":1e}`, `{"a":1e+}`, `[1]`, `[ ]`, `{ }`, `nul`, `"x"`,
		`{"a":123456789012345678901234567890}`, `{"a":4.9e-324}`, `{"a":2.5e-324}`,
	}
	r := rand.New(rand.NewPCG(7, 23))
	alphabet := `{}[]":,.-+eE0123456789 ab\n`
	for range 20000 {
		base := []byte(texts[r.IntN(len(texts))])
		for range 1 + r.IntN(3) {
			switch k := r.IntN(3); {
			case k == 0 && len(base) > 0:
				i := r.IntN(len(base))
				base = append(base[:i], base[i+1:]...)
			case k == 1:
				i := r.IntN(len(base) + 1)
				c := alphabet[r.IntN(len(alphabet))]
				base = append(base[:i], append([]byte{c}, base[i:]...)...)
			case len(base) > 0:
				base[r.IntN(len(base))] = alphabet[r.IntN(len(alphabet))]
			}
		}
		texts = append(texts, string(base))
	}
	for _, s := range texts {
		if s == "" {
			continue // an empty column is no value, before the shortcut as after
		}
		var want, got map[string]float64
		wantErr := json.Unmarshal([]byte(s), &want)
		gotErr := fromJSON(s, &got)
		require.Equal(t, wantErr != nil, gotErr != nil, "%q", s)
		if wantErr == nil {
			require.Equal(t, want == nil, got == nil, "%q", s)
			require.Equal(t, want, got, "%q", s)
		}
	}
	for _, s := range []string{`null`, `[]`, `{}`, `[{"code":"x"}]`} {
		var want, got []crm.Flag
		wantErr := json.Unmarshal([]byte(s), &want)
		gotErr := fromJSON(s, &got)
		assert.Equal(t, wantErr != nil, gotErr != nil, "%q", s)
		assert.Equal(t, want == nil, got == nil, "%q", s)
		assert.Equal(t, want, got, "%q", s)
		var wantE, gotE []storedFieldError
		assert.Equal(t, json.Unmarshal([]byte(s), &wantE) != nil, fromJSON(s, &gotE) != nil, "%q", s)
		assert.Equal(t, wantE, gotE, "%q", s)
	}
	// A value already set is left to encoding/json (it merges).
	m := map[string]float64{"x": 1}
	require.NoError(t, fromJSON(`{"a":2}`, &m))
	assert.Equal(t, map[string]float64{"x": 1, "a": 2}, m)
}
