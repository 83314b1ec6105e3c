// Package local is the report source of the embedded default: a folder holding
// one file per employee, <dir>/<employee id>.txt or .md in the Doc format, or
// <dir>/<employee id>.csv in the Sheet format (SPEC §4).
package local
