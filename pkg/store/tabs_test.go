package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKeptTabs: a manager spreadsheet's tab kept by what was asked, with
// its version; kept again, replaced; another spreadsheet's apart; a
// read-only store keeps nothing.
func TestKeptTabs(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := t.Context()
		s := memStore(t, nil)
		_, _, ok, err := s.KeptTab(ctx, "1manager", "FORMATTED_VALUE:Сотрудники|Employees")
		require.NoError(t, err)
		require.False(t, ok)

		body := []byte(`{"title":"Сотрудники","rows":[["id","Имя"],["anna","Анна\u00a0Петрова"]]}`)
		require.NoError(t, s.KeepTab(ctx, "1manager", "FORMATTED_VALUE:Сотрудники|Employees", 41, body))
		require.NoError(t, s.KeepTab(ctx, "1other", "FORMATTED_VALUE:Сотрудники|Employees", 7, []byte(`{"title":""}`)))
		v, got, ok, err := s.KeptTab(ctx, "1manager", "FORMATTED_VALUE:Сотрудники|Employees")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, int64(41), v)
		require.Equal(t, string(body), string(got))

		require.NoError(t, s.KeepTab(ctx, "1manager", "FORMATTED_VALUE:Сотрудники|Employees", 1<<40, []byte(`{"title":"Employees"}`)))
		v, got, _, err = s.KeptTab(ctx, "1manager", "FORMATTED_VALUE:Сотрудники|Employees")
		require.NoError(t, err)
		require.Equal(t, int64(1<<40), v, "a version beyond 32 bits")
		require.JSONEq(t, `{"title":"Employees"}`, string(got))
		v, _, _, err = s.KeptTab(ctx, "1other", "FORMATTED_VALUE:Сотрудники|Employees")
		require.NoError(t, err)
		require.Equal(t, int64(7), v)
	})
}
