package app

import (
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
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
)

// Sent is one message a run sent (or, in a dry run, would send).
type Sent struct {
	Key     string `json:"key"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Error   string `json:"error,omitempty"`
}

// dueReminder is the latest configured reminder time that has come for an
// employee today and the deadline not yet; ok is false when none.
func (a *App) dueReminder(emp config.Employee, now time.Time) (d day.Date, at config.TimeOfDay, ok bool) {
	loc := a.cfg.EmployeeLocation(emp)
	local := now.In(loc)
	d = day.Of(local)
	if !a.cal.IsWorkday(d) || emp.OnLeave(d) || a.deadline.Passed(d, loc, now) {
		return d, at, false
	}
	mins := local.Hour()*60 + local.Minute()
	for _, r := range a.cfg.Reminders {
		if m := r.At.Hour*60 + r.At.Minute; m <= mins && (!ok || m > at.Hour*60+at.Minute) {
			at, ok = r.At, true
		}
	}
	return d, at, ok
}

// Remind sends each employee the reminder that is due in their own time zone
// (working days only, not on leave, before the deadline) when they have no
// valid report for today, and, for an invalid report, what is wrong with it.
// Nothing is sent twice for the same employee, day and reminder (or error
// list), across reruns and restarts; a send that fails for a while is tried
// again on the next run.
func (a *App) Remind(ctx context.Context) ([]Sent, error) {
	return a.remind(ctx, nil)
}

// previewReminders is Remind in a dry run after the pass of day d: the
// employees' days of d are what the pass found (nothing was stored), and
// nothing is sent or marked.
func (a *App) previewReminders(ctx context.Context, d day.Date, res *PassResult) ([]Sent, error) {
	found := make(map[string]store.Day, len(res.Employees))
	for _, e := range res.Employees {
		if e.Error == "" {
			found[e.ID] = store.Day{Employee: e.ID, Date: d, Status: e.Status, Errors: e.Errors}
		}
	}
	return a.remind(ctx, func(emp string, on day.Date) (store.Day, bool) {
		st, ok := found[emp]
		return st, ok && on == d
	})
}

// remind is Remind; found, when set, gives an employee's day as a pass just
// found it, in place of the stored one.
func (a *App) remind(ctx context.Context, found func(emp string, d day.Date) (store.Day, bool)) ([]Sent, error) {
	if a.notifier == nil {
		return nil, nil
	}
	now := a.now()
	var out []Sent
	for _, emp := range a.employees() {
		d, at, due := a.dueReminder(emp, now)
		if !due {
			continue
		}
		st, known, err := a.store.Day(ctx, emp.ID, d)
		if err != nil {
			return out, fmt.Errorf("state: %w", err)
		}
		if found != nil {
			if f, ok := found(emp.ID, d); ok {
				st, known = f, true
			}
		}
		remindKey := fmt.Sprintf("remind:%s:%s:%02d%02d", emp.ID, d, at.Hour, at.Minute)
		key, msg := remindKey, a.reminderMessage(emp, d)
		switch {
		case known && (st.Status == report.Submitted || st.Status == report.Late):
			continue
		case known && st.Status == report.Invalid:
			key = "invalid:" + emp.ID + ":" + d.String() + ":" + errorsDigest(st.Errors)
			msg = a.invalidMessage(emp, st)
		}
		s, err := a.deliver(ctx, key, recipient(emp), msg)
		if err != nil {
			return out, err
		}
		if key != remindKey && (s == nil || s.Error == "") && !a.dryRun {
			// The errors answered this reminder: it is not due any more.
			if _, err := a.store.MarkSent(ctx, remindKey); err != nil {
				return out, fmt.Errorf("state: %w", err)
			}
		}
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, nil
}

// deliver sends msg under key unless it was sent; a send that may succeed
// later is left unmarked (the next run tries again), any other outcome is
// marked so that nothing is sent twice.
func (a *App) deliver(ctx context.Context, key string, to notify.Recipient, msg notify.Message) (*Sent, error) {
	sent, err := a.store.WasSent(ctx, key)
	if err != nil || sent {
		return nil, err
	}
	s := &Sent{Key: key, To: to.ID, Subject: msg.Subject}
	if a.dryRun {
		return s, nil
	}
	if err := a.notifier.Send(ctx, to, msg); err != nil {
		s.Error = err.Error()
		log := a.log.With().Str("key", key).Str("to", to.ID).Err(err).Logger()
		if notify.Retryable(err) {
			log.Warn().Msg("message not sent; the next run tries again")
			return s, nil
		}
		if !errors.Is(err, notify.ErrNoContact) {
			log.Error().Msg("message cannot be sent")
		}
	}
	if _, err := a.store.MarkSent(ctx, key); err != nil {
		return s, fmt.Errorf("state: %w", err)
	}
	return s, nil
}

// remindersDue reports whether some employee has a reminder due that was
// not sent yet (cheap: no document is read).
func (a *App) remindersDue(ctx context.Context) bool {
	now := a.now()
	for _, emp := range a.employees() {
		d, at, due := a.dueReminder(emp, now)
		if !due {
			continue
		}
		sent, err := a.store.WasSent(ctx, fmt.Sprintf("remind:%s:%s:%02d%02d", emp.ID, d, at.Hour, at.Minute))
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

func (a *App) reminderMessage(emp config.Employee, d day.Date) notify.Message {
	due := a.deadline.At(d, a.cfg.EmployeeLocation(emp)).In(a.cfg.EmployeeLocation(emp)).Format("15:04")
	if a.lang == "en" {
		return notify.Message{Subject: "Daily report for " + d.String(),
			Text: fmt.Sprintf("%s, your report for today is not in yet. It is due by %s.", emp.Name, due)}
	}
	return notify.Message{Subject: "Отчёт за " + d.Russian(),
		Text: fmt.Sprintf("%s, отчёта за сегодня ещё нет. Срок — %s.", emp.Name, due)}
}

func (a *App) invalidMessage(emp config.Employee, st store.Day) notify.Message {
	lines := make([]string, 0, len(st.Errors)+1)
	if a.lang == "en" {
		lines = append(lines, emp.Name+", your report has problems; please fix them:")
	} else {
		lines = append(lines, emp.Name+", в отчёте есть ошибки, исправьте, пожалуйста:")
	}
	lines = append(lines, feedback.ErrorLines(a.lang, st.Errors)...)
	return notify.Message{Subject: feedback.InvalidSubject(a.lang, st.Date), Text: strings.Join(lines, "\n")}
}

// Digest sends the manager the day after close-day: who is absent, late or
// invalid, the team funnel of the day and of the week with its weakest
// transition, and the day's verification flags. Once per day.
func (a *App) Digest(ctx context.Context, d day.Date) ([]Sent, error) {
	if a.notifier == nil || len(a.cfg.Digest.To) == 0 && !a.cfg.Notify.Console {
		return nil, nil
	}
	msg, err := a.digestMessage(ctx, d)
	if err != nil {
		return nil, err
	}
	to := a.cfg.Digest.To
	if len(to) == 0 {
		to = []config.Contact{{}} // the console alone
	}
	var out []Sent
	for i, c := range to {
		r := notify.Recipient{ID: "manager", Name: "manager", Telegram: c.Telegram, Email: c.Email}
		s, err := a.deliver(ctx, fmt.Sprintf("digest:%s:%d", d, i), r, msg)
		if err != nil {
			return out, err
		}
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, nil
}

func (a *App) digestMessage(ctx context.Context, d day.Date) (notify.Message, error) {
	days, err := a.store.DaysOn(ctx, d)
	if err != nil {
		return notify.Message{}, fmt.Errorf("state: %w", err)
	}
	names := map[string]string{}
	for _, e := range a.employees() {
		names[e.ID] = e.Name
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
			fmt.Fprintf(&b, "%s: %s\n", st.Label(a.lang), strings.Join(list, ", "))
		}
	}
	fmt.Fprintf(&b, "%s: %d\n", report.Submitted.Label(a.lang), len(byStatus[report.Submitted]))
	today, err := a.Funnel(ctx, d, d)
	if err != nil {
		return notify.Message{}, err
	}
	week, err := a.Funnel(ctx, a.WindowEnding(d), d)
	if err != nil {
		return notify.Message{}, err
	}
	for _, f := range []struct {
		title string
		res   funnelLine
	}{{tr(a.lang, "Воронка за день", "Today's funnel"), funnelLine{today.Stages, today.Weakest}},
		{tr(a.lang, "Воронка за период", "The window's funnel"), funnelLine{week.Stages, week.Weakest}}} {
		b.WriteString("\n" + f.title + ": " + f.res.text(a.lang) + "\n")
	}
	if len(flags) > 0 {
		b.WriteString("\n" + tr(a.lang, "Проверка:", "Checks:") + "\n")
		for _, f := range flags {
			b.WriteString("⚑ " + f + "\n")
		}
	}
	subject := tr(a.lang, "Итоги дня ", "The day's summary ") + displayDate(d.String(), a.lang)
	return notify.Message{Subject: subject, Text: strings.TrimRight(b.String(), "\n")}, nil
}
