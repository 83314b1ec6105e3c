package amocrm

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
)

func testAdapter(t *testing.T) *Adapter {
	t.Helper()
	a, err := New(config.AmoCRM{
		BaseURL: "https://acme.amocrm.ru", Token: "tok-123456", CatalogID: 1,
		Fields: map[string]int{"new_calls": 1, "payments": 2, FieldStatus: 3, FieldNotes: 4},
	}, Options{})
	require.NoError(t, err)
	return a
}

func found(t *testing.T, doc string) elementOut {
	t.Helper()
	var el elementOut
	require.NoError(t, json.Unmarshal([]byte(doc), &el))
	return el
}

func TestHolds(t *testing.T) {
	t.Parallel()
	a := testAdapter(t)
	c, err := a.encode(crm.Record{Key: "k", Status: "late", Metrics: map[string]float64{"new_calls": 20, "payments": 0.5}})
	require.NoError(t, err)
	for _, tc := range []struct {
		doc  string
		same bool
	}{
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":20}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]}]}`, true},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":"1","values":[{"value":"20"}]},{"field_id":2,"values":[{"value":"0.50"}]},{"field_id":3,"values":[{"value":"late"}]}]}`, true},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":20}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]},{"field_id":99,"values":[{"value":"not ours"}]}]}`, true},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":20}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]},{"field_id":4,"values":[{"value":""}]}]}`, true},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":21}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]}]}`, false},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":20}]},{"field_id":3,"values":[{"value":"late"}]}]}`, false},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":20}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]},{"field_id":4,"values":[{"value":"stale notes"}]}]}`, false},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":20},{"value":20}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]}]}`, false},
		{`{"id":1,"name":"k","custom_fields_values":[{"field_id":1,"values":[{"value":"twenty"}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]}]}`, false},
		{`{"id":1,"name":"K","custom_fields_values":[{"field_id":1,"values":[{"value":20}]},{"field_id":2,"values":[{"value":0.5}]},{"field_id":3,"values":[{"value":"late"}]}]}`, false},
		{`{"id":1,"name":"k","custom_fields_values":null}`, false},
	} {
		require.Equal(t, tc.same, a.holds(found(t, tc.doc), c), tc.doc)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	h := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	require.Zero(t, retryAfter(http.Header{}))
	require.Zero(t, retryAfter(h("soon")))
	require.Zero(t, retryAfter(h("-5")))
	require.Equal(t, 7*time.Second, retryAfter(h("7")))
	require.Equal(t, maxRetryAfter, retryAfter(h("86400")), "capped")
}
