package google_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"

	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
)

// TestDriveCommentsScope: the comments client asks for the drive scope (and
// nothing else does), sends the bearer token, and may write; the metadata
// client still may not.
func TestDriveCommentsScope(t *testing.T) {
	t.Parallel()
	path, key, _ := serviceAccount(t, nil)
	token := newTokenServer(t, &key.PublicKey)
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("doc", &docs.Document{Title: "d"})
	opts := google.Options{CredentialsFile: path, HTTPClient: googleHosts(fake, token)}
	ctx := context.Background()

	svc, err := google.NewDriveComments(ctx, opts)
	require.NoError(t, err)
	c, err := svc.Comments.Create("doc", &drive.Comment{Content: "[dayreport] x"}).Fields("id").Context(ctx).Do()
	require.NoError(t, err)
	require.NotEmpty(t, c.Id)
	require.Len(t, token.seen(), 1)
	require.Equal(t, "https://www.googleapis.com/auth/drive", token.seen()[0]["scope"])
	require.Equal(t, "Bearer "+fakeToken, fake.Requests()[0].Authorization)

	ro, err := google.NewDrive(ctx, opts)
	require.NoError(t, err)
	_, err = ro.Comments.Create("doc", &drive.Comment{Content: "x"}).Fields("id").Context(ctx).Do()
	require.Error(t, err, "the metadata client stays read-only")
	require.Len(t, fake.Requests(), 1, "refused before it was sent")
}
