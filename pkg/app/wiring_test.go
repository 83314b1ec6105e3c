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
	require.NotNil(t, g.options().Limiters)
	require.Same(t, g.options().Limiters, g.options().Limiters)
	require.NotSame(t, googleWiring{cfg: &config.Config{}}.options().Limiters, googleWiring{cfg: &config.Config{}}.options().Limiters,
		"a wiring without shared limiters (config check) sizes its own")
}
