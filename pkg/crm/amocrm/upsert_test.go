package amocrm_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/report"
)

// full is a record touching every mapped field.
func full() crm.Record {
	r := rec("ivanov", map[string]float64{"new_calls": 20, "proposals": 3, "payments": 150000.5, "unmapped": 9})
	r.EmployeeName = "Иванов Иван"
	r.Notes = "Звонки по базе «Ромашки»;\n\"КП\" отправлено"
	r.SourceURL = "https://docs.example.com/d/1"
	reported, recorded := 20.0, 12.0
	r.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &reported, Recorded: &recorded, Message: "the CRM logged 12"}}
	return r
}

func TestCreateLooksUpThenPostsTheElement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := full()
	res := e.upsert(t, crm.Push{Record: r})
	require.NoError(t, res[0].Err)
	require.NotEmpty(t, res[0].ObjectID)
	require.Equal(t, []string{"GET 204", "POST 200"}, e.calls(), "an empty search answers 204, then one create")

	reqs := e.fake.Requests()
	get := reqs[0]
	require.Equal(t, "/api/v4/catalogs/5001/elements", get.Path)
	q, err := url.ParseQuery(get.Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{"query": {r.Key}, "limit": {"250"}, "page": {"1"}}, q)

	require.JSONEq(t, `[{
		"name": "dayreport:ivanov:2026-11-26",
		"request_id": "0",
		"custom_fields_values": [
			{"field_id": 501, "values": [{"value": 20}]},
			{"field_id": 503, "values": [{"value": 3}]},
			{"field_id": 506, "values": [{"value": 150000.5}]},
			{"field_id": 601, "values": [{"value": "submitted"}]},
			{"field_id": 602, "values": [{"value": "Звонки по базе «Ромашки»;\n\"КП\" отправлено"}]},
			{"field_id": 603, "values": [{"value": "https://docs.example.com/d/1"}]},
			{"field_id": 604, "values": [{"value": "Иванов Иван"}]},
			{"field_id": 605, "values": [{"value": "overstated new_calls: the CRM logged 12"}]}
		]
	}]`, string(reqs[1].Body), "a create carries only the fields with a value, sorted by id; unmapped metrics are left out")

	objs := e.fake.Objects()
	require.Len(t, objs, 1)
	require.Equal(t, res[0].ObjectID, objs[0].ID)
	require.Equal(t, map[string]float64{"new_calls": 20, "proposals": 3, "payments": 150000.5}, objs[0].Metrics)
}

func TestUpdateWithIDPatchesEveryFieldAndClearsEmptyOnes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.upsert(t, crm.Push{Record: full()})[0].ObjectID
	e.fake.ClearLog()

	absent := crmtest.Record("ivanov", date, report.Absent, nil)
	res := e.upsert(t, crm.Push{Record: absent, ObjectID: id})
	require.NoError(t, res[0].Err)
	require.Equal(t, id, res[0].ObjectID)
	require.Equal(t, []string{"PATCH 200"}, e.calls(), "a known id needs no lookup")
	require.JSONEq(t, `[{
		"id": `+id+`,
		"name": "dayreport:ivanov:2026-11-26",
		"request_id": "0",
		"custom_fields_values": [
			{"field_id": 501, "values": null},
			{"field_id": 502, "values": null},
			{"field_id": 503, "values": null},
			{"field_id": 504, "values": null},
			{"field_id": 505, "values": null},
			{"field_id": 506, "values": null},
			{"field_id": 601, "values": [{"value": "absent"}]},
			{"field_id": 602, "values": null},
			{"field_id": 603, "values": null},
			{"field_id": 604, "values": null},
			{"field_id": 605, "values": null},
			{"field_id": 606, "values": null},
			{"field_id": 607, "values": null}
		]
	}]`, string(e.fake.Requests()[0].Body), "an update names every mapped field, null clearing the empty ones")

	objs := e.fake.Objects()
	require.Len(t, objs, 1)
	require.Equal(t, crmtest.Object{ID: id, Key: absent.Key, Status: "absent", Metrics: map[string]float64{}}, objs[0])
}

func TestRepeatWithoutIDWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := full()
	id := e.upsert(t, crm.Push{Record: r})[0].ObjectID
	e.fake.ClearLog()
	res := e.upsert(t, crm.Push{Record: r})
	require.NoError(t, res[0].Err)
	require.Equal(t, id, res[0].ObjectID)
	require.Equal(t, []string{"GET 200"}, e.calls(), "the element found already holds the record: no write")

	r.Metrics["new_calls"]++
	res = e.upsert(t, crm.Push{Record: r})
	require.NoError(t, res[0].Err)
	require.Equal(t, id, res[0].ObjectID)
	require.Equal(t, []string{"GET 200", "GET 200", "PATCH 200"}, e.calls(), "a changed record is written to the element found")
}

