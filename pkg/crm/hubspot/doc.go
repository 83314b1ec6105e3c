// Package hubspot is the CRM adapter that writes every record as one object
// of a HubSpot custom object type (SPEC §6), through the CRM v3 objects API.
//
// # Wire format
//
//	POST {base}/crm/v3/objects/{objectType}/batch/upsert
//	Authorization: Bearer <private app token>
//	Content-Type: application/json
//
//	{"inputs":[{"idProperty":"report_key","id":"dayreport:ivanov:2026-11-26",
//	  "objectWriteTraceId":"dayreport:ivanov:2026-11-26",
//	  "properties":{"report_key":"dayreport:ivanov:2026-11-26","employee":"ivanov",
//	    "date":"2026-11-26","status":"submitted","notes":"…","source_url":"…",
//	    "new_calls":"20","payments":"150000.5"}}]}
//
// Properties: report_key, employee, date (YYYY-MM-DD), status, notes, long_term,
// source_url, and one property per metric, named by crm.hubspot.fields
// (metric key → property name; the metric key itself by default). Every
// value is sent as a string, the form HubSpot's property API takes for every
// type. A metric named in crm.hubspot.fields that a record lacks is sent as
// "", which clears it, so a revised report leaves no stale number behind.
// report_key must be a property of the custom object with "unique value"
// set (hasUniqueValue), since batch upsert looks objects up by it.
//
// Batch upsert by a unique idProperty is idempotent by key: HubSpot updates
// the object whose report_key is the key, or creates it. So the adapter needs
// no lookup before creating (Push.ObjectID is not needed and not sent), an
// ambiguous failure (a timeout, a 5xx after HubSpot wrote) is safely retried
// by sending the same input again, and an object deleted in HubSpot is
// simply created again.
//
// The answer, 200 or 207 Multi-Status:
//
//	{"status":"COMPLETE","results":[{"id":"31000000001","properties":{…},"new":true,
//	  "objectWriteTraceId":"…",…}],"errors":[{"status":"error","category":"VALIDATION_ERROR",
//	  "message":"…","context":{"objectWriteTraceId":["…"]},"errors":[…]}],"numErrors":1}
//
// Results are matched to inputs by objectWriteTraceId (set to the record
// key, unique within a request), then by the report_key property; errors by
// the input names in their context (objectWriteTraceId, ids or id). In a 207
// an input named by an error fails alone: permanently, or retryably when the
// error's category is a rate limit, an internal error or a timeout; the
// others succeed. A 400, 409 or 422 whose errors name inputs fails those
// permanently and the rest of the batch retryably, so that crm.Retrier
// sends them again without the bad one; one that names none fails the whole
// batch permanently. An input the answer says nothing about is retryable:
// sending it again is a harmless upsert.
//
// # Limits
//
//   - At most 100 inputs per batch request (MaxBatch).
//   - 100 requests per 10 seconds per app and account (a rolling window,
//     policy TEN_SECONDLY_ROLLING; 190 on Professional and Enterprise), plus
//     a daily quota. The adapter paces itself with a token bucket
//     (golang.org/x/time/rate) of burst b = 2 (1 for a limit under 20)
//     refilled at 90% of Options.RateLimit per Options.RateWindow. Any span
//     of one window then holds at most b + 0.9·limit of its requests, so no
//     rolling window exceeds the limit even when requests reach HubSpot
//     sooner or later than sent by up to (0.1·limit − b)/(0.9·limit) of the
//     window: 0.89 s for 100 per 10 s. The sustained pace is 90% of the
//     limit; a push of 10 requests from rest takes 8/9 of the time 10
//     evenly spaced requests at the full limit would.
//   - 429 answers carry X-HubSpot-RateLimit-Max, -Remaining and
//     -Interval-Milliseconds, and a JSON body with "errorType":"RATE_LIMIT"
//     and a "policyName" (TEN_SECONDLY_ROLLING, SECONDLY, DAILY). The wait
//     reported as crm.RetryAfter is Retry-After when present, else the
//     interval of X-HubSpot-RateLimit-Interval-Milliseconds (a rolling
//     window is free again after one interval), else Options.RateWindow; for
//     the DAILY policy at least an hour, so that crm.Retrier leaves the push
//     queued for a later pass.
//   - 401 (a bad, expired or revoked token) and 403 (a missing scope, e.g.
//     crm.objects.custom.write) are permanent, with a message naming the
//     setting to fix; the token never appears in an error.
//   - 408, 423 (Locked), 477 (Migration in Progress), 429 and 5xx are
//     retryable; other 4xx are permanent.
//
// Facts: the Adapter is also a crm.FactReader, reading the calls and won
// deals of a day with the CRM search endpoints under their own limit of 4
// requests a second (Options.SearchLimit); facts.go documents the searches,
// the requests made and their sources.
//
// Sources (looked up with the project's documentation search in 2026; what
// each one showed):
//   - developers.hubspot.com/docs/api-reference/latest/crm/objects/custom-objects/batch/upsert-custom-objects:
//     the request (inputs[].idProperty, id, properties, objectWriteTraceId)
//     and the answer (status, results[].id, new, properties,
//     objectWriteTraceId; errors[] with category, message, context, errors[];
//     numErrors).
//   - developers.hubspot.com/docs/api-reference/error-handling: 207
//     Multi-Status for partial failures keyed by objectWriteTraceId, 401 for
//     invalid authentication, 403 for missing scopes, and that every error
//     body field is optional. 423 and 477 are treated as retryable the way
//     public HubSpot clients treat them.
//   - developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses
//     and …/rate-limit-headers-will-now-appear-for-oauth-authenticated-calls:
//     the X-HubSpot-RateLimit-* headers (those pages name the Daily and
//     Secondly ones; Max, Remaining and Interval-Milliseconds are read the way
//     public HubSpot clients read them).
//   - community.hubspot.com/t5/APIs-Integrations/Hubspot-User-experience/m-p/511719,
//     quoting the usage guidelines: the 429 body (status, message,
//     errorType RATE_LIMIT, correlationId, policyName).
//   - SPEC.md §6: 100 requests per 10 s (190 on Pro/Enterprise), search 4
//     requests/s, at most 100 inputs, property values as strings; the
//     usage-guidelines page (developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines)
//     is the reference for those numbers.
//
// The docs do not promise a Retry-After header on 429, hence the fallbacks
// above; nor do they spell out the context key naming the inputs of a
// multi-status error, hence the several names accepted. The newer
// date-versioned path /crm/objects/2026-03/{objectType}/batch/upsert
// takes the same body; this adapter uses the v3 path that SPEC §6 names.
package hubspot
