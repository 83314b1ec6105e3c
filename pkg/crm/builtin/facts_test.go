package builtin_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/store"
)

func TestReadFacts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "facts.csv")
	require.NoError(t, os.WriteFile(good, []byte("# calls from telephony\ndate,crm_user_id,metric,value\n2026-11-02,24,new_calls,12\n2026-11-02,24,payments,0\n"), 0o644))
	rows, err := builtin.ReadFacts(good)
	require.NoError(t, err)
	require.Equal(t, []builtin.Fact{
		{Date: day.MustParse("2026-11-02"), User: "24", Metric: "new_calls", Value: 12},
		{Date: day.MustParse("2026-11-02"), User: "24", Metric: "payments", Value: 0},
	}, rows)

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("date,crm_user_id,metric,value\n02.11.2026,24,new_calls,12\n2026-11-02,24,new_calls,-1\n2026-11-02,,new_calls,1\n"), 0o644))
	_, err = builtin.ReadFacts(bad)
	require.ErrorContains(t, err, "line 2: date \"02.11.2026\"")
	require.ErrorContains(t, err, "line 3: value \"-1\"")
	require.ErrorContains(t, err, "line 4: crm_user_id and metric are required")

	header := filepath.Join(dir, "header.csv")
	require.NoError(t, os.WriteFile(header, []byte("day,user,metric,value\n"), 0o644))
	_, err = builtin.ReadFacts(header)
	require.ErrorContains(t, err, "the header must be")
}

func TestFactReader(t *testing.T) {
	t.Parallel()
	s, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), store.Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	d := day.MustParse("2026-11-02")
	require.NoError(t, s.PutFacts(t.Context(), "24", d, map[string]float64{"new_calls": 12}))
	var fr crm.FactReader = builtin.New(s)
	got, err := fr.Facts(t.Context(), []string{"24", "25"}, d, time.UTC)
	require.NoError(t, err)
	require.Equal(t, map[string]crm.Facts{"24": {"new_calls": 12}}, got)
}

// TestFactsConformance runs the shared FactReader contract on the state
// database. The builtin CRM is Sparse: its facts table (a CSV loaded for
// the demo) is a partial stand-in where a missing row means "not known",
// so users without facts are left out rather than answered with zeros, and
// its facts are per calendar day already.
func TestFactsConformance(t *testing.T) {
	t.Parallel()
	crmtest.RunFacts(t, func(t *testing.T) *crmtest.FactsHarness {
		s := openStore(t)
		return &crmtest.FactsHarness{
			Reader: builtin.New(s),
			Kinds:  []string{crm.FactCalls},
			Record: func(tb testing.TB, kind, user string, at time.Time) {
				d := day.Of(at)
				f, err := s.Facts(tb.Context(), user, d)
				require.NoError(tb, err)
				f[kind]++
				require.NoError(tb, s.PutFacts(tb.Context(), user, d, f))
			},
			Sparse: true,
		}
	})
}
