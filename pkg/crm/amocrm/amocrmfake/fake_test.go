package amocrmfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

const token = "fake-t0ken-0001"

var fields = map[string]int{"new_calls": 501, amocrm.FieldStatus: 601, amocrm.FieldNotes: 602}

func newFake(t *testing.T, mod func(*amocrmfake.Options)) *amocrmfake.Server {
	t.Helper()
	o := amocrmfake.Options{Token: token, Fields: fields, Per: 50 * time.Millisecond, Limit: 1000}
	if mod != nil {
		mod(&o)
	}
	return amocrmfake.New(t, o)
}

// call sends one request and returns the status and body.
func call(t *testing.T, s *amocrmfake.Server, method, path, tok, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, rd)
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

const elements = "/api/v4/catalogs/5001/elements"

func TestFakeSpeaksTheWireFormat(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)

	status, _, body := call(t, s, http.MethodGet, elements+"?query=x", "", "")
	require.Equal(t, http.StatusUnauthorized, status)
	require.JSONEq(t, `{"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Invalid user name or password"}`, body)

	status, _, body = call(t, s, http.MethodGet, elements+"?query=dayreport", token, "")
	require.Equal(t, http.StatusNoContent, status, "an empty search")
	require.Empty(t, body)

	status, h, body := call(t, s, http.MethodPost, elements, token,
		`[{"name":"dayreport:a:2026-11-26","request_id":"r1","custom_fields_values":[{"field_id":501,"values":[{"value":3}]},{"field_id":601,"values":[{"value":"late"}]}]},
		  {"name":"dayreport:b:2026-11-26"}]`)
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "application/hal+json", h.Get("Content-Type"))
	var created struct {
		Embedded struct {
			Elements []struct {
				ID        int64  `json:"id"`
				RequestID string `json:"request_id"`
				CatalogID int    `json:"catalog_id"`
			} `json:"elements"`
		} `json:"_embedded"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	require.Len(t, created.Embedded.Elements, 2)
	require.Equal(t, "r1", created.Embedded.Elements[0].RequestID)
	require.Equal(t, "1", created.Embedded.Elements[1].RequestID, "the index when none was sent")
	require.Equal(t, 5001, created.Embedded.Elements[0].CatalogID)
	id := created.Embedded.Elements[0].ID

	status, _, body = call(t, s, http.MethodGet, elements+"?query=DAYREPORT:A&limit=250&page=1", token, "")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{
		"_page": 1,
		"_links": {"self": {"href": "`+s.URL+elements+`?limit=250&page=1&query=DAYREPORT%3AA"}},
		"_embedded": {"elements": [{
			"id": `+jsonInt(id)+`, "name": "dayreport:a:2026-11-26", "catalog_id": 5001, "is_deleted": false,
			"created_by": 0, "updated_by": 0, "created_at": 0, "updated_at": 0, "account_id": 1,
			"custom_fields_values": [
				{"field_id": 501, "field_name": "", "field_code": null, "field_type": "numeric", "values": [{"value": 3}]},
				{"field_id": 601, "field_name": "", "field_code": null, "field_type": "text", "values": [{"value": "late"}]}
			],
			"_links": {"self": {"href": "`+s.URL+elements+`/`+jsonInt(id)+`"}}
		}]}
	}`, zeroTimes(body))

	status, _, body = call(t, s, http.MethodPatch, elements, token,
		`[{"id":`+jsonInt(id)+`,"custom_fields_values":[{"field_id":501,"values":null},{"field_id":602,"values":[{"value":"n"}]}]}]`)
	require.Equal(t, http.StatusOK, status, body)
	objs := s.Objects()
	require.Len(t, objs, 2)
	require.Equal(t, crmtest.Object{ID: jsonInt(id), Key: "dayreport:a:2026-11-26", Status: "late", Notes: "n", Metrics: map[string]float64{}}, objs[0])

	status, _, body = call(t, s, http.MethodPatch, elements, token, `[{"id":1,"name":"x"},{"id":`+jsonInt(id)+`,"custom_fields_values":[{"field_id":999,"values":[{"value":1}]}]}]`)
	require.Equal(t, http.StatusBadRequest, status)
	require.JSONEq(t, `{"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed",
		"validation-errors":[
			{"request_id":"0","errors":[{"code":"NotFound","path":"id","detail":"Element not found."}]},
			{"request_id":"1","errors":[{"code":"NotSupportedChoice","path":"custom_fields_values.0.field_id","detail":"The value you selected is not a valid choice."}]}
		]}`, body)
	require.Equal(t, "late", s.Objects()[0].Status, "a refused request changes nothing")

	status, _, _ = call(t, s, http.MethodGet, elements+"?limit=251", token, "")
	require.Equal(t, http.StatusBadRequest, status)
	status, _, _ = call(t, s, http.MethodGet, "/api/v4/catalogs/9/elements", token, "")
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = call(t, s, http.MethodGet, elements+"/424242", token, "")
	require.Equal(t, http.StatusNoContent, status)
}

