//go:build unix

package local

import (
	"os"
	"syscall"
)

// openFlags open a report without waiting: a named pipe with no writer
// opens at once (and is then refused), and a link as the last part of the
// path is not followed (ReadFileIn resolved it already; one swapped in after
// fails to open).
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK

// openFlagsNoFollow is openFlags for a path whose links are resolved.
const openFlagsNoFollow = openFlags | syscall.O_NOFOLLOW