func TestNumbersAnsweredAsStringsCompareEqual(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := rec("petrov", map[string]float64{"new_calls": 20, "payments": 0.5})
	id := e.fake.Put(amocrmfake.Element{Name: r.Key, Values: map[int]any{501: "20", 506: "0.50", 601: "submitted"}})
	res := e.upsert(t, crm.Push{Record: r})
	require.NoError(t, res[0].Err)
	require.Equal(t, strconv.FormatInt(id, 10), res[0].ObjectID)
	require.Equal(t, []string{"GET 200"}, e.calls())
}

func TestLookupMatchesTheExactNameOnAnyPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := rec("ivanov", map[string]float64{"new_calls": 1})
	// A deleted element with the exact name and the lowest id, then 300
	// elements the search also matches, then the one that counts.
	e.fake.Put(amocrmfake.Element{Name: r.Key, Deleted: true})
	for i := range 300 {
		e.fake.Put(amocrmfake.Element{Name: fmt.Sprintf("%s (copy %d)", r.Key, i)})
	}
	want := e.fake.Put(amocrmfake.Element{Name: r.Key})
	res := e.upsert(t, crm.Push{Record: r})
	require.NoError(t, res[0].Err)
	require.Equal(t, strconv.FormatInt(want, 10), res[0].ObjectID)
	require.Equal(t, []string{"GET 200", "GET 200", "PATCH 200"}, e.calls(), "two pages, then the update")
}

func TestAmbiguousCreateIsLookedUpBeforeCreatingAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := full()
	e.fake.Inject(crmtest.AmbiguousCreate, 1)
	first := e.upsert(t, crm.Push{Record: r})[0]
	require.Error(t, first.Err)
	require.True(t, crm.IsRetryable(first.Err), "a 504 after the create is retryable: %v", first.Err)
	require.Empty(t, first.ObjectID, "the id was lost with the answer")

	second := e.upsert(t, crm.Push{Record: r})[0]
	require.NoError(t, second.Err)
	require.Equal(t, []string{"GET 204", "POST 504", "GET 200"}, e.calls(),
		"the retry looks the key up, finds the element the lost answer created, and writes nothing")
	objs := e.fake.Objects()
	require.Len(t, objs, 1, "exactly one element")
	require.Equal(t, second.ObjectID, objs[0].ID)
}

// TestAmbiguousCreateThroughRetrier runs in a testing/synctest bubble, the
// fake in-process: under load, a real clock let the pacer's window and the
// fake's drift apart and a lookup met a 429 (one GET more).
func TestAmbiguousCreateThroughRetrier(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, inProcess)
		e.fake.Inject(crmtest.AmbiguousCreate, 1)
		var pushes []crm.Push
		for i := range 5 {
			pushes = append(pushes, crm.Push{Record: rec(fmt.Sprintf("emp%d", i), map[string]float64{"new_calls": float64(i)})})
		}
		res := e.retrier(3).Upsert(t.Context(), pushes)
		for i, r := range res {
			require.NoError(t, r.Err, "push %d", i)
		}
		require.Len(t, e.fake.Objects(), 5, "one element per key")
		calls := strings.Join(e.calls(), ",")
		require.Equal(t, 1, strings.Count(calls, "POST"), "the lost create is not repeated: %s", calls)
		require.Equal(t, 10, strings.Count(calls, "GET"), "each key looked up before the create and again after it: %s", calls)
	})
}

func TestValidationErrorsArePerElement(t *testing.T) {
	t.Parallel()
	// The config maps a metric to field 999, which the list does not have.
	e := newEnv(t, func(s setup) {
		s.cfg.Fields = map[string]int{"new_calls": 501, "bogus": 999, "_status": 601}
	})
	pushes := []crm.Push{
		{Record: rec("a", map[string]float64{"new_calls": 1})},
		{Record: rec("b", map[string]float64{"new_calls": 2, "bogus": 5})},
		{Record: rec("c", map[string]float64{"new_calls": 3})},
	}
	res := e.upsert(t, pushes...)
	require.Error(t, res[1].Err)
	require.False(t, crm.IsRetryable(res[1].Err), "the rejected element is permanent: %v", res[1].Err)
	require.Contains(t, res[1].Err.Error(), "dayreport:b:2026-11-26")
	require.Contains(t, res[1].Err.Error(), "NotSupportedChoice at custom_fields_values.2.field_id (field 999, metric bogus)")
	for _, i := range []int{0, 2} {
		require.Error(t, res[i].Err, "push %d was refused with the request", i)
		require.True(t, crm.IsRetryable(res[i].Err), "push %d is retryable: %v", i, res[i].Err)
		require.Contains(t, res[i].Err.Error(), "other elements")
	}
	require.Empty(t, e.fake.Objects(), "amoCRM stores nothing of a refused request")

	res = e.retrier(3).Upsert(t.Context(), pushes)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[2].Err)
	require.False(t, crm.IsRetryable(res[1].Err))
	require.Len(t, e.fake.Objects(), 2)
}