func TestFakePages(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	for range 3 {
		s.Put(amocrmfake.Element{Name: "k"})
	}
	status, _, body := call(t, s, http.MethodGet, elements+"?query=k&limit=2", token, "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"next"`)
	status, _, body = call(t, s, http.MethodGet, elements+"?query=k&limit=2&page=2", token, "")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `"next"`)
	status, _, _ = call(t, s, http.MethodGet, elements+"?query=k&limit=2&page=3", token, "")
	require.Equal(t, http.StatusNoContent, status)
}

func TestFakeRateLimitAndBlock(t *testing.T) {
	t.Parallel()
	s := newFake(t, func(o *amocrmfake.Options) { o.Limit = 2; o.Per = time.Second; o.BlockAfter = 3 })
	var statuses []int
	var retry string
	for range 6 {
		status, h, _ := call(t, s, http.MethodGet, elements, token, "")
		statuses = append(statuses, status)
		if status == http.StatusTooManyRequests {
			retry = h.Get("Retry-After")
		}
	}
	require.Equal(t, []int{204, 204, 429, 429, 403, 403}, statuses)
	require.Equal(t, "1", retry)
	require.Equal(t, 4, s.Violations(), "the blocked account's requests still count")
	require.True(t, s.Blocked())
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	s.Inject(crmtest.RateLimited, 1)
	s.Inject(crmtest.ServerError, 2)
	s.Inject(crmtest.BadRequest, 1)
	var statuses []int
	for range 5 {
		status, _, _ := call(t, s, http.MethodGet, elements, token, "")
		statuses = append(statuses, status)
	}
	require.Equal(t, []int{429, 500, 502, 400, 204}, statuses)
	require.Zero(t, s.Violations(), "injected 429s are not violations")

	s.Inject(crmtest.AmbiguousCreate, 1)
	status, _, _ := call(t, s, http.MethodPost, elements, token, `[{"name":"a"}]`)
	require.Equal(t, http.StatusGatewayTimeout, status)
	require.Len(t, s.Objects(), 1, "stored before the 504")

	s.Inject(crmtest.Unavailable, 1)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+elements, bytes.NewReader([]byte(`[{"name":"b"}]`)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err, "the connection is dropped")
	require.Len(t, s.Objects(), 1)

	s.Inject(crmtest.ServerError, 5)
	s.Reset()
	status, _, _ = call(t, s, http.MethodGet, elements, token, "")
	require.Equal(t, http.StatusOK, status)

	require.NoError(t, s.Delete(s.Objects()[0].ID))
	require.Error(t, s.Delete("1"))
	require.Eventually(t, func() bool {
		for _, r := range s.Requests() {
			if r.Method == http.MethodPost && r.Status == -1 {
				return true
			}
		}
		return false
	}, time.Second, time.Millisecond, "the dropped request is logged without an answer")
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// zeroTimes blanks the timestamps of a body.
func zeroTimes(body string) string {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return body
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, vv := range x {
				if k == "created_at" || k == "updated_at" {
					x[k] = 0
					continue
				}
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(v)
	b, _ := json.Marshal(v)
	return string(b)
}
