package amocrm

// Facts: what the account itself recorded per employee and day (SPEC §6, §7).
//
// # What is read
//
// For the CRM users given (amoCRM user ids; anything that is not a positive
// integer cannot be one and is left out) and the day [d 00:00, d+1 00:00)
// in the employees' zone, as Unix timestamps (seconds; the range filters
// include both ends, so the upper one sent is the last second of the day):
//
//	calls  GET /api/v4/events?filter[type][]=incoming_call&filter[type][]=outgoing_call
//	           &filter[created_by][]=<user>… (at most 10)&filter[created_at][from]=<from>
//	           &filter[created_at][to]=<to>&limit=100&page=<n>
//	       every call event counted for the user who made or took it (created_by)
//	won    GET /api/v4/leads?filter[responsible_user_id][]=<user>…
//	           &filter[closed_at][from]=<from>&filter[closed_at][to]=<to>&limit=250&page=<n>
//	       the leads closed that day, counted for their responsible user when
//	       their status is 142 ("successfully realised", the won status every
//	       pipeline has; 143 is lost)
//
// Leads are not filtered on status 142 in the query: filter[statuses] takes
// pairs of a pipeline and a status, both required, one stage of one pipeline
// per pair, so it would need the account's pipelines first (another request)
// and a pair each. Asking for every lead closed that day and keeping the won
// ones costs one request for all pipelines, and the lost ones of one day are
// few. Proposals, invoices and payments have no standard source in amoCRM
// (its invoices are a list whose fields each account sets up) and are not
// read.
//
// Records are counted once by id and checked again against the user, type,
// status and time, whatever the filter let through. Each kind read is in
// every user's Facts, 0 when the user has none: a zero is what lets
// verification see a number reported without any record.
//
// # Calls
//
// The event list takes at most 10 users in filter[created_by] (the
// reference says so), the lead list's filter[responsible_user_id] names no
// limit and is sent 100 users at a time (the URL stays a few kilobytes).
// Each query follows the pages (100 events, 250 leads a page) until a page
// is empty (204 No Content) or has no _links.next. So a day of fewer than
// 100 calls and 250 closed leads costs ⌈n/10⌉ + ⌈n/100⌉ requests for n
// users: two for up to 10. Every request waits
// for the adapter's pacer, the same one Upsert uses (7 per second at most,
// and a 429 pauses it), and ends with the same 401/403 stop.
//
// # Errors
//
// Classified as Upsert's are (client.go: 429 retryable with its
// Retry-After, 5xx and timeouts retryable, 401/403 permanent, other 4xx
// permanent) and scrubbed of the token. A query that fails leaves its fact
// kind out of every user's Facts; the other kind is still read and returned
// together with an error naming what failed (retryable when any failure
// is). A cancelled context ends the read at once.
//
// # Sources
//
// Checked against these public pages (none of them copied):
//   - amoCRM's API v4 reference, «События и Примечания»
//     (https://www.amocrm.ru/developers/content/crm_platform/events-and-notes,
//     in English at https://www.kommo.com/developers/content/api_v4/events-and-notes):
//     GET /api/v4/events with page, limit (at most 100), filter[id],
//     filter[created_at] int|array (a timestamp, or filter[created_at][from]
//     and [to]), filter[created_by] int|array ("an array of up to 10 users",
//     its example filter[created_by][]=956328&filter[created_by][]=504141),
//     filter[type] string|array; 204 when no event matches; event types
//     incoming_call and outgoing_call. This is the form sent, and the only
//     one the test fake takes.
//   - The form the reference does not document any more: the API v2 page of
//     the same list (and amoCRM's PHP library, whose EventsFilter::buildFilter
//     joins ids, types, created_by and created_at with commas:
//     filter[created_by]=1,2, filter[created_at]=from,to). Were that the form
//     the server reads, the array form would be ignored and the per-user
//     re-check below would still count right, paging through every user's
//     calls; the fake refuses it so that the adapter cannot drift to it
//     unnoticed.
//   - amoCRM's PHP library (amocrm/amocrm-api-php): LeadsFilter sends
//     responsible_user_id as an array and closed_at as a from/to range.
//   - Kommo, "API filtration" (https://kommo.com/developers/content/api_v4/api-filtration)
//     and amoCRM's filters-api page: GET /api/v4/leads takes
//     filter[responsible_user_id] (multiple), filter[closed_at][from|to]
//     (range), filter[statuses][i][status_id] with [pipeline_id], both
//     mandatory; Kommo's leads reference: one stage of one pipeline per
//     status filter, leads carry id, status_id, pipeline_id,
//     responsible_user_id, closed_at (Unix time), at most 250 a page.
//   - amocrm/amocrm-api-php issue #606 (filtering on status 142 and 143 only
//     worked as pairs with a pipeline) and the v2 pipelines answer listing
//     142 and 143 as the fixed final statuses of every pipeline.
//   - 204 for an empty list: the package documentation's sources
//     (amocrm-api-php issues #110 and #122).
//
// Assumed, not stated by the sources: that the to end of a range filter is
// inclusive (the documentation says «ОТ и ДО»; the adapter sends the last
// second of the day either way, which is right if it is inclusive and loses
// one second if not), and that created_by of a call event is the user who
// made or took the call.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

