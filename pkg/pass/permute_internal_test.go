package pass

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPermute: rows put in place in any order are those picked one by one.
func TestPermute(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 9))
	for n := range 40 {
		for range 20 {
			rows := make([]string, n)
			for i := range rows {
				rows[i] = string(rune('a' + i%26))
				rows[i] += string(rune('0' + i/26))
			}
			by := make([]ranked, n)
			for k, i := range rng.Perm(n) {
				by[k] = ranked{i: i}
			}
			want := make([]string, n)
			for k, r := range by {
				want[k] = rows[r.i]
			}
			got := slices.Clone(rows)
			permute(got, by)
			require.Equal(t, want, got)
		}
	}
}
