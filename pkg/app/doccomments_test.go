package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/drive/v3"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// commentCalls counts the fake's comment requests (reads, writes) and
// forgets every request.
func commentCalls(fake *googlefake.Server) (reads, writes int) {
	for _, r := range fake.Requests() {
		if !strings.Contains(r.Path, "/comments") {
			continue
		}
		if r.Method == http.MethodGet {
			reads++
		} else {
			writes++
		}
	}
	fake.ResetRequests()
	return reads, writes
}

func openComments(fake *googlefake.Server, doc string) []*drive.Comment {
	var out []*drive.Comment
	for _, c := range fake.Comments(doc) {
		if !c.Resolved && !c.Deleted {
			out = append(out, c)
		}
	}
	return out
}

// commentTeam is three Doc reports (one invalid, one valid, one invalid
// whose first comment meets a 429) and a Sheet report with an invalid day,
// in the fake.
func commentTeam(t *testing.T, on bool) (*googlefake.Server, *config.Config) {
	t.Helper()
	fake := googlefake.New(t, googlefake.Options{})
	bad := strings.Replace(reportText("Четверг, 26 ноября", 12), "Оплаты: 1", "Оплаты: 1,5", 1)
	fake.PutDoc("1bad", textDoc("1bad", bad))
	fake.PutDoc("1good", textDoc("1good", reportText("Четверг, 26 ноября", 10)))
	fake.PutDoc("1busy", textDoc("1busy", strings.Replace(reportText("Четверг, 26 ноября", 7), "Повторные звонки: 5", "Повторные звонки: много", 1)))
	tab := rowSheet("Лист1", 0, 21)
	tab.Rows[2][6] = "1,5"
	fake.PutSheet("1sheet", "Отчёты", []googlefake.Tab{tab})
	tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\"}\n"+
		"feedback: {doc_comments: "+map[bool]string{true: "true", false: "false"}[on]+"}\nemployees:\n"+
		"  - {id: bad, name: Иван, report: \""+gdoc.URL("1bad")+"\"}\n"+
		"  - {id: good, name: Анна, report: 1good}\n"+
		"  - {id: busy, name: Пётр, report: \""+gdoc.URL("1busy")+"\"}\n"+
		"  - {id: sheet, name: Олег, report: \"https://docs.google.com/spreadsheets/d/1sheet/edit#gid=0\"}\n")
	return fake, tm.Cfg
}

