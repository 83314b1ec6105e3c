package pass

import (
	"context"
	"sync"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/store"
)

// What a long-lived engine (the daemon's) keeps of the store between two
// passes. A quiet poll reads, for every employee at once, the employees'
// first days, the documents' last reads and the pass date's days with
// their records' place; on most polls none of it changed since the poll
// before. The store counts every write to those tables (store.ChangeCount,
// moved by triggers in the writer's own transaction, whichever process
// writes), so:
//
//   - a pass reads the count after it took the pass lock, before it reads
//     any of those tables;
//   - what it reads of them is kept only when the count at the end of the
//     pass (after its own last write) is still the one it started with:
//     nothing was written to them in between, by this pass or another
//     process, so what was read holds at that count;
//   - the next pass uses what was kept only when the count it reads under
//     the lock is that count again: nothing was written since.
//
// Anything else (another count, no count: PostgreSQL keeps none, a dry
// run, a replay, the engine's first pass) and the pass reads the store as
// before. What is kept is shared read-only: the pass's result lines carry
// its numbers, as they carried the rows read anew. The outbox's updates
// count only when they set its key or hash, the only columns of it a pass
// reads here (migration 016).
//
// An engine's first pass (a cron's sync, a new process each poll) has
// nothing in memory: it takes the same reads from the state when the
// state kept them at the count it reads under the lock (store.KeptReads,
// migration 017), and when it ends "ok" leaves them there for the next
// pass, read after its last write at the count they hold at
// (keepReadsInState).

// storeReuse is the engine's kept reads (mu guards it).
type storeReuse struct {
	mu sync.Mutex
	// ran: the engine ran a pass before. Its first pass keeps nothing in
	// memory: a process that runs one pass (a cron's sync) would only hold
	// the reads longer (the daemon's second poll keeps them for the
	// third); it keeps them in the state instead.
	ran   bool
	count store.ChangeCount
	kept  *storeReads // nil: nothing kept
}

// storeReads are reads of the store that held at one change count.
type storeReads struct {
	since map[string]day.Date
	docs  map[string]store.DocumentState
	held  map[heldKey]map[string]*store.HeldDay
}

// heldKey names one DaysHeldOnBy read.
type heldKey struct {
	adapter string
	date    day.Date
}

// passReuse is one pass's side of it.
type passReuse struct {
	counted bool
	count   store.ChangeCount
	// first: the engine's first pass (a cron's sync). It takes the reads
	// the state kept at the count it starts at (store.KeptReads), and
	// leaves its own there for the next pass (keepReadsInState); fromState
	// says it found them, stateHeld which pass dates they held.
	first     bool
	fromState bool
	stateHeld map[heldKey]bool
	// kept are the engine's reads at count (nil: none); used collects what
	// this pass used, kept or read anew, to keep for the next pass.
	kept *storeReads
	used storeReads
}

// startReuse reads the change count and takes what the engine kept at it.
func (r *run) startReuse(ctx context.Context) {
	e := r.e
	if e.DryRun || e.overlay != nil || e.Clock.pretending() {
		return
	}
	e.reuse.mu.Lock()
	first := !e.reuse.ran
	e.reuse.ran = true
	e.reuse.mu.Unlock()
	c, ok, err := e.Store.ChangeCount(ctx)
	if err != nil || !ok {
		return
	}
	r.reuse.count = c
	if first {
		r.reuse.first = true
		r.takeKeptReads(ctx)
		return
	}
	r.reuse.counted = true
	r.reuse.used.held = map[heldKey]map[string]*store.HeldDay{}
	e.reuse.mu.Lock()
	if e.reuse.kept != nil && e.reuse.count == c {
		r.reuse.kept = e.reuse.kept
	}
	e.reuse.mu.Unlock()
	if r.reuse.kept != nil {
		r.log.Debug().Msg("nothing written to the days, documents or outbox since the last pass: what it read is used again")
	}
}

// keepReuse keeps what the pass used when the change count is where the
// pass started, and forgets what the engine kept otherwise. It is called
// after the pass's last write to the counted tables.
func (r *run) keepReuse(ctx context.Context) {
	e := r.e
	if !r.reuse.counted {
		return
	}
	c, ok, err := e.Store.ChangeCount(ctx)
	e.reuse.mu.Lock()
	defer e.reuse.mu.Unlock()
	if err != nil || !ok || c != r.reuse.count {
		e.reuse.kept = nil
		return
	}
	used := r.reuse.used
	e.reuse.count, e.reuse.kept = c, &used
}

