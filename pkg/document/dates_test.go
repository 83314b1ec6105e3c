package document

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

var ref = day.MustParse("2026-11-26")

func TestParseDate(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"26.11.2026":                 "2026-11-26",
		"26.11.26":                   "2026-11-26",
		"26/11/2026":                 "2026-11-26",
		"2026-11-26":                 "2026-11-26",
		"2026-1-5":                   "2026-01-05",
		"26 ноября 2026":             "2026-11-26",
		"26 ноября 2026 г.":          "2026-11-26",
		"26 ноября 2026 года":        "2026-11-26",
		"26 нояб. 2026":              "2026-11-26",
		"1 мая 2026":                 "2026-05-01",
		"26 November 2026":           "2026-11-26",
		"26 Nov 2026":                "2026-11-26",
		"November 26, 2026":          "2026-11-26",
		"Nov 26 2026":                "2026-11-26",
		"Четверг, 26.11.2026":        "2026-11-26",
		"чт 26.11.2026":              "2026-11-26",
		"Thursday, 26 November 2026": "2026-11-26",
		"26.11":                      "2026-11-26",
		"26 ноября":                  "2026-11-26",
		"2.01":                       "2027-01-02", // closest to 26.11.2026
		"30.12":                      "2026-12-30",
		"15.06":                      "2026-06-15",
		"05.06":                      "2026-06-05",
	}
	for in, want := range cases {
		got, ok := ParseDate(in, ref)
		require.True(t, ok, in)
		require.Equal(t, want, got.String(), in)
	}
	for _, in := range []string{
		"", "12", "2.5", "12.5%", "1 200", "31.11.2026", "26.13.2026", "30 февраля 2026", "Новые звонки",
		"26.11.2026 Новые звонки", "20261126", "26-11-2026x", "ноябрь", "26 ноябряя", "2026-11-26T10:00",
	} {
		_, ok := ParseDate(in, ref)
		require.False(t, ok, in)
	}
	// A year-less date needs a reference.
	_, ok := ParseDate("26.11", day.Date{})
	require.False(t, ok)
}

func TestSectionDate(t *testing.T) {
	t.Parallel()
	starts := map[string]string{
		"26.11.2026":                       "2026-11-26",
		"Отчёт за 26.11.2026":              "2026-11-26",
		"Отчет за 26.11.2026":              "2026-11-26",
		"ОТЧЁТ ЗА 26 ноября 2026":          "2026-11-26",
		"Report for 2026-11-26":            "2026-11-26",
		"Report for Thursday, 26 Nov 2026": "2026-11-26",
		"26.11.2026, четверг":              "2026-11-26",
		"26.11.2026 (чт)":                  "2026-11-26",
		"**26.11.2026**":                   "2026-11-26",
		"— 26.11.2026 —":                   "2026-11-26",
		"26.11.2026 — отчёт менеджера":     "2026-11-26",
		"Отчёт за 26.11":                   "2026-11-26",
		"26 ноября, четверг":               "2026-11-26",
		"\u00a026.11.2026\u00a0":           "2026-11-26",
	}
	for in, want := range starts {
		d, ok, invalid := SectionDate(Block{Kind: Paragraph, Text: in}, ref)
		require.True(t, ok, in)
		require.False(t, invalid, in)
		require.Equal(t, want, d.String(), in)
	}
	notStarts := []string{
		"Новые звонки: 26",
		"26.11.2026 созвонился с Петровым по договору поставки",
		"26.11 созвон с клиентом",
		"26.11.2026: Новые звонки 12",
		"Отчётность: 26.11.2026 сдана",
		"12 шт",
		"",
	}
	for _, in := range notStarts {
		_, ok, _ := SectionDate(Block{Kind: Paragraph, Text: in}, ref)
		require.False(t, ok, in)
	}
	// A short heading may hold the date anywhere.
	d, ok, _ := SectionDate(Block{Kind: Paragraph, Heading: 2, Text: "Ежедневный отчёт менеджера Иванова И. И. — 26.11.2026"}, ref)
	require.True(t, ok)
	require.Equal(t, "2026-11-26", d.String())
	// A date chip is a date whatever the text says.
	d, ok, _ = SectionDate(Block{Kind: Paragraph, Text: "Отчёт за ", Date: ref}, ref)
	require.True(t, ok)
	require.Equal(t, ref, d)
	// A table row holding only a date starts a section.
	d, ok, _ = SectionDate(NewRow([]Cell{{Text: ""}, {Text: "26.11.2026"}}, Location{}), ref)
	require.True(t, ok)
	require.Equal(t, ref, d)
	// A date line naming no real day is reported as invalid.
	_, ok, invalid := SectionDate(Block{Kind: Paragraph, Text: "31.11.2026"}, ref)
	require.False(t, ok)
	require.True(t, invalid)
}

func TestA1(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		r, c int
		want string
	}{{0, 0, "A1"}, {6, 1, "B7"}, {0, 25, "Z1"}, {9, 26, "AA10"}, {0, 51, "AZ1"}, {0, 52, "BA1"}, {0, 701, "ZZ1"}, {0, 702, "AAA1"}} {
		require.Equal(t, c.want, A1(c.r, c.c))
	}
}
