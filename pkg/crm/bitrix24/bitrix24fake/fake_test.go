package bitrix24fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// post calls method on the fake with a JSON body and returns the status and
// the raw answer.
func post(t *testing.T, f *Fake, method string, body any) (int, map[string]json.RawMessage) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	c := f.Client() // an InProcess fake's
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Post(f.WebhookURL()+method+".json", "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	return resp.StatusCode, out
}

// smartProcess creates a smart process with two user fields and returns its
// entityTypeId and id.
func smartProcess(t *testing.T, f *Fake) (entity, id int) {
	t.Helper()
	status, out := post(t, f, "crm.type.add", map[string]any{"fields": map[string]any{"title": "T", "isBeginCloseDatesEnabled": "Y"}})
	require.Equal(t, http.StatusOK, status)
	var res struct {
		Type struct {
			ID, EntityTypeID json.Number
		} `json:"type"`
	}
	require.NoError(t, json.Unmarshal(out["result"], &res))
	e, _ := res.Type.EntityTypeID.Int64()
	i, _ := res.Type.ID.Int64()
	for _, name := range []string{"NEW_CALLS", "NOTES"} {
		typ := "double"
		if name == "NOTES" {
			typ = "string"
		}
		status, _ := post(t, f, "userfieldconfig.add", map[string]any{"moduleId": "crm", "field": map[string]any{
			"entityId": fmt.Sprintf("CRM_%d", i), "fieldName": fmt.Sprintf("UF_CRM_%d_%s", i, name), "userTypeId": typ,
		}})
		require.Equal(t, http.StatusOK, status)
	}
	return int(e), int(i)
}

func TestCamel(t *testing.T) {
	t.Parallel()
	require.Equal(t, "ufCrm3NewCalls", camel("UF_CRM_3_NEW_CALLS"))
	require.Equal(t, "ufCrm10_5186744711", camel("UF_CRM_10_5186744711"))
	require.Equal(t, "ufCrm10Digit10", camel("UF_CRM_10_DIGIT10"))
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	p, err := parseQuery("entityTypeId=1036&fields[title]=a%26b+c&fields%5BUF_CRM_3_X%5D=1.5&filter[@xmlId][]=k1&filter[@xmlId][]=k2&select[0]=id")
	require.NoError(t, err)
	require.Equal(t, "1036", p["entityTypeId"])
	require.Equal(t, "a&b c", obj(p["fields"])["title"])
	require.Equal(t, "1.5", obj(p["fields"])["UF_CRM_3_X"])
	require.Equal(t, []any{"k1", "k2"}, list(obj(p["filter"])["@xmlId"]))
	require.Equal(t, []any{"id"}, list(p["select"]))
	_, err = parseQuery("fields[title=x")
	require.Error(t, err)
}

func TestWebhookCodeChecked(t *testing.T) {
	t.Parallel()
	f := New(t, Options{})
	resp, err := http.Post(strings.Replace(f.WebhookURL(), f.Code(), "wrong", 1)+"crm.item.list.json", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.JSONEq(t, `{"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"}`, string(body))
}

// TestLeakyBucket runs in a testing/synctest bubble with the fake
// in-process: no time passes between the requests, so the bucket is exactly
// full at the fourth (a busy machine once let it drain on a real clock).
func TestLeakyBucket(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := New(t, Options{Bucket: 3, InProcess: true})
		for i := range 3 {
			status, _ := post(t, f, "crm.item.list", map[string]any{"entityTypeId": 1})
			require.Equal(t, http.StatusBadRequest, status, "request %d is admitted (and fails: no such type)", i)
		}
		status, out := post(t, f, "crm.item.list", map[string]any{"entityTypeId": 1})
		require.Equal(t, http.StatusServiceUnavailable, status)
		require.JSONEq(t, `"QUERY_LIMIT_EXCEEDED"`, string(out["error"]))
		require.JSONEq(t, `"Too many requests"`, string(out["error_description"]))
		require.Equal(t, 1, f.Violations())
		require.InDelta(t, 3, f.Level(), 1e-9)

		// It drains at Rate: half a second later one request fits again.
		time.Sleep(time.Second / DefaultRate)
		require.InDelta(t, 2, f.Level(), 1e-9)
		status, _ = post(t, f, "crm.item.list", map[string]any{"entityTypeId": 1})
		require.Equal(t, http.StatusBadRequest, status, "admitted after the drain")
		require.Equal(t, 1, f.Violations())
	})
}

