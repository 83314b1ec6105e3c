package crm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

func TestIsRetryable(t *testing.T) {
	t.Parallel()
	base := errors.New("boom")
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unclassified", base, true},
		{"retryable", crm.RetryableError(base, 0), true},
		{"permanent", crm.PermanentError(base), false},
		{"wrapped permanent", fmt.Errorf("adapter: %w", crm.PermanentError(base)), false},
		{"deadline", context.DeadlineExceeded, true},
		{"canceled", context.Canceled, false},
		{"wrapped canceled", fmt.Errorf("post: %w", context.Canceled), false},
		{"canceled marked retryable", crm.RetryableError(context.Canceled, 0), false},
		{"unknown kind", &crm.Error{Err: base}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, crm.IsRetryable(tc.err))
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	base := errors.New("bitrix24: crm.item.add: 503")
	require.Equal(t, "bitrix24: crm.item.add: 503 (retryable, retry after 2s)", crm.RetryableError(base, 2*time.Second).Error())
	require.Equal(t, "bitrix24: crm.item.add: 503 (permanent)", crm.PermanentError(base).Error())
	require.Equal(t, 2*time.Second, crm.RetryAfter(fmt.Errorf("x: %w", crm.RetryableError(base, 2*time.Second))))
	require.Zero(t, crm.RetryAfter(base))
	require.ErrorIs(t, crm.PermanentError(base), base)
	require.Equal(t, "unclassified", crm.Kind(0).String())
}
