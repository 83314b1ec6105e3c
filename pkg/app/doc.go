// Package app wires dayreport together: from the configuration it builds the
// pass engine (pkg/pass) with its state database, report source, roster, CRM
// adapter, summary writers and notifier, and it checks single reports
// (`dayreport check`). cmd/dayreport parses flags and calls into here (and
// into pkg/daemon for `dayreport run`), so end-to-end tests run the app
// in-process.
package app
