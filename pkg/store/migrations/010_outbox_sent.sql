-- Whether a pusher ever claimed a record of the key (and so may have sent
-- it): a record of a key never sent, with no object in the push log, is
-- created without looking the key up first (see ClaimOutbox). Rows queued
-- before this migration may have been sent.
ALTER TABLE outbox ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;
