package pass

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/report"
)

// What a pass sends (SPEC §11), computed the same way whether it is sent
// (sync, close-day, every daemon pass) or listed (--dry-run's would_send):
//
//   - an error list for every invalid report the pass judged of the last
//     week, as soon as it is first seen, and again only when its errors
//     change;
//   - the reminder that has come due in the employee's own zone (working
//     day, not on leave, not before the start, before the deadline) to whoever
//     has no valid report for today; an invalid one gets its error list
//     instead;
//   - after a close-day pass, the manager's digest of its date.
//
// Each message has a key; the state database remembers the keys sent, so
// nothing goes out twice across reruns and restarts, and a send that fails
// for a while (a 429, a 5xx) is tried again by the next pass.

// message is one message due.
type message struct {
	key string
	to  notify.Recipient
	msg notify.Message
	// answers is the reminder key an error list stands for: once the list
	// is delivered, that reminder is not due any more.
	answers string
	// tells are the keys of what the message announces once (a change
	// become significant): marked sent when the message is delivered.
	tells []string
}

// notify sends (or in a dry run lists) what the pass made due.
func (r *run) notify(ctx context.Context) error {
	e := r.e
	if e.Notifier == nil || r.req.NoNotify && !e.DryRun {
		return nil
	}
	due, err := r.dueMessages(ctx)
	if err != nil {
		return err
	}
	if r.req.Kind == KindCloseDay {
		digest, err := e.digestMessages(ctx, r.company)
		if err != nil {
			return err
		}
		due = append(due, digest...)
	}
	sent, err := e.deliver(ctx, due)
	if e.DryRun {
		r.res.WouldSend = sent
	} else {
		r.res.Sent = sent
	}
	return err
}

// dueMessages lists the error lists and reminders the pass made due.
func (r *run) dueMessages(ctx context.Context) ([]message, error) {
	e := r.e
	var out []message
	listed := map[string]int{} // an error list's key → its place in out
	add := func(m message) {
		if i, ok := listed[m.key]; ok {
			out[i].answers = cmp.Or(m.answers, out[i].answers)
			return
		}
		listed[m.key] = len(out)
		out = append(out, m)
	}
	for _, j := range r.invalid {
		add(e.errorList(j.emp, j.date, j.errors))
	}
	for _, emp := range e.Employees() {
		d, at, ok := e.dueReminder(emp, r.now)
		if !ok {
			continue
		}
		st, known := r.today[emp.ID], true
		if st.date != d {
			stored, ok, err := e.dayOf(ctx, emp.ID, d)
			if err != nil {
				return out, err
			}
			st, known = dayState{date: d, status: stored.Status, errors: stored.Errors}, ok
		}
		remindKey := reminderKey(emp, d, at)
		switch {
		case known && (st.status == report.Submitted || st.status == report.Late):
		case known && st.status == report.Invalid:
			m := e.errorList(emp, d, st.errors)
			m.answers = remindKey
			add(m)
		default:
			out = append(out, message{key: remindKey, to: recipient(emp), msg: e.reminderMessage(emp, d)})
		}
	}
	return out, nil
}

// deliver sends each message not sent yet (a dry run only lists them). A
// send that may succeed later is left unmarked (the next pass tries again);
// any other outcome is marked so that nothing is sent twice.
func (e *Engine) deliver(ctx context.Context, due []message) ([]Sent, error) {
	var out []Sent
	for _, m := range due {
		sent, err := e.Store.WasSent(ctx, m.key)
		if err != nil {
			return out, fmt.Errorf("state: %w", err)
		}
		if sent {
			continue
		}
		s := Sent{Key: m.key, To: m.to.ID, Subject: m.msg.Subject}
		if e.DryRun {
			out = append(out, s)
			continue
		}
		if err := e.send(ctx, m); err != nil {
			s.Error = err.Error()
			out = append(out, s)
			log := e.Log.With().Str("key", m.key).Str("to", m.to.ID).Err(err).Logger()
			if notify.Retryable(err) {
				log.Warn().Msg("message not sent; the next pass tries again")
				continue
			}
			if !errors.Is(err, notify.ErrNoContact) {
				log.Error().Msg("message cannot be sent")
			}
		} else {
			out = append(out, s)
		}
		keys := []string{m.key}
		if m.answers != "" && s.Error == "" {
			keys = append(keys, m.answers)
		}
		if s.Error == "" {
			keys = append(keys, m.tells...)
		}
		for _, k := range keys {
			if _, err := e.Store.MarkSent(ctx, k); err != nil {
				return out, fmt.Errorf("state: %w", err)
			}
		}
	}
	return out, nil
}

