package builtin_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// memTable is an in-memory builtin.Table with the store's semantics: one
// object per key, ids never reused, the revision bumped only by a change.
type memTable struct {
	mu     sync.Mutex
	lastID int
	rows   map[string]*memRow
	// fail, when set, decides the error of an upsert before it is applied.
	fail func(key string) error
	// upserts counts BuiltinUpsert calls.
	upserts int
}

type memRow struct {
	id       string
	record   []byte
	revision int
}

var _ builtin.Table = (*memTable)(nil)

func newMemTable() *memTable { return &memTable{rows: map[string]*memRow{}} }

func (m *memTable) BuiltinUpsert(ctx context.Context, key string, record []byte) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.upserts++
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	if key == "" {
		return "", false, errors.New("store: builtin upsert: empty key")
	}
	if m.fail != nil {
		if err := m.fail(key); err != nil {
			return "", false, err
		}
	}
	r, ok := m.rows[key]
	if !ok {
		m.lastID++
		m.rows[key] = &memRow{id: strconv.Itoa(m.lastID), record: bytes.Clone(record), revision: 1}
		return strconv.Itoa(m.lastID), true, nil
	}
	if !bytes.Equal(r.record, record) {
		r.record, r.revision = bytes.Clone(record), r.revision+1
	}
	return r.id, false, nil
}

func (m *memTable) BuiltinGet(ctx context.Context, key string) (string, []byte, int, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", nil, 0, false, err
	}
	r, ok := m.rows[key]
	if !ok {
		return "", nil, 0, false, nil
	}
	return r.id, bytes.Clone(r.record), r.revision, true, nil
}

// objects lists what the table holds the way the conformance suite reads it.
func (m *memTable) objects(t testing.TB) []crmtest.Object {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := slices.Sorted(maps.Keys(m.rows))
	out := make([]crmtest.Object, 0, len(keys))
	for _, k := range keys {
		r := m.rows[k]
		rec, err := builtin.Decode(r.record)
		require.NoError(t, err)
		require.Equal(t, k, rec.Key, "stored under its own key")
		out = append(out, crmtest.FromRecord(r.id, rec))
	}
	return out
}

func (m *memTable) delete(t testing.TB, id string) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, r := range m.rows {
		if r.id == id {
			delete(m.rows, k)
			return
		}
	}
	t.Fatalf("no object %s", id)
}

func (m *memTable) revision(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.rows[key]; ok {
		return r.revision
	}
	return 0
}
