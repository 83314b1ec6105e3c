package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
)

// Every Google client an app builds counts against one quota: the source's
// Docs, Sheets and Drive clients, the manager spreadsheet's (roster, План,
// Изменения), the summary writer's and the commenter's share one set of
// limiters. Each options() used to size its own, so the clients together
// could ask twice the configured rate.
func TestGoogleClientsShareOneQuota(t *testing.T) {
	t.Parallel()
	g := googleWiring{cfg: &config.Config{}}.shared()
	first, second := g.options().Limiters, g.options().Limiters
	require.NotNil(t, first)
	require.Same(t, first, second)
	own := googleWiring{cfg: &config.Config{}}
	a, b := own.options().Limiters, own.options().Limiters
	require.NotSame(t, a, b, "a wiring without shared limiters (config check) sizes its own")
}
