package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// dayRow is the JSON columns of a day as SaveDay writes them.
type dayRow struct{ metrics, errs, flags string }

// saveUnchanged tells whether SaveDay of u, whose day is d (its record
// hash set) and version v, would change nothing in the store: the day row
// u.Prior is the one d would write (the version reused is the one it
// points at), and the record is what the push log says the CRM holds with
// no other change pending, or what the outbox holds already. It reads, in
// one statement and no write transaction; res is what SaveDay would have
// answered.
//
// A pass that finds a day as it was (the daemon's polls, most of the time)
// so costs one read instead of a write transaction. Only one pass writes at
// a time (the pass lock), so nothing changes between this read and the
// write it spares; a push finishing meanwhile moves h from the outbox to
// the push log, and either holds it. The crash points of the package
// documentation are untouched: nothing is written.
func (s *Store) saveUnchanged(ctx context.Context, u DayUpdate, d Day, v Version, cols dayRow) (bool, SaveResult, error) {
	if !sameRow(u, d, cols) {
		return false, SaveResult{}, nil
	}
	ks, err := s.readKeyState(ctx, u, d, v)
	if err != nil {
		return false, SaveResult{}, err
	}
	same, res := unchangedGiven(u, d, ks)
	return same, res, nil
}

// sameRow tells whether the day row u.Prior is the one d (with the JSON
// columns cols) would write, the version aside.
func sameRow(u DayUpdate, d Day, cols dayRow) bool {
	p := *u.Prior
	if p.Employee != d.Employee || p.Date != d.Date || p.Status != d.Status || p.Late != d.Late ||
		timeText(p.ClosedAt) != timeText(d.ClosedAt) || timeText(p.FirstSeen) != timeText(d.FirstSeen) ||
		p.Notes != d.Notes || p.LongTerm != d.LongTerm || p.SourceURL != d.SourceURL || p.RecordHash != d.RecordHash {
		return false
	}
	if u.Version == nil && p.VersionID != d.VersionID {
		return false
	}
	for _, c := range []struct {
		was  any
		want string
	}{{p.Metrics, cols.metrics}, {p.Flags, cols.flags}} {
		if got, err := toJSON(c.was); err != nil || got != c.want {
			return false // not comparable: written as usual
		}
	}
	if got, err := errorsJSON(p.Errors); err != nil || got != cols.errs {
		return false // not comparable: written as usual
	}
	return true
}

// keyState is what the store holds for the rows a DayUpdate touches
// besides the day's: the id of its version (by content hash), and the
// record hashes the push log and the outbox hold for its record's key.
type keyState struct {
	versionID       sql.NullInt64
	pushed, pending sql.NullString
}

// readKeyState reads the keyState of u (day d, version v) in one statement.
func (s *Store) readKeyState(ctx context.Context, u DayUpdate, d Day, v Version) (keyState, error) {
	var (
		ks             keyState
		hash, adapter  = "", u.Adapter
		employee, date = d.Employee, d.Date.String()
		key            = ""
	)
	if u.Version != nil {
		hash = v.ContentHash
	}
	if u.Record != nil {
		key = u.Record.Key
	}
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT id FROM report_versions WHERE employee = ? AND date = ? AND content_hash = ?),
		(SELECT record_hash FROM crm_objects WHERE adapter = ? AND key = ?),
		(SELECT hash FROM outbox WHERE adapter = ? AND key = ?)`,
		employee, date, hash, adapter, key, adapter, key).Scan(&ks.versionID, &ks.pushed, &ks.pending)
	if err != nil {
		return keyState{}, fmt.Errorf("store: save day: %w", err)
	}
	return ks, nil
}

// unchangedGiven tells, for an update whose row is unchanged (sameRow),
// whether the store holds the rest already: the version the row points
// at, and the record pushed with nothing else pending, or queued.
func unchangedGiven(u DayUpdate, d Day, ks keyState) (bool, SaveResult) {
	p := *u.Prior
	res := SaveResult{VersionID: p.VersionID}
	if u.Version != nil && (!ks.versionID.Valid || ks.versionID.Int64 != p.VersionID) {
		return false, SaveResult{}
	}
	if u.Record != nil {
		held := ks.pushed.String == d.RecordHash && !ks.pending.Valid
		queued := ks.pushed.String != d.RecordHash && ks.pending.String == d.RecordHash
		if !held && !queued {
			return false, SaveResult{}
		}
		res.Unchanged = true
	}
	return true, res
}

// timeText is a time as the store writes it ("" for none).
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}
