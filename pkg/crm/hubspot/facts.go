package hubspot

// Facts: what HubSpot itself recorded per owner and day (SPEC §6, §7).
//
// # What is read
//
// For the CRM users given (HubSpot owner ids, hubspot_owner_id; anything
// that is not a number cannot be one and is left out) and the day
// [d 00:00, d+1 00:00) in the employees' zone, as Unix milliseconds:
//
//	calls  POST /crm/v3/objects/calls/search
//	       {"filterGroups":[{"filters":[
//	         {"propertyName":"hubspot_owner_id","operator":"IN","values":[owners…]},
//	         {"propertyName":"hs_timestamp","operator":"GTE","value":"<from ms>"},
//	         {"propertyName":"hs_timestamp","operator":"LT","value":"<to ms>"}]}],
//	        "properties":["hubspot_owner_id"],"limit":200}
//	won    POST /crm/v3/objects/deals/search, the same with closedate for
//	       hs_timestamp and {"propertyName":"hs_is_closed_won","operator":"EQ","value":"true"}
//
// GTE and LT rather than BETWEEN, whose two ends are both included: the day
// is half open, and a call at the next midnight is the next day's.
// Proposals, invoices and payments are not read: HubSpot has quotes,
// invoices and commerce payments, but whether an account uses them, and
// how, varies too much to count them as a salesperson's numbers by default.
//
// # Calls
//
// The search has no aggregation: a request answers a total and up to 200
// records. Each kind is asked for the owners 100 at a time (a search body
// may not pass 3,000 characters) in one request, whose records are counted
// per hubspot_owner_id. When that page holds them all (the usual day), that
// was the only request. When more are left, the adapter takes whichever
// costs fewer requests: the remaining pages (the "after" offset, 200 a
// page), or one request per owner with EQ instead of IN and limit 1, reading
// only the total. It never pages past the search's 10,000 results (HubSpot
// answers 400 there); past that, the totals per owner it is. So for n
// owners and a day of r records: calls of one kind = ⌈n/100⌉ when r ≤ 200,
// and at most 1 + min(⌈r/200⌉ − 1, n) per 100 owners otherwise.
//
// Every search waits for two limits: the adapter's general token bucket
// (RateLimit per RateWindow, shared with Upsert) and its own search bucket,
// SearchLimit per SearchWindow (4 a second) at 80% pace with a burst of
// one: any one second then holds at most 4 searches even when they reach
// HubSpot up to a quarter of a second sooner or later than they were sent.
//
// # Errors
//
// Classified like Upsert's: 429 retryable, waiting for Retry-After, else
// X-HubSpot-RateLimit-Interval-Milliseconds, else the search window (at
// least an hour for the DAILY policy); 5xx, 408, 423, 477, timeouts and lost
// connections retryable; 401 and 403 (a missing read scope) and other 4xx
// permanent. The token is scrubbed from every text. A kind whose search
// fails is left out of every owner's Facts, and the kinds read are returned
// with an error naming what failed (retryable when any failure is). After a
// failure that would fail the next search too, as Upsert judges it (no
// answer, 429, 502, 503, 504, 477, 401, 403, 404), nothing more is sent; after
// another one (a 500, a 400) the next kind is still read. A cancelled
// context ends the read at once.
//
// # Sources
//
// Looked up with the project's documentation search (none of it copied):
//   - developers.hubspot.com/docs/api-reference/search/guide ("CRM search",
//     a copy stored in a public repository): POST /crm/v3/objects/{object}/search
//     for calls and deals; filterGroups of filters {propertyName, operator,
//     value | values | highValue}; the operators LT, LTE, GT, GTE, EQ, NEQ,
//     BETWEEN, IN (values, exact match), NOT_IN, HAS_PROPERTY, …; filters
//     within a group are ANDed; a properties array; the answer {total,
//     results:[{id, properties, createdAt, updatedAt, archived}],
//     paging:{next:{after}}}; limit at most 200; "after" an integer offset;
//     results in creation order unless sorted; at most 5 groups, 6 filters a
//     group, 18 in all; a body of at most 3,000 characters; at most 10,000
//     results a query, 400 beyond; the BETWEEN example with epoch
//     milliseconds; search rate limited per account.
//   - developers.hubspot.com/changelog/crm-search-api-rate-limit-increase:
//     four search requests a second per token; SPEC §6 keeps 4 a second
//     (the current guide says five per account).
//   - activepieces/activepieces PR #10160 and HubSpot/hubspot-api-nodejs
//     issue #132: the 200 per page and 10,000 result caps in practice.
//   - Public HubSpot integrations filtering deals on
//     {"propertyName":"hs_is_closed_won","operator":"EQ","value":"true"} with
//     closedate GTE/LT in milliseconds, and the deal search default
//     properties (closedate among them).
//
// Assumed: that hs_timestamp is when the call happened (HubSpot's
// engagement timestamp), so it decides the day rather than the creation
// date, and that a deal's closedate is when it was won.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

