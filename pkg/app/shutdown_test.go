package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

// downCRM answers every push 503 and, at its first call, has the daemon
// asked to stop (SIGTERM arriving while the outbox is pushed).
type downCRM struct {
	crm.Adapter
	calls  atomic.Int32
	onCall func()
}

func (d *downCRM) Upsert(_ context.Context, pushes []crm.Push) []crm.Result {
	if d.calls.Add(1) == 1 && d.onCall != nil {
		d.onCall()
	}
	out := make([]crm.Result, len(pushes))
	for i := range out {
		out[i].Err = crm.RetryableError(errors.New("503 Service Unavailable"), 0)
	}
	return out
}

// TestStopCutsCRMRetriesShort: after RequestStop (SIGTERM) a push the CRM
// refused is not retried: the Retrier's backoff (1 s, 2 s, 4 s, … — 13 s
// and more after SIGTERM) ends at once, and the records stay queued for the
// next pass, which pushes them.
func TestStopCutsCRMRetriesShort(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	var (
		a    *App
		down *downCRM
	)
	a = openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now, WrapAdapter: func(in crm.Adapter) crm.Adapter {
		down = &downCRM{Adapter: in, onCall: func() { a.RequestStop() }}
		return down
	}})
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.EqualValues(t, 1, down.calls.Load(), "no retry after the stop")
	require.Positive(t, res.CRM.Failed)
	require.Equal(t, res.CRM.Failed, res.CRM.Queued, "what failed stays queued")
}
