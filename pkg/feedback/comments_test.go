package feedback_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
)

// ledger is the state database's notifications table, in memory.
type ledger struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (l *ledger) WasSent(_ context.Context, key string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.keys[key], nil
}

func (l *ledger) MarkSent(_ context.Context, key string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := !l.keys[key]
	l.keys[key] = true
	return first, nil
}

var day26 = day.MustParse("2026-11-26")

func fieldErr(line int, msg string) report.FieldError {
	return report.FieldError{Location: document.Location{Line: line}, Message: msg}
}

type rig struct {
	fake *googlefake.Server
	led  *ledger
	svc  *drive.Service
}

func newRig(t *testing.T) *rig {
	t.Helper()
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("doc1", &docs.Document{Title: "Отчёты"})
	svc, err := drive.NewService(context.Background(), option.WithEndpoint(fake.URL+"/drive/v3/"),
		option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	return &rig{fake: fake, led: &ledger{keys: map[string]bool{}}, svc: svc}
}

// commenter is a fresh Commenter over the same ledger: a restart.
func (r *rig) commenter() *feedback.Commenter {
	return &feedback.Commenter{Drive: r.svc, Ledger: r.led, Lang: "ru"}
}

// calls counts the comment requests since the last call: reads and writes.
func (r *rig) calls() (reads, writes int) {
	for _, q := range r.fake.Requests() {
		if !strings.Contains(q.Path, "/comments") {
			continue
		}
		if q.Method == http.MethodGet {
			reads++
		} else {
			writes++
		}
	}
	r.fake.ResetRequests()
	return reads, writes
}

// open is the open comments on doc1.
func (r *rig) open() []*drive.Comment {
	var out []*drive.Comment
	for _, c := range r.fake.Comments("doc1") {
		if !c.Resolved && !c.Deleted {
			out = append(out, c)
		}
	}
	return out
}

func TestCommentLifecycle(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := t.Context()
	human := r.fake.PutComment("doc1", "Руководитель", "[dayreport 2026-11-26] не трогать: это написал человек")
	bad := feedback.Report{Employee: "ivanov", FileID: "doc1", Date: day26, Status: report.Invalid, Version: 1,
		Errors: []report.FieldError{fieldErr(27, "«Оплаты»: «1,5» — нужно целое число"), fieldErr(30, "нет «Повторные звонки»")}}

	// Invalid: one comment with each error and its location.
	act, err := r.commenter().Sync(ctx, bad)
	require.NoError(t, err)
	require.Equal(t, feedback.Created, act)
	reads, writes := r.calls()
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "one list, one create")
	open := r.open()
	require.Len(t, open, 2, "ours and the person's")
	mine := open[1]
	require.True(t, mine.Author.Me)
	require.Equal(t, "[dayreport 2026-11-26] Ошибки в отчёте за 26.11.2026, исправьте, пожалуйста:\n"+
		"• строка 27: «Оплаты»: «1,5» — нужно целое число\n• строка 30: нет «Повторные звонки»", mine.Content)

	// A rerun, and a restart, with the same errors: no request at all.
	for range 2 {
		act, err = r.commenter().Sync(ctx, bad)
		require.NoError(t, err)
		require.Equal(t, feedback.Nothing, act)
	}
	reads, writes = r.calls()
	require.Zero(t, reads+writes)

	// The errors change: the same comment gets the new text.
	bad2 := bad
	bad2.Version, bad2.Errors = 2, []report.FieldError{fieldErr(28, "«Оплаты»: «-3» — нужно целое число")}
	act, err = r.commenter().Sync(ctx, bad2)
	require.NoError(t, err)
	require.Equal(t, feedback.Updated, act)
	reads, writes = r.calls()
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "one list, one update")
	open = r.open()
	require.Len(t, open, 2)
	require.Equal(t, mine.Id, open[1].Id, "updated, not replaced")
	require.Contains(t, open[1].Content, "«-3»")
	require.NotContains(t, open[1].Content, "«1,5»")

	// Fixed: resolved with a reply; the person's comment stays as it was.
	ok := feedback.Report{Employee: "ivanov", FileID: "doc1", Date: day26, Status: report.Submitted, Version: 3}
	act, err = r.commenter().Sync(ctx, ok)
	require.NoError(t, err)
	require.Equal(t, feedback.Resolved, act)
	reads, writes = r.calls()
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "one list, one reply")
	all := r.fake.Comments("doc1")
	require.Len(t, all, 2)
	require.True(t, all[1].Resolved)
	require.Equal(t, "resolve", all[1].Replies[0].Action)
	require.Equal(t, human, all[0].Id)
	require.False(t, all[0].Resolved)
	require.Empty(t, all[0].Replies)

	// Closed as late (same version): nothing to do, nothing sent.
	late := ok
	late.Status = report.Late
	act, err = r.commenter().Sync(ctx, late)
	require.NoError(t, err)
	require.Equal(t, feedback.Nothing, act)
	reads, writes = r.calls()
	require.Zero(t, reads+writes)

	// Broken again in a new way: a new open comment (the resolved one is history).
	bad3 := bad
	bad3.Version = 4
	act, err = r.commenter().Sync(ctx, bad3)
	require.NoError(t, err)
	require.Equal(t, feedback.Created, act)
	require.Len(t, r.open(), 2)
}

