// Command dayreport collects sales employees' daily reports, validates them,
// pushes them into the CRM, marks absences and writes the funnel summary.
// See README.md and SPEC.md; all behaviour lives in pkg/app.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
