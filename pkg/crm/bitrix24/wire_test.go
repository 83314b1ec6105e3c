package bitrix24

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

func TestFlexNumbers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		`17`: 17, `"17"`: 17, `" 17 "`: 17, `17.0`: 17, `"17.0"`: 17, `1e3`: 1000,
		`null`: 0, `""`: 0, `[]`: 0, `{}`: 0, `false`: 0, `-4`: -4,
	} {
		var n flexInt
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		require.Equal(t, want, int64(n), in)
	}
	for _, in := range []string{`"abc"`, `17.5`, `"17.5"`, `[1]`, `{"a":1}`, `true`} {
		var n flexInt
		require.Error(t, json.Unmarshal([]byte(in), &n), in)
	}
	for in, want := range map[string]float64{`2.5`: 2.5, `"2.5"`: 2.5, `"1712132793.53"`: 1712132793.53, `null`: 0, `[]`: 0} {
		var x flexFloat
		require.NoError(t, json.Unmarshal([]byte(in), &x), in)
		require.InDelta(t, want, float64(x), 1e-9, in)
	}
	for in, want := range map[string]string{`"NOT_FOUND"`: "NOT_FOUND", `0`: "0", `""`: "", `null`: "", `[]`: ""} {
		var s flexString
		require.NoError(t, json.Unmarshal([]byte(in), &s), in)
		require.Equal(t, want, string(s), in)
	}
}

func TestObjectMapAcceptsPHPArrays(t *testing.T) {
	t.Parallel()
	var br batchResult
	require.NoError(t, json.Unmarshal([]byte(`{"result":[],"result_error":{"p1":{"error":"NOT_FOUND","error_description":"Element not found"}},"result_total":[],"result_next":null}`), &br))
	require.Empty(t, br.Result)
	require.Equal(t, []string{"p1"}, br.ResultError.keys())
	var we wireError
	require.NoError(t, json.Unmarshal(br.ResultError["p1"], &we))
	require.Equal(t, "NOT_FOUND", string(we.Error))

	require.NoError(t, json.Unmarshal([]byte(`{"result":[{"item":{"id":"5"}},{"item":{"id":6}}],"result_error":[]}`), &br))
	require.Equal(t, []string{"0", "1"}, br.Result.keys(), "a PHP list is keyed by position")
	var ir itemResult
	require.NoError(t, json.Unmarshal(br.Result["0"], &ir))
	require.Equal(t, int64(5), int64(ir.Item.V.ID))

	var list itemList
	require.NoError(t, json.Unmarshal([]byte(`{"items":[{"id":"17","xmlId":"k"},[],{"id":18,"xmlId":null}]}`), &list))
	require.Len(t, list.Items, 3)
	require.Equal(t, int64(17), int64(list.Items[0].V.ID))
	require.Zero(t, list.Items[1].V.ID, "an empty item decodes as nothing")

	var env envelope
	require.NoError(t, json.Unmarshal([]byte(`{"result":[],"total":"0","time":[]}`), &env))
	require.False(t, env.failed())
	require.NoError(t, json.Unmarshal([]byte(`{"error":"OPERATION_TIME_LIMIT","error_description":"x","time":{"operating_reset_at":"1705765533"}}`), &env))
	require.True(t, env.failed())
	require.InDelta(t, 1705765533.0, env.resetAt(), 0)
	env = envelope{}
	require.NoError(t, json.Unmarshal([]byte(`{"error":"","error_description":"Field UF_CRM_3_X already exists"}`), &env))
	require.True(t, env.failed(), "an empty error code with a description is an error")

	var tr typeResult
	require.NoError(t, json.Unmarshal([]byte(`{"type":{"id":"3","entityTypeId":"1036","title":"T"}}`), &tr))
	require.Equal(t, int64(1036), int64(tr.Type.V.EntityTypeID))
	require.Equal(t, int64(3), int64(tr.Type.V.ID))
}

func TestOrderedCommands(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(orderedCommands{{"p10", "a?x=1"}, {"p2", "b"}, {"p1", `c?q="&"`}})
	require.NoError(t, err)
	require.JSONEq(t, `{"p10":"a?x=1","p2":"b","p1":"c?q=\"&\""}`, string(b))
	require.Less(t, strings.Index(string(b), "p10"), strings.Index(string(b), `"p2"`), "order kept: %s", b)
}