var _ crm.FactReader = (*Adapter)(nil)

// Sizes and limits of the fact searches.
const (
	// searchPacing is the share of the search limit its bucket refills at
	// (burst 1): 1 + ⌊0.8·L⌋ ≤ L searches in any window for every L ≥ 1.
	searchPacing = 0.8
	searchPage   = 200    // the largest search page
	searchCap    = 10_000 // results one query can page through
	ownersPerIN  = 100    // owner ids in one IN filter
)

// searchKind is where one fact kind is searched.
type searchKind struct {
	kind, object, timeProperty string
	extra                      []searchFilter
}

var searchKinds = []searchKind{
	{crm.FactCalls, "calls", "hs_timestamp", nil},
	{crm.FactWon, "deals", "closedate", []searchFilter{{PropertyName: "hs_is_closed_won", Operator: "EQ", Value: "true"}}},
}

// searchRequest is the body of POST /crm/v3/objects/{object}/search.
type searchRequest struct {
	FilterGroups []searchGroup `json:"filterGroups"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after,omitempty"`
}

type searchGroup struct {
	Filters []searchFilter `json:"filters"`
}

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// searchResponse is a search answer.
type searchResponse struct {
	Total   int `json:"total"`
	Results []struct {
		ID         string `json:"id"`
		Properties struct {
			Owner string `json:"hubspot_owner_id"`
		} `json:"properties"`
	} `json:"results"`
	Paging struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// Facts returns, for each owner, the calls and the won deals HubSpot
// recorded on day d in loc; see the comment at the top of this file for the
// searches, the requests made, the errors and the sources.
func (a *Adapter) Facts(ctx context.Context, crmUserIDs []string, d day.Date, loc *time.Location) (map[string]crm.Facts, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hubspot: facts: %w", err)
	}
	if loc == nil {
		loc = time.UTC
	}
	owners, names := factOwners(crmUserIDs)
	if len(owners) == 0 {
		return map[string]crm.Facts{}, nil
	}
	from := strconv.FormatInt(d.Time(loc).UnixMilli(), 10)
	to := strconv.FormatInt(d.AddDays(1).Time(loc).UnixMilli(), 10)
	counts := map[string]map[string]float64{}
	var errs []error
	var stop error
	for _, k := range searchKinds {
		if stop != nil {
			skipped := errors.New("hubspot: not read after the failure above")
			e := crm.PermanentError(skipped)
			if crm.IsRetryable(stop) {
				e = crm.RetryableError(skipped, crm.RetryAfter(stop))
			}
			errs = append(errs, crm.FactError{Kind: k.kind, Err: e})
			continue
		}
		c := map[string]float64{}
		var err error
		for lo := 0; lo < len(owners) && err == nil; lo += ownersPerIN {
			err = a.countOwners(ctx, k, owners[lo:min(lo+ownersPerIN, len(owners))], from, to, c)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("hubspot: facts: %w", ctx.Err())
		}
		if err != nil {
			errs = append(errs, crm.FactError{Kind: k.kind, Err: err})
			if stopsRead(err) {
				stop = err
			}
			continue
		}
		counts[k.kind] = c
	}
	return crm.FactsByUser(owners, names, counts), crm.JoinFactErrors("hubspot", errs)
}

