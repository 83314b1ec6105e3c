package buildinfo

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStamp: a test binary carries build information (its version at
// least), and the stamp is the same each time it is asked.
func TestStamp(t *testing.T) {
	t.Parallel()
	s := Stamp()
	require.NotEmpty(t, s)
	require.Equal(t, s, Stamp())
}
