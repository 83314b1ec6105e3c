package crmtest_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// TestReference runs the whole suite, faults included, against the reference
// adapter and its fake CRM.
func TestReference(t *testing.T) {
	t.Parallel()
	crmtest.Run(t, referenceHarness(""))
}

const brokenEnv = "CRMTEST_BROKEN"

// TestBrokenHelper runs the suite against a deliberately broken adapter; it
// only runs as a child of TestSuiteCatches.
func TestBrokenHelper(t *testing.T) {
	broken := os.Getenv(brokenEnv)
	if broken == "" {
		t.Skip("run by TestSuiteCatches")
	}
	crmtest.Run(t, referenceHarness(broken))
}

// TestSuiteCatches checks that the suite fails adapters that break the
// contract, in the subtests meant to catch them.
func TestSuiteCatches(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	for broken, failing := range map[string][]string{
		"nolookup":    {"RepeatWithoutID", "UpdateWithoutID", "Fault/Unavailable", "Fault/AmbiguousCreate"},
		"leak":        {"Create", "Fault/Timeout"},
		"misclassify": {"Fault/BadRequest"},
		"retries":     {"Fault/ServerError"},
	} {
		t.Run(broken, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenHelper$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+broken)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a broken adapter:\n%s", out)
			for _, name := range failing {
				require.Contains(t, string(out), "--- FAIL: TestBrokenHelper/"+name+" ", "output:\n%s", out)
			}
			if broken == "leak" {
				require.NotContains(t, string(out), "s3cr3t", "failure messages hide the secret")
			}
		})
	}
}
