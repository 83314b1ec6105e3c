package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrLocked is wrapped by the *LockedError Lock returns when another pass
// holds the lock.
var ErrLocked = errors.New("store: another pass is running")

// LockedError says who holds the pass lock.
type LockedError struct {
	// Holder is the holder's line from the lock file: `pid host owner since`,
	// with owner quoted; "" when it could not be read.
	Holder string
}

// Error says who holds the lock and since when.
func (e *LockedError) Error() string {
	var (
		pid         int
		host, owner string
		since       string
	)
	if _, err := fmt.Sscanf(e.Holder, "%d %s %q %s", &pid, &host, &owner, &since); err == nil {
		return fmt.Sprintf("%v: %q, pid %d on %s, since %s", ErrLocked, owner, pid, host, since)
	}
	if e.Holder == "" {
		return ErrLocked.Error()
	}
	return fmt.Sprintf("%v: held by %s", ErrLocked, e.Holder)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock takes the pass lock, so that one pass runs at a time, without waiting:
// when another holds it, Lock returns a *LockedError (errors.Is ErrLocked)
// naming the holder. unlock releases it (calling it again does nothing).
//
// For a database file the lock is an exclusive flock(2) on "<path>.lock",
// holding `pid host owner since` for people to read. The kernel releases it
// when the process dies, so a pass killed by SIGKILL never blocks the next
// one. It is a per-host lock: processes on other machines sharing the file
// over a network file system are not excluded (run one daemon per SQLite
// database). On PostgreSQL it is a session advisory lock (see lockPostgres),
// which excludes every replica on every host. For ":memory:" it is an
// in-process mutex of this Store.
func (s *Store) Lock(ctx context.Context, owner string) (unlock func() error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.readOnly {
		return nil, ErrReadOnly
	}
	holder := holderLine(owner, s.now())
	if s.db.d == postgresDialect {
		return s.lockPostgres(ctx, holder)
	}
	if s.path == Memory {
		unlock, err = s.lockMemory(holder)
	} else {
		unlock, err = lockFile(s.path+".lock", holder)
	}
	if err != nil {
		return nil, err
	}
	// Holding SQLite's pass lock proves that no other pass runs on this
	// database (the kernel released the lock of any that died), so every
	// outbox claim left is a dead pass's: free those records at once.
	if err := s.dropClaims(ctx); err != nil {
		_ = unlock()
		return nil, err
	}
	return unlock, nil
}

// dropClaims ends every outbox claim.
func (s *Store) dropClaims(ctx context.Context) error {
	return s.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_by = '', claimed_until = '' WHERE claimed_by <> ''`); err != nil {
			return fmt.Errorf("store: outbox claims: %w", err)
		}
		return nil
	})
}

func holderLine(owner string, since time.Time) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	host = strings.Join(strings.Fields(host), "_")
	return strconv.Itoa(os.Getpid()) + " " + host + " " + strconv.Quote(owner) + " " + since.UTC().Format(time.RFC3339) + "\n"
}

func (s *Store) lockMemory(holder string) (func() error, error) {
	if !s.memLock.TryLock() {
		s.memMu.Lock()
		h := s.memHolder
		s.memMu.Unlock()
		return nil, &LockedError{Holder: strings.TrimSpace(h)}
	}
	s.memMu.Lock()
	s.memHolder = holder
	s.memMu.Unlock()
	var once sync.Once
	return func() error {
		once.Do(func() {
			s.memMu.Lock()
			s.memHolder = ""
			s.memMu.Unlock()
			s.memLock.Unlock()
		})
		return nil
	}, nil
}
