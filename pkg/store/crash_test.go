package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

// step is one durable step of a pass: a SaveDay, a CRM upsert or a MarkPushed.
type step struct {
	name string
	run  func(ctx context.Context, s *Store) error
}

// passSteps are the steps of one pass of the builtin adapter as the app runs
// it: save every employee-day (batched: through a DayBatch flushed once, as
// a pass does), then for each queued key upsert it into the builtin CRM and
// mark it pushed.
func passSteps(calls map[string]float64, order []string, batched bool) []step {
	var steps []step
	if batched {
		steps = append(steps, step{"save all", func(ctx context.Context, s *Store) error {
			b := s.NewDayBatch()
			for _, e := range order {
				if _, err := b.Save(ctx, update(e, testDate, calls[e])); err != nil {
					return err
				}
			}
			_, err := b.Flush(ctx)
			return err
		}})
	}
	for _, e := range order {
		if batched {
			break
		}
		steps = append(steps, step{"save " + e, func(ctx context.Context, s *Store) error {
			_, err := s.SaveDay(ctx, update(e, testDate, calls[e]))
			return err
		}})
	}
	for _, e := range order {
		var (
			item     *OutboxItem
			objectID string
		)
		key := crm.Key(e, testDate)
		steps = append(steps, step{"upsert " + e, func(ctx context.Context, s *Store) error {
			items, err := s.DueOutbox(ctx, "builtin", 0)
			if err != nil {
				return err
			}
			for i := range items {
				if items[i].Key == key {
					item = &items[i]
				}
			}
			if item == nil {
				return nil // nothing queued for the key
			}
			b, err := json.Marshal(item.Record)
			if err != nil {
				return err
			}
			objectID, _, err = s.BuiltinUpsert(ctx, key, b)
			return err
		}}, step{"mark pushed " + e, func(ctx context.Context, s *Store) error {
			if item == nil {
				return nil
			}
			return s.MarkPushed(ctx, "builtin", key, item.Hash, objectID)
		}})
	}
	return steps
}

// TestCrashAtEveryStep runs two passes (the second after reports changed),
// kills the process after — or in the middle of — each step, then runs a
// recovery pass from a fresh Store on the same file, twice. At the end the
// builtin CRM must hold exactly one object per key, with the latest content,
// and the outbox must be empty.
func TestCrashAtEveryStep(t *testing.T) {
	t.Parallel()
	order := []string{"ivanov", "petrova", "sidorov"}
	v1 := map[string]float64{"ivanov": 20, "petrova": 7, "sidorov": 3}
	v2 := map[string]float64{"ivanov": 21, "petrova": 7, "sidorov": 0.5} // ivanov and sidorov edited
	errCrash := errors.New("killed")

	bothDrivers(t, func(t *testing.T) {
		for _, batched := range []bool{false, true} {
			n := len(passSteps(v1, order, batched)) * 2
			for k := range n + 1 {
				for _, mid := range []bool{false, true} {
					if mid && k == n {
						continue
					}
					name := fmt.Sprintf("after step %d", k)
					if mid {
						name = fmt.Sprintf("inside step %d", k)
					}
					if batched {
						name = "batched " + name
					}
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						ctx := context.Background()
						path := sharedDB(t)
						all := append(passSteps(v1, order, batched), passSteps(v2, order, batched)...)

						// The doomed process. It is never closed before the
						// recovery opens the file: a SIGKILL closes nothing.
						doomed := openShared(t, path, nil)
						for _, st := range all[:k] {
							require.NoError(t, st.run(ctx, doomed), st.name)
						}
						if mid {
							doomed.failAt = func(string) error { return errCrash }
							if err := all[k].run(ctx, doomed); err != nil {
								require.ErrorIs(t, err, errCrash, all[k].name)
							}
						}

						var objects []BuiltinRecord
						for run := range 2 {
							s := openShared(t, path, nil)
							for _, st := range passSteps(v2, order, batched) {
								require.NoError(t, st.run(ctx, s), "recovery %d: %s", run, st.name)
							}
							got, err := s.BuiltinList(ctx)
							require.NoError(t, err)
							require.Len(t, got, len(order), "one CRM object per key")
							for i, e := range order {
								want, err := json.Marshal(rec(e, testDate, v2[e]))
								require.NoError(t, err)
								require.Equal(t, crm.Key(e, testDate), got[i].Key)
								require.JSONEq(t, string(want), string(got[i].Record), "latest content of %s", e)
								require.LessOrEqual(t, got[i].Revision, 2, "at most one revision per distinct content")
								id, err := s.ObjectID(ctx, "builtin", got[i].Key)
								require.NoError(t, err)
								require.Equal(t, got[i].ObjectID, id)
							}
							if run == 1 {
								require.Equal(t, objects, got, "a second recovery changes nothing")
							}
							objects = got
							depth, err := s.OutboxDepth(ctx, "")
							require.NoError(t, err)
							require.Zero(t, depth, "empty outbox")
							require.NoError(t, s.Close())
						}
					})
				}
			}
		}
	})
}
