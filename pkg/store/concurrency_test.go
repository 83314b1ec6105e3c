package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrentStoresOnOneFile has two Stores (as two processes would) save
// and push the same employee-days at the same time.
func TestConcurrentStoresOnOneFile(t *testing.T) {
	t.Parallel()
	bothDrivers(t, testConcurrentStores)
}

func testConcurrentStores(t *testing.T) {
	ctx := context.Background()
	path := sharedDB(t)
	stores := []*Store{openShared(t, path, nil), openShared(t, path, nil)}
	const (
		workers   = 4 // per store
		saves     = 40
		employees = 10
	)
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*workers)
	for si, s := range stores {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range saves {
					e := fmt.Sprintf("emp%d", (i+w)%employees)
					u := update(e, testDate, float64((i+si)%3))
					if _, err := s.SaveDay(ctx, u); err != nil {
						errs <- err
						return
					}
					if i%5 == 0 {
						if err := s.MarkPushed(ctx, "builtin", u.Record.Key, u.Record.Hash(), "obj-"+e); err != nil {
							errs <- err
							return
						}
					}
					if _, err := s.DaysOn(ctx, testDate); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	s := stores[0]
	if !isPostgres(t) {
		var check string
		require.NoError(t, s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check))
		require.Equal(t, "ok", check)
	}
	days, err := s.DaysOn(ctx, testDate)
	require.NoError(t, err)
	require.Len(t, days, employees)
	require.LessOrEqual(t, count(t, s, `SELECT count(*) FROM outbox`), employees, "at most one row per key")
	require.Equal(t, count(t, s, `SELECT count(DISTINCT employee || date || content_hash) FROM report_versions`),
		count(t, s, `SELECT count(*) FROM report_versions`))
	// Every pending row differs from what the push log holds.
	require.Zero(t, count(t, s, `SELECT count(*) FROM outbox o JOIN crm_objects c USING (adapter, key) WHERE o.hash = c.record_hash`))
}

func TestLockIsExclusiveAcrossStores(t *testing.T) {
	t.Parallel()
	bothDrivers(t, testLockIsExclusive)
}

func testLockIsExclusive(t *testing.T) {
	ctx := context.Background()
	path := sharedDB(t)
	a, b := openShared(t, path, nil), openShared(t, path, nil)

	unlock, err := a.Lock(ctx, "sync 2026-11-26")
	require.NoError(t, err)

	_, err = b.Lock(ctx, "close-day 2026-11-26")
	require.ErrorIs(t, err, ErrLocked)
	var le *LockedError
	require.ErrorAs(t, err, &le)
	require.Contains(t, le.Error(), `"sync 2026-11-26"`)
	require.Contains(t, le.Error(), "pid ")
	require.Contains(t, le.Error(), "since 2026-")
	_, err = a.Lock(ctx, "again")
	require.ErrorIs(t, err, ErrLocked, "not reentrant either")

	require.NoError(t, unlock())
	require.NoError(t, unlock(), "unlock twice is harmless")

	unlockB, err := b.Lock(ctx, "close-day 2026-11-26")
	require.NoError(t, err)
	require.NoError(t, unlockB())

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = a.Lock(cancelled, "x")
	require.ErrorIs(t, err, context.Canceled)
}

func TestLockMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memStore(t, newClock())
	unlock, err := s.Lock(ctx, "sync")
	require.NoError(t, err)
	_, err = s.Lock(ctx, "other")
	require.ErrorIs(t, err, ErrLocked)
	require.Contains(t, err.Error(), `"sync"`)
	require.Contains(t, err.Error(), "since 2026-11-26T18:30:00Z")
	require.NoError(t, unlock())
	require.NoError(t, unlock())
	unlock, err = s.Lock(ctx, "other")
	require.NoError(t, err)
	require.NoError(t, unlock())
}

func TestLockedErrorMessages(t *testing.T) {
	t.Parallel()
	for holder, want := range map[string]string{
		`42 host1 "sync 2026-11-26" 2026-11-26T18:00:00Z`: `store: another pass is running: "sync 2026-11-26", pid 42 on host1, since 2026-11-26T18:00:00Z`,
		"":        "store: another pass is running",
		"garbled": "store: another pass is running: held by garbled",
	} {
		require.Equal(t, want, (&LockedError{Holder: holder}).Error())
	}
}
