package funnel

import (
	"fmt"
	"strings"
)

// Sentence says what a change did, in one sentence a manager reads:
// "рост 30,1 % → 44,0 %, пока не значим: нужно ещё около 6 рабочих дней",
// with the counts and the p-value behind it in brackets.
func (r ChangeResult) Sentence(lang string) string {
	ru := lang == "ru"
	pct := func(s Side) string { return Percent(s.Conversion, lang) }
	if r.After.Days == 0 {
		if ru {
			s := "данных после изменения ещё нет"
			if r.Before.Conversion != nil {
				s += fmt.Sprintf("; до него %s (%d из %d за %s)", pct(r.Before), r.Before.ToCount, r.Before.FromCount, workdaysRU(r.Before.Days))
			}
			return s
		}
		s := "no data after the change yet"
		if r.Before.Conversion != nil {
			s += fmt.Sprintf("; before it %s (%d of %d over %s)", pct(r.Before), r.Before.ToCount, r.Before.FromCount, workdaysEN(r.Before.Days))
		}
		return s
	}
	if r.Before.Days == 0 || r.Before.Conversion == nil || r.After.Conversion == nil {
		if ru {
			return fmt.Sprintf("сравнить не с чем: до изменения %d из %d, после %d из %d", r.Before.ToCount, r.Before.FromCount, r.After.ToCount, r.After.FromCount)
		}
		return fmt.Sprintf("nothing to compare: %d of %d before the change, %d of %d after", r.Before.ToCount, r.Before.FromCount, r.After.ToCount, r.After.FromCount)
	}
	word := map[int][2]string{1: {"рост", "up"}, -1: {"падение", "down"}, 0: {"без изменений", "no change"}}[r.Direction()]
	head := word[1]
	if ru {
		head = word[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s → %s", head, pct(r.Before), pct(r.After))
	if ru {
		fmt.Fprintf(&b, " (%s; %d из %d за %s до, %d из %d за %s после", Points(r.Delta, lang), r.Before.ToCount, r.Before.FromCount,
			workdaysRU(r.Before.Days), r.After.ToCount, r.After.FromCount, workdaysRU(r.After.Days))
	} else {
		fmt.Fprintf(&b, " (%s; %d of %d over %s before, %d of %d over %s after", Points(r.Delta, lang), r.Before.ToCount, r.Before.FromCount,
			workdaysEN(r.Before.Days), r.After.ToCount, r.After.FromCount, workdaysEN(r.After.Days))
	}
	if r.PValue != nil {
		p := "= " + fmt.Sprintf("%.3f", *r.PValue)
		if *r.PValue < 0.001 {
			p = "< 0.001"
		}
		if ru {
			p = strings.Replace(p, ".", ",", 1)
		}
		fmt.Fprintf(&b, "; p %s", p)
	}
	b.WriteString(")")
	switch {
	case r.PValue == nil:
		b.WriteString(tr(ru, ", проверить нельзя: этапа после больше, чем до", ", cannot be tested: the later stage exceeds the earlier"))
	case r.Significant:
		b.WriteString(tr(ru, ", значим", ", significant"))
	case r.DaysNeeded != nil:
		if ru {
			fmt.Fprintf(&b, ", пока не значим: нужно ещё около %s", aboutWorkdaysRU(*r.DaysNeeded))
		} else {
			fmt.Fprintf(&b, ", not significant yet: about %s more needed", workdaysEN(*r.DaysNeeded))
		}
	default:
		b.WriteString(tr(ru, ", не значим: при таком темпе разницы не различить", ", not significant: at this pace no difference would show"))
	}
	return b.String()
}

// Heading names a change: its date, transition, note and employees.
func (r ChangeResult) Heading(lang string, names map[string]string) string {
	date := r.Date
	if lang == "ru" {
		date = r.Day.Russian()
	}
	s := fmt.Sprintf("%s, %s → %s", date, r.FromLabel, r.StageLabel)
	if r.Note != "" {
		s += ": «" + r.Note + "»"
		if lang != "ru" {
			s = fmt.Sprintf("%s, %s → %s: %q", date, r.FromLabel, r.StageLabel, r.Note)
		}
	}
	if len(r.Employees) > 0 {
		who := make([]string, 0, len(r.Employees))
		for _, id := range r.Employees {
			if n := names[id]; n != "" {
				who = append(who, n)
			} else {
				who = append(who, id)
			}
		}
		s += " (" + strings.Join(who, ", ") + ")"
	}
	return s
}

func tr(ru bool, r, e string) string {
	if ru {
		return r
	}
	return e
}

// workdaysRU is "1 рабочий день", "3 рабочих дня", "6 рабочих дней".
func workdaysRU(n int) string {
	switch {
	case n%10 == 1 && n%100 != 11:
		return fmt.Sprintf("%d рабочий день", n)
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return fmt.Sprintf("%d рабочих дня", n)
	}
	return fmt.Sprintf("%d рабочих дней", n)
}

// aboutWorkdaysRU is the genitive after "около": "1 рабочего дня", "6 рабочих дней".
func aboutWorkdaysRU(n int) string {
	if n%10 == 1 && n%100 != 11 {
		return fmt.Sprintf("%d рабочего дня", n)
	}
	return fmt.Sprintf("%d рабочих дней", n)
}

func workdaysEN(n int) string {
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}
