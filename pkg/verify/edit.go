package verify

import "time"

// Baseline says which version of a day's report a later change is measured
// from.
type Baseline int

const (
	// BeforeDeadline is the last version seen by the deadline.
	BeforeDeadline Baseline = iota
	// AtClose is the version the pass that closed the day judged.
	AtClose
	// FirstSeen is the first version seen of a day closed without a report
	// (absent, then late).
	FirstSeen
)

func (b Baseline) text(lang string) string {
	switch {
	case b == BeforeDeadline && lang == "en":
		return "the version seen by the deadline"
	case b == BeforeDeadline:
		return "версией, которая была к сроку"
	case b == AtClose && lang == "en":
		return "the version the day was closed with"
	case b == AtClose:
		return "версией, с которой день закрыт"
	case lang == "en":
		return "the first version seen after the day was closed"
	default:
		return "первой версией, увиденной после закрытия дня"
	}
}

// Version is one version of a day's report as the audit trail knows it.
type Version struct {
	// Hash identifies the content.
	Hash string
	// Seen is when the version was first seen.
	Seen    time.Time
	Metrics map[string]float64
	// By is who last modified the document and Edited when, as the source
	// said when the version was first seen ("" and zero: it did not).
	By     string
	Edited time.Time
}

// made is when a version was made, as closely as is known: when the source
// says the document was last modified before the version was first seen
// (the change is no later than that), else when it was first seen.
func (v Version) made() time.Time {
	if !v.Edited.IsZero() && v.Edited.Before(v.Seen) {
		return v.Edited
	}
	return v.Seen
}

// Versions is what the audit trail knows of one employee-day.
type Versions struct {
	// All are the versions seen, oldest first.
	All []Version
	// Deadline is the day's deadline.
	Deadline time.Time
	// ClosedAt is when the day was closed (zero: not yet).
	ClosedAt time.Time
	// Closed is the version the closing pass judged; nil when the day was
	// closed without a report (or before the closing version was recorded).
	Closed *Version
}

// LateEdit finds a change of a day's numbers after its deadline, measured
// from the baseline: the last version made by the deadline (seen by it, or
// last modified by it as the source says: a report written at 20:45 and
// first read at 22:01 was there by 21:00); else the
// version the day was closed with; else, for a day closed without a report,
// the first version seen. A day that is not closed and had no version by
// the deadline has no baseline yet (a report first written after the
// deadline is late, and its edits before the close are part of it).
// current is the version judged now.
func LateEdit(vs Versions, current Version) *Edit {
	var base *Version
	kind := BeforeDeadline
	for i := range vs.All {
		if !vs.All[i].made().After(vs.Deadline) {
			base = &vs.All[i]
		}
	}
	baseAt := time.Time{}
	if base != nil {
		baseAt = base.made()
	}
	switch {
	case base != nil:
	case vs.ClosedAt.IsZero():
		return nil
	case vs.Closed != nil:
		base, kind, baseAt = vs.Closed, AtClose, vs.ClosedAt
	case len(vs.All) > 0:
		base, kind, baseAt = &vs.All[0], FirstSeen, vs.All[0].made()
	default:
		return nil
	}
	if base.Hash == current.Hash || sameNumbers(base.Metrics, current.Metrics) {
		return nil
	}
	return &Edit{At: current.made(), By: current.By, Baseline: kind, BaselineAt: baseAt, Before: base.Metrics, After: current.Metrics}
}

// sameNumbers compares the numbers of two versions (text is not a number).
func sameNumbers(x, y map[string]float64) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if w, ok := y[k]; !ok || w != v {
			return false
		}
	}
	return true
}