var _ crm.FactReader = (*Adapter)(nil)

// Paths and sizes of the fact queries.
const (
	eventsPath   = "/api/v4/events"
	leadsPath    = "/api/v4/leads"
	eventsLimit  = 100 // the event list's largest page
	leadsLimit   = 250 // the lead list's largest page
	eventUsers   = 10  // user ids in one filter[created_by] of the event list (the reference's limit)
	leadUsers    = 100 // user ids in one filter[responsible_user_id] of the lead list
	statusWon    = 142 // the won status of every pipeline
	maxFactPages = 200 // pages of one query: 20 000 events or 50 000 leads a day
)

// callEvents are the event types of calls.
var callEvents = []string{"incoming_call", "outgoing_call"}

// Facts returns, for each CRM user, the calls and the won leads amoCRM
// recorded on day d in loc; see the comment at the top of this file for the
// queries, the calls made, the errors and the sources.
func (a *Adapter) Facts(ctx context.Context, crmUserIDs []string, d day.Date, loc *time.Location) (map[string]crm.Facts, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("amocrm: facts: %w", err)
	}
	if loc == nil {
		loc = time.UTC
	}
	users, names := factUsers(crmUserIDs)
	if len(users) == 0 {
		return map[string]crm.Facts{}, nil
	}
	from, end := d.Time(loc).Unix(), d.AddDays(1).Time(loc).Unix()
	base := strings.TrimSuffix(a.endpoint, a.path)
	wanted := map[int64]bool{}
	for _, u := range users {
		wanted[u] = true
	}
	kinds := []struct {
		kind     string
		perQuery int
		read     func(ctx context.Context, base string, users []int64, from, end int64, wanted map[int64]bool, counts map[int64]float64) error
	}{
		{crm.FactCalls, eventUsers, a.readCalls},
		{crm.FactWon, leadUsers, a.readWon},
	}
	counts := map[string]map[int64]float64{}
	var errs []error
	for _, k := range kinds {
		c := map[int64]float64{}
		var err error
		for lo := 0; lo < len(users) && err == nil; lo += k.perQuery {
			err = k.read(ctx, base, users[lo:min(lo+k.perQuery, len(users))], from, end, wanted, c)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("amocrm: facts: %w", ctx.Err())
		}
		if err != nil {
			errs = append(errs, crm.FactError{Kind: k.kind, Err: a.scrub.Scrub(err)})
			continue
		}
		counts[k.kind] = c
	}
	return crm.FactsByUser(users, names, counts), crm.JoinFactErrors("amocrm", errs)
}

// factUsers returns the distinct positive integer ids among ids, sorted, and
// the text each was given as.
func factUsers(ids []string) ([]int64, map[int64]string) {
	names := map[int64]string{}
	var users []int64
	for _, s := range ids {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		if _, dup := names[n]; dup {
			continue
		}
		names[n] = s
		users = append(users, n)
	}
	slices.Sort(users)
	return users, names
}

// userQuery is the query naming users under name, and the day's range.
func userQuery(name, rangeName string, users []int64, from, end int64) url.Values {
	q := url.Values{}
	for _, u := range users {
		q.Add(name, strconv.FormatInt(u, 10))
	}
	q.Set(rangeName+"[from]", strconv.FormatInt(from, 10))
	q.Set(rangeName+"[to]", strconv.FormatInt(end-1, 10))
	return q
}

