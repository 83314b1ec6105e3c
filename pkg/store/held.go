package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// HeldDay is a stored employee-day with where its CRM record stands: what
// the push log says the CRM holds for its key, and what the outbox holds.
type HeldDay struct {
	Day
	// Pushed is the hash of the record the CRM holds for the day's key
	// ("" when nothing was pushed).
	Pushed string
	// Pending is the hash of the record waiting in the outbox; Queued is
	// false when nothing waits.
	Pending string
	Queued  bool
}

// Held tells what SaveDay would answer for an unchanged day carrying this
// record hash: the CRM holds it (nothing waits), or the outbox does.
func (h HeldDay) Held(hash string) bool {
	held := h.Pushed == hash && !h.Queued
	queued := h.Pushed != hash && h.Queued && h.Pending == hash
	return held || queued
}

// heldColumns are dayColumns of the days table aliased d.
var heldColumns = func() string {
	cols := strings.Split(dayColumns, ",")
	for i, c := range cols {
		cols[i] = "d." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}()

// DaysHeldOn returns every stored employee-day of date d with its CRM
// record's place for adapter, in one query: the push log's and the
// outbox's rows are joined by the record key (crm.Key:
// dayreport:<employee>:<date>). It is what a pass needs to tell, without a
// query per employee, that saving the day as it is would write nothing
// (saveUnchanged asks the same per day).
func (s *Store) DaysHeldOn(ctx context.Context, adapter string, d day.Date) ([]HeldDay, error) {
	return s.daysHeld(ctx, adapter, `d.date = ? ORDER BY d.employee`, d.String())
}

// DaysHeldOnBy is DaysHeldOn by employee (a quiet poll looks each one up:
// the list of 10 000 days grew by copying). The days are pointed to: a
// quiet poll keeps the day it looked up, which as a map value would be
// copied again.
func (s *Store) DaysHeldOnBy(ctx context.Context, adapter string, d day.Date) (map[string]*HeldDay, error) {
	out := map[string]*HeldDay{}
	var chunk []HeldDay // the days are allocated a few hundred at a time
	err := s.eachHeld(ctx, adapter, `d.date = ?`, []any{d.String()}, func(h HeldDay) {
		if len(chunk) == cap(chunk) {
			chunk = make([]HeldDay, 0, 256)
		}
		chunk = append(chunk, h)
		out[h.Employee] = &chunk[len(chunk)-1]
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DaysHeldOf is DaysHeldOn for one employee's days from..to, by date.
func (s *Store) DaysHeldOf(ctx context.Context, adapter, employee string, from, to day.Date) ([]HeldDay, error) {
	return s.daysHeld(ctx, adapter, `d.employee = ? AND d.date BETWEEN ? AND ? ORDER BY d.date`, employee, from.String(), orMax(to))
}

func (s *Store) daysHeld(ctx context.Context, adapter, where string, args ...any) ([]HeldDay, error) {
	var out []HeldDay
	if err := s.eachHeld(ctx, adapter, where, args, func(h HeldDay) { out = append(out, h) }); err != nil {
		return nil, err
	}
	return out, nil
}

// eachHeld calls fn with every held day the condition selects, in order.
func (s *Store) eachHeld(ctx context.Context, adapter, where string, args []any, fn func(HeldDay)) error {
	return s.eachHeldTo(ctx, adapter, where, args, nil, fn)
}

// eachHeldTo is eachHeld with w nil; with w, the rows as read are written
// to w instead (EncodeReads), not decoded, and fn is not called.
func (s *Store) eachHeldTo(ctx context.Context, adapter, where string, args []any, w *readsWriter, fn func(HeldDay)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+heldColumns+`, c.record_hash, o.hash FROM days d
		LEFT JOIN crm_objects c ON c.adapter = ? AND c.key = 'dayreport:' || d.employee || ':' || d.date
		LEFT JOIN outbox o ON o.adapter = ? AND o.key = 'dayreport:' || d.employee || ':' || d.date
		WHERE `+where, append([]any{adapter, adapter}, args...)...)
	if err != nil {
		return fmt.Errorf("store: days: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var (
		pushed, pending sql.NullString
		r               dayScan
	)
	for rows.Next() {
		if w != nil {
			if err := rows.Scan(r.places(&pushed, &pending)...); err != nil {
				return fmt.Errorf("store: read day: %w", err)
			}
			w.held(&r, pushed, pending)
			continue
		}
		got, err := r.scan(rows, &pushed, &pending)
		if err != nil {
			return err
		}
		fn(HeldDay{Day: got, Pushed: pushed.String, Pending: pending.String, Queued: pending.Valid})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: days: %w", err)
	}
	return nil
}

// SameDay reports whether saving next over prior, the row as read, would
// leave the row's own columns as they are, compared as SaveDay's unchanged
// shortcut compares them (the record hash and the version aside).
func SameDay(prior, next Day) bool {
	if prior.Employee != next.Employee || prior.Date != next.Date || prior.Status != next.Status || prior.Late != next.Late ||
		!sameTimeText(prior.ClosedAt, next.ClosedAt) || !sameTimeText(prior.FirstSeen, next.FirstSeen) ||
		prior.Notes != next.Notes || prior.LongTerm != next.LongTerm || prior.SourceURL != next.SourceURL ||
		prior.VersionID != next.VersionID {
		return false
	}
	// The same numbers, bit for bit, are the same text; nil lists are
	// "null" (a quiet poll compares 10 000 days, most without numbers to
	// compare: what is kept is compared by its scalars).
	if !sameNumbers(prior.Metrics, next.Metrics) {
		was, err1 := toJSON(prior.Metrics)
		now, err2 := toJSON(next.Metrics)
		if err1 != nil || err2 != nil || was != now {
			return false
		}
	}
	if prior.Flags != nil || next.Flags != nil {
		was, err1 := toJSON(prior.Flags)
		now, err2 := toJSON(next.Flags)
		if err1 != nil || err2 != nil || was != now {
			return false
		}
	}
	if prior.Errors == nil && next.Errors == nil {
		return true
	}
	was, err1 := errorsJSON(prior.Errors)
	now, err2 := errorsJSON(next.Errors)
	return err1 == nil && err2 == nil && was == now
}

// sameTimeText is timeText(a) == timeText(b) without formatting either,
// where the text is the instant's (years 1 to 9999).
func sameTimeText(a, b time.Time) bool {
	switch {
	case a.IsZero() || b.IsZero():
		return a.IsZero() == b.IsZero()
	case !textYear(a) || !textYear(b):
		return timeText(a) == timeText(b)
	}
	return a.Equal(b)
}

func textYear(t time.Time) bool { y := t.UTC().Year(); return y >= 1 && y <= 9999 }

// sameNumbers reports that a and b are both nil, or hold the same keys
// with the same bits (false leaves it to their JSON text: a finite -0 and
// 0 differ by their bits, not their value).
func sameNumbers(a, b map[string]float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || math.Float64bits(v) != math.Float64bits(w) || math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
