package gsheet_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

func TestParseLink(t *testing.T) {
	t.Parallel()
	const id = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
	cases := []struct {
		in   string
		want gsheet.Link
		err  error
	}{
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=0", gsheet.Link{ID: id, HasGID: true}, nil},
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=1386834576", gsheet.Link{ID: id, GID: 1386834576, HasGID: true}, nil},
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit?gid=42#gid=42", gsheet.Link{ID: id, GID: 42, HasGID: true}, nil},
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit?usp=sharing&gid=7", gsheet.Link{ID: id, GID: 7, HasGID: true}, nil},
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=5&range=A1:C3", gsheet.Link{ID: id, GID: 5, HasGID: true}, nil},
		{"https://docs.google.com/spreadsheets/u/0/d/" + id + "/edit", gsheet.Link{ID: id}, nil},
		{"https://docs.google.com/spreadsheets/d/" + id, gsheet.Link{ID: id}, nil},
		{"docs.google.com/spreadsheets/d/" + id + "/", gsheet.Link{ID: id}, nil},
		{id, gsheet.Link{ID: id}, nil},
		{" " + id + " ", gsheet.Link{ID: id}, nil},
		{id + "#Иванов", gsheet.Link{ID: id, Tab: "Иванов"}, nil},
		{id + "#Q1/Q2 #2", gsheet.Link{ID: id, Tab: "Q1/Q2 #2"}, nil},
		{id + "#It's", gsheet.Link{ID: id, Tab: "It's"}, nil},
		{id + "#gid=99", gsheet.Link{ID: id, GID: 99, HasGID: true}, nil},
		{id + "#gid=x", gsheet.Link{}, gsheet.ErrBadLink},
		{"https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=-1", gsheet.Link{}, gsheet.ErrBadLink},
		{"https://docs.google.com/document/d/" + id + "/edit", gsheet.Link{}, gsheet.ErrNotASheet},
		{"https://docs.google.com/presentation/d/" + id + "/edit", gsheet.Link{}, gsheet.ErrNotASheet},
		{"https://example.com/spreadsheets/d/" + id, gsheet.Link{}, gsheet.ErrNotASheet},
		{"https://docs.google.com/spreadsheets/d/e/2PACX-1v/pubhtml", gsheet.Link{}, gsheet.ErrBadLink},
		{"report.xlsx", gsheet.Link{}, gsheet.ErrBadLink},
		{"#Иванов", gsheet.Link{}, gsheet.ErrBadLink},
		{"", gsheet.Link{}, gsheet.ErrBadLink},
	}
	for _, tc := range cases {
		got, err := gsheet.ParseLink(tc.in)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestLinkURL(t *testing.T) {
	t.Parallel()
	require.Equal(t, "https://docs.google.com/spreadsheets/d/1abc/edit#gid=0", gsheet.Link{ID: "1abc", HasGID: true}.URL())
	require.Equal(t, "https://docs.google.com/spreadsheets/d/1abc/edit", gsheet.Link{ID: "1abc", Tab: "Иванов"}.URL())
	require.True(t, gsheet.IsSheetURL("https://docs.google.com/spreadsheets/d/1abc/edit#gid=0"))
	require.False(t, gsheet.IsSheetURL("https://docs.google.com/document/d/1abc/edit"))
	require.False(t, gsheet.IsSheetURL("1abc#gid=0"))
}

// FuzzParseLink: any text either fails cleanly or gives a link whose URL reads
// back to the same spreadsheet and gid.
func FuzzParseLink(f *testing.F) {
	for _, s := range []string{"https://docs.google.com/spreadsheets/d/1abc/edit#gid=0", "1abc#Лист 1", "1abc#gid=7", "docs.google.com/spreadsheets/d/x?gid=3", "%zz#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := gsheet.ParseLink(s)
		if err != nil {
			return
		}
		back, err := gsheet.ParseLink(l.URL())
		require.NoError(t, err)
		require.Equal(t, l.ID, back.ID)
		require.Equal(t, l.HasGID, back.HasGID)
		require.Equal(t, l.GID, back.GID)
	})
}