// eventsPage is a page of the event list.
type eventsPage struct {
	halLinks
	Embedded struct {
		Events []struct {
			ID        flexString `json:"id"`
			Type      string     `json:"type"`
			CreatedBy flexInt    `json:"created_by"`
			CreatedAt flexInt    `json:"created_at"`
		} `json:"events"`
	} `json:"_embedded"`
}

// leadsPage is a page of the lead list.
type leadsPage struct {
	halLinks
	Embedded struct {
		Leads []struct {
			ID          flexInt `json:"id"`
			StatusID    flexInt `json:"status_id"`
			Responsible flexInt `json:"responsible_user_id"`
			ClosedAt    flexInt `json:"closed_at"`
		} `json:"leads"`
	} `json:"_embedded"`
}

// halLinks are a HAL page's links; only whether there is a next page counts
// (the adapter asks for page numbers itself, never sending the token to a
// URL taken from an answer).
type halLinks struct {
	Links struct {
		Next *struct {
			Href string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
}

func (l halLinks) more() bool { return l.Links.Next != nil }

// readCalls counts the call events of users on the day into counts.
func (a *Adapter) readCalls(ctx context.Context, base string, users []int64, from, end int64, wanted map[int64]bool, counts map[int64]float64) error {
	q := userQuery("filter[created_by][]", "filter[created_at]", users, from, end)
	for _, t := range callEvents {
		q.Add("filter[type][]", t)
	}
	q.Set("limit", strconv.Itoa(eventsLimit))
	seen := map[string]bool{}
	return factPages(ctx, eventsPath, q, func(ctx context.Context, q url.Values) (int, bool, error) {
		var p eventsPage
		status, err := a.request(ctx, base+eventsPath, eventsPath, http.MethodGet, q, nil, &p)
		if err != nil || status == http.StatusNoContent {
			return 0, false, err
		}
		for _, e := range p.Embedded.Events {
			id, at, u := string(e.ID), int64(e.CreatedAt), int64(e.CreatedBy)
			if id == "" || seen[id] || !slices.Contains(callEvents, e.Type) || at < from || at >= end || !wanted[u] {
				continue
			}
			seen[id] = true
			counts[u]++
		}
		return len(p.Embedded.Events), p.more(), nil
	})
}

// readWon counts the leads of users won on the day into counts.
func (a *Adapter) readWon(ctx context.Context, base string, users []int64, from, end int64, wanted map[int64]bool, counts map[int64]float64) error {
	q := userQuery("filter[responsible_user_id][]", "filter[closed_at]", users, from, end)
	q.Set("limit", strconv.Itoa(leadsLimit))
	seen := map[int64]bool{}
	return factPages(ctx, leadsPath, q, func(ctx context.Context, q url.Values) (int, bool, error) {
		var p leadsPage
		status, err := a.request(ctx, base+leadsPath, leadsPath, http.MethodGet, q, nil, &p)
		if err != nil || status == http.StatusNoContent {
			return 0, false, err
		}
		for _, l := range p.Embedded.Leads {
			id, at, u := int64(l.ID), int64(l.ClosedAt), int64(l.Responsible)
			if id <= 0 || seen[id] || l.StatusID != statusWon || at < from || at >= end || !wanted[u] {
				continue
			}
			seen[id] = true
			counts[u]++
		}
		return len(p.Embedded.Leads), p.more(), nil
	})
}

// factPages asks for page 1, 2, … of q until one is empty or has no next
// link. (A page that is not full is no proof of the end: what a user may see
// is filtered by their rights.)
func factPages(ctx context.Context, path string, q url.Values, page func(context.Context, url.Values) (n int, more bool, err error)) error {
	for n := 1; ; n++ {
		if n > maxFactPages {
			return crm.PermanentError(fmt.Errorf("amocrm: GET %s: more than %d pages for one day", path, maxFactPages))
		}
		q.Set("page", strconv.Itoa(n))
		got, more, err := page(ctx, q)
		if err != nil {
			return err
		}
		if got == 0 || !more {
			return nil
		}
	}
}