// factOwners returns the distinct owner ids among ids (digits only, without
// leading zeros), sorted, and the text each was given as.
func factOwners(ids []string) ([]string, map[string]string) {
	names := map[string]string{}
	var owners []string
	for _, s := range ids {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil || n == 0 {
			continue
		}
		o := strconv.FormatUint(n, 10)
		if _, dup := names[o]; dup {
			continue
		}
		names[o] = s
		owners = append(owners, o)
	}
	slices.Sort(owners)
	return owners, names
}

// countOwners counts the records of kind of the owners on the day into c.
func (a *Adapter) countOwners(ctx context.Context, k searchKind, owners []string, from, to string, c map[string]float64) error {
	req := searchRequest{
		FilterGroups: []searchGroup{{Filters: k.filters(searchFilter{PropertyName: "hubspot_owner_id", Operator: "IN", Values: owners}, from, to)}},
		Properties:   []string{"hubspot_owner_id"},
		Limit:        searchPage,
	}
	wanted := map[string]bool{}
	for _, o := range owners {
		wanted[o] = true
	}
	seen := map[string]bool{}
	local := map[string]float64{}
	take := func(r *searchResponse) {
		for _, x := range r.Results {
			if x.ID == "" || seen[x.ID] || !wanted[x.Properties.Owner] {
				continue
			}
			seen[x.ID] = true
			local[x.Properties.Owner]++
		}
	}
	// totals counts with a request per owner, reading only the total.
	totals := func() error {
		local = map[string]float64{}
		for _, o := range owners {
			one := searchRequest{
				FilterGroups: []searchGroup{{Filters: k.filters(searchFilter{PropertyName: "hubspot_owner_id", Operator: "EQ", Value: o}, from, to)}},
				Properties:   []string{"hubspot_owner_id"},
				Limit:        1,
			}
			r, err := a.searchOnce(ctx, k.object, one)
			if err != nil {
				return err
			}
			local[o] = float64(r.Total)
		}
		return nil
	}
	r, err := a.searchOnce(ctx, k.object, req)
	if err != nil {
		return err
	}
	take(r)
	if more := r.Total - len(r.Results); r.Paging.Next != nil && more > 0 {
		pages := (more + searchPage - 1) / searchPage
		if r.Total > searchCap || pages > len(owners) {
			// Fewer requests, or the only way past 10,000.
			if err := totals(); err != nil {
				return err
			}
		} else {
			for r.Paging.Next != nil && len(r.Results) > 0 {
				after, convErr := strconv.Atoi(r.Paging.Next.After)
				if convErr != nil || after+searchPage > searchCap {
					// Not an offset, or the day grew past 10,000 meanwhile:
					// counting part of it would not do.
					if err := totals(); err != nil {
						return err
					}
					break
				}
				req.After = r.Paging.Next.After
				if r, err = a.searchOnce(ctx, k.object, req); err != nil {
					return err
				}
				take(r)
			}
		}
	}
	for o, n := range local {
		c[o] += n
	}
	return nil
}

// filters are the kind's filters for the owners filter and the day.
func (k searchKind) filters(owners searchFilter, from, to string) []searchFilter {
	fs := []searchFilter{
		owners,
		{PropertyName: k.timeProperty, Operator: "GTE", Value: from},
		{PropertyName: k.timeProperty, Operator: "LT", Value: to},
	}
	return append(fs, k.extra...)
}

