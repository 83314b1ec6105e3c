package googlefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/api/docs/v1"
)

// MIME types Drive reports for Google files.
const (
	MIMEDocument    = "application/vnd.google-apps.document"
	MIMESpreadsheet = "application/vnd.google-apps.spreadsheet"
	MIMEFolder      = "application/vnd.google-apps.folder"
)

// Suggestion view modes of documents.get.
const (
	SuggestionsDefault         = "DEFAULT_FOR_CURRENT_ACCESS"
	SuggestionsInline          = "SUGGESTIONS_INLINE"
	SuggestionsPreviewAccepted = "PREVIEW_SUGGESTIONS_ACCEPTED"
	SuggestionsPreviewWithout  = "PREVIEW_WITHOUT_SUGGESTIONS"
)

// contentKeys are the fields a Document shares with a DocumentTab: without
// includeTabsContent the API fills them from the first tab; with it, they
// stay empty and only tabs are sent.
var contentKeys = []string{
	"body", "documentStyle", "footers", "footnotes", "headers", "inlineObjects", "lists",
	"namedRanges", "namedStyles", "positionedObjects", "suggestedDocumentStyleChanges",
	"suggestedNamedStylesChanges",
}

// PutDoc stores a document under id, replacing any earlier one, and updates
// its Drive metadata (name = title, new modifiedTime, version+1, by as
// the lastModifyingUser: at most one, none for an anonymous edit).
//
// d is copied. It may be given in the legacy form (body etc. at the top, no
// tabs: it becomes a single tab "t.0" titled "Tab 1") or with Tabs (any
// top-level content is then ignored, as the API derives it from the first
// tab). Suggestions are stored as given: text runs and other paragraph
// elements, tables and table rows carrying suggestedInsertionIds or
// suggestedDeletionIds, exactly as SUGGESTIONS_INLINE returns them; the
// preview modes of documents.get resolve them.
func (s *Server) PutDoc(id string, d *docs.Document, by ...User) {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("googlefake: PutDoc %s: %v", id, err))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("googlefake: PutDoc %s: %v", id, err))
	}
	m["documentId"] = id
	title, _ := m["title"].(string)
	if title == "" {
		title = "Untitled document"
		m["title"] = title
	}
	if _, ok := m["revisionId"]; !ok {
		m["revisionId"] = "rev-" + id
	}
	tabs, _ := m["tabs"].([]any)
	if len(tabs) == 0 {
		dt := map[string]any{}
		for _, k := range contentKeys {
			if v, ok := m[k]; ok {
				dt[k] = v
			}
		}
		if _, ok := dt["body"]; !ok {
			dt["body"] = map[string]any{"content": []any{}}
		}
		tabs = []any{map[string]any{
			"tabProperties": map[string]any{"tabId": "t.0", "title": "Tab 1"},
			"documentTab":   dt,
		}}
		m["tabs"] = tabs
	}
	for _, k := range contentKeys {
		delete(m, k)
	}
	n := 0
	numberTabs(tabs, "", 0, &n)
	out, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("googlefake: PutDoc %s: %v", id, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[id] = out
	s.touchLocked(id, title, MIMEDocument, modifierOf(by))
}

// numberTabs fills the tab properties the API always sends: tabId, index,
// parentTabId and nestingLevel.
func numberTabs(tabs []any, parent string, level int, n *int) {
	for i, t := range tabs {
		tm, ok := t.(map[string]any)
		if !ok {
			continue
		}
		props, _ := tm["tabProperties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			tm["tabProperties"] = props
		}
		if id, _ := props["tabId"].(string); id == "" {
			props["tabId"] = "t." + strconv.Itoa(*n)
		}
		*n++
		setIndex(props, "index", float64(i))
		setIndex(props, "nestingLevel", float64(level))
		if parent != "" {
			props["parentTabId"] = parent
		}
		if child, _ := tm["childTabs"].([]any); len(child) > 0 {
			numberTabs(child, props["tabId"].(string), level+1, n)
		}
	}
}