// TestDocComments follows the Doc comments through passes with the real
// Drive client against the fake: one comment per invalid Doc listing each
// error, nothing written by a rerun or after a restart, the same comment
// updated when the errors change, a 429 retried by the next pass without a
// duplicate, the comment resolved when the report is fixed; Sheets and
// valid Docs get no comment request.
func TestDocComments(t *testing.T) {
	t.Parallel()
	fake, cfg := commentTeam(t, true)
	clk := newClock(msk("2026-11-26", 17, 0))
	fake.InjectComments("1busy", googlefake.RateLimited, 1)
	a := openApp(t, cfg, Options{Now: clk.Now, Google: fastGoogle(fake)})

	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"bad": "invalid", "good": "submitted", "busy": "invalid", "sheet": "invalid"}, statuses(res))
	require.False(t, res.Partial(), "a comment that failed does not fail the pass")
	reads, writes := commentCalls(fake)
	require.Equal(t, [2]int{2, 2}, [2]int{reads, writes}, "a list and a create for each invalid Doc (busy's create met a 429)")
	open := openComments(fake, "1bad")
	require.Len(t, open, 1)
	require.True(t, strings.HasPrefix(open[0].Content, "[dayreport 2026-11-26] Ошибки в отчёте за 26.11.2026"), open[0].Content)
	var badErrs int
	for _, e := range res.Employees {
		if e.ID == "bad" {
			for _, fe := range e.Errors {
				require.Contains(t, open[0].Content, "• "+fe.Location.Format("ru")+": "+fe.Message)
				badErrs++
			}
		}
	}
	require.Equal(t, 1, badErrs)
	require.Empty(t, fake.Comments("1busy"), "the 429 created nothing")
	require.Empty(t, fake.Comments("1good"))
	require.Empty(t, fake.Comments("1sheet"))

	// The next poll: busy's comment is made; bad's is left alone.
	clk.Set(msk("2026-11-26", 17, 20))
	_, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	reads, writes = commentCalls(fake)
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "busy only")
	require.Len(t, openComments(fake, "1busy"), 1)
	require.Contains(t, openComments(fake, "1busy")[0].Content, "«много»")

	// A rerun, and a restart: nothing to write, nothing even listed.
	clk.Set(msk("2026-11-26", 17, 40))
	_, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	b := openApp(t, cfg, Options{Now: clk.Now, Google: fastGoogle(fake)})
	_, err = b.sync(t.Context(), day26)
	require.NoError(t, err)
	reads, writes = commentCalls(fake)
	require.Zero(t, reads+writes)

	// The errors change: still one open comment, with the new text.
	fake.PutDoc("1bad", textDoc("1bad", strings.Replace(reportText("Четверг, 26 ноября", 12), "Оплаты: 1", "Оплаты: два", 1)))
	clk.Set(msk("2026-11-26", 18, 0))
	_, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	reads, writes = commentCalls(fake)
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "a list and an update")
	open = openComments(fake, "1bad")
	require.Len(t, open, 1)
	require.Len(t, fake.Comments("1bad"), 1, "updated, not replaced")
	require.Contains(t, open[0].Content, "«два»")
	require.NotContains(t, open[0].Content, "«1,5»")

	// Fixed: resolved; the day then closes as submitted and nothing more is sent.
	fake.PutDoc("1bad", textDoc("1bad", reportText("Четверг, 26 ноября", 12)))
	clk.Set(msk("2026-11-26", 18, 20))
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, "submitted", statuses(res)["bad"])
	reads, writes = commentCalls(fake)
	require.Equal(t, [2]int{1, 1}, [2]int{reads, writes}, "a list and a resolving reply")
	all := fake.Comments("1bad")
	require.Len(t, all, 1)
	require.True(t, all[0].Resolved)
	require.Equal(t, "resolve", all[0].Replies[0].Action)
	clk.Set(msk("2026-11-26", 22, 0))
	_, err = a.Run(t.Context(), pass.Request{Date: day26, Kind: pass.KindCloseDay})
	require.NoError(t, err)
	reads, writes = commentCalls(fake)
	require.Zero(t, reads+writes)
	require.Len(t, openComments(fake, "1busy"), 1, "still invalid at the close: the comment stays")
}

// TestDocCommentsOff: without feedback.doc_comments no comment request is
// ever sent, and a dry run with it on sends none either.
func TestDocCommentsOff(t *testing.T) {
	t.Parallel()
	fake, cfg := commentTeam(t, false)
	clk := newClock(msk("2026-11-26", 17, 0))
	a := openApp(t, cfg, Options{Now: clk.Now, Google: fastGoogle(fake)})
	for _, at := range []int{0, 20} {
		clk.Set(msk("2026-11-26", 17, at))
		res, err := a.sync(t.Context(), day26)
		require.NoError(t, err)
		require.Equal(t, "invalid", statuses(res)["bad"])
	}
	reads, writes := commentCalls(fake)
	require.Zero(t, reads+writes)
	require.Nil(t, a.Comments)

	_, cfgOn := commentTeam(t, true)
	cfgOn.Google.Endpoint = fake.URL
	dry := openApp(t, cfgOn, Options{Now: clk.Now, DryRun: true, Google: fastGoogle(fake)})
	_, err := dry.sync(t.Context(), day26)
	require.NoError(t, err)
	reads, writes = commentCalls(fake)
	require.Zero(t, reads+writes)
	require.Empty(t, fake.Comments("1bad"))
}