// searchOnce sends one search through both limiters.
func (a *Adapter) searchOnce(ctx context.Context, object string, sr searchRequest) (*searchResponse, error) {
	what := "hubspot: POST /crm/v3/objects/" + object + "/search"
	body, err := json.Marshal(sr)
	if err != nil { // strings only: cannot happen
		return nil, crm.PermanentError(fmt.Errorf("%s: encoding: %w", what, err))
	}
	for _, l := range []interface{ Wait(context.Context) error }{a.search, a.limiter} {
		if err := l.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: not sent: %w", what, ctx.Err())
			}
			return nil, crm.RetryableError(fmt.Errorf("%s: not sent: the rate limit allows no request before the context's deadline", what), 0)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, a.base+"/crm/v3/objects/"+url.PathEscape(object)+"/search", bytes.NewReader(body))
	if err != nil {
		return nil, crm.PermanentError(fmt.Errorf("%s: the request cannot be built from crm.hubspot.base_url", what))
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "dayreport")
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, a.searchTransportError(ctx, what, err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, a.searchTransportError(ctx, what, err)
	}
	if resp.StatusCode == http.StatusOK {
		var out searchResponse
		if err := json.Unmarshal(answer, &out); err != nil {
			return nil, crm.RetryableError(fmt.Errorf("%s: %s, answer is not a search result: %w", what, resp.Status, err), 0)
		}
		return &out, nil
	}
	var ae apiError
	_ = json.Unmarshal(answer, &ae) // every field is optional
	return nil, a.searchError(what, resp, &ae, time.Now())
}

// searchError classifies a search that failed as a whole.
func (a *Adapter) searchError(what string, resp *http.Response, ae *apiError, now time.Time) error {
	status := resp.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	detail := a.describe(ae.Category, ae.Message, ae.Errors)
	with := func(hint string) error {
		msg := what + ": " + status
		if hint != "" {
			msg += ": " + hint
		}
		if detail != "" {
			msg += " (" + detail + ")"
		}
		return &searchStatusError{status: resp.StatusCode, msg: msg}
	}
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		return crm.PermanentError(with("HubSpot refused the token: crm.hubspot.token is wrong, expired or revoked"))
	case code == http.StatusForbidden:
		hint := "the token may not read these records (a private app needs the read scope of calls and deals)"
		if scopes := missingScopes(ae); len(scopes) > 0 {
			hint = "the token lacks the scope " + strings.Join(scopes, ", ")
		}
		return crm.PermanentError(with(hint))
	case code == http.StatusTooManyRequests:
		after, hint := rateLimitWait(resp.Header, ae, now, "search rate limit", a.searchWindow, "the daily API limit is reached")
		return crm.RetryableError(with(hint), after)
	case code == http.StatusRequestTimeout, code == http.StatusLocked, code == 477, code >= 500:
		return crm.RetryableError(with(""), httpkit.RetryAfter(resp.Header, now, crm.MaxRetryAfter))
	case code >= 300 && code < 400:
		return crm.PermanentError(with("redirects are not followed; check crm.hubspot.base_url"))
	case code == http.StatusNotFound:
		return crm.PermanentError(with("check crm.hubspot.base_url"))
	default:
		return crm.PermanentError(with(""))
	}
}

// searchStatusError is a search's error answer.
type searchStatusError struct {
	status int
	msg    string
}

func (e *searchStatusError) Error() string { return e.msg }

// stopsRead reports whether after err the next search would fail the same
// way, as Upsert judges a request (callFailure): no answer at all, a rate
// limit, an outage, a refused token. The read then ends there.
func stopsRead(err error) bool {
	var se *searchStatusError
	if errors.As(err, &se) {
		return callFailure(se.status)
	}
	var na *noAnswer // what searchTransportError returns
	return errors.As(err, &na)
}

// noAnswer marks a search that got no answer at all.
type noAnswer struct{ error }

func (e *noAnswer) Unwrap() error { return e.error }

// searchTransportError classifies a search that got no answer
// (httpkit.Redactor.TransportError) and marks it for stopsRead.
func (a *Adapter) searchTransportError(ctx context.Context, what string, err error) error {
	return &noAnswer{a.scrub.TransportError(ctx, what+": ", a.timeout, err)}
}
