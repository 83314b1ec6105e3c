package app

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

// TestDemoLongTerm follows the methodology's second question ("what will it
// give in the long term") through the embedded default: Petrova's Markdown
// report answers it with the combined prompt on 29 October (all of it is
// notes) and with both parts labelled on 3 November (split), and the answer
// reaches the pass JSON, the state database, the builtin CRM and the
// workbook.
func TestDemoLongTerm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := loadDemo(t, filepath.Join(dir, "demo.db"))
	cfg.Summary.XLSX = filepath.Join(dir, "summary.xlsx")
	a := openApp(t, cfg, Options{Now: newClock(demoNow).Now})
	res := runDemo(t, a)

	nov3 := day.MustParse("2026-11-03")
	var js []byte
	for _, d := range res.Days {
		if d.Date == nov3.String() {
			var err error
			js, err = json.Marshal(d)
			require.NoError(t, err)
		}
	}
	require.Contains(t, string(js), `"notes":"подписала договор с «Ромашкой» после пилота","long_term":"выход на их сеть из 40 магазинов"`)

	stored, ok, err := a.Store().Day(t.Context(), "petrova", nov3)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "выход на их сеть из 40 магазинов", stored.LongTerm)

	records := builtinRecords(t, a)
	combined := records[crm.Key("petrova", day.MustParse("2026-10-29"))]
	require.Equal(t, "договорилась о пилоте с «Ромашкой» на три месяца", combined.Notes, "the combined prompt's text is notes")
	require.Empty(t, combined.LongTerm)
	split := records[crm.Key("petrova", nov3)]
	require.Equal(t, "подписала договор с «Ромашкой» после пилота", split.Notes)
	require.Equal(t, "выход на их сеть из 40 магазинов", split.LongTerm)

	f, err := excelize.OpenFile(cfg.Summary.XLSX)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	rows, err := f.GetRows("Сводка")
	require.NoError(t, err)
	notesCol := -1
	for i, h := range rows[0] {
		if h == "Заметки" {
			notesCol = i
		}
	}
	require.GreaterOrEqual(t, notesCol, 0, "a notes column in %v", rows[0])
	var cell string
	for _, r := range rows[1:] {
		if len(r) > notesCol && r[0] == "03.11.2026" && strings.Contains(strings.Join(r, "|"), "petrova") {
			cell = r[notesCol]
		}
	}
	require.Equal(t, "подписала договор с «Ромашкой» после пилота\nЧто это даст в долгосрочной перспективе: выход на их сеть из 40 магазинов", cell)
}
