// Package bitrix24 is the CRM adapter for Bitrix24 (SPEC §6): every
// employee-day becomes one item of a smart process, written through an
// incoming webhook.
//
// # What goes where
//
// One item per record key, found again by its external code: xmlId = the
// record key (dayreport:<employee>:<YYYY-MM-DD>); title = "<name> — <date>";
// assignedById = the employee's CRM user id when it is a number; begindate and
// closedate = the day (the smart process has start/end dates when Setup made
// it; otherwise the portal ignores them). The record's own fields and every
// metric are user fields, named by config's fields map (metric key, or
// status, notes, long_term, flags, source_url → UF name) and by default
// UF_CRM_<spa id>_<KEY>. Requests carry useOriginalUfNames=Y so the names are
// the original UF_ ones rather than the lossy camelCase form.
//
// # Calls
//
// Upsert makes at most two requests per 50 records: one crm.item.list with
// filter {"@xmlId": [keys…]} for the records without a known item id (the
// lookup SPEC §6 asks for before anything is created, which also makes a
// create whose answer was lost harmless), and one batch (halt=0) of
// crm.item.update / crm.item.add commands. Each command's result or
// result_error becomes that record's Result; a failed batch command fails
// only its record and nothing is re-sent by the adapter (crm.Retrier owns
// retrying). An update answered NOT_FOUND means the item was deleted: its
// key is looked up again and the item re-created.
//
// Requests pass a client-side token bucket: DefaultBurst (the portal's 50
// less two of headroom) refilled at config's requests_per_second (default
// 2). After a 503 QUERY_LIMIT_EXCEEDED the bucket is emptied, since another
// integration shares the portal's, and requests go at the drain rate.
//
// # Errors
//
// 503 QUERY_LIMIT_EXCEEDED is retryable after 1/rate (or Retry-After); 429
// OPERATION_TIME_LIMIT is retryable until operating_reset_at (10 minutes when
// absent); other 5xx, timeouts and lost connections are retryable; auth and
// permission errors (NO_AUTH_FOUND, INVALID_CREDENTIALS, expired_token,
// ACCESS_DENIED, insufficient_scope, …) and other 4xx are permanent. Batch
// command errors are classified by code the same way. The webhook URL holds
// its secret code: errors and log lines never carry it (/rest/<user>/<code>/
// is printed as /rest/…/, and a *url.Error is rebuilt without its URL).
//
// # Facts
//
// The Adapter is also a crm.FactReader: Facts reads the calls, estimates,
// smart invoices, won deals and paid invoices of a day from the portal
// (crm.activity.list, crm.item.list, crm.stagehistory.list, in batches);
// facts.go documents the queries, the calls made and their sources.
//
// # Wire format: sources
//
// Read from the Bitrix24 REST documentation (github.com/bitrix24/b24restdocs,
// published at apidocs.bitrix24.com; and dev.1c-bitrix.ru/rest_help):
//
//   - settings/how-to-call-rest-api/batch.md: batch takes {"halt":0,"cmd":
//     {key: "method?query"}}, at most 50 commands, no nested batch; the
//     answer is result.result / result_error / result_total / result_next /
//     result_time keyed like cmd, [] when empty; webhook calls go to
//     https://<portal>/rest/<user_id>/<code>/<method>.
//   - settings/how-to-call-rest-api/data-encoding.md: a batch command is a
//     URL-encoded query string (fields[NAME]=value); nested parameters of a
//     direct call go best as a JSON body.
//   - api-reference/crm/universal/crm-item-list.md: entityTypeId, select,
//     filter with prefixes (@ = IN with an array, = equal, …), order, start
//     (pages of 50), useOriginalUfNames Y/N; the answer {items:[…]}, total,
//     next; 400 NOT_FOUND (no such smart process), 400 INVALID_ARG_VALUE.
//   - api-reference/crm/universal/crm-item-update.md (and crm_item_add.php):
//     a smart process item has title, xmlId ("external code"), assignedById,
//     begindate/closedate only with isBeginCloseDatesEnabled; unknown fields
//     are ignored; the answer is {item:{…}}; crm-item-get.md: NOT_FOUND
//     "Element not found".
//   - dev.1c-bitrix.ru/rest_help/crm/dynamic/methodscrmitem/index.php: fields
//     are UPPER_CASE in the database and camelCase in REST
//     (UF_CRM_10_5186744711 → ufCrm10_5186744711, UF_CRM_10_DIGIT10 →
//     ufCrm10Digit10), which cannot always be reversed.
//   - limits.md / settings/performance/limits.md: the leaky bucket (a counter
//     +1 per request, -Y per second, blocked above X: X=50, Y=2; Enterprise
//     250 and 5) answering 503 QUERY_LIMIT_EXCEEDED; a batch counts as one
//     request; the "time" block's operating and operating_reset_at, 480 s of
//     a method's execution per 10 minutes; helpdesk.bitrix24.com/open/15961972:
//     a blocked method answers 429 for 10 minutes.
//   - _includes/system-errors.md and _includes/error-info.md: {"error",
//     "error_description"} bodies, error possibly empty; 500
//     INTERNAL_SERVER_ERROR / ERROR_UNEXPECTED_ANSWER, 503
//     QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT, 401 NO_AUTH_FOUND /
//     INVALID_CREDENTIALS / expired_token / insufficient_scope /
//     OVERLOAD_LIMIT / ACCESS_DENIED, 404 ERROR_METHOD_NOT_FOUND, 403
//     PORTAL_DELETED; 400 ERROR_BATCH_LENGTH_EXCEEDED (the REST error table).
//     An error code can even be a number (issue bitrix24/b24restdocs#6:
//     {error: 0, error_description: "You are not allowed to create custom
//     fields"}).
//   - api-reference/crm/universal/user-defined-object-types/crm-type-add.md:
//     crm.type.add {fields:{title, entityTypeId?, isBeginCloseDatesEnabled…}}
//     (entityTypeId even ≥ 1030 or 128–192), answering {type:{id,
//     entityTypeId,…}}.
//   - api-reference/crm/universal/userfieldconfig/userfieldconfig/
//     userfieldconfig-add.md and userfieldconfig/entity-id.md: moduleId
//     "crm", field.entityId CRM_<spa id> (the smart process's id, not its
//     entityTypeId), fieldName UF_CRM_<spa id>_<A–Z0–9_>, ≤ 50 characters,
//     userTypeId double/string/url, xmlId, editFormLabel per language,
//     settings (ROWS, PRECISION); the answer {field:{id:"6953",…}}; errors
//     with an empty code such as "Field … already exists".
//
// Numbers and ids arrive as JSON numbers or strings, and PHP's empty array
// as [] where an object is expected: every decoder here accepts both.
package bitrix24
