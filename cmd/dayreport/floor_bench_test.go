package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// What BenchmarkScale compares a local pass with, measured in this process
// on the same folder, in CPU seconds (user and system, every thread):
//
//   - statFloor: list the folder and stat every file: the least any
//     program must do to learn that nothing changed;
//   - readFloor: read every file and split it into lines;
//   - naivePeer: a naive program doing a first pass's essential work: read
//     every file, split it into days at blank lines, parse each day's
//     "label: number" lines into a map, and upsert every day into a SQLite
//     table in one transaction (no validation, verification, audit trail,
//     CRM or summary: the least a first pass must cost).

// cpuTime is the CPU time this process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuOf is the CPU time fn took.
func cpuOf(tb testing.TB, fn func()) time.Duration {
	start := cpuTime(tb)
	fn()
	return cpuTime(tb) - start
}

func statFloor(tb testing.TB, dir string) {
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	for _, e := range entries {
		_, err := os.Stat(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
	}
}

func readFloor(tb testing.TB, dir string) (lines int) {
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
		lines += len(bytes.Split(data, []byte("\n")))
	}
	return lines
}

// naivePeer does a first pass's essential work the simplest way and returns
// the days stored.
func naivePeer(tb testing.TB, dir, db string) (days int) {
	ctx := context.Background()
	conn, err := sql.Open("sqlite", db)
	require.NoError(tb, err)
	defer func() { require.NoError(tb, conn.Close()) }()
	_, err = conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS days (employee TEXT, date TEXT, status TEXT, metrics TEXT,
		PRIMARY KEY (employee, date))`)
	require.NoError(tb, err)
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(tb, err)
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO days (employee, date, status, metrics) VALUES (?, ?, ?, ?)
		ON CONFLICT (employee, date) DO UPDATE SET status = excluded.status, metrics = excluded.metrics`)
	require.NoError(tb, err)
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
		for _, block := range strings.Split(string(data), "\n\n") {
			lines := strings.Split(strings.TrimSpace(block), "\n")
			if len(lines) < 2 {
				continue
			}
			metrics := map[string]float64{}
			for _, l := range lines[1:] {
				label, value, ok := strings.Cut(l, ":")
				if !ok {
					continue
				}
				if v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(value), ",", "."), 64); err == nil {
					metrics[strings.ToLower(strings.TrimSpace(label))] = v
				}
			}
			js, err := json.Marshal(metrics)
			require.NoError(tb, err)
			_, err = stmt.ExecContext(ctx, e.Name(), lines[0], "submitted", string(js))
			require.NoError(tb, err)
			days++
		}
	}
	require.NoError(tb, stmt.Close())
	require.NoError(tb, tx.Commit())
	return days
}

// reportFloors measures the floors and the peer on the folder of a local
// BenchmarkScale case and reports them next to the pass's own CPU seconds.
func reportFloors(b *testing.B, reports string, first, second time.Duration) {
	stat := cpuOf(b, func() { statFloor(b, reports) })
	read := cpuOf(b, func() { readFloor(b, reports) })
	days := 0
	peer := cpuOf(b, func() { days = naivePeer(b, reports, filepath.Join(b.TempDir(), "peer.db")) })
	require.Positive(b, days)
	b.ReportMetric(stat.Seconds(), "cpu-s/stat-floor")
	b.ReportMetric(read.Seconds(), "cpu-s/read-floor")
	b.ReportMetric(peer.Seconds(), "cpu-s/naive-peer")
	b.ReportMetric(second.Seconds()/stat.Seconds(), "second/stat-floor")
	b.ReportMetric(first.Seconds()/peer.Seconds(), "first/naive-peer")
}
