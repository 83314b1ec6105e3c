package store

import (
	"context"
	"fmt"
)

// ChangeCount is where the writes to the tables a pass reads for every
// employee at once stand: the days, the push log (crm_objects), the
// outbox, the documents' last reads and the employees' first days. Any
// insert, update or delete of their rows, by any process, moves it in the
// same transaction (migration 016's triggers), so two equal counts read
// apart mean those tables did not change in between: what was read of them
// after the first count is still what they hold at the second.
type ChangeCount struct {
	// epoch is drawn when the database is created (a database deleted and
	// made again at the same path counts from another epoch).
	epoch string
	n     int64
}

// ChangeCount returns the count of writes; ok is false when the store keeps
// none (PostgreSQL: see migrations_postgres/016_change_count.sql).
func (s *Store) ChangeCount(ctx context.Context) (c ChangeCount, ok bool, err error) {
	if s.db.d != sqliteDialect {
		return ChangeCount{}, false, nil
	}
	if err := s.db.QueryRowContext(ctx, `SELECT epoch, n FROM change_count WHERE id = 1`).Scan(&c.epoch, &c.n); err != nil {
		return ChangeCount{}, false, fmt.Errorf("store: change count: %w", err)
	}
	return c, true, nil
}
