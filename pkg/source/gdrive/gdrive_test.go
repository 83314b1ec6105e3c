package gdrive_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source/gdrive"
)

// TestEditor: how Drive's lastModifyingUser is named in a flag: the name
// with the address, either alone when Drive gives only one, and no line
// breaks or other control characters from a name that goes into a message
// and a cell.
func TestEditor(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Анна Петрова <anna@example.ru>", gdrive.Editor("Анна Петрова", "anna@example.ru"))
	require.Equal(t, "Анна Петрова", gdrive.Editor(" Анна Петрова ", ""), "the address hidden by its owner")
	require.Equal(t, "anna@example.ru", gdrive.Editor("", "anna@example.ru"))
	require.Equal(t, "Анна Петрова <anna@example.ru>", gdrive.Editor("Анна\r\nПетрова\x00", "anna@example.ru\n"))
	require.Equal(t, "Анна Петрова", gdrive.Editor("Анна \t  Петрова", ""))
	require.Empty(t, gdrive.Editor("", ""), "an anonymous edit names nobody")
}