// dueReminder is the latest configured reminder time that has come for an
// employee today and the deadline not yet; ok is false when none.
func (e *Engine) dueReminder(emp config.Employee, now time.Time) (d day.Date, at config.TimeOfDay, ok bool) {
	loc := e.Config.EmployeeLocation(emp)
	local := now.In(loc)
	d = day.Of(local)
	if !e.Calendar.IsWorkday(d) || emp.OnLeave(d) || d.Before(emp.Start) || e.deadline.Passed(d, loc, now) {
		return d, at, false
	}
	mins := local.Hour()*60 + local.Minute()
	for _, r := range e.Config.Reminders {
		if m := r.At.Hour*60 + r.At.Minute; m <= mins && (!ok || m > at.Hour*60+at.Minute) {
			at, ok = r.At, true
		}
	}
	return d, at, ok
}

func reminderKey(emp config.Employee, d day.Date, at config.TimeOfDay) string {
	return fmt.Sprintf("remind:%s:%s:%02d%02d", emp.ID, d, at.Hour, at.Minute)
}

// RemindersDue reports whether some employee has a reminder due that was not
// sent yet (cheap: no document is read); the daemon then runs a pass.
func (e *Engine) RemindersDue(ctx context.Context) bool {
	if e.Notifier == nil || len(e.Config.Reminders) == 0 {
		return false
	}
	now := e.Now()
	for _, emp := range e.Employees() {
		d, at, due := e.dueReminder(emp, now)
		if !due {
			continue
		}
		sent, err := e.Store.WasSent(ctx, reminderKey(emp, d, at))
		if err != nil || !sent {
			return true
		}
	}
	return false
}

func recipient(e config.Employee) notify.Recipient {
	return notify.Recipient{ID: e.ID, Name: e.Name, Telegram: e.Telegram, Email: e.Email}
}

// errorsDigest names a set of report errors: a changed set is news.
func errorsDigest(errs []report.FieldError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, e.Location.String()+"|"+e.Message)
	}
	sort.Strings(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:6])
}

func (e *Engine) reminderMessage(emp config.Employee, d day.Date) notify.Message {
	due := e.deadline.At(d, e.Config.EmployeeLocation(emp)).In(e.Config.EmployeeLocation(emp)).Format("15:04")
	if e.Lang() == "en" {
		return notify.Message{Subject: "Daily report for " + d.String(),
			Text: fmt.Sprintf("%s, your report for today is not in yet. It is due by %s.", emp.Name, due)}
	}
	return notify.Message{Subject: "Отчёт за " + d.Russian(),
		Text: fmt.Sprintf("%s, отчёта за сегодня ещё нет. Срок — %s.", emp.Name, due)}
}

// errorList is the message listing what is wrong with a report.
func (e *Engine) errorList(emp config.Employee, d day.Date, errs []report.FieldError) message {
	return message{key: "invalid:" + emp.ID + ":" + d.String() + ":" + errorsDigest(errs), to: recipient(emp),
		msg: e.InvalidMessage(emp, d, errs)}
}

// InvalidMessage is the error list of an invalid report, in the employee's words.
func (e *Engine) InvalidMessage(emp config.Employee, d day.Date, errs []report.FieldError) notify.Message {
	lines := make([]string, 0, len(errs)+1)
	if e.Lang() == "en" {
		lines = append(lines, emp.Name+", your report has problems; please fix them:")
	} else {
		lines = append(lines, emp.Name+", в отчёте есть ошибки, исправьте, пожалуйста:")
	}
	lines = append(lines, feedback.ErrorLines(e.Lang(), errs)...)
	return notify.Message{Subject: feedback.InvalidSubject(e.Lang(), d), Text: strings.Join(lines, "\n"), OnePart: true}
}

