package gdoc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

func TestDocumentID(t *testing.T) {
	t.Parallel()
	const id = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcd"
	cases := []struct {
		in   string
		want string
		err  error
	}{
		{"https://docs.google.com/document/d/" + id + "/edit?tab=t.0#heading=h.x1y2z3", id, nil},
		{"https://docs.google.com/document/d/" + id + "/edit", id, nil},
		{"https://docs.google.com/document/d/" + id, id, nil},
		{"https://docs.google.com/document/u/1/d/" + id + "/edit?usp=sharing", id, nil},
		{"docs.google.com/document/d/" + id + "/", id, nil},
		{"HTTPS://DOCS.GOOGLE.COM/document/d/" + id + "/edit", id, nil},
		{"https://drive.google.com/file/d/" + id + "/view?usp=drive_link", id, nil},
		{"https://drive.google.com/open?id=" + id, id, nil},
		{"  " + id + "\n", id, nil},
		{"doc-1", "doc-1", nil},
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=0", "", gdoc.ErrNotADoc},
		{"https://docs.google.com/presentation/d/" + id + "/edit", "", gdoc.ErrNotADoc},
		{"https://example.com/document/d/" + id + "/edit", "", gdoc.ErrNotADoc},
		{"https://docs.google.com/document/d/e/2PACX-1vQ/pub", "", gdoc.ErrBadID},
		{"https://docs.google.com/document/", "", gdoc.ErrBadID},
		{id + "#Лист1", "", gdoc.ErrBadID},
		{"my report.docx", "", gdoc.ErrBadID},
		{"", "", gdoc.ErrBadID},
	}
	for _, tc := range cases {
		got, err := gdoc.DocumentID(tc.in)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestIsDocURL(t *testing.T) {
	t.Parallel()
	require.True(t, gdoc.IsDocURL("https://docs.google.com/document/d/1abc/edit"))
	require.True(t, gdoc.IsDocURL("docs.google.com/document/u/0/d/1abc"))
	require.False(t, gdoc.IsDocURL("https://docs.google.com/spreadsheets/d/1abc/edit"))
	require.False(t, gdoc.IsDocURL("1abc"))
	require.False(t, gdoc.IsDocURL("https://example.com/document/d/1abc"))
	require.Equal(t, "https://docs.google.com/document/d/1abc/edit", gdoc.URL("1abc"))
}

// FuzzDocumentID: any text either fails cleanly or gives an id whose link
// reads back to the same id.
func FuzzDocumentID(f *testing.F) {
	for _, s := range []string{"https://docs.google.com/document/d/1abc/edit?tab=t.0", "1abc", "docs.google.com/document/u/0/d/x/", "https://drive.google.com/open?id=1x", "%zz", "https://docs.google.com/document/d/e/1/pub"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := gdoc.DocumentID(s)
		if err != nil {
			return
		}
		back, err := gdoc.DocumentID(gdoc.URL(id))
		require.NoError(t, err)
		require.Equal(t, id, back)
	})
}
