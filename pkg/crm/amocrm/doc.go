// Package amocrm is the CRM adapter for amoCRM (Kommo outside Russia), API v4
// with a long-lived token (SPEC §6). Every record becomes one element of a
// list ("catalog" in the API) whose name is the record key; the record's
// metrics, status, notes, flags and source link go to custom fields of that
// list.
//
// # What is written
//
// An element is
//
//	{"name": "dayreport:<employee>:<YYYY-MM-DD>",
//	 "custom_fields_values": [{"field_id": 501, "values": [{"value": 20}]}, …]}
//
// config.AmoCRM.Fields maps each metric key to the id of a numeric custom
// field of the list; a metric with no field is not written. The same map takes
// these reserved keys (metric keys start with a letter, so they cannot clash)
// for text fields:
//
//	_status      the report status ("submitted", "late", "absent", …)
//	_notes       the employee's notes (a text or textarea field)
//	_long_term   what the day gives in the long term (a text or textarea field)
//	_source_url  the link to the report (a url field)
//	_employee    the employee's name
//	_flags       the verification flags, one "code metric: message" per line
//	_errors      the validation messages of an invalid report, one per line
//
// A create (POST) carries only the fields that have a value. An update
// (PATCH) carries every mapped field, with "values": null for the empty ones:
// amoCRM changes only the fields a request names, and null clears a field, so
// the element always ends up holding exactly the record. Fields are sorted by
// id, so a request body is stable.
//
// # How an upsert goes
//
// Upsert takes at most MaxBatch (50) records and spends as few requests as the
// contract allows:
//
//  1. Records whose object id is known are updated together, in one
//     PATCH /api/v4/catalogs/{id}/elements (an array with "id" in each
//     element). An element amoCRM says is gone (a 404, a validation error on
//     its "id", or "is_deleted" in the answer) joins step 2.
//  2. Every other record is looked up before anything is created, since an
//     earlier attempt may have created it and lost the answer (a timeout, a
//     5xx, a crash): GET /api/v4/catalogs/{id}/elements?query=<key>&limit=250,
//     following the pages, keeping only elements whose name is exactly the key
//     and that are not deleted (the lowest id wins if there are duplicates).
//     An empty result is 204 No Content. Lookups run a few at a time, all
//     through the same rate limiter.
//  3. Found elements that already hold the record are left alone (a rerun
//     costs one GET per record and writes nothing); the others are updated in
//     one PATCH. The records not found are created in one
//     POST /api/v4/catalogs/{id}/elements; each element carries a request_id
//     (its index), which amoCRM echoes back with the new id.
//
// So pushing n new records costs n lookups and ⌈n/50⌉ creates; pushing n
// known records costs ⌈n/50⌉ PATCH requests and nothing else. Two pushes of
// the same key in one call are written once, with the last push's record, and
// both get its result.
//
// # Limits and errors
//
// amoCRM allows an integration 7 requests per second, answers 429 beyond that
// and blocks the account or IP address (403 on everything) after repeated
// abuse. The adapter therefore never relies on the 429: a client-side pacer,
// shared by every request (lookups and retries included), lets no more than
// ⌊RequestsPerSecond⌋ requests start in any window of 1/(1−headroom)
// seconds, 1.053s with the default 5% headroom (Options.Headroom), which
// covers network jitter, and never two closer than ¾ of the average spacing,
// so there are no bursts. It counts real starts, not promised slots, so a
// request delayed on a busy machine cannot make later ones bunch up. A 429
// still pauses the pacer for the Retry-After the server sent (one second if
// it sent none) before any further request starts, waiting ones included.
// RequestsPerSecond above 7 is a configuration error. One Adapter must be
// shared by everything that talks to the same account, since the pacer lives
// in it.
//
// The adapter classifies errors and never retries (crm.Retrier does):
//   - 429: retryable, with the Retry-After (or one second) as crm.RetryAfter;
//   - 5xx, 408, timeouts, refused or dropped connections, garbled 2xx bodies:
//     retryable. A create that failed this way may have happened; the retry
//     carries no object id, so it looks the key up first and finds it;
//   - 401: permanent, the token is wrong, expired or revoked;
//   - 403: permanent, with a warning that the account or IP may be blocked for
//     exceeding the rate limit (or the token's user may not use the list);
//   - 400 with "validation-errors": permanent for the elements named (by
//     request_id), each with amoCRM's code, path and detail; the other
//     elements of the same request were not written either (amoCRM validates a
//     request as a whole) and get a retryable error, so the Retrier re-sends
//     them without the rejected one;
//   - a redirect: permanent (the default client follows none, so the token
//     never goes to another host), naming where it pointed;
//   - other 4xx: permanent.
//
// After a 401 or a 403 the adapter sends nothing for Options.Cooldown (15
// minutes by default): every push fails at once with the same error, rather
// than knocking on a blocked account again with every chunk the Retrier
// hands over. A cancelled context ends the call with ctx.Err().
//
// The token travels only in the Authorization header; it is never part of a
// URL, an error or a log line, and error texts amoCRM sends back are scrubbed
// of it all the same; the Adapter prints as amocrm(<host>, list <id>).
// Nothing is logged above debug level except 429, 401 and 403 answers.
//
// # Facts
//
// The Adapter is also a crm.FactReader: Facts reads the calls
// (GET /api/v4/events) and won leads (GET /api/v4/leads) of a day, through
// the same pacer; facts.go documents the queries, the calls made and their
// sources.
//
// # Tests
//
// The conformance suite (crmtest) and the unit tests run against
// amocrmfake with the limit scaled to 7 requests per 200ms, and require that
// the fake counted no request over it. BenchmarkPush1000 pushes 1000 new
// records through crm.Retrier at that scale and reports REST calls against
// the floor (1000 lookups + 20 creates) and wall time against the time the
// rate alone imposes.
//
// # Sources
//
// The wire format was checked against these public pages (none of them was
// copied):
//   - amoCRM API v4, "Списки" (https://www.amocrm.ru/developers/content/crm_platform/catalogs-api)
//     and its English twin (https://www.amocrm.com/developers/content/api_v4/lists/):
//     GET /api/v4/catalogs with page and limit (at most 250); success bodies
//     are application/hal+json, errors application/problem+json; 401 when
//     the user is not authorised.
//   - Kommo API reference, "Edit list elements" and "Edit list element"
//     (https://developers.kommo.com/reference/edit-list-elements,
//     https://developers.kommo.com/reference/edit-list-element), with the
//     field tables as scraped by withone.ai's Kommo knowledge pages: PATCH
//     /api/v4/catalogs/{list_id}/elements takes an array of elements with id,
//     name, custom_fields_values and request_id ("returned unchanged in the
//     response and not saved"); PATCH
//     /api/v4/catalogs/{list_id}/elements/{element_id} edits one element. The
//     single-element form exists; this adapter uses the array form, which
//     updates up to 50 elements in one request. GET
//     /api/v4/catalogs/{list_id}/elements takes page, limit (at most 250),
//     query and filter[id][].
//   - Kommo, "Limitations" (https://developers.kommo.com/docs/limitations):
//     not more than 7 requests per second; suspicious activity restricts
//     requests from the IP address. That 429 answers the excess and 403 the
//     repeated abuse, and that a request carries at most 250 entities (50
//     recommended), comes from developers' summaries of the same page, not
//     from the page itself; MaxBatch is 50 to stay on the recommended side.
//   - amoCRM, "Справочник ошибок и ответов API" (error reference, as quoted in
//     several mirrors): a 400 carries "validation-errors": [{"request_id",
//     "errors": [{"code", "path", "detail"}]}] beside "title", "type",
//     "status" and "detail"; 401 carries the same problem fields.
//   - 204 No Content for an empty result, including a query search that finds
//     nothing: amocrm/amocrm-api-php issues #110 and #122 (the official PHP
//     library turns 204 into AmoCRMApiNoContentException), UsefulWeb/AmoCRM
//     issue #42 (GET /api/v4/leads?query=… answers 204).
//   - Clearing a custom field with "values": null: amocrm/amocrm-api-php issue
//     #352 and that library's NullCustomFieldValueCollection, whose API form is
//     null; "only the fields sent are updated" is from the same issue.
//   - request_id echoed back in the answer to an add, matched to the element
//     sent, under _embedded.elements: that library's
//     CatalogElements::processAction and getEntitiesFromResponse; the element
//     model (id, catalog_id, name, is_deleted, custom_fields_values, …) from
//     public client typings (the amocrm-client npm package).
//   - a 429 may come with a body that is not JSON: that library's
//     AmoCRMApiRequest::parseResponse (so the adapter reads error bodies
//     leniently).
//   - 204 for a single entity that does not exist (used by the fake only):
//     shevernitskiy/amo issue #16.
//   - query searching the name and filled fields, limit 50 by default and 250
//     at most, _links.next while more pages exist: public descriptions of
//     Kommo's list elements endpoint (MCP tool catalogues).
//
// Not established by any source, and handled defensively rather than assumed:
// what PATCH answers for an id that no longer exists (the adapter treats a 404,
// an "id" validation error and is_deleted alike, then looks the key up),
// whether a 400 rejects the whole batch (assumed: yes), whether a 429 carries
// Retry-After (used when present), how query tokenises a key (the adapter
// filters by exact name and pages through everything the search returns, up
// to 20 pages), and how quickly a new element becomes searchable: amoCRM's
// search may lag behind a create, so the object id the state database keeps is
// the first defence against duplicates and the lookup the second. The adapter
// asks for page numbers itself rather than following _links.next, so the token
// is never sent to a host taken from a response.
//
// The package amocrmfake is an httptest fake of the same endpoints for tests.
package amocrm
