// Package gdoc reads employees' reports from Google Docs (SPEC §4).
//
// Convert turns a Docs API document into the neutral document model: every tab
// (nested tabs depth-first), paragraphs with their heading level, tables as rows
// of cells, person chips, rich links, dropdowns and date chips as their text,
// suggestions ignored. Source fetches a document by its URL or id with the real
// Docs client (documents.get with includeTabsContent and suggestions rejected).
package gdoc
