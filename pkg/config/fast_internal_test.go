package config

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestValidEmployeeIDIsTheRegexp: the hand-written check accepts exactly
// the ids the documented pattern does.
func TestValidEmployeeIDIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	ids := []string{"", "a", "0", "e00001", "anna.k", "anna_k-2", ".a", "_a", "-a", "A", "anna K", "ann\na", "ёж",
		strings.Repeat("a", 64), strings.Repeat("a", 65), "a\x00", "a.", "a-"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "az09._-A Zё\n"
	for range 5000 {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		ids = append(ids, string(b))
	}
	for _, id := range ids {
		assert.Equal(t, re.MatchString(id), validEmployeeID(id), "%q", id)
	}
}

// TestKeySetIsAMap: the keys of a mapping and their first lines, kept in
// a list while few, are what a map keeps, past the switch to a map too.
func TestKeySetIsAMap(t *testing.T) {
	for _, n := range []int{0, 3, keySetSmall, keySetSmall + 1, 40} {
		s, want := newKeySet(n), map[string]int{}
		for i := range 3 * keySetSmall {
			k := string(rune('a' + i%(keySetSmall+5)))
			l, ok := s.get(k)
			wl, wok := want[k]
			assert.Equal(t, wok, ok, k)
			assert.Equal(t, wl, l, k)
			if !ok {
				s.put(k, i+1)
				want[k] = i + 1
			}
		}
	}
}

// TestFieldsOfIsCached: the cached fields of a type are what computing
// them gives.
func TestFieldsOfIsCached(t *testing.T) {
	for _, ty := range []reflect.Type{reflect.TypeFor[Employee](), reflect.TypeFor[Config](), reflect.TypeFor[Employee]()} {
		f, n := fieldsOf(ty)
		wf, wn := computeFieldsOf(ty)
		assert.Equal(t, wf, f)
		assert.Equal(t, wn, n)
	}
}

// TestMayHoldSecret: the types collectSecrets skips cannot reach a Secret;
// the ones it walks can (through a field, a list, a map's values, a
// pointer, a cycle or an interface).
func TestMayHoldSecret(t *testing.T) {
	type node struct {
		Next *node
		Key  Secret
	}
	type loop struct{ Next *loop }
	type hidden struct{ key Secret }
	_ = hidden{key: "unexported"}
	type keyed struct{ ByName map[Secret]string }
	for ty, want := range map[reflect.Type]bool{
		reflect.TypeFor[Config]():              true,
		reflect.TypeFor[Secret]():              true,
		reflect.TypeFor[[]map[string]Secret](): true,
		reflect.TypeFor[node]():                true,
		reflect.TypeFor[[]any]():               true,
		reflect.TypeFor[Employee]():            false,
		reflect.TypeFor[[]Employee]():          false,
		reflect.TypeFor[loop]():                false,
		reflect.TypeFor[hidden]():              false, // collectSecrets skips unexported fields
		reflect.TypeFor[keyed]():               false, // and map keys
	} {
		assert.Equal(t, want, mayHoldSecret(ty), ty.String())
		assert.Equal(t, want, mayHoldSecret(ty), ty.String()+" (cached)")
	}
}