func (s *Server) serveDocs(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) != 3 || r.Method != http.MethodGet || strings.Contains(segs[2], ":") {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "googlefake: only documents.get is served")
		return
	}
	q := r.URL.Query()
	mode := q.Get("suggestionsViewMode")
	switch mode {
	case "", SuggestionsDefault:
		mode = SuggestionsInline // what an editor (the service account) sees
	case SuggestionsInline, SuggestionsPreviewAccepted, SuggestionsPreviewWithout:
	default:
		badRequest(w, "Invalid value at 'suggestions_view_mode' (type.googleapis.com/google.apps.docs.v1.SuggestionsViewMode), %q", mode)
		return
	}
	withTabs, err := parseBoolParam(q.Get("includeTabsContent"))
	if err != nil {
		badRequest(w, "Invalid value at 'include_tabs_content' (TYPE_BOOL), %q", q.Get("includeTabsContent"))
		return
	}
	s.mu.Lock()
	raw, ok := s.docs[segs[2]]
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
		return
	}
	tabs, _ := m["tabs"].([]any)
	resolveTabs(tabs, mode)
	if !withTabs {
		delete(m, "tabs")
		if len(tabs) > 0 {
			if dt, _ := tabs[0].(map[string]any)["documentTab"].(map[string]any); dt != nil {
				for _, k := range contentKeys {
					if v, ok := dt[k]; ok {
						m[k] = v
					}
				}
			}
		}
	}
	m["suggestionsViewMode"] = mode
	if mode != SuggestionsInline {
		stripSuggestions(m)
	}
	out, err := masked(m, q.Get("fields"))
	if err != nil {
		badRequest(w, "Invalid field selection %s", q.Get("fields"))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func parseBoolParam(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	return strconv.ParseBool(v)
}

// resolveTabs applies the suggestion mode to every tab and child tab.
func resolveTabs(tabs []any, mode string) {
	for _, t := range tabs {
		tm, _ := t.(map[string]any)
		if tm == nil {
			continue
		}
		if dt, _ := tm["documentTab"].(map[string]any); dt != nil && mode != SuggestionsInline {
			resolveSuggestions(dt, mode)
		}
		if child, _ := tm["childTabs"].([]any); len(child) > 0 {
			resolveTabs(child, mode)
		}
	}
}

// resolveSuggestions previews a tab with every suggestion rejected
// (PREVIEW_WITHOUT_SUGGESTIONS: suggested insertions disappear, suggested
// deletions stay as plain content) or accepted (PREVIEW_SUGGESTIONS_ACCEPTED:
// the other way round), then shifts the indexes of each segment (body,
// headers, footers, footnotes) over what was removed, as the API reports a
// preview as if it were the document.
func resolveSuggestions(dt map[string]any, mode string) {
	drop := "suggestedInsertionIds"
	if mode == SuggestionsPreviewAccepted {
		drop = "suggestedDeletionIds"
	}
	segment := func(seg map[string]any) {
		content, _ := seg["content"].([]any)
		var removed []span
		seg["content"] = filterContent(content, drop, &removed)
		if len(removed) > 0 {
			shiftIndexes(seg, removed)
		}
	}
	if body, _ := dt["body"].(map[string]any); body != nil {
		segment(body)
	}
	for _, k := range []string{"headers", "footers", "footnotes"} {
		if segs, _ := dt[k].(map[string]any); segs != nil {
			for _, v := range segs {
				if seg, _ := v.(map[string]any); seg != nil {
					segment(seg)
				}
			}
		}
	}
}

// span is a removed [start, end) index range.
type span struct{ start, end float64 }

func num(m map[string]any, k string) float64 {
	f, _ := m[k].(float64)
	return f
}

func setIndex(m map[string]any, k string, v float64) {
	if v == 0 {
		delete(m, k) // proto3: zero is not sent
		return
	}
	m[k] = v
}

// suggested reports whether an element carries the given suggestion ids.
func suggested(m map[string]any, key string) bool {
	ids, _ := m[key].([]any)
	return len(ids) > 0
}

// filterContent drops the structural elements, paragraph elements, tables and
// table rows marked with drop, recording their index ranges.
func filterContent(content []any, drop string, removed *[]span) []any {
	out := make([]any, 0, len(content))
	for _, e := range content {
		se, _ := e.(map[string]any)
		if se == nil {
			out = append(out, e)
			continue
		}
		if p, _ := se["paragraph"].(map[string]any); p != nil {
			elems, _ := p["elements"].([]any)
			kept := make([]any, 0, len(elems))
			for _, pe := range elems {
				pm, _ := pe.(map[string]any)
				if pm != nil && elementSuggested(pm, drop) {
					*removed = append(*removed, span{num(pm, "startIndex"), num(pm, "endIndex")})
					continue
				}
				kept = append(kept, pe)
			}
			if len(kept) == 0 && len(elems) > 0 {
				continue // the whole paragraph, newline included, was suggested
			}
			p["elements"] = kept
		}
		if t, _ := se["table"].(map[string]any); t != nil {
			if suggested(t, drop) {
				*removed = append(*removed, span{num(se, "startIndex"), num(se, "endIndex")})
				continue
			}
			rows, _ := t["tableRows"].([]any)
			keptRows := make([]any, 0, len(rows))
			for _, row := range rows {
				rm, _ := row.(map[string]any)
				if rm == nil {
					continue
				}
				if suggested(rm, drop) {
					*removed = append(*removed, span{num(rm, "startIndex"), num(rm, "endIndex")})
					continue
				}
				cells, _ := rm["tableCells"].([]any)
				for _, c := range cells {
					if cm, _ := c.(map[string]any); cm != nil {
						cc, _ := cm["content"].([]any)
						cm["content"] = filterContent(cc, drop, removed)
					}
				}
				keptRows = append(keptRows, row)
			}
			t["tableRows"] = keptRows
			setIndex(t, "rows", float64(len(keptRows)))
		}
		if toc, _ := se["tableOfContents"].(map[string]any); toc != nil {
			cc, _ := toc["content"].([]any)
			toc["content"] = filterContent(cc, drop, removed)
		}
		out = append(out, se)
	}
	return out
}

// elementSuggested reports whether a paragraph element's content (textRun,
// person, dateElement …) carries the suggestion ids.
func elementSuggested(pe map[string]any, key string) bool {
	for k, v := range pe {
		if k == "startIndex" || k == "endIndex" {
			continue
		}
		if inner, _ := v.(map[string]any); inner != nil && suggested(inner, key) {
			return true
		}
	}
	return false
}

// shiftIndexes moves every startIndex/endIndex in the tree left by the
// removed ranges before it.
func shiftIndexes(v any, removed []span) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range []string{"startIndex", "endIndex"} {
			if i := num(t, k); i > 0 {
				setIndex(t, k, shiftIndex(i, removed))
			}
		}
		for k, sub := range t {
			if k != "startIndex" && k != "endIndex" {
				shiftIndexes(sub, removed)
			}
		}
	case []any:
		for _, e := range t {
			shiftIndexes(e, removed)
		}
	}
}

func shiftIndex(i float64, removed []span) float64 {
	out := i
	for _, s := range removed {
		if s.end <= s.start {
			continue
		}
		out -= max(0, min(i, s.end)-s.start)
	}
	return out
}

// stripSuggestions removes the suggestion bookkeeping a preview mode does not
// send: every suggested* field.
func stripSuggestions(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			if strings.HasPrefix(k, "suggested") {
				delete(t, k)
				continue
			}
			stripSuggestions(sub)
		}
	case []any:
		for _, e := range t {
			stripSuggestions(e)
		}
	}
}
