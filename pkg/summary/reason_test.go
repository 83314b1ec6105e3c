package summary_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

func TestReason(t *testing.T) {
	t.Parallel()
	missing := report.FieldError{Field: "feedback_calls", Location: document.Location{Line: 21},
		Message: "«Звонки по обратной связи»: значение не указано"}
	notWhole := report.FieldError{Field: "payments", Location: document.Location{Line: 27},
		Message: "«Оплаты»: «1,5» — нужно целое число"}
	long := report.FieldError{Message: strings.Repeat("очень длинное сообщение ", 20)}
	for _, tc := range []struct {
		name, lang string
		errs       []report.FieldError
		want       string
	}{
		{"none", "ru", nil, ""},
		{"one", "ru", []report.FieldError{notWhole}, "строка 27: «Оплаты»: «1,5» — нужно целое число"},
		{"more", "ru", []report.FieldError{missing, notWhole}, "строка 21: «Звонки по обратной связи»: значение не указано (и ещё 1)"},
		{"english", "en", []report.FieldError{missing, notWhole}, "line 21: «Звонки по обратной связи»: значение не указано (and 1 more)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, summary.Reason(tc.lang, tc.errs))
		})
	}
	cut := summary.Reason("ru", []report.FieldError{long})
	require.LessOrEqual(t, utf8.RuneCountInString(cut), summary.ReasonLength)
	require.True(t, strings.HasSuffix(cut, "…"))
}
