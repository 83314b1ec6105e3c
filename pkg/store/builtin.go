package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dayreport/dayreport/pkg/day"
)

// BuiltinRecord is one object of the builtin CRM.
type BuiltinRecord struct {
	ObjectID  string
	Key       string
	Record    []byte
	Revision  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BuiltinUpsert writes the builtin CRM's object for key in one transaction,
// idempotently: a key always maps to the same object id; the revision starts
// at 1 and grows only when the record's bytes change. created is true when
// the object did not exist.
func (s *Store) BuiltinUpsert(ctx context.Context, key string, record []byte) (objectID string, created bool, err error) {
	if key == "" {
		return "", false, errors.New("store: builtin upsert: empty key")
	}
	err = s.write(ctx, func(tx *txn) error {
		objectID, created, err = builtinUpsert(ctx, tx, key, record, fmtTime(s.now()))
		return err
	})
	if err != nil {
		return "", false, err
	}
	return objectID, created, nil
}

// BuiltinUpsertMany is BuiltinUpsert for each key and its record, in ONE
// transaction: it returns the object ids in order, or an error and nothing
// written.
func (s *Store) BuiltinUpsertMany(ctx context.Context, keys []string, records [][]byte) ([]string, error) {
	if len(keys) != len(records) {
		return nil, fmt.Errorf("store: builtin upsert: %d keys for %d records", len(keys), len(records))
	}
	for _, k := range keys {
		if k == "" {
			return nil, errors.New("store: builtin upsert: empty key")
		}
	}
	if s.db.d == postgresDialect && distinct(keys) {
		return s.builtinUpsertPipelined(ctx, keys, records)
	}
	ids := make([]string, len(keys))
	err := s.write(ctx, func(tx *txn) error {
		now := fmtTime(s.now())
		for i, k := range keys {
			id, _, err := builtinUpsert(ctx, tx, k, records[i], now)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// builtinUpsertPipelined is BuiltinUpsertMany on PostgreSQL for distinct
// keys: the objects of the keys are read in one query, and the inserts and
// updates sent in one pipeline (two round trips, not two per key).
func (s *Store) builtinUpsertPipelined(ctx context.Context, keys []string, records [][]byte) ([]string, error) {
	ids := make([]string, len(keys))
	err := s.pgWrite(ctx, func(tx pgx.Tx) error {
		type object struct {
			id     int64
			record string
		}
		have := make(map[string]object, len(keys))
		rows, err := tx.Query(ctx, `SELECT id, key, record FROM crm_records WHERE key = ANY($1)`, keys)
		if err != nil {
			return fmt.Errorf("store: builtin upsert: %w", err)
		}
		for rows.Next() {
			var (
				o object
				k string
			)
			if err := rows.Scan(&o.id, &k, &o.record); err != nil {
				rows.Close()
				return fmt.Errorf("store: builtin upsert: %w", err)
			}
			have[k] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: builtin upsert: %w", err)
		}
		now := fmtTime(s.now())
		var (
			batch   pgx.Batch
			inserts []int // the keys inserted, in the order queued (-1: an update)
		)
		for i, k := range keys {
			o, ok := have[k]
			switch {
			case !ok:
				batch.Queue(`INSERT INTO crm_records (key, record, revision, created_at, updated_at)
					VALUES ($1, $2, 1, $3, $4) RETURNING id`, k, string(records[i]), now, now)
				inserts = append(inserts, i)
			case o.record != string(records[i]):
				batch.Queue(`UPDATE crm_records SET record = $1, revision = revision + 1, updated_at = $2
					WHERE id = $3`, string(records[i]), now, o.id)
				inserts = append(inserts, -1)
				fallthrough
			default:
				ids[i] = strconv.FormatInt(o.id, 10)
			}
		}
		br := tx.SendBatch(ctx, &batch)
		for _, i := range inserts {
			if i < 0 {
				_, err = br.Exec()
			} else {
				var id int64
				err = br.QueryRow().Scan(&id)
				ids[i] = strconv.FormatInt(id, 10)
			}
			if err != nil {
				_ = br.Close()
				return fmt.Errorf("store: builtin upsert: %w", err)
			}
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("store: builtin upsert: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// distinct reports whether no key is given twice.
func distinct(keys []string) bool {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// builtinUpsert writes one object of the builtin CRM in tx.
func builtinUpsert(ctx context.Context, tx *txn, key string, record []byte, now string) (objectID string, created bool, err error) {
	var (
		id  int64
		old string
	)
	err = tx.QueryRowContext(ctx, `SELECT id, record FROM crm_records WHERE key = ?`, key).Scan(&id, &old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		created = true
		err = tx.QueryRowContext(ctx, `INSERT INTO crm_records (key, record, revision, created_at, updated_at)
			VALUES (?, ?, 1, ?, ?) RETURNING id`, key, string(record), now, now).Scan(&id)
	case err == nil && !bytes.Equal([]byte(old), record):
		_, err = tx.ExecContext(ctx, `UPDATE crm_records SET record = ?, revision = revision + 1, updated_at = ?
			WHERE id = ?`, string(record), now, id)
	}
	if err != nil {
		return "", false, fmt.Errorf("store: builtin upsert: %w", err)
	}
	return strconv.FormatInt(id, 10), created, nil
}

// BuiltinGet returns the builtin CRM's object for key; ok is false when none.
func (s *Store) BuiltinGet(ctx context.Context, key string) (objectID string, record []byte, revision int, ok bool, err error) {
	r, err := scanBuiltin(s.db.QueryRowContext(ctx, `SELECT `+builtinColumns+` FROM crm_records WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, 0, false, nil
	}
	if err != nil {
		return "", nil, 0, false, err
	}
	return r.ObjectID, r.Record, r.Revision, true, nil
}

// BuiltinList returns every object of the builtin CRM, by key.
func (s *Store) BuiltinList(ctx context.Context) ([]BuiltinRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+builtinColumns+` FROM crm_records ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("store: builtin records: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []BuiltinRecord
	for rows.Next() {
		r, err := scanBuiltin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: builtin records: %w", err)
	}
	return out, nil
}

const builtinColumns = `id, key, record, revision, created_at, updated_at`

func scanBuiltin(sc scanner) (BuiltinRecord, error) {
	var (
		r                BuiltinRecord
		id               int64
		rec              string
		created, updated string
	)
	if err := sc.Scan(&id, &r.Key, &rec, &r.Revision, &created, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		return r, fmt.Errorf("store: builtin record: %w", err)
	}
	r.ObjectID, r.Record = strconv.FormatInt(id, 10), []byte(rec)
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return r, err
	}
	if r.UpdatedAt, err = parseTime(updated); err != nil {
		return r, err
	}
	return r, nil
}

// PutFacts replaces the builtin CRM's facts of an employee-day.
func (s *Store) PutFacts(ctx context.Context, employee string, d day.Date, facts map[string]float64) error {
	return s.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM crm_facts WHERE employee = ? AND date = ?`, employee, d.String()); err != nil {
			return fmt.Errorf("store: facts: %w", err)
		}
		for metric, v := range facts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO crm_facts (employee, date, metric, value) VALUES (?, ?, ?, ?)`,
				employee, d.String(), metric, v); err != nil {
				return fmt.Errorf("store: facts: %w", err)
			}
		}
		return nil
	})
}

// Facts returns the builtin CRM's facts of an employee-day (empty when none).
func (s *Store) Facts(ctx context.Context, employee string, d day.Date) (map[string]float64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT metric, value FROM crm_facts WHERE employee = ? AND date = ?`, employee, d.String())
	if err != nil {
		return nil, fmt.Errorf("store: facts: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]float64{}
	for rows.Next() {
		var (
			m string
			v float64
		)
		if err := rows.Scan(&m, &v); err != nil {
			return nil, fmt.Errorf("store: facts: %w", err)
		}
		out[m] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: facts: %w", err)
	}
	return out, nil
}
