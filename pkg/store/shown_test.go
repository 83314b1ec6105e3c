package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
)

// shownFields are the fields of Day that EachShownDay gives; notShown the
// ones it leaves zero. Every field of Day is one or the other.
var (
	shownFields    = []string{"Employee", "Date", "Status", "Metrics", "Notes", "LongTerm", "Errors", "Flags"}
	notShownFields = []string{"Late", "ClosedAt", "FirstSeen", "VersionID", "SourceURL", "RecordHash", "UpdatedAt"}
)

// TestEachShownDayIsEachDay: over a messy store (every status, late days,
// closed and first-seen times, report versions, decimal and missing
// numbers, notes with line breaks and quotes, errors, flags with their
// evidence, more rows than a page, a window cut inside the data),
// EachShownDay gives every day EachDay gives, in the same order, with
// the shown fields equal and the others zero, on both drivers.
func TestEachShownDayIsEachDay(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[Day]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		require.NotEqual(t, slices.Contains(shownFields, name), slices.Contains(notShownFields, name),
			"Day.%s: say whether EachShownDay gives it (shownFields) or not (notShownFields)", name)
	}
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		rng := rand.New(rand.NewPCG(23, 7))
		statuses := []report.Status{report.Submitted, report.Late, report.Invalid, report.Absent, report.OnLeave, report.DayOff}
		notes := []string{"", "договорились о пилоте", "КП отправлено\nждём \"ответа\"", "=SUM(A1)"}
		at := time.Date(2026, 11, 26, 19, 5, 0, 0, time.UTC)
		for i := range eachDayPage + 300 {
			d := Day{Employee: fmt.Sprintf("e%03d", rng.IntN(90)), Date: testDate.AddDays(rng.IntN(20)),
				Status: statuses[rng.IntN(len(statuses))], Notes: notes[rng.IntN(len(notes))], LongTerm: notes[rng.IntN(len(notes))],
				Late: rng.IntN(3) == 0, SourceURL: fmt.Sprintf("https://docs.google.com/document/d/%d", i)}
			if rng.IntN(2) == 0 {
				d.ClosedAt = at.Add(time.Duration(i) * time.Minute)
			}
			if rng.IntN(2) == 0 {
				d.FirstSeen = at.Add(-time.Duration(i) * time.Second)
			}
			if d.Status == report.Submitted || d.Status == report.Late || d.Status == report.Invalid {
				d.Metrics = map[string]float64{"new_calls": float64(rng.IntN(40)), "company_rating": float64(rng.IntN(50)) / 10}
			}
			if d.Status == report.Invalid {
				d.Errors = []report.FieldError{{Code: report.Code("not_a_number"), Field: "Новые звонки",
					Location: document.Location{Line: 1 + rng.IntN(30)}, Value: "сто", Message: "не число"}}
			}
			if rng.IntN(4) == 0 {
				v, w := float64(rng.IntN(40)), float64(rng.IntN(40))
				from := d.Date.AddDays(-rng.IntN(10))
				d.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &v, Recorded: &w, Message: "больше, чем в CRM",
					From: &from, To: &d.Date}}
			}
			u := DayUpdate{Adapter: "builtin", Day: d}
			if d.Status == report.Submitted && rng.IntN(2) == 0 {
				u.Version = &Version{Employee: d.Employee, Date: d.Date, ContentHash: fmt.Sprint(i), Revision: fmt.Sprint(i),
					Valid: true, Metrics: d.Metrics, Notes: d.Notes}
			}
			_, err := s.SaveDay(ctx, u)
			require.NoError(t, err)
		}
		for _, w := range [][2]day.Date{{}, {testDate.AddDays(3), testDate.AddDays(11)}} {
			var all, shown []Day
			require.NoError(t, s.EachDay(ctx, w[0], w[1], func(d Day) error { all = append(all, d); return nil }))
			require.NoError(t, s.EachShownDay(ctx, w[0], w[1], func(d Day) error { shown = append(shown, d); return nil }))
			require.Len(t, shown, len(all))
			versions := 0
			for i := range all {
				want := all[i]
				if want.VersionID != 0 {
					versions++
				}
				v := reflect.ValueOf(&want).Elem()
				for _, name := range notShownFields {
					f := v.FieldByName(name)
					f.Set(reflect.Zero(f.Type()))
				}
				require.Equal(t, want, shown[i], "%s %s", all[i].Employee, all[i].Date)
			}
			require.Positive(t, versions, "some days point at a report version")
		}
	})
}
