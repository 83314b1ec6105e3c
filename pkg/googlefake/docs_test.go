package googlefake_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

// run is a text run; ins/del mark it as a suggested insertion or deletion.
type run struct {
	text     string
	ins, del string
}

// body builds a body of paragraphs (each a list of runs) with the indexes
// the API would give: a section break at 0–1, then the text.
func body(paras ...[]run) *docs.Body {
	b := &docs.Body{Content: []*docs.StructuralElement{{EndIndex: 1, SectionBreak: &docs.SectionBreak{}}}}
	at := int64(1)
	for _, p := range paras {
		se := &docs.StructuralElement{StartIndex: at, Paragraph: &docs.Paragraph{}}
		for _, r := range p {
			n := int64(len([]rune(r.text)))
			tr := &docs.TextRun{Content: r.text}
			if r.ins != "" {
				tr.SuggestedInsertionIds = []string{r.ins}
			}
			if r.del != "" {
				tr.SuggestedDeletionIds = []string{r.del}
			}
			se.Paragraph.Elements = append(se.Paragraph.Elements, &docs.ParagraphElement{StartIndex: at, EndIndex: at + n, TextRun: tr})
			at += n
		}
		se.EndIndex = at
		b.Content = append(b.Content, se)
	}
	return b
}

func text(b *docs.Body) string {
	var sb strings.Builder
	for _, se := range b.Content {
		if se.Paragraph == nil {
			continue
		}
		for _, e := range se.Paragraph.Elements {
			if e.TextRun != nil {
				sb.WriteString(e.TextRun.Content)
			}
		}
	}
	return sb.String()
}

func tabbedDoc() *docs.Document {
	return &docs.Document{
		Title: "Отчёты Иванова",
		Tabs: []*docs.Tab{
			{
				TabProperties: &docs.TabProperties{TabId: "t.main", Title: "Ноябрь"},
				DocumentTab: &docs.DocumentTab{Body: body(
					[]run{{text: "26.11.2026\n"}},
					[]run{{text: "Звонки: "}, {text: "4", del: "s1"}, {text: "40", ins: "s1"}, {text: "\n"}},
					[]run{{text: "Встречи: 3\n", ins: "s2"}},
					[]run{{text: "Продажи: 1\n"}},
				)},
			},
			{
				TabProperties: &docs.TabProperties{TabId: "t.dec", Title: "Декабрь"},
				DocumentTab:   &docs.DocumentTab{Body: body([]run{{text: "01.12.2026\n"}})},
				ChildTabs: []*docs.Tab{{
					TabProperties: &docs.TabProperties{TabId: "t.dec.1", Title: "Неделя 1"},
					DocumentTab:   &docs.DocumentTab{Body: body([]run{{text: "Звонки: 7\n"}})},
				}},
			},
		},
	}
}

func TestDocsGetTabs(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("doc1", tabbedDoc())
	svc := docsClient(t, s)
	ctx := context.Background()

	d, err := svc.Documents.Get("doc1").IncludeTabsContent(true).Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, "doc1", d.DocumentId)
	require.Equal(t, "Отчёты Иванова", d.Title)
	require.Nil(t, d.Body, "with tabs, the top-level body stays empty")
	require.Len(t, d.Tabs, 2)
	require.Equal(t, "Ноябрь", d.Tabs[0].TabProperties.Title)
	require.Equal(t, int64(1), d.Tabs[1].TabProperties.Index)
	require.Len(t, d.Tabs[1].ChildTabs, 1)
	child := d.Tabs[1].ChildTabs[0]
	require.Equal(t, "t.dec", child.TabProperties.ParentTabId)
	require.Equal(t, int64(1), child.TabProperties.NestingLevel)
	require.Equal(t, "Звонки: 7\n", text(child.DocumentTab.Body))
	require.Equal(t, "SUGGESTIONS_INLINE", d.SuggestionsViewMode)

	// Without includeTabsContent: the first tab's content at the top, no tabs.
	d, err = svc.Documents.Get("doc1").Context(ctx).Do()
	require.NoError(t, err)
	require.Empty(t, d.Tabs)
	require.NotNil(t, d.Body)
	require.Contains(t, text(d.Body), "26.11.2026")

	// A legacy single-body fixture becomes one tab.
	s.PutDoc("legacy", &docs.Document{Title: "old", Body: body([]run{{text: "Report for 2026-11-26\n"}})})
	d, err = svc.Documents.Get("legacy").IncludeTabsContent(true).Context(ctx).Do()
	require.NoError(t, err)
	require.Len(t, d.Tabs, 1)
	require.Equal(t, "t.0", d.Tabs[0].TabProperties.TabId)
	require.Equal(t, "Report for 2026-11-26\n", text(d.Tabs[0].DocumentTab.Body))
}

func TestDocsSuggestionsViewMode(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("doc1", tabbedDoc())
	svc := docsClient(t, s)
	ctx := context.Background()

	get := func(mode string) *docs.Body {
		d, err := svc.Documents.Get("doc1").IncludeTabsContent(true).SuggestionsViewMode(mode).Context(ctx).Do()
		require.NoError(t, err)
		require.Equal(t, mode, d.SuggestionsViewMode)
		return d.Tabs[0].DocumentTab.Body
	}

	inline := get("SUGGESTIONS_INLINE")
	require.Equal(t, "26.11.2026\nЗвонки: 440\nВстречи: 3\nПродажи: 1\n", text(inline))

	without := get("PREVIEW_WITHOUT_SUGGESTIONS")
	require.Equal(t, "26.11.2026\nЗвонки: 4\nПродажи: 1\n", text(without))
	last := without.Content[len(without.Content)-1]
	require.Equal(t, int64(len([]rune("26.11.2026\nЗвонки: 4\n")))+1, last.StartIndex, "indexes shift over what was dropped")
	require.Equal(t, last.StartIndex+int64(len([]rune("Продажи: 1\n"))), last.EndIndex)
	for _, se := range without.Content {
		if se.Paragraph != nil {
			for _, e := range se.Paragraph.Elements {
				require.Empty(t, e.TextRun.SuggestedDeletionIds)
				require.Empty(t, e.TextRun.SuggestedInsertionIds)
			}
		}
	}

	accepted := get("PREVIEW_SUGGESTIONS_ACCEPTED")
	require.Equal(t, "26.11.2026\nЗвонки: 40\nВстречи: 3\nПродажи: 1\n", text(accepted))

	_, err := svc.Documents.Get("doc1").SuggestionsViewMode("NOPE").Context(ctx).Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code)
}

func TestDocsNotFound(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	_, err := docsClient(t, s).Documents.Get("missing").Context(context.Background()).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusNotFound, ge.Code)
	require.Equal(t, "Requested entity was not found.", ge.Message)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, googlefake.Request{
		API: "docs", Method: "GET", Path: "/v1/documents/missing", RawPath: "/v1/documents/missing",
		Query: reqs[0].Query, Status: http.StatusNotFound,
	}, reqs[0])
}

func TestDocsFieldsMask(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("doc1", tabbedDoc())
	d, err := docsClient(t, s).Documents.Get("doc1").IncludeTabsContent(true).
		Fields("title,tabs(tabProperties(title))").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Empty(t, d.DocumentId)
	require.Equal(t, "Отчёты Иванова", d.Title)
	require.Nil(t, d.Tabs[0].DocumentTab)
	require.Equal(t, "Ноябрь", d.Tabs[0].TabProperties.Title)
	require.Empty(t, d.Tabs[0].TabProperties.TabId)
}
