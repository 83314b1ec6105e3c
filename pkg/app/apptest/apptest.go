// Package apptest holds what the end-to-end tests of pkg/app, pkg/daemon and
// cmd/dayreport share: a settable clock, a team of local reports with a
// configuration over it, report texts, and readers of the outcome.
package apptest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/store"
)

// Moscow is the company time zone of the tests.
var Moscow = MustLocation("Europe/Moscow")

// MustLocation loads a time zone or panics.
func MustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Msk is a wall-clock time in Moscow on an ISO date.
func Msk(date string, hour, minute int) time.Time {
	d := day.MustParse(date)
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, Moscow)
}

// Clock is a settable test clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Team is a temporary folder of local reports with a configuration over it.
type Team struct {
	Dir string
	Cfg *config.Config
}

// NewTeam parses yamlText (employees and more) over a fresh report folder,
// a SQLite state file and the builtin CRM.
func NewTeam(t testing.TB, yamlText string) *Team {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "reports")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	full := "local: {dir: reports}\nstate: {path: state.db}\ncrm: {adapter: builtin}\n" + yamlText
	cfg, err := config.Parse([]byte(full), "team.yaml", root, func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	return &Team{Dir: dir, Cfg: cfg}
}

// Write writes a report file of the team.
func (tm *Team) Write(t testing.TB, name, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(tm.Dir, name), []byte(text), 0o644))
}

// ReportText is a valid sales-ru report for the date (as typed: 25.11.2026).
func ReportText(date string, calls int) string {
	return date + "\nНовые звонки: " + strconv.Itoa(calls) + `
Повторные звонки: 5
Отправлено КП: 3
Выставлено счетов и договоров: 2
Подписано договоров: 1
Оплаты: 1
Звонки по обратной связи: 2
Оценка работы компании: 4,5
`
}

// BuiltinRecords reads every record the builtin CRM holds, by key, and fails
// the test on a key stored twice.
func BuiltinRecords(t testing.TB, s *store.Store) map[string]crm.Record {
	t.Helper()
	list, err := s.BuiltinList(t.Context())
	require.NoError(t, err)
	out := make(map[string]crm.Record, len(list))
	for _, r := range list {
		rec, err := builtin.Decode(r.Record)
		require.NoError(t, err)
		require.Equal(t, r.Key, rec.Key)
		_, dup := out[r.Key]
		require.False(t, dup, "key %s stored twice", r.Key)
		out[r.Key] = rec
	}
	return out
}

// Statuses maps employee id to status in a pass result.
func Statuses(res *pass.Result) map[string]string {
	out := map[string]string{}
	for _, e := range res.Employees {
		out[e.ID] = string(e.Status)
	}
	return out
}

// SortedKeys is the keys of m in order.
func SortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// StoredDays reads every employee-day of a SQLite state file, keyed
// "employee date".
func StoredDays(t testing.TB, path string) map[string]store.Day {
	t.Helper()
	s, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	out := map[string]store.Day{}
	require.NoError(t, s.EachDay(context.Background(), day.Date{}, day.Date{}, func(d store.Day) error {
		out[d.Employee+" "+d.Date.String()] = d
		return nil
	}))
	return out
}
