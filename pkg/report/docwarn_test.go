package report

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/document"
)

// TestDocumentWarnings: the document's warnings people must see (a date
// that is no date, a chip that is not read) become located report
// warnings; others are left out.
func TestDocumentWarnings(t *testing.T) {
	t.Parallel()
	got := DocumentWarnings("ru", []document.Warning{
		{Code: document.WarnBadDate, Loc: document.Location{Line: 3}, Value: "31.02.2026"},
		{Code: document.WarnChipNotRead, Loc: document.Location{Line: 7}, Value: "Статус:"},
		{Code: "something_else", Loc: document.Location{Line: 9}},
	})
	require.Len(t, got, 2)
	require.Equal(t, CodeBadDate, got[0].Code)
	require.Equal(t, CodeChipNotRead, got[1].Code)
	require.Equal(t, 7, got[1].Location.Line)
	require.Equal(t, "«Статус:» — после этого в документе стоит элемент (выпадающий список или файл), который не читается; напишите значение текстом", got[1].Message)
	require.Contains(t, DocumentWarnings("en", []document.Warning{{Code: document.WarnChipNotRead, Value: "Status:"}})[0].Message, "cannot be read")
}
