package builtin_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/store"
)

// TestConformanceOnStore runs the suite against the real state database, the
// table the builtin adapter writes in production.
func TestConformanceOnStore(t *testing.T) {
	t.Parallel()
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		s := openStore(t)
		objects := func(t testing.TB) []crmtest.Object {
			t.Helper()
			list, err := s.BuiltinList(t.Context())
			require.NoError(t, err)
			out := make([]crmtest.Object, 0, len(list))
			for _, r := range list {
				rec, err := builtin.Decode(r.Record)
				require.NoError(t, err)
				require.Equal(t, r.Key, rec.Key, "stored under its own key")
				out = append(out, crmtest.FromRecord(r.ObjectID, rec))
			}
			return out
		}
		return &crmtest.Harness{Adapter: builtin.New(s), Objects: objects}
	})
}

// openStore opens a fresh state database, closed when t ends.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}
