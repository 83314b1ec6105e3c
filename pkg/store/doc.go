// Package store is dayreport's state database: SQLite through the pure-Go
// modernc.org/sqlite driver (the default: Open), opened in WAL mode with
// foreign keys on, or PostgreSQL through pgx's database/sql driver
// (OpenPostgres; OpenConfig picks by state.driver). Its schema is in
// embedded, versioned migrations (migrations/NNN_name.sql for SQLite,
// migrations_postgres/NNN_name.sql with the same numbers and names for
// PostgreSQL) applied in order, each in its own transaction, and recorded in
// schema_migrations.
//
// # Two drivers, one Store
//
// Store is one type for both: the app calls the same methods whatever the
// database. Queries are written once, in the SQL both understand, with ?
// placeholders that are rewritten to $1, $2, … for PostgreSQL; the handful
// of constructs spelled differently (JSON extraction, SQLite's index hint,
// SKIP LOCKED) are methods of a dialect. Both schemas store the same
// representation (times and dates as text, JSON as text, booleans as 0/1),
// so scanning code is shared; PostgreSQL's text columns are COLLATE "C" so
// that they sort bytewise as in SQLite. One test suite runs against both
// (bothDrivers in the tests; PostgreSQL in a fresh schema per test).
//
// On PostgreSQL the write transactions of many rows (a DayBatch's flush,
// SaveDocuments, MarkPushedMany) send their statements in one pipeline
// (pgx's batch, through the connection database/sql holds), a round trip
// per transaction instead of one per statement.
//
// The invariants below rely on write transactions never interleaving. SQLite
// gives that by design (one writer, BEGIN IMMEDIATE). On PostgreSQL every
// write transaction first takes a transaction-level advisory lock on the
// schema, so writers queue exactly as on SQLite and every read-then-write in
// a transaction sees the last commit; readers are never blocked. dayreport's
// writes are small (a SaveDay is a few rows), and only the leader runs
// passes, so this costs little and keeps one proof of correctness for both.
// Every time is stored as UTC RFC 3339 text with nanoseconds (fixed width, so
// that text order is time order), every date as YYYY-MM-DD, every JSON value
// as TEXT. The clock is injectable (Options.Now) so tests control time.
//
// # Tables
//
//   - report_versions: the audit trail, every distinct version of every
//     report ever seen, unique on (employee, date, content_hash).
//   - days: one row per employee-day, its status and what was reported; the
//     row points at the current report version.
//   - outbox: per (adapter, key), the latest CRM record still to be pushed,
//     with its content hash, attempts, last error and next attempt.
//   - crm_objects: the push log, per (adapter, key), the CRM object id and
//     the hash of the record last pushed successfully.
//   - crm_records, crm_facts: the CRM of the builtin adapter, kept here.
//   - documents: the last revision and content hash fetched per employee.
//   - passes: the history of passes (a crashed pass has no finish time).
//   - notifications: which reminders and digests were already sent.
//   - leases: named leases (the daemon's "leader" among replicas) and, on
//     PostgreSQL, who holds the pass lock.
//
// # Idempotence: a push log and an outbox
//
// A pass judges an employee-day and calls SaveDay, which in ONE transaction
// records the report version, the day row and, when the record's content hash
// h differs from what the push log says the CRM holds, the record in the
// outbox (replacing any older pending record for the key). Pushing is a
// separate step: DueOutbox, the adapter's upsert, then MarkPushed, which in
// one transaction writes the push log (object id, h) and deletes the outbox
// row only if it still holds h. A process may be killed at any point:
//
//   - before SaveDay commits: nothing was written; the next pass reads the
//     source again and does the same work.
//   - after SaveDay, before the push: the record waits in the outbox and the
//     next pass pushes it. Saving the same record again finds h pending and
//     changes nothing (never two rows per key: the key is the primary key).
//   - during the push, or after the CRM accepted it but before MarkPushed
//     commits: the row is still queued and is pushed again. Adapters upsert
//     by key and, not knowing an object id, look the key up before creating
//     anything, so the second push updates the same object with the same
//     content. Only a key nothing was ever sent for skips that lookup
//     (OutboxItem.New): ClaimOutbox marks the rows it returns as sent in
//     the transaction that claims them, committed before any push, so a
//     push cut short here is never New again.
//   - SaveDay given the day as it was read (DayUpdate.Prior) and judging
//     it unchanged writes nothing at all, so it adds no crash point.
//   - a pass saves its days through a DayBatch: what SaveDay would write
//     for each staged day, and the closed versions noted, commit together
//     in one transaction per Flush or Start (the pass starts a background
//     write every 500 days and when it waits for a document, and flushes at
//     the end; one write at a time, in the order staged, so a later batch
//     never commits before an earlier one). Before that commit nothing
//     of the batch was written: every staged day is as before its SaveDay
//     (the next pass reads the source again). The pass remembers a document's revision
//     only after the days it held were flushed, so a crash in between makes
//     the next pass read it again, never skip it. The outbox rule is
//     evaluated in the transaction by statements (an upsert that leaves a
//     row of the same hash as it is, then the delete of the key's row when
//     the push log holds h), so the commit leaves what SaveDay would have.
//   - after MarkPushed: the push log holds h, so a rerun finds the record
//     unchanged and queues nothing.
//
// A record changed while an older one is being pushed stays queued: MarkPushed
// and MarkFailed act only on the row whose hash they were given. A change that
// is reverted before it was pushed deletes the pending row, because the CRM
// already holds that content.
//
// # Several pushers: outbox claims
//
// With replicas on PostgreSQL two pushers could read the same due row (a
// leader that lost its lease mid-pass, and its successor). ClaimOutbox marks
// the rows it returns with a claim (holder, expiry), choosing them with
// SELECT … FOR UPDATE SKIP LOCKED so that concurrent claimers take disjoint
// rows without waiting; no other claim returns a claimed row until MarkPushed
// or MarkFailed releases it or it expires (its holder died). A record queued
// for a claimed key while the older one is being pushed stays claimed until
// that push is marked. A pusher extends its claims while it pushes
// (ExtendClaims), so a short TTL frees a dead pusher's rows soon; on SQLite,
// taking the pass lock drops every claim (the flock proves their holders
// dead). The outbox rules above are unchanged: claims only decide who pushes.
//
// # Leases
//
// AcquireLease takes or renews a named lease for a holder until now+TTL; a
// holder that stops renewing loses it when it expires. The daemon's
// leadership among replicas is the lease named LeaseLeader (see pkg/app).
//
// Commits are durable against a process crash (see Open on synchronous=NORMAL).
// A power loss may roll back the last few commits, but never corrupts the
// database, and every state it can roll back to is one of the crash points
// above.
//
// Only one pass runs at a time: Lock takes a per-host file lock on SQLite,
// and on PostgreSQL a session advisory lock, which excludes every replica on
// every host and is released by the server when the holder's connection ends.
package store
