//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
)

// lockFile takes an exclusive, non-blocking flock on path and writes holder
// into the file. The file is never removed: removing a lock file races with
// the next process opening it.
func lockFile(path, holder string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Holder: strings.TrimSpace(string(b))}
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holder), 0) // for people to read; the flock is what counts
	}
	var (
		once sync.Once
		uerr error
	)
	return func() error {
		once.Do(func() {
			_ = f.Truncate(0) // while still held: the next holder writes its own line
			if err := flock(f, syscall.LOCK_UN); err != nil {
				uerr = fmt.Errorf("store: unlock %s: %w", path, err)
			}
			if err := f.Close(); err != nil && uerr == nil {
				uerr = fmt.Errorf("store: unlock %s: %w", path, err)
			}
		})
		return uerr
	}, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
