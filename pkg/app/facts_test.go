package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
	"github.com/dayreport/dayreport/pkg/verify"
)

// flakyFacts is a CRM whose fact reader fails its first fails calls, then
// answers facts.
type flakyFacts struct {
	crm.Adapter
	fails atomic.Int32
	calls atomic.Int32
	facts map[string]crm.Facts
}

func (f *flakyFacts) Facts(_ context.Context, _ []string, _ day.Date, _ *time.Location) (map[string]crm.Facts, error) {
	f.calls.Add(1)
	if f.fails.Add(-1) >= 0 {
		return nil, crm.RetryableError(fmt.Errorf("crm: 503 QUERY_LIMIT_EXCEEDED"), 0)
	}
	return f.facts, nil
}

// TestFactsOutageVerifiedNextPass: when the CRM cannot give its facts, a
// Google document is not remembered as read, so the next poll reads it again
// and verifies the day against the facts then, instead of skipping it as
// unchanged for ever.
func TestFactsOutageVerifiedNextPass(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	var roster strings.Builder
	for i := range 2 {
		id := fmt.Sprintf("e%02d", i)
		fake.PutDoc("1"+id, textDoc("1"+id, reportText("Четверг, 26 ноября", 10)))
		fake.SetFileParent("1"+id, "folder1")
		fmt.Fprintf(&roster, "  - {id: %s, name: %s, report: %s}\n", id, id, gdoc.URL("1"+id))
	}
	tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\", folder: \"folder1\"}\nemployees:\n"+roster.String())
	flaky := &flakyFacts{facts: map[string]crm.Facts{"e00": {crm.FactCalls: 3}, "e01": {crm.FactCalls: 10}}}
	flaky.fails.Store(1)
	clk := newClock(msk("2026-11-26", 18, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, Google: fastGoogle(fake), WrapAdapter: func(in crm.Adapter) crm.Adapter {
		flaky.Adapter = in
		return flaky
	}})

	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, 2, res.CRM.Pushed)
	for _, e := range res.Employees {
		require.Empty(t, e.Flags, "%s: no facts, nothing to flag yet", e.ID)
	}

	fake.ResetRequests()
	clk.Set(msk("2026-11-26", 18, 20))
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, 2, countRequests(fake).docs, "both documents read again: their days were verified without facts")
	flags := map[string][]string{}
	for _, e := range res.Employees {
		for _, f := range e.Flags {
			flags[e.ID] = append(flags[e.ID], f.Code+":"+f.Metric)
		}
	}
	require.Equal(t, map[string][]string{"e00": {verify.Overstated + ":new_calls"}}, flags)
	require.Equal(t, 1, res.CRM.Pushed, "e00's record now carries its flag")

	fake.ResetRequests()
	clk.Set(msk("2026-11-26", 18, 40))
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Zero(t, countRequests(fake).docs, "verified with complete facts: unchanged documents are not read")
	require.Zero(t, res.CRM.Pushed)
}

// askedFacts is a CRM whose fact reader records the users each call asked
// for and answers facts.
type askedFacts struct {
	crm.Adapter
	mu    sync.Mutex
	asked [][]string
	facts map[string]crm.Facts
}

func (f *askedFacts) Facts(_ context.Context, users []string, _ day.Date, _ *time.Location) (map[string]crm.Facts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, slices.Sorted(slices.Values(users)))
	return f.facts, nil
}

func (f *askedFacts) take() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.asked
	f.asked = nil
	return a
}

// TestFactsOfTheJudgedOnly: a pass that judges one changed report in full
// and everyone else quietly asks the CRM for that employee's facts alone
// (it asked for the whole roster's, one employee of 10 000 verified), and
// verifies the day against them as a full pass does.
func TestFactsOfTheJudgedOnly(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, "employees:\n  - {id: e00, name: Анна}\n  - {id: e01, name: Борис}\n  - {id: e02, name: Глеб}\n")
	saved := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for i, calls := range []int{10, 3, 7} {
		name := fmt.Sprintf("e%02d.txt", i)
		tm.Write(t, name, reportText("26.11.2026", calls))
		require.NoError(t, os.Chtimes(filepath.Join(tm.Dir, name), saved, saved))
	}
	asked := &askedFacts{facts: map[string]crm.Facts{"e00": {crm.FactCalls: 10}, "e01": {crm.FactCalls: 3}, "e02": {crm.FactCalls: 7}}}
	clk := newClock(msk("2026-11-26", 12, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, WrapAdapter: func(in crm.Adapter) crm.Adapter {
		asked.Adapter = in
		return asked
	}})
	flagsOf := func(res *pass.Result) map[string][]string {
		out := map[string][]string{}
		for _, e := range res.Employees {
			for _, f := range e.Flags {
				out[e.ID] = append(out[e.ID], f.Code+":"+f.Metric)
			}
		}
		return out
	}

	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Empty(t, flagsOf(res))
	for _, users := range asked.take() {
		require.Equal(t, []string{"e00", "e01", "e02"}, users, "a first pass judges everyone")
	}
	clk.Set(msk("2026-11-26", 12, 20))
	_, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Empty(t, asked.take(), "a quiet pass verifies nothing again")

	tm.Write(t, "e01.txt", reportText("26.11.2026", 30))
	edited := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(tm.Dir, "e01.txt"), edited, edited))
	clk.Set(msk("2026-11-26", 12, 40))
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	calls := asked.take()
	require.NotEmpty(t, calls)
	for _, users := range calls {
		require.Equal(t, []string{"e01"}, users, "only the changed report's employee is judged in full")
	}
	require.Equal(t, map[string][]string{"e01": {verify.Overstated + ":new_calls"}}, flagsOf(res),
		"30 calls reported, 3 in the CRM")
}
