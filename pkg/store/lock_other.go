//go:build !unix

package store

import "errors"

func lockFile(path, holder string) (func() error, error) {
	return nil, errors.New("store: the pass lock needs flock(2), which this system lacks")
}