// Digest sends the manager the day's digest (SPEC §11): who is absent, late
// or invalid, the team funnel of the day and of the window with its weakest
// transition, and the day's verification flags. Once per day: a rerun sends
// nothing. A close-day pass sends it by itself; a replay calls it.
func (e *Engine) Digest(ctx context.Context, d day.Date) ([]Sent, error) {
	due, err := e.digestMessages(ctx, d)
	if err != nil {
		return nil, err
	}
	return e.deliver(ctx, due)
}

// digestMessages is the digest of d for each of its recipients (none when no
// channel or recipient is configured).
func (e *Engine) digestMessages(ctx context.Context, d day.Date) ([]message, error) {
	if e.Notifier == nil || len(e.Config.Digest.To) == 0 && !e.Config.Notify.Console {
		return nil, nil
	}
	msg, err := e.digestMessage(ctx, d)
	if err != nil {
		return nil, err
	}
	tells, err := e.significantChanges(ctx, &msg)
	if err != nil {
		return nil, err
	}
	to := e.Config.Digest.To
	if len(to) == 0 {
		to = []config.Contact{{}} // the console alone
	}
	out := make([]message, 0, len(to))
	for i, c := range to {
		out = append(out, message{key: fmt.Sprintf("digest:%s:%d", d, i),
			to: notify.Recipient{ID: "manager", Name: "manager", Telegram: c.Telegram, Email: c.Email}, msg: msg, tells: tells})
	}
	return out, nil
}

func (e *Engine) digestMessage(ctx context.Context, d day.Date) (notify.Message, error) {
	lang := e.Lang()
	days, err := e.Store.DaysOn(ctx, d)
	if err != nil {
		return notify.Message{}, fmt.Errorf("state: %w", err)
	}
	names := map[string]string{}
	for _, emp := range e.Employees() {
		names[emp.ID] = emp.Name
	}
	byStatus := map[report.Status][]string{}
	var flags []string
	for _, x := range days {
		n := names[x.Employee]
		if n == "" {
			n = x.Employee
		}
		byStatus[x.Status] = append(byStatus[x.Status], n)
		for _, f := range x.Flags {
			flags = append(flags, n+": "+f.Message)
		}
	}
	var b strings.Builder
	for _, st := range []report.Status{report.Absent, report.Late, report.Invalid, report.OnLeave} {
		if list := byStatus[st]; len(list) > 0 {
			fmt.Fprintf(&b, "%s: %s\n", st.Label(lang), strings.Join(list, ", "))
		}
	}
	fmt.Fprintf(&b, "%s: %d\n", report.Submitted.Label(lang), len(byStatus[report.Submitted]))
	// The team's funnels alone: no employee's is built.
	today, err := e.funnelStream(ctx, d, d)
	if err != nil {
		return notify.Message{}, err
	}
	week, err := e.funnelStream(ctx, e.WindowEnding(d), d)
	if err != nil {
		return notify.Message{}, err
	}
	for _, f := range []struct {
		title string
		res   *funnel.Result
	}{{tr(lang, "Воронка за день", "Today's funnel"), today}, {tr(lang, "Воронка за период", "The window's funnel"), week}} {
		b.WriteString("\n" + f.title + ": " + funnel.Line(f.res.Stages, f.res.Weakest, lang) + "\n")
	}
	if line, err := e.behindLine(ctx, d); err != nil {
		return notify.Message{}, err
	} else if line != "" {
		b.WriteString("\n" + line + "\n")
	}
	if len(flags) > 0 {
		b.WriteString("\n" + tr(lang, "Проверка:", "Checks:") + "\n")
		for _, f := range flags {
			b.WriteString("⚑ " + f + "\n")
		}
	}
	subject := tr(lang, "Итоги дня ", "The day's summary ") + d.String()
	if lang == "ru" {
		subject = "Итоги дня " + d.Russian()
	}
	return notify.Message{Subject: subject, Text: strings.TrimRight(b.String(), "\n")}, nil
}

// tr picks the Russian or English wording.
func tr(lang, ru, en string) string {
	if lang == "ru" {
		return ru
	}
	return en
}
