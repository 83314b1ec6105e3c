package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

// chunkWatcher pushes one record per call and, at each call, reads from the
// state database the object ids of the records pushed by the calls before.
type chunkWatcher struct {
	crm.Adapter
	app     **App
	pushed  []string
	missing []string
}

func (c *chunkWatcher) MaxBatch() int { return 1 }

func (c *chunkWatcher) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	for _, key := range c.pushed {
		if id, err := (*c.app).Store().ObjectID(ctx, c.Name(), key); err != nil || id == "" {
			c.missing = append(c.missing, key)
		}
	}
	out := c.Adapter.Upsert(ctx, pushes)
	for i, p := range pushes {
		if out[i].Err == nil {
			c.pushed = append(c.pushed, p.Record.Key)
		}
	}
	return out
}

// TestObjectIDsSavedPerChunk: a pass pushes its records in chunks of the
// adapter's batch size; the object ids of a chunk used to be saved only
// after the whole batch (up to 1 000 records) returned, so a process
// killed in between lost them all. Each chunk is now recorded before the
// next is sent.
func TestObjectIDsSavedPerChunk(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.Write(t, "boris.txt", reportText("25.11.2026", 7))
	var (
		a *App
		w *chunkWatcher
	)
	a = openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now, WrapAdapter: func(in crm.Adapter) crm.Adapter {
		w = &chunkWatcher{Adapter: in, app: &a}
		return w
	}})
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.GreaterOrEqual(t, res.CRM.Pushed, 3)
	require.Len(t, w.pushed, res.CRM.Pushed)
	require.Empty(t, w.missing, "every earlier chunk's object id was saved before the next chunk")
}
