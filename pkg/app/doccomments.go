package app

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// docCommentTimeout bounds the comment requests of one employee-day.
const docCommentTimeout = 20 * time.Second

// docCommentFailures is how many Docs in a row may fail for a passing reason
// (a 429, a 5xx, a timeout) before a pass leaves the rest to the next one:
// Drive is down or the quota spent, and trying on would only hold the pass
// up and spend more.
const docCommentFailures = 3

// newCommenter builds the Doc commenter (feedback.doc_comments) with the
// one client that has Drive's full scope. Each request is tried once: a
// failure is tried again by the next pass, never waited for in this one.
func newCommenter(ctx context.Context, cfg *config.Config, m *Metrics, tune func(*google.Options)) (*feedback.Commenter, error) {
	opts := googleOptions(cfg.Google, m)
	if tune != nil {
		tune(&opts)
		opts.Limiters = google.NewLimiters(opts)
	}
	opts.MaxAttempts = 1
	svc, err := google.NewDriveComments(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &feedback.Commenter{Drive: svc, Lang: cfg.Lang(), Timeout: docCommentTimeout}, nil
}

// docID is the Drive id of an employee's report Doc; false when the report
// is not a Google Doc (a Sheet, a local file, none).
func (a *App) docID(emp config.Employee) (string, bool) {
	k := a.cfg.Source.Kind
	if emp.Report == "" || k != config.SourceGDoc && k != config.SourceGSheet {
		return "", false
	}
	if (&googleSource{kind: k}).isSheet(emp.Report) {
		return "", false
	}
	id, err := gdoc.DocumentID(emp.Report)
	return id, err == nil
}

// syncDocComments brings the Doc comments of the pass date and the days a
// pass may still change (none older than a week before today) in line with
// their stored status: an invalid day's
// errors in one open comment, a fixed day's comment resolved. A failure is
// logged and left to the next pass; it never fails the pass.
func (a *App) syncDocComments(ctx context.Context, d day.Date, log zerolog.Logger) {
	if a.comments == nil || a.dryRun {
		return
	}
	docs := map[string]string{}
	for _, e := range a.employees() {
		if id, ok := a.docID(e); ok {
			docs[e.ID] = id
		}
	}
	if len(docs) == 0 {
		return
	}
	// A backfill of last month leaves its old invalid reports uncommented:
	// the comments are for what people can still fix.
	oldest := day.Of(a.now().In(a.cfg.CompanyLocation())).AddDays(-lookbackDays)
	failures := 0
	for back := range lookbackDays + 1 {
		if d.AddDays(-back).Before(oldest) {
			break
		}
		days, err := a.store.DaysOn(ctx, d.AddDays(-back))
		if err != nil {
			log.Error().Err(err).Msg("doc comments: read the days")
			return
		}
		for _, x := range days {
			id, ok := docs[x.Employee]
			if !ok {
				continue
			}
			act, err := a.comments.Sync(ctx, feedback.Report{Employee: x.Employee, FileID: id, Date: x.Date,
				Status: x.Status, Errors: x.Errors, Version: x.VersionID})
			if ctx.Err() != nil {
				return
			}
			elog := log.With().Str("employee", x.Employee).Str("day", x.Date.String()).Logger()
			switch {
			case err != nil:
				elog.Warn().Err(google.Explain(err, "document", nil)).Msg("doc comment not updated")
			case act == feedback.Created || act == feedback.Updated || act == feedback.Resolved:
				elog.Info().Str("action", string(act)).Msg("doc comment")
			}
			if !feedback.Retryable(err) {
				failures = 0
				continue
			}
			if failures++; failures >= docCommentFailures {
				log.Warn().Int("failed_in_a_row", failures).Msg("doc comments: Drive keeps failing; the rest waits for the next pass")
				return
			}
		}
	}
}
