package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckUnknownEmployee: an id the configuration does not have is a
// usage error (exit 2) that names the ids it may have meant; ids are
// case-sensitive, so IVANOV is not ivanov but suggests it.
func TestCheckUnknownEmployee(t *testing.T) {
	t.Parallel()
	cfg, _ := demoConfig(t)
	for _, tc := range []struct {
		id, want string
	}{
		{"IVANOV", `check: no employee "IVANOV" in the configuration; did you mean ivanov? (ids are case-sensitive)`},
		{"ivanv", `did you mean ivanov?`},
		{"petrov", `did you mean petrova?`},
		{"nobody", `check: no employee "nobody" in the configuration; its ids are ivanov, petrova, sidorov, morozova, ` +
			`smirnova, kuznetsov, popova, volkov, orlova` + "\n"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := execCLI(t, "check", "--employee", tc.id, "--config", cfg, "--date", "2026-10-28")
			require.Equal(t, exitUsage, code)
			require.Empty(t, out)
			require.Contains(t, errOut, tc.want)
		})
	}
}
