package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

// reader is an adapter that reads facts.
type reader struct{ plain }

func (reader) Facts(context.Context, []string, day.Date, *time.Location) (map[string]crm.Facts, error) {
	return map[string]crm.Facts{"1": {crm.FactCalls: 3}}, nil
}

// plain is an adapter that does not.
type plain struct{}

func (plain) Name() string                                        { return "plain" }
func (plain) MaxBatch() int                                       { return 1 }
func (plain) Upsert(_ context.Context, p []crm.Push) []crm.Result { return make([]crm.Result, len(p)) }

// wrap is instrumentation around an adapter, the way app.Options.WrapAdapter
// is used: it hides the inner type, and says what it wraps.
type wrap struct{ crm.Adapter }

func (w wrap) Unwrap() crm.Adapter { return w.Adapter }

// opaque wraps without Unwrap.
type opaque struct{ crm.Adapter }

// loop unwraps to itself.
type loop struct{ plain }

func (l *loop) Unwrap() crm.Adapter { return l }

func TestAsFactReader(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		a  crm.Adapter
		ok bool
	}{
		"reader":                  {reader{}, true},
		"plain":                   {plain{}, false},
		"nil":                     {nil, false},
		"wrapped reader":          {wrap{reader{}}, true},
		"wrapped twice":           {wrap{wrap{reader{}}}, true},
		"retrier around a reader": {&crm.Retrier{Adapter: wrap{reader{}}}, true},
		"retrier around nothing":  {&crm.Retrier{}, false},
		"wrapped plain":           {wrap{plain{}}, false},
		"opaque wrapper":          {opaque{reader{}}, false},
		"a loop":                  {&loop{}, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, hidden := tc.a.(crm.FactReader)
			fr, ok := crm.AsFactReader(tc.a)
			require.Equal(t, tc.ok, ok)
			if !ok {
				require.Nil(t, fr)
				return
			}
			got, err := fr.Facts(t.Context(), []string{"1"}, day.MustParse("2026-11-26"), time.UTC)
			require.NoError(t, err)
			require.Equal(t, map[string]crm.Facts{"1": {crm.FactCalls: 3}}, got)
			if name != "reader" {
				require.False(t, hidden, "a type assertion alone does not see through the wrapper")
			}
		})
	}
}
