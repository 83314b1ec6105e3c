package feedback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Ledger remembers what was done, by key, across reruns and restarts: the
// state database's notifications (store.Store has both methods). Keys are
// only ever added.
type Ledger interface {
	WasSent(ctx context.Context, key string) (bool, error)
	MarkSent(ctx context.Context, key string) (first bool, err error)
}

// Report is one employee-day whose report lives in a Google Doc, as the
// state database has it after a pass.
type Report struct {
	Employee string
	// FileID is the Doc's Drive id.
	FileID string
	Date   day.Date
	Status report.Status
	Errors []report.FieldError
	// Version is the report version the day points at (store.Day.VersionID).
	Version int64
}

// Action is what Sync did to a Doc.
type Action string

// Actions.
const (
	// Nothing: the ledger says the Doc is as it should be; no request sent.
	Nothing Action = ""
	// Checked: the comments were listed and already were as they should be.
	Checked Action = "checked"
	// Created, Updated, Resolved: what was written.
	Created  Action = "created"
	Updated  Action = "updated"
	Resolved Action = "resolved"
)

// DefaultTimeout bounds one Sync.
const DefaultTimeout = 30 * time.Second

// Commenter keeps one open comment on an invalid report's Doc, listing its
// errors, per report day, and resolves it when the report is fixed.
//
// Which comment is ours: the one the caller wrote (author.me) whose content
// starts with the day's marker "[dayreport YYYY-MM-DD]". Drive is asked
// (comments.list) instead of trusting a stored comment id, so a comment
// deleted or resolved by a person, a write whose answer was lost, or a
// duplicate left by a crash are all seen and set right; the ledger only
// spares the requests when nothing changed:
//
//   - "doccomment:<employee>:<file>:<date>" is added before a comment is
//     first created: a day without it never had a comment, and a valid
//     report there costs no request;
//   - "…:v<version>:<state>" (state: a digest of the comment text, or "ok")
//     is added once the Doc was made to agree with that report version: a
//     rerun with the same errors sends nothing.
//
// A failed request (a 429, a 5xx, a timeout) leaves the second key unwritten,
// so the next pass lists and tries again; a refusal that will not change (the
// Doc is gone, the service account may not comment) is written as done for
// that version, to be tried again when the report changes.
type Commenter struct {
	Drive  *drive.Service
	Ledger Ledger
	// Lang is the language of the comment ("ru" unless "en").
	Lang string
	// Timeout bounds one Sync (0: DefaultTimeout).
	Timeout time.Duration
}

// Marker starts every comment dayreport writes about day d.
func Marker(d day.Date) string { return "[dayreport " + d.String() + "]" }

// Content is the comment for a day's invalid report: the marker, the title
// and the errors, one a line, worded as in the invalid-report reminder.
func Content(lang string, d day.Date, errs []report.FieldError) string {
	please := ", исправьте, пожалуйста:"
	if lang == "en" {
		please = "; please fix them:"
	}
	lines := append([]string{Marker(d) + " " + InvalidSubject(lang, d) + please}, ErrorLines(lang, errs)...)
	return strings.Join(lines, "\n")
}

func resolveText(lang string, d day.Date) string {
	if lang == "en" {
		return Marker(d) + " The report is fixed, thank you."
	}
	return Marker(d) + " Отчёт исправлен, спасибо."
}

// Keys names the ledger entries of a report (see Commenter).
func Keys(r Report, lang string) (posted, done string) {
	posted = "doccomment:" + r.Employee + ":" + r.FileID + ":" + r.Date.String()
	state := "ok"
	if r.Status == report.Invalid {
		sum := sha256.Sum256([]byte(Content(lang, r.Date, r.Errors)))
		state = hex.EncodeToString(sum[:6])
	}
	return posted, fmt.Sprintf("%s:v%d:%s", posted, r.Version, state)
}

// listFields are the comment fields Sync reads.
const listFields = "nextPageToken,comments(id,content,resolved,deleted,author(me))"

