package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/funnel"
)

var monthsRU = [...]string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
	"сентябрь", "октябрь", "ноябрь", "декабрь"}

// Name is the month for people: "ноябрь 2026", "November 2026".
func (m Month) Name(lang string) string {
	if lang == "ru" {
		return monthsRU[m.Month-1] + " " + strconv.Itoa(m.Year)
	}
	return m.Month.String() + " " + strconv.Itoa(m.Year)
}

// Percent prints a share as a percentage with one decimal ("85,7 %" in
// Russian, "85.7%" in English; "—" when unknown): the same rounding as the
// funnel's conversions.
func Percent(x *float64, lang string) string { return funnel.Percent(x, lang) }

// Number prints a plan, an actual or a forecast: whole numbers as they are,
// others with one decimal ("8,6"); "—" when unknown.
func Number(x *float64, lang string) string {
	if x == nil {
		return "—"
	}
	s := strconv.FormatFloat(*x, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if lang == "ru" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Lagging is one employee's metric whose forecast falls short of the plan.
type Lagging struct {
	ID, Name, Metric string
	Figures          Figures
}

// Behind lists, in roster and metric order, every planned metric whose
// forecast is under the plan.
func (r *Result) Behind() []Lagging {
	var out []Lagging
	for _, e := range r.Employees {
		for _, k := range e.Order {
			if f := e.Metrics[k]; f.Behind() {
				out = append(out, Lagging{ID: e.ID, Name: e.Name, Metric: k, Figures: f})
			}
		}
	}
	return out
}

// BehindLine is the digest's line of who is behind the pace, on which
// metric: "Отстают от плана: Иван Иванов — Подписано договоров (прогноз
// 85,7 %)"; "" when nobody is. label names a metric.
func (r *Result) BehindLine(label func(key string) string, lang string) string {
	behind := r.Behind()
	if len(behind) == 0 {
		return ""
	}
	var parts []string
	for i := 0; i < len(behind); {
		j, name := i, behind[i].Name
		if name == "" {
			name = behind[i].ID
		}
		var ms []string
		for ; j < len(behind) && behind[j].ID == behind[i].ID; j++ {
			ms = append(ms, fmt.Sprintf("%s (%s %s)", label(behind[j].Metric),
				pick(lang, "прогноз", "forecast"), Percent(behind[j].Figures.ForecastPercent, lang)))
		}
		parts = append(parts, name+" — "+strings.Join(ms, ", "))
		i = j
	}
	return pick(lang, "Отстают от плана: ", "Behind the plan's pace: ") + strings.Join(parts, "; ")
}

func pick(lang, ru, en string) string {
	if lang == "ru" {
		return ru
	}
	return en
}