// TestDocCommentsReuseReminderWording: the comment lists the errors exactly
// as the invalid-report reminder does.
func TestDocCommentsReuseReminderWording(t *testing.T) {
	t.Parallel()
	fake, cfg := commentTeam(t, true)
	a := openApp(t, cfg, Options{Now: newClock(msk("2026-11-26", 17, 0)).Now, Google: fastGoogle(fake)})
	_, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	st, ok, err := a.Store().Day(t.Context(), "bad", day26)
	require.NoError(t, err)
	require.True(t, ok)
	msg := a.InvalidMessage(config.Employee{ID: "bad", Name: "Иван"}, st.Date, st.Errors)
	body := strings.SplitN(msg.Text, "\n", 2)[1]
	require.True(t, strings.HasSuffix(openComments(fake, "1bad")[0].Content, "\n"+body))
	require.Equal(t, feedback.InvalidSubject("ru", day26), msg.Subject)
}

// TestDocCommentsNotOnOldDays: a backfill of last month writes no comment on
// its invalid days; this week's still get theirs.
func TestDocCommentsNotOnOldDays(t *testing.T) {
	t.Parallel()
	fake, cfg := commentTeam(t, true)
	old := strings.Replace(reportText("29.10.2026", 12), "Оплаты: 1", "Оплаты: 1,5", 1)
	fake.PutDoc("1bad", textDoc("1bad", old+"\n"+strings.Replace(reportText("24.11.2026", 12), "Оплаты: 1", "Оплаты: 1,5", 1)))
	a := openApp(t, cfg, Options{Now: newClock(msk("2026-11-26", 17, 0)).Now, Google: fastGoogle(fake)})
	res, err := a.Run(t.Context(), pass.Request{Date: day.MustParse("2026-10-29"), Kind: pass.KindBackfill})
	require.NoError(t, err)
	require.Equal(t, "invalid", statuses(res)["bad"])
	require.Empty(t, fake.Comments("1bad"))
	_, err = a.Run(t.Context(), pass.Request{Date: day.MustParse("2026-11-24"), Kind: pass.KindBackfill})
	require.NoError(t, err)
	open := openComments(fake, "1bad")
	require.Len(t, open, 1)
	require.True(t, strings.HasPrefix(open[0].Content, "[dayreport 2026-11-24]"))
}

// TestDocCommentsStopWhenDriveFails: three Docs failing in a row for a
// passing reason end the pass's comment work; the next pass does the rest,
// without duplicates.
func TestDocCommentsStopWhenDriveFails(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	var roster strings.Builder
	for i := range 5 {
		id := fmt.Sprintf("1d%d", i)
		fake.PutDoc(id, textDoc(id, strings.Replace(reportText("Четверг, 26 ноября", 12), "Оплаты: 1", "Оплаты: 1,5", 1)))
		fake.InjectComments(id, googlefake.Unavailable, 1)
		fmt.Fprintf(&roster, "  - {id: e%d, name: e%d, report: %s}\n", i, i, id)
	}
	tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\"}\nfeedback: {doc_comments: true}\nemployees:\n"+roster.String())
	clk := newClock(msk("2026-11-26", 17, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, Google: fastGoogle(fake)})
	_, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	reads, writes := commentCalls(fake)
	require.Equal(t, [2]int{3, 3}, [2]int{reads, writes}, "three failed creates, then stop")

	clk.Set(msk("2026-11-26", 17, 20))
	_, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	reads, writes = commentCalls(fake)
	require.Equal(t, [2]int{5, 5}, [2]int{reads, writes}, "d3 and d4 still fail once each, but no three in a row")
	for i := range 5 {
		want := 0
		if i < 3 {
			want = 1
		}
		require.Len(t, openComments(fake, fmt.Sprintf("1d%d", i)), want, "d%d", i)
	}
	clk.Set(msk("2026-11-26", 17, 40))
	_, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	for i := range 5 {
		require.Len(t, fake.Comments(fmt.Sprintf("1d%d", i)), 1, "d%d", i)
	}
}