// Sync makes the Doc's dayreport comment for r.Date agree with the report:
// exactly one open comment listing the errors of an invalid report (created,
// or its content updated; extra ones deleted), none open for any other
// status (resolved with a reply). It returns what it did.
func (c *Commenter) Sync(ctx context.Context, r Report) (Action, error) {
	posted, done := Keys(r, c.Lang)
	invalid := r.Status == report.Invalid
	if !invalid {
		if was, err := c.Ledger.WasSent(ctx, posted); err != nil || !was {
			return Nothing, err
		}
	}
	if was, err := c.Ledger.WasSent(ctx, done); err != nil || was {
		return Nothing, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	act, err := c.apply(wctx, r, invalid, posted)
	if err != nil {
		if !permanent(err) {
			return act, err
		}
		err = fmt.Errorf("%w (not retried until the report changes)", err)
	}
	if _, merr := c.Ledger.MarkSent(ctx, done); merr != nil && err == nil {
		err = merr
	}
	return act, err
}

func (c *Commenter) apply(ctx context.Context, r Report, invalid bool, posted string) (Action, error) {
	open, err := c.ours(ctx, r)
	if err != nil {
		return Nothing, fmt.Errorf("list the comments of %s: %w", r.FileID, err)
	}
	if !invalid {
		act := Checked
		for _, cm := range open {
			reply := &drive.Reply{Action: "resolve", Content: resolveText(c.Lang, r.Date)}
			if _, err := c.Drive.Replies.Create(r.FileID, cm.Id, reply).Fields("id").Context(ctx).Do(); err != nil {
				return act, fmt.Errorf("resolve comment %s on %s: %w", cm.Id, r.FileID, err)
			}
			act = Resolved
		}
		return act, nil
	}
	want := Content(c.Lang, r.Date, r.Errors)
	if len(open) == 0 {
		// Remembered before the write: a create whose answer is lost is
		// found by the next list, and a later fix knows to look.
		if _, err := c.Ledger.MarkSent(ctx, posted); err != nil {
			return Nothing, err
		}
		if _, err := c.Drive.Comments.Create(r.FileID, &drive.Comment{Content: want}).Fields("id").Context(ctx).Do(); err != nil {
			return Nothing, fmt.Errorf("comment on %s: %w", r.FileID, err)
		}
		return Created, nil
	}
	keep := open[0]
	for _, cm := range open {
		if same(cm.Content, want) {
			keep = cm
			break
		}
	}
	act := Checked
	for _, cm := range open {
		if cm == keep {
			continue
		}
		if err := c.Drive.Comments.Delete(r.FileID, cm.Id).Context(ctx).Do(); err != nil && !gone(err) {
			return act, fmt.Errorf("delete the extra comment %s on %s: %w", cm.Id, r.FileID, err)
		}
		act = Updated
	}
	if !same(keep.Content, want) {
		if _, err := c.Drive.Comments.Update(r.FileID, keep.Id, &drive.Comment{Content: want}).Fields("id").Context(ctx).Do(); err != nil {
			return act, fmt.Errorf("update comment %s on %s: %w", keep.Id, r.FileID, err)
		}
		act = Updated
	}
	return act, nil
}

// ours lists the open dayreport comments for r.Date on the Doc, oldest first.
func (c *Commenter) ours(ctx context.Context, r Report) ([]*drive.Comment, error) {
	var out []*drive.Comment
	mark := Marker(r.Date)
	err := c.Drive.Comments.List(r.FileID).PageSize(100).Fields(listFields).Pages(ctx, func(l *drive.CommentList) error {
		for _, cm := range l.Comments {
			if cm.Author != nil && cm.Author.Me && !cm.Resolved && !cm.Deleted && strings.HasPrefix(cm.Content, mark) {
				out = append(out, cm)
			}
		}
		return nil
	})
	return out, err
}

// same compares comment texts as Drive may hand them back (line endings,
// surrounding space).
func same(a, b string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(a) == norm(b)
}

func gone(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
}

// Retryable reports whether a Sync error may go away on the next pass (a
// 429, a 5xx, a timeout, a lost connection); false for nil and for a
// refusal that will not change with the same report.
func Retryable(err error) bool { return err != nil && !permanent(err) }

// permanent reports whether a failure will not go away by trying again with
// the same report: a 4xx but 401 (the credentials, not the report), 408,
// 429 and Drive's rate-limit 403s.
func permanent(err error) bool {
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return false
	}
	if ge.Code == http.StatusForbidden {
		for _, e := range ge.Errors {
			if e.Reason == "rateLimitExceeded" || e.Reason == "userRateLimitExceeded" {
				return false
			}
		}
	}
	return ge.Code >= 400 && ge.Code < 500 && ge.Code != http.StatusTooManyRequests &&
		ge.Code != http.StatusRequestTimeout && ge.Code != http.StatusUnauthorized
}
