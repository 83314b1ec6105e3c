package summary

import (
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// TrendWeeks is how many weeks the Динамика tab shows.
const TrendWeeks = 12

// ChangeMark marks the week of a change in the week's label (and so on
// the chart's axis).
const ChangeMark = "◆"

// Trend is the Динамика tab: each transition's conversion week by week,
// and the changes of the change log on their weeks.
type Trend struct {
	// Transitions name the columns by the stage each leads to: "→ Подписано договоров".
	Transitions []string
	// Weeks are oldest first.
	Weeks []TrendWeek
}

// TrendWeek is one week (Monday to Sunday, the last one up to the newest day).
type TrendWeek struct {
	Monday, Last day.Date
	// Conversions are each transition's conversion in the week; nil for a
	// week with none of the earlier stage (no data, not a zero).
	Conversions []*float64
	// Changes are the changes made in the week, as people read them
	// ("Подписано договоров: новый шаблон договора").
	Changes []string
}

// TrendTable is where the weekly table is in Tab.Rows (0-based): its
// header row, then weeks First to Last; the week labels are in the first
// column, a transition per column from the second to Columns, the changes
// after them.
type TrendTable struct {
	Head, First, Last int
	// Series is the number of transitions (columns 1..Series).
	Series int
	Title  string
}

// trendLabels are the texts of the Динамика tab.
type trendLabels struct {
	tab, title, note, week, changes, noData string
}

func trendLabelsFor(lang string) trendLabels {
	if lang == "en" {
		return trendLabels{tab: "Trend", title: "Conversion week by week", week: "Week", changes: "Changes",
			note:   "→ Stage: the conversion into the stage from the one before, over the submitted and late days of the week; " + ChangeMark + " marks the week of a change.",
			noData: "No data yet."}
	}
	return trendLabels{tab: "Динамика", title: "Конверсия по неделям", week: "Неделя", changes: "Изменения",
		note:   "→ Этап: конверсия в этап из предыдущего за сданные (и сданные с опозданием) дни недели; " + ChangeMark + " — неделя изменения.",
		noData: "Данных пока нет."}
}

// TrendTabName is the Динамика tab's name in lang.
func TrendTabName(lang string) string { return trendLabelsFor(lang).tab }

// WeekLabel is how a week reads on the axis: "09.11–15.11", marked when a
// change was made in it.
func (w TrendWeek) WeekLabel() string {
	s := fmt.Sprintf("%02d.%02d–%02d.%02d", w.Monday.Day, w.Monday.Month, w.Last.Day, w.Last.Month)
	if len(w.Changes) > 0 {
		s += " " + ChangeMark
	}
	return s
}

// trendTab lays out the Динамика tab: a title, the table of weeks and the
// line chart drawn from it.
func trendTab(lang string, tr *Trend) *Tab {
	l := trendLabelsFor(lang)
	t := &Tab{Name: l.tab}
	t.line(Title, Str(l.title))
	t.line(Note, Str(l.note))
	if tr == nil || len(tr.Weeks) == 0 || len(tr.Transitions) == 0 {
		t.line(Note, Str(l.noData))
		return t
	}
	t.skip()
	head := []Cell{Str(l.week)}
	for _, name := range tr.Transitions {
		head = append(head, Str(name))
	}
	head = append(head, Str(l.changes))
	tt := &TrendTable{Head: t.line(Header, head...), Series: len(tr.Transitions), Title: l.title}
	tt.First = tt.Head + 1
	for _, w := range tr.Weeks {
		cells := []Cell{Str(w.WeekLabel())}
		for i := range tr.Transitions {
			var v *float64
			if i < len(w.Conversions) {
				v = w.Conversions[i]
			}
			cells = append(cells, Optional(v, Percent))
		}
		cells = append(cells, Long(strings.Join(w.Changes, "; ")))
		tt.Last = t.line(Plain, cells...)
	}
	t.Lines = tt
	t.block(0)
	return t
}
