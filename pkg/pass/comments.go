package pass

import (
	"context"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/feedback"
)

// docCommentFailures is how many Docs in a row may fail for a passing reason
// (a 429, a 5xx, a timeout) before a pass leaves the rest to the next one:
// Drive is down or the quota spent, and trying on would only hold the pass
// up and spend more.
const docCommentFailures = 3

// syncDocComments brings the Doc comments of the pass date and the days a
// pass may still change (none older than a week before today) in line with
// their stored status: an invalid day's errors in one open comment, a fixed
// day's comment resolved. A failure is logged and left to the next pass; it
// never fails the pass.
func (r *run) syncDocComments(ctx context.Context) {
	e, log := r.e, r.log
	if e.Comments == nil || e.DryRun || e.DocID == nil {
		return
	}
	docs := map[string]string{}
	for _, emp := range e.Employees() {
		if id, ok := e.DocID(emp); ok {
			docs[emp.ID] = id
		}
	}
	if len(docs) == 0 {
		return
	}
	// A backfill of last month leaves its old invalid reports uncommented:
	// the comments are for what people can still fix.
	d := r.company
	oldest := day.Of(r.now.In(e.Config.CompanyLocation())).AddDays(-lookbackDays)
	failures := 0
	for back := range lookbackDays + 1 {
		if d.AddDays(-back).Before(oldest) {
			break
		}
		days, err := e.Store.DaysOn(ctx, d.AddDays(-back))
		if err != nil {
			log.Error().Err(err).Msg("doc comments: read the days")
			return
		}
		for _, x := range days {
			id, ok := docs[x.Employee]
			if !ok {
				continue
			}
			act, err := e.Comments.Sync(ctx, feedback.Report{Employee: x.Employee, FileID: id, Date: x.Date,
				Status: x.Status, Errors: x.Errors, Version: x.VersionID})
			if ctx.Err() != nil {
				return
			}
			elog := log.With().Str("employee", x.Employee).Str("day", x.Date.String()).Logger()
			switch {
			case err != nil:
				elog.Warn().Err(err).Msg("doc comment not updated")
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
