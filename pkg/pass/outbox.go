package pass

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/store"
)

// outboxBatch bounds how many queued records one pass pushes per round.
const outboxBatch = 1000

// drainOutbox pushes every due queued record through the retrying adapter and
// records each outcome. A record that still fails stays queued for the next pass.
func (r *run) drainOutbox(ctx context.Context) error {
	a, res, log := r.e, r.res, r.log
	name := a.Adapter.Name()
	tried := map[string]bool{}
	// Claims keep every other pusher (another replica's pass) off the records
	// this one pushes; what this pass claimed and did not mark is freed at
	// the end.
	defer func() {
		if err := a.Store.ReleaseClaims(context.WithoutCancel(ctx), name, a.Instance); err != nil {
			log.Warn().Err(err).Msg("could not release outbox claims; they expire by themselves")
		}
	}()
	// While a batch is pushed (minutes under a CRM's rate limit), keep its
	// claims alive; if this process dies they expire within claimTTL.
	extend, stopExtending := context.WithCancel(ctx)
	defer stopExtending()
	go func() {
		t := time.NewTicker(a.ClaimTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-extend.Done():
				return
			case <-t.C:
				if err := a.Store.ExtendClaims(extend, name, a.Instance, a.ClaimTTL); err != nil && extend.Err() == nil {
					log.Warn().Err(err).Msg("could not extend outbox claims")
				}
			}
		}
	}()
	for {
		items, err := a.Store.ClaimOutbox(ctx, name, a.Instance, outboxBatch, a.ClaimTTL)
		if err != nil {
			return fmt.Errorf("state: %w", err)
		}
		pushes := make([]crm.Push, 0, len(items))
		hashes := make([]string, 0, len(items))
		for _, it := range items {
			if tried[it.Key] {
				continue
			}
			tried[it.Key] = true
			pushes = append(pushes, crm.Push{Record: it.Record, ObjectID: it.ObjectID, New: it.New})
			hashes = append(hashes, it.Hash)
		}
		if len(pushes) == 0 {
			break
		}
		// Each chunk of the adapter's batch size is recorded as soon as it
		// is pushed, its successes in one transaction: their object ids are
		// saved even if the process dies during the next chunk (a crash
		// before the commit pushes them again: upserts by key change nothing).
		var stateErr error
		a.pusher.UpsertChunks(ctx, pushes, func(lo, _ int, results []crm.Result) error {
			pushed := make([]store.Pushed, 0, len(results))
			for k, r := range results {
				p, hash := pushes[lo+k], hashes[lo+k]
				if r.Err == nil {
					pushed = append(pushed, store.Pushed{Key: p.Record.Key, Hash: hash, ObjectID: r.ObjectID})
					continue
				}
				res.CRM.Failed++
				next := a.Now().Add(retryDelay(r.Err))
				log.Error().Str("key", p.Record.Key).Err(r.Err).Time("next_attempt", next).Msg("crm push failed; kept in the outbox")
				if err := a.Store.MarkFailed(ctx, name, p.Record.Key, hash, r.Err.Error(), next); err != nil {
					stateErr = fmt.Errorf("state: %w", err)
					return stateErr
				}
			}
			if err := a.Store.MarkPushedMany(ctx, name, pushed); err != nil {
				stateErr = fmt.Errorf("state: %w", err)
				return stateErr
			}
			res.CRM.Pushed += len(pushed)
			return nil
		})
		if stateErr != nil {
			return stateErr
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if a.StopRequested() {
			break // the rest stays queued for the next pass
		}
	}
	depth, err := a.Store.OutboxDepth(ctx, name)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	res.CRM.Queued = depth
	return nil
}

// retryDelay is when a failed push is tried again: at the next pass, or later
// when the CRM asked for more time, or when the failure is permanent.
func retryDelay(err error) time.Duration {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0
	}
	if !crm.IsRetryable(err) {
		return time.Hour
	}
	return max(crm.RetryAfter(err), 0)
}
