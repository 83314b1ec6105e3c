//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
)

// TestSyncRefusesHostileReportFiles: a report that is a named pipe, a link
// to /dev/zero and a link out of the folder: `sync` neither blocks nor reads
// without end nor reads the outside file; each of the three employees gets
// the reason, the good report goes through, the pass exits 1.
func TestSyncRefusesHostileReportFiles(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n"+
		"  - {id: vera, name: Вера}\n  - {id: gleb, name: Глеб}\n")
	reports := filepath.Join(c.dir, "reports")
	require.NoError(t, syscall.Mkfifo(filepath.Join(reports, "anna.txt"), 0o644))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(reports, "boris.txt")))
	outside := filepath.Join(c.dir, "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte(apptest.ReportText("25.11.2026", 99)), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(reports, "vera.txt")))
	c.write(t, "gleb.txt", apptest.ReportText("25.11.2026", 10))

	code, out, stderr := c.run(t, rfc("2026-11-25", 18, 0), "sync", "--format", "json")
	require.Equal(t, 1, code, stderr)
	var res struct {
		Employees []struct {
			ID, Status, Error string
		} `json:"employees"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	why := map[string]string{}
	for _, e := range res.Employees {
		why[e.ID] = e.Error
		if e.ID == "gleb" {
			require.Equal(t, "submitted", e.Status)
		}
	}
	require.Contains(t, why["anna"], "anna.txt: not a regular file: refused (a named pipe)")
	require.Contains(t, why["boris"], "boris.txt: a link that leads out of the report folder: refused (it leads to /dev/zero)")
	require.Contains(t, why["vera"], "vera.txt: a link that leads out of the report folder")
	require.Empty(t, why["gleb"])

	code, _, stderr = execCLI(t, "check", "--file", "/dev/zero")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "not a regular file: refused (a character device)")
}
