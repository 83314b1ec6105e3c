// Package buildinfo names the build of dayreport running, for what is
// kept between passes and must not outlive the code that made it (the
// quiet poll's key, the summary's fingerprint, the workbook's segments).
package buildinfo

import (
	"runtime/debug"
	"strings"
	"sync"
)

// Stamp is the build's version, its revision and whether the tree was
// modified, and the version of every module it was built with (a new
// excelize writes other bytes), one per line; "" when the binary carries
// no build information.
var Stamp = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(info.Main.Version + "\n")
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			b.WriteString(s.Key + " " + s.Value + "\n")
		}
	}
	for _, d := range info.Deps {
		b.WriteString(d.Path + " " + d.Version + "\n")
	}
	return b.String()
})