func TestCommandLineEncoding(t *testing.T) {
	t.Parallel()
	s := newSchema(1036, 3, map[string]string{"new_calls": "UF_CRM_3_CALLS", "payments": "UF_CRM_3_PAYMENTS"})
	r := crm.Record{
		Key: "dayreport:ivanov:2026-11-26", Employee: "ivanov", CRMUserID: " 17 ",
		Date: day.New(2026, time.November, 26), Status: report.Submitted,
		Metrics: map[string]float64{"new_calls": 20, "extra_metric": 1.5},
		Notes:   "a&b=c?d[e]%f + ё\nnext",
	}
	line := commandLine("crm.item.update", []param{{"entityTypeId", "1036"}, {"id", "5"}, {"useOriginalUfNames", "Y"}}, s.fields(r))
	method, query, ok := strings.Cut(line, "?")
	require.True(t, ok)
	require.Equal(t, "crm.item.update", method)
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	require.Equal(t, "5", q.Get("id"))
	require.Equal(t, "Y", q.Get("useOriginalUfNames"))
	require.Equal(t, r.Key, q.Get("fields[xmlId]"))
	require.Equal(t, "ivanov — 2026-11-26", q.Get("fields[title]"))
	require.Equal(t, "17", q.Get("fields[assignedById]"))
	require.Equal(t, "2026-11-26", q.Get("fields[begindate]"))
	require.Equal(t, r.Notes, q.Get("fields[UF_CRM_3_NOTES]"), "values survive URL-encoding")
	require.Equal(t, "submitted", q.Get("fields[UF_CRM_3_STATUS]"))
	require.Equal(t, "20", q.Get("fields[UF_CRM_3_CALLS]"), "configured name")
	require.Equal(t, "1.5", q.Get("fields[UF_CRM_3_EXTRA_METRIC]"), "default name")
	require.True(t, q.Has("fields[UF_CRM_3_PAYMENTS]"), "a configured metric the record lacks is cleared")
	require.Empty(t, q.Get("fields[UF_CRM_3_PAYMENTS]"))

	r.CRMUserID = "ivanov@example.com"
	q, err = url.ParseQuery(strings.SplitN(commandLine("crm.item.add", nil, s.fields(r)), "?", 2)[1])
	require.NoError(t, err)
	require.False(t, q.Has("fields[assignedById]"), "a non-numeric CRM user id is not sent")
}

func TestDefaultFieldName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "UF_CRM_3_NEW_CALLS", DefaultFieldName(3, "new_calls"))
	require.Equal(t, "UF_CRM_12_A_B_C", DefaultFieldName(12, "a-b.c"))
	require.Equal(t, "dayreport.metric.new_calls", FieldXMLID("new_calls"))
	require.Equal(t, "dayreport.notes", FieldXMLID("notes"))
}

func TestWebhookRedaction(t *testing.T) {
	t.Parallel()
	const code = "k9x2abcd7q"
	w, err := parseWebhook("https://portal.example/sub/rest/12/" + code + "/crm.item.list.json")
	require.NoError(t, err)
	require.Equal(t, "https://portal.example/sub/rest/12/"+code+"/", w.base)
	for _, in := range []string{
		`Post "https://portal.example/sub/rest/12/` + code + `/batch.json": EOF`,
		"code " + code + " alone",
		"escaped " + url.PathEscape(code),
		"path /rest/12/" + code,
	} {
		out := w.redact(in)
		require.NotContains(t, out, code, in)
	}
	require.Equal(t, `Post "https://portal.example/sub/rest/…/batch.json": EOF`,
		w.redact(`Post "https://portal.example/sub/rest/12/`+code+`/batch.json": EOF`))
}

func TestDrainEmptiesTheClientBucket(t *testing.T) {
	t.Parallel()
	c, err := newClient("https://portal.example/rest/1/abcdefgh/", 2, Options{})
	require.NoError(t, err)
	require.InDelta(t, float64(DefaultBurst), c.limiter.Tokens(), 0.01)
	c.drain()
	require.Less(t, c.limiter.Tokens(), 0.1)
}
