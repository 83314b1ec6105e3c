//go:build !unix

package local

import "os"

// openFlags open a report for reading (this system has no named pipes to
// wait on).
const (
	openFlags         = os.O_RDONLY
	openFlagsNoFollow = os.O_RDONLY
)
