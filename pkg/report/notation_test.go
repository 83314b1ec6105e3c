package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProgrammerNotationIsNotANumber: «1e309» used to read as 1 with the
// comment «e309», «0x10» as 0; each is now an error at its line. «12шт» and
// «5 звонков» are still a number with a comment, in counts and ratings.
func TestProgrammerNotationIsNotANumber(t *testing.T) {
	for _, v := range []string{"1e309", "2E+3", "1e-5", "0x10", "0XfF", "0b101", "0o17"} {
		r := parseText(t, strings.Replace(fullDay, "Оплаты: 1", "Оплаты: "+v, 1), "ru")
		require.Len(t, r.Errors, 1, v)
		require.Equal(t, CodeNotANumber, r.Errors[0].Code, v)
		require.Equal(t, 7, r.Errors[0].Location.Line, v)
		require.NotContains(t, r.Metrics, "payments", v)
	}
	r := parseText(t, strings.Replace(fullDay, "Оплаты: 1", "Оплаты: 12шт", 1)+"Оценка работы компании: 4,5e3\n", "ru")
	require.InDelta(t, 12.0, r.Metrics["payments"], 0)
	require.Len(t, r.Errors, 1)
	require.Equal(t, CodeNotANumber, r.Errors[0].Code, "a rating in notation")
	r = parseText(t, strings.Replace(fullDay, "Оплаты: 1", "Оплаты: 3 еще", 1), "ru")
	require.InDelta(t, 3.0, r.Metrics["payments"], 0, "a Cyrillic е after a space is a comment")
	require.Empty(t, r.Errors)
}
