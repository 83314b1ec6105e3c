//go:build race

package store

// raceDetector is true when the tests run with -race, which makes the
// transpiled SQLite engine about twenty times slower.
const raceDetector = true
