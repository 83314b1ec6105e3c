package local_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/dayreport/dayreport/pkg/source/local"
)

// TestMixedEncodings: a UTF-8 report with a Windows-1251 part pasted in was
// read whole as one encoding or the other, a part garbled without a word;
// it is now an error naming the first line of the pasted part. A report
// all in Windows-1251, and a UTF-16 CSV with its byte-order mark (Excel's
// «Unicode text»), are read.
func TestMixedEncodings(t *testing.T) {
	t.Parallel()
	cp := func(s string) []byte {
		b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	head := "26.11.2026\nНовые звонки: 5\nОплаты: 1\n"
	pasted := append([]byte(head), cp("Комментарий: созвонился с клиентом «КП» по договору поставки\n")...)
	_, _, err := local.Decode(".txt", pasted, ref)
	var mixed *local.MixedEncodingError
	require.ErrorAs(t, err, &mixed)
	require.Equal(t, 4, mixed.Line)
	require.Contains(t, err.Error(), "line 4: bytes that are not UTF-8")

	doc, _, err := local.Decode(".txt", cp(head+"Комментарий: «КП» и «ТЗ» отправлены, «ОК»\n"), ref)
	require.NoError(t, err, "Windows-1251 alone")
	require.Equal(t, "Новые звонки: 5", doc.Blocks[1].Text)

	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("Дата\tНовые звонки\n26.11.2026\t7\n"))
	require.NoError(t, err)
	doc, _, err = local.Decode(".csv", utf16, ref)
	require.NoError(t, err)
	sections, _ := doc.Sections(ref)
	require.Len(t, sections, 1)
	require.Equal(t, "Новые звонки | 7", sections[0].Blocks[0].Text)
}