func TestItemsQuirks(t *testing.T) {
	t.Parallel()
	f := New(t, Options{})
	entity, id := smartProcess(t, f)
	uf := fmt.Sprintf("UF_CRM_%d_NEW_CALLS", id)

	// Without useOriginalUfNames the portal speaks camelCase: an UF_ name is
	// an unknown field and is ignored, as are fields that do not exist.
	status, out := post(t, f, "crm.item.add", map[string]any{"entityTypeId": entity, "fields": map[string]any{
		"xmlId": "k1", uf: 5, "noSuchField": "x",
	}})
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, string(out["result"]), uf)
	require.Contains(t, string(out["result"]), fmt.Sprintf(`"ufCrm%dNewCalls":null`, id))
	status, _ = post(t, f, "crm.item.add", map[string]any{"entityTypeId": entity, "useOriginalUfNames": "Y", "fields": map[string]any{"xmlId": "k2", uf: "7.5"}})
	require.Equal(t, http.StatusOK, status)

	// Answers alternate between numbers and strings for ids.
	var kinds []string
	for range 2 {
		_, out = post(t, f, "crm.item.list", map[string]any{"entityTypeId": entity, "useOriginalUfNames": "Y", "filter": map[string]any{"@xmlId": []string{"k1", "k2"}}})
		var res struct {
			Items []map[string]json.RawMessage `json:"items"`
		}
		require.NoError(t, json.Unmarshal(out["result"], &res))
		require.Len(t, res.Items, 2)
		kinds = append(kinds, string(res.Items[0]["id"][:1]))
	}
	require.ElementsMatch(t, []string{`"`, `1`}, kinds)

	// A bad filter field is refused.
	status, out = post(t, f, "crm.item.list", map[string]any{"entityTypeId": entity, "filter": map[string]any{"XML_ID": "k1"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.JSONEq(t, `"INVALID_ARG_VALUE"`, string(out["error"]))
}

func TestBatch(t *testing.T) {
	t.Parallel()
	f := New(t, Options{})
	entity, id := smartProcess(t, f)
	cmd := map[string]string{
		"a": fmt.Sprintf("crm.item.add?entityTypeId=%d&useOriginalUfNames=Y&fields[xmlId]=k1&fields[UF_CRM_%d_NEW_CALLS]=3", entity, id),
		"b": fmt.Sprintf("crm.item.update?entityTypeId=%d&id=999&fields[title]=x", entity),
		"c": "batch?cmd[x]=user.current",
	}
	status, out := post(t, f, "batch", map[string]any{"halt": 0, "cmd": cmd})
	require.Equal(t, http.StatusOK, status)
	var br struct {
		Result      map[string]json.RawMessage `json:"result"`
		ResultError map[string]struct {
			Error string `json:"error"`
		} `json:"result_error"`
		ResultTotal json.RawMessage `json:"result_total"`
	}
	require.NoError(t, json.Unmarshal(out["result"], &br))
	require.Contains(t, br.Result, "a")
	require.Equal(t, "NOT_FOUND", br.ResultError["b"].Error)
	require.Equal(t, "ERROR_BATCH_METHOD_NOT_ALLOWED", br.ResultError["c"].Error)
	require.JSONEq(t, `[]`, string(br.ResultTotal), "an empty object is PHP's []")
	objs := f.Objects(t)
	require.Len(t, objs, 1)

	status, out = post(t, f, "batch", map[string]any{"halt": 0, "cmd": map[string]string{"a": fmt.Sprintf("crm.item.list?entityTypeId=%d", entity)}})
	require.Equal(t, http.StatusOK, status)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out["result"], &raw))
	require.JSONEq(t, `[]`, string(raw["result_error"]), "no errors: result_error is []")

	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprint("c", i)] = "crm.item.list?entityTypeId=1"
	}
	status, out = post(t, f, "batch", map[string]any{"cmd": many})
	require.Equal(t, http.StatusBadRequest, status)
	require.JSONEq(t, `"ERROR_BATCH_LENGTH_EXCEEDED"`, string(out["error"]))

	reqs := f.Requests()
	require.Equal(t, "batch", reqs[len(reqs)-3].Method)
	require.Len(t, reqs[len(reqs)-3].Commands, 3)
}

func TestPaging(t *testing.T) {
	t.Parallel()
	f := New(t, Options{Bucket: 1000})
	entity, _ := smartProcess(t, f)
	for i := range 120 {
		status, _ := post(t, f, "crm.item.add", map[string]any{"entityTypeId": entity, "fields": map[string]any{"xmlId": fmt.Sprint("k", i)}})
		require.Equal(t, http.StatusOK, status)
	}
	_, out := post(t, f, "crm.item.list", map[string]any{"entityTypeId": entity, "start": 100})
	var total, next json.Number
	require.NoError(t, json.Unmarshal(bytes.Trim(out["total"], `"`), &total))
	require.Equal(t, "120", total.String())
	require.Nil(t, out["next"], "the last page has no next")
	_, out = post(t, f, "crm.item.list", map[string]any{"entityTypeId": entity})
	require.NoError(t, json.Unmarshal(bytes.Trim(out["next"], `"`), &next))
	require.Equal(t, "50", next.String())
}

func TestAmbiguousCreate(t *testing.T) {
	t.Parallel()
	f := New(t, Options{})
	entity, _ := smartProcess(t, f)
	f.Inject(crmtest.AmbiguousCreate, 1)
	// A list is not a create: it passes.
	status, _ := post(t, f, "crm.item.list", map[string]any{"entityTypeId": entity})
	require.Equal(t, http.StatusOK, status)
	resp, err := http.Post(f.WebhookURL()+"crm.item.add.json", "application/json",
		strings.NewReader(fmt.Sprintf(`{"entityTypeId":%d,"fields":{"xmlId":"k"}}`, entity)))
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusBadGateway, resp.StatusCode)
	require.Len(t, f.Objects(t), 1, "the item was stored although the answer was lost")
}