// TestCommentValidNeverCommented: a valid report on a day that never had a
// comment costs no request.
func TestCommentValidNeverCommented(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for v := range int64(3) {
		act, err := r.commenter().Sync(t.Context(), feedback.Report{Employee: "e", FileID: "doc1", Date: day26, Status: report.Submitted, Version: v})
		require.NoError(t, err)
		require.Equal(t, feedback.Nothing, act)
	}
	reads, writes := r.calls()
	require.Zero(t, reads+writes)
}

// TestCommentRetriedAfter429: a create that meets a 429 creates nothing and
// is tried again by the next Sync, which leaves exactly one comment; a
// server error on the resolve is retried the same way.
func TestCommentRetriedAfter429(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := t.Context()
	bad := feedback.Report{Employee: "e", FileID: "doc1", Date: day26, Status: report.Invalid, Version: 1,
		Errors: []report.FieldError{fieldErr(3, "нет «Оплаты»")}}
	r.fake.InjectComments("doc1", googlefake.RateLimited, 1)
	_, err := r.commenter().Sync(ctx, bad)
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusTooManyRequests, ge.Code)
	require.Empty(t, r.fake.Comments("doc1"))

	act, err := r.commenter().Sync(ctx, bad)
	require.NoError(t, err)
	require.Equal(t, feedback.Created, act)
	require.Len(t, r.fake.Comments("doc1"), 1, "no duplicate")
	act, err = r.commenter().Sync(ctx, bad)
	require.NoError(t, err)
	require.Equal(t, feedback.Nothing, act)

	fixed := feedback.Report{Employee: "e", FileID: "doc1", Date: day26, Status: report.Submitted, Version: 2}
	r.fake.InjectComments("doc1", googlefake.ServerError, 1)
	_, err = r.commenter().Sync(ctx, fixed)
	require.Error(t, err)
	require.Len(t, r.open(), 1)
	act, err = r.commenter().Sync(ctx, fixed)
	require.NoError(t, err)
	require.Equal(t, feedback.Resolved, act)
	require.Empty(t, r.open())
}

// TestCommentLostAnswer: a create that reached Drive but whose answer was
// lost (the key was not marked) is found by the next Sync, not repeated;
// duplicates left behind are deleted down to one.
func TestCommentLostAnswer(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := t.Context()
	bad := feedback.Report{Employee: "e", FileID: "doc1", Date: day26, Status: report.Invalid, Version: 1,
		Errors: []report.FieldError{fieldErr(3, "нет «Оплаты»")}}
	text := feedback.Content("ru", day26, bad.Errors)
	for range 2 { // as if two earlier attempts had gone through unseen
		_, err := r.svc.Comments.Create("doc1", &drive.Comment{Content: text}).Fields("id").Do()
		require.NoError(t, err)
	}
	r.calls()
	act, err := r.commenter().Sync(ctx, bad)
	require.NoError(t, err)
	require.Equal(t, feedback.Updated, act)
	reads, writes := r.calls()
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "one list, one delete")
	require.Len(t, r.open(), 1)
}

// TestCommentEnglish: the language follows company.language.
func TestCommentEnglish(t *testing.T) {
	t.Parallel()
	got := feedback.Content("en", day26, []report.FieldError{fieldErr(2, "bad value")})
	require.Equal(t, "[dayreport 2026-11-26] Problems in the report for 2026-11-26; please fix them:\n• line 2: bad value", got)
}

// TestCommentPermanentFailure: a refusal that will not change (the Doc is
// gone) is reported once and not retried until the report changes; a 429
// is retried.
func TestCommentPermanentFailure(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := t.Context()
	gone := feedback.Report{Employee: "e", FileID: "nodoc", Date: day26, Status: report.Invalid, Version: 1,
		Errors: []report.FieldError{fieldErr(3, "нет «Оплаты»")}}
	_, err := r.commenter().Sync(ctx, gone)
	require.ErrorContains(t, err, "not retried until the report changes")
	act, err := r.commenter().Sync(ctx, gone)
	require.NoError(t, err)
	require.Equal(t, feedback.Nothing, act)
	reads, writes := r.calls()
	require.Equal(t, [2]int{1, 0}, [2]int{reads, writes})
	gone.Version = 2
	_, err = r.commenter().Sync(ctx, gone)
	require.Error(t, err, "a new version is tried")

	r.fake.Inject(googlefake.APIDrive, googlefake.RateLimited, 1)
	bad := gone
	bad.FileID = "doc1"
	_, err = r.commenter().Sync(ctx, bad)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "not retried")
	act, err = r.commenter().Sync(ctx, bad)
	require.NoError(t, err)
	require.Equal(t, feedback.Created, act)
}
