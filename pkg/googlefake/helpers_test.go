package googlefake_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

// The real clients, pointed at the fake without credentials and without
// retries: what the fake answers is what the test sees.
func docsClient(t *testing.T, s *googlefake.Server) *docs.Service {
	t.Helper()
	svc, err := docs.NewService(context.Background(), option.WithEndpoint(s.URL+"/"),
		option.WithoutAuthentication(), option.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	return svc
}

func sheetsClient(t *testing.T, s *googlefake.Server) *sheets.Service {
	t.Helper()
	svc, err := sheets.NewService(context.Background(), option.WithEndpoint(s.URL+"/"),
		option.WithoutAuthentication(), option.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	return svc
}

func driveClient(t *testing.T, s *googlefake.Server) *drive.Service {
	t.Helper()
	svc, err := drive.NewService(context.Background(), option.WithEndpoint(s.URL+"/drive/v3/"),
		option.WithoutAuthentication(), option.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	return svc
}

// apiError unwraps the googleapi.Error a call failed with.
func apiError(t *testing.T, err error) *googleapi.Error {
	t.Helper()
	require.Error(t, err)
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	return ge
}

func statuses(reqs []googlefake.Request) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.Status
	}
	return out
}
