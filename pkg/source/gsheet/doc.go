// Package gsheet reads employees' reports from Google Sheets (SPEC §4): a
// spreadsheet per employee, or one shared spreadsheet with a tab per employee.
//
// Convert turns the values of one tab (read with UNFORMATTED_VALUE and
// SERIAL_NUMBER dates) into the neutral document model through
// document.FromGrid, which knows both layouts: a header row with a date column
// and one row per day, or labels down the first column and dates across.
// Source fetches a tab by its link with the real Sheets client; Prefetch reads
// the tabs of many employees on one spreadsheet with a single values:batchGet.
package gsheet
