// Package app wires dayreport together: it builds sources, the CRM adapter and
// the store from the configuration and runs the commands of SPEC §2 (check, a
// pass for a day, backfill, the daemon). cmd/dayreport only parses flags and
// calls into here, so end-to-end tests run the app in-process.
package app