func TestDuplicateKeysInOneCallMakeOneElement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := rec("ivanov", map[string]float64{"new_calls": 1})
	last := rec("ivanov", map[string]float64{"new_calls": 2})
	res := e.upsert(t, crm.Push{Record: first}, crm.Push{Record: last})
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	require.Equal(t, res[0].ObjectID, res[1].ObjectID)
	objs := e.fake.Objects()
	require.Len(t, objs, 1)
	require.Equal(t, map[string]float64{"new_calls": 2}, objs[0].Metrics, "the last push wins")
	require.Equal(t, []string{"GET 204", "POST 200"}, e.calls())
}

// TestMoreThanMaxBatchIsSplit runs in a testing/synctest bubble, the fake
// in-process (a real clock under load made the fake count a violation).
func TestMoreThanMaxBatchIsSplit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, inProcess)
		var pushes []crm.Push
		for i := range 60 {
			pushes = append(pushes, crm.Push{Record: rec(fmt.Sprintf("emp%02d", i), nil)})
		}
		for i, r := range e.upsert(t, pushes...) {
			require.NoError(t, r.Err, "push %d", i)
		}
		posts := 0
		for _, c := range e.calls() {
			if c == "POST 200" {
				posts++
			}
		}
		require.Equal(t, 2, posts, "50 + 10")
		require.Len(t, e.fake.Objects(), 60)
		require.Zero(t, e.fake.Violations())
	})
}

func TestInvalidRecordsFailAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nan := rec("nan", map[string]float64{"new_calls": 0})
	nan.Metrics["new_calls"] = nan.Metrics["new_calls"] / zero()
	noKey := crm.Record{Employee: "x", Date: date}
	good := rec("good", nil)
	res := e.upsert(t, crm.Push{Record: nan}, crm.Push{Record: noKey}, crm.Push{Record: good})
	require.False(t, crm.IsRetryable(res[0].Err), "%v", res[0].Err)
	require.Contains(t, res[0].Err.Error(), "new_calls")
	require.False(t, crm.IsRetryable(res[1].Err), "%v", res[1].Err)
	require.NoError(t, res[2].Err)
	require.Len(t, e.fake.Objects(), 1)
}

func zero() float64 { return 0 }

func TestStaleIDIsLookedUpAndRecreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.upsert(t, crm.Push{Record: rec("a", map[string]float64{"new_calls": 1})})[0].ObjectID
	b := e.upsert(t, crm.Push{Record: rec("b", map[string]float64{"new_calls": 1})})[0].ObjectID
	require.NoError(t, e.fake.Delete(b))
	e.fake.ClearLog()

	pushes := []crm.Push{
		{Record: rec("a", map[string]float64{"new_calls": 2}), ObjectID: a},
		{Record: rec("b", map[string]float64{"new_calls": 2}), ObjectID: b},
	}
	res := e.upsert(t, pushes...)
	require.Equal(t, []string{"PATCH 400", "GET 204", "POST 200"}, e.calls(), "the gone id is looked up, then created")
	require.NotEqual(t, b, res[1].ObjectID)
	require.NoError(t, res[1].Err)
	require.True(t, crm.IsRetryable(res[0].Err), "the other element of the refused PATCH is sent again later: %v", res[0].Err)
	require.Equal(t, a, res[0].ObjectID, "with its id, so that the retry updates it")

	res = e.retrier(3).Upsert(t.Context(), pushes[:1])
	require.NoError(t, res[0].Err)
	require.Len(t, e.fake.Objects(), 2)
}

func TestUpdateOfADeletedElementRecreatesIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := rec("ivanov", map[string]float64{"new_calls": 4})
	trashed := e.fake.Put(amocrmfake.Element{Name: r.Key, Deleted: true})
	res := e.upsert(t, crm.Push{Record: r, ObjectID: strconv.FormatInt(trashed, 10)})
	require.NoError(t, res[0].Err)
	require.NotEqual(t, strconv.FormatInt(trashed, 10), res[0].ObjectID)
	require.Equal(t, []string{"PATCH 200", "GET 200", "POST 200"}, e.calls(),
		"is_deleted in the answer: look up (the deleted element is skipped), then create")
	objs := e.fake.Objects()
	require.Len(t, objs, 1)
	require.Equal(t, res[0].ObjectID, objs[0].ID)
}
