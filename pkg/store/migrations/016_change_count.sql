-- A count of the writes to what a pass reads of every employee at once
-- (the days, the push log, the outbox, the documents' last reads and the
-- employees' first days), kept by triggers, so that any writer (another
-- process: a hand-run sync beside the daemon) moves it in the same
-- transaction as its rows. The daemon keeps what it read of those tables
-- between two polls and reuses it only while the count, read under the
-- pass lock, is the one it read them at (pkg/pass/reuse.go). epoch tells
-- this database from another one at the same path (deleted and created
-- again) whose count came to the same number.
CREATE TABLE change_count (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	epoch TEXT    NOT NULL,
	n     INTEGER NOT NULL
) STRICT;
INSERT INTO change_count (id, epoch, n) VALUES (1, lower(hex(randomblob(16))), 0);

CREATE TRIGGER days_insert_counted AFTER INSERT ON days BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER days_update_counted AFTER UPDATE ON days BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER days_delete_counted AFTER DELETE ON days BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER crm_objects_insert_counted AFTER INSERT ON crm_objects BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER crm_objects_update_counted AFTER UPDATE ON crm_objects BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER crm_objects_delete_counted AFTER DELETE ON crm_objects BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER outbox_insert_counted AFTER INSERT ON outbox BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
-- The outbox's updates count only when they set what the pass reads of it
-- (its key and the record's hash): a pusher's claims, attempts and sent
-- marks update a record three or four times on its way to the CRM.
CREATE TRIGGER outbox_update_counted AFTER UPDATE OF adapter, key, hash ON outbox BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER outbox_delete_counted AFTER DELETE ON outbox BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER documents_insert_counted AFTER INSERT ON documents BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER documents_update_counted AFTER UPDATE ON documents BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER documents_delete_counted AFTER DELETE ON documents BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER employee_since_insert_counted AFTER INSERT ON employee_since BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER employee_since_update_counted AFTER UPDATE ON employee_since BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER employee_since_delete_counted AFTER DELETE ON employee_since BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END;
