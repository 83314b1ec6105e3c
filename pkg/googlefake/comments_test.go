package googlefake_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

// TestComments drives the comments endpoints with the real Drive client:
// create, list (paged), update, resolve by a reply, delete, and what Drive
// refuses.
func TestComments(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("doc1", &docs.Document{Title: "Отчёты"})
	human := s.PutComment("doc1", "Иван Иванов", "а тут что?")
	svc := driveClient(t, s)
	ctx := context.Background()

	_, err := svc.Comments.Create("doc1", &drive.Comment{Content: "x"}).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusBadRequest, ge.Code, "fields is required")
	require.Equal(t, "required", ge.Errors[0].Reason)
	_, err = svc.Comments.Create("doc1", &drive.Comment{}).Fields("id").Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code, "content is required")
	_, err = svc.Comments.Create("nodoc", &drive.Comment{Content: "x"}).Fields("id").Do()
	require.Equal(t, http.StatusNotFound, apiError(t, err).Code)

	c, err := svc.Comments.Create("doc1", &drive.Comment{Content: "первая\nвторая"}).Fields("id,content,author(me),resolved").Do()
	require.NoError(t, err)
	require.NotEmpty(t, c.Id)
	require.Equal(t, "первая\nвторая", c.Content)
	require.True(t, c.Author.Me)
	require.Empty(t, c.CreatedTime, "not asked for")

	for range 3 {
		_, err := svc.Comments.Create("doc1", &drive.Comment{Content: "more"}).Fields("id").Do()
		require.NoError(t, err)
	}
	var pages []int
	var mine int
	err = svc.Comments.List("doc1").PageSize(2).Fields("nextPageToken,comments(id,content,resolved,author(me,displayName))").
		Pages(ctx, func(l *drive.CommentList) error {
			pages = append(pages, len(l.Comments))
			for _, x := range l.Comments {
				if x.Author.Me {
					mine++
				}
			}
			return nil
		})
	require.NoError(t, err)
	require.Equal(t, []int{2, 2, 1}, pages)
	require.Equal(t, 4, mine)
	_, err = svc.Comments.List("doc1").Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code, "fields is required")

	u, err := svc.Comments.Update("doc1", c.Id, &drive.Comment{Content: "новая"}).Fields("id,content,modifiedTime").Do()
	require.NoError(t, err)
	require.Equal(t, "новая", u.Content)
	_, err = svc.Comments.Update("doc1", human, &drive.Comment{Content: "чужой"}).Fields("id").Do()
	require.Equal(t, http.StatusForbidden, apiError(t, err).Code, "someone else's comment")

	_, err = svc.Replies.Create("doc1", c.Id, &drive.Reply{}).Fields("id").Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code, "a reply without an action needs content")
	r, err := svc.Replies.Create("doc1", c.Id, &drive.Reply{Action: "resolve", Content: "готово"}).Fields("id,action").Do()
	require.NoError(t, err)
	require.Equal(t, "resolve", r.Action)
	got, err := svc.Comments.Get("doc1", c.Id).Fields("resolved,replies(action,content)").Do()
	require.NoError(t, err)
	require.True(t, got.Resolved)
	require.Len(t, got.Replies, 1)

	require.NoError(t, svc.Comments.Delete("doc1", c.Id).Do())
	_, err = svc.Comments.Update("doc1", c.Id, &drive.Comment{Content: "y"}).Fields("id").Do()
	require.Equal(t, http.StatusNotFound, apiError(t, err).Code, "deleted")
	l, err := svc.Comments.List("doc1").Fields("comments(id)").Do()
	require.NoError(t, err)
	require.Len(t, l.Comments, 4, "the deleted one is not listed")
	l, err = svc.Comments.List("doc1").IncludeDeleted(true).Fields("comments(id,deleted,content)").Do()
	require.NoError(t, err)
	require.Len(t, l.Comments, 5)
	require.True(t, l.Comments[1].Deleted)
	require.Empty(t, l.Comments[1].Content, "deleted comments lose their content")

	all := s.Comments("doc1")
	require.Len(t, all, 5)
	require.Equal(t, "новая", all[1].Content, "the test view keeps it")
	require.False(t, all[0].Author.Me)
}

// TestCommentFaults: InjectComments fails writes on one file only, the
// general Drive faults apply to comments too, and comments spend the quota.
func TestCommentFaults(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{DriveQueriesPerMinute: 3}})
	s.PutDoc("doc1", &docs.Document{Title: "a"})
	svc := driveClient(t, s)
	s.InjectComments("doc1", googlefake.RateLimited, 1)

	_, err := svc.Comments.List("doc1").Fields("comments(id)").Do()
	require.NoError(t, err, "reads are not affected")
	_, err = svc.Comments.Create("doc1", &drive.Comment{Content: "x"}).Fields("id").Do()
	require.Equal(t, http.StatusTooManyRequests, apiError(t, err).Code)
	require.Empty(t, s.Comments("doc1"), "a failed create creates nothing")
	_, err = svc.Comments.Create("doc1", &drive.Comment{Content: "x"}).Fields("id").Do()
	require.NoError(t, err)
	_, err = svc.Comments.List("doc1").Fields("comments(id)").Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusForbidden, ge.Code, "the Drive quota is spent")
	require.Equal(t, "userRateLimitExceeded", ge.Errors[0].Reason)
	require.Equal(t, []int{200, 429, 200, 403}, statuses(s.Requests()))
}
