-- Whether a pusher ever claimed a record of the key (and so may have sent
-- it): a record of a key never sent, with no object in the push log, is
-- created without looking the key up first (see ClaimOutbox). Rows queued
-- before this migration may have been sent.
ALTER TABLE outbox ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;

-- What each summary writer last wrote: the fingerprint of the summary's
-- content and the state of its target after the write (an xlsx file's size
-- and time), so that a pass whose summary did not change writes nothing.
CREATE TABLE summary_stamps (
	target      TEXT NOT NULL PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	state       TEXT NOT NULL,
	written_at  TEXT NOT NULL
) STRICT;