// takeKeptReads takes the reads the state kept at the pass's count, for
// an engine's first pass (nothing kept in memory yet). A read of them that
// fails, or reads kept at another count, and the pass reads the store.
func (r *run) takeKeptReads(ctx context.Context) {
	kept, ok, err := r.e.Store.KeptReads(ctx, r.reuse.count)
	if err != nil {
		r.log.Debug().Err(err).Msg("the reads kept in the state are not used")
	}
	if err != nil || !ok {
		return
	}
	reads := &storeReads{since: kept.Since, docs: kept.Docs, held: map[heldKey]map[string]*store.HeldDay{}}
	r.reuse.stateHeld = map[heldKey]bool{}
	for h, days := range kept.Held {
		k := heldKey{h.Adapter, h.Date}
		reads.held[k] = days
		r.reuse.stateHeld[k] = true
	}
	r.reuse.kept, r.reuse.fromState = reads, true
	r.reuse.used.held = map[heldKey]map[string]*store.HeldDay{}
	r.log.Debug().Msg("nothing written to the days, documents or outbox since the last pass: what it kept in the state is used")
}

// keepReadsInState leaves in the state, for the next pass, what a pass
// reads of every employee at once (store.EncodeReads: the first days, the
// documents' last reads, the pass dates' days), read after this pass's
// last write, at the count they hold at: an engine's first pass that
// ended "ok" (a cron's sync; the next one may be quiet). Nothing is
// written when the state already holds them at this count (a quiet pass
// that took them), or when anything was written while they were read.
func (r *run) keepReadsInState(ctx context.Context, result string) {
	e := r.e
	if !r.reuse.first || result != "ok" || r.req.Kind != KindSync {
		return
	}
	var held []store.HeldOn
	seen := map[heldKey]bool{}
	covered := true
	for _, emp := range e.Employees() {
		k := heldKey{e.Adapter.Name(), r.dateOf(emp)}
		if seen[k] {
			continue
		}
		seen[k] = true
		covered = covered && r.reuse.stateHeld[k]
		held = append(held, store.HeldOn{Adapter: k.adapter, Date: k.date})
	}
	c, ok, err := e.Store.ChangeCount(ctx)
	if err != nil || !ok || r.reuse.fromState && covered && c == r.reuse.count {
		return
	}
	data, err := e.Store.EncodeReads(ctx, held)
	if err != nil {
		r.log.Debug().Err(err).Msg("the reads are not kept for the next pass")
		return
	}
	if after, ok, err := e.Store.ChangeCount(ctx); err != nil || !ok || after != c {
		return // written to while they were read
	}
	if err := e.Store.KeepReads(ctx, c, data); err != nil {
		r.log.Debug().Err(err).Msg("the reads are not kept for the next pass")
	}
}

// storedSince is Engine.since, kept between passes.
func (r *run) storedSince(ctx context.Context) (map[string]day.Date, error) {
	if k := r.reuse.kept; k != nil && k.since != nil {
		r.reuse.used.since = k.since
		return k.since, nil
	}
	m, err := r.e.since(ctx)
	if err == nil && r.reuse.counted {
		r.reuse.used.since = m
	}
	return m, err
}

// documents is Store.Documents, kept between passes.
func (r *run) documents(ctx context.Context) (map[string]store.DocumentState, error) {
	if k := r.reuse.kept; k != nil && k.docs != nil {
		r.reuse.used.docs = k.docs
		return k.docs, nil
	}
	m, err := r.e.Store.Documents(ctx)
	if err == nil && r.reuse.counted {
		r.reuse.used.docs = m
	}
	return m, err
}

// daysHeldOn is Store.DaysHeldOnBy, kept between passes.
func (r *run) daysHeldOn(ctx context.Context, adapter string, d day.Date) (map[string]*store.HeldDay, error) {
	key := heldKey{adapter, d}
	if k := r.reuse.kept; k != nil {
		if m, ok := k.held[key]; ok {
			r.reuse.used.held[key] = m
			return m, nil
		}
	}
	m, err := r.e.Store.DaysHeldOnBy(ctx, adapter, d)
	if err == nil && r.reuse.counted {
		r.reuse.used.held[key] = m
	}
	return m, err
}

// keptSince is what the engine kept of the employees' first days, when the
// store's change count is still the one it was kept at (Idle asks between
// passes).
func (e *Engine) keptSince(ctx context.Context) (map[string]day.Date, bool) {
	if e.DryRun || e.overlay != nil {
		return nil, false
	}
	e.reuse.mu.Lock()
	kept, at := e.reuse.kept, e.reuse.count
	e.reuse.mu.Unlock()
	if kept == nil || kept.since == nil {
		return nil, false
	}
	c, ok, err := e.Store.ChangeCount(ctx)
	if err != nil || !ok || c != at {
		return nil, false
	}
	return kept.since, true
}
