package bitrix24

// Facts: what the portal itself recorded per employee and day (SPEC §6, §7).
//
// # What is read
//
// For the CRM users given (Bitrix24 user ids; anything that is not a
// positive integer cannot be a portal user and is left out) and the day
// [d 00:00, d+1 00:00) in the employees' zone, sent as ISO 8601 with that
// zone's offset on each side (so a day across a daylight-saving change is
// 23 or 25 hours, and the portal converts to its own zone):
//
//	calls      crm.activity.list  filter TYPE_ID=2 (a call), @RESPONSIBLE_ID=[users],
//	                              >=CREATED, <CREATED; select ID, RESPONSIBLE_ID;
//	                              counted per RESPONSIBLE_ID
//	proposals  crm.item.list      entityTypeId 7 (estimates), @assignedById=[users],
//	                              >=createdTime, <createdTime; counted per assignedById
//	invoices   crm.item.list      entityTypeId 31 (smart invoices), same filters
//	won        crm.stagehistory.list  entityTypeId 2 (deals), STAGE_SEMANTIC_ID=S,
//	                              >=CREATED_TIME, <CREATED_TIME: the deals moved to a
//	                              success stage that day; a history record names no
//	                              responsible, so the deals are then looked up with
//	                              crm.item.list entityTypeId 2, @id=[deals],
//	                              @assignedById=[users], and each distinct deal is
//	                              counted for its responsible
//	payments   crm.stagehistory.list  entityTypeId 31, STAGE_SEMANTIC_ID=S: the smart
//	                              invoices moved to their success stage ("paid") that
//	                              day, joined the same way with crm.item.list 31
//
// Every list is ordered by id ascending (new records are appended, so the
// offsets of later pages do not shift) and records are counted once by id.
// Each kind read is in every user's Facts, 0 when the user has none: a zero
// is what lets verification see a number reported without any record.
//
// # Calls
//
// Every query goes through batch, which the portal counts as one request
// (limits.md), and through the adapter's token bucket:
//
//  1. one batch with the first page of each of the five lists;
//  2. then, as long as something is left, one batch (split at 50 commands
//     or 512 KiB of command lines) with every page still missing, of every
//     list at once (the first page's total says which: start=50, 100, …),
//     and the crm.item.list look-ups of the won deals and paid invoices of
//     the histories already complete (50 ids a command, one page each).
//
// So a day with fewer than 50 records of each kind costs one REST call, two
// when a deal was won or an invoice paid, for any number of users; a kind
// with n records needs ⌈n/50⌉ commands, 50 to a batch.
//
// # Errors
//
// A batch that fails as a whole (503 QUERY_LIMIT_EXCEEDED, 429
// OPERATION_TIME_LIMIT, 5xx, a timeout, a refused webhook) ends the read:
// Facts returns nil and that error, classified and redacted exactly as
// Upsert's (client.call). A command that fails alone (its result_error:
// say the portal has no smart invoices) leaves that fact kind out of every
// user's Facts; the other kinds are returned together with an error naming
// what failed, classified by the command's code (retryable when any failure
// is). No error carries the webhook URL or its code.
//
// # Sources
//
// Looked up in the Bitrix24 REST documentation (github.com/bitrix24/b24restdocs,
// published at apidocs.bitrix24.com, and dev.1c-bitrix.ru/rest_help); none of
// it was copied:
//
//   - api-reference/crm/timeline/activities/activity-base/crm-activity-list.md:
//     filter keys with the prefixes >=, <, @ (IN with an array), …; select;
//     order; start with pages of always 50 records; the answer's result is the
//     list itself, with next and total; TYPE_ID "2", RESPONSIBLE_ID, CREATED
//     "2020-09-27T13:26:55+03:00" (numbers as strings).
//   - dev.1c-bitrix.ru/rest_help/crm/constants.php and
//     api-reference/crm/universal/index.md: entityTypeId 2 deal, 7 estimate
//     (QUOTE), 31 smart invoice.
//   - api-reference/crm/universal/crm-item-list.md (see doc.go) and public
//     integrations using filter {">=createdTime": "…+00:00", "<createdTime": …}
//     with assignedById: the item fields createdTime and assignedById.
//   - api-reference/crm/crm-stage-history-list.md: crm.stagehistory.list with
//     entityTypeId 1, 2, 5, 31 or a smart process; filter with the same
//     prefixes; start; the answer {items:[{ID, TYPE_ID, OWNER_ID, CREATED_TIME,
//     CATEGORY_ID, STAGE_SEMANTIC_ID (P, S, F), STAGE_ID}]} and total for
//     deals and new invoices. No responsible field is listed (public code
//     built on it says the same: "rows carry stage, funnel, semantic, type and
//     time but no actor"), hence the crm.item.list look-up of the owners.
//   - settings/how-to-call-rest-api/list-methods-pecularities.md: list
//     answers carry total and next; the next page is the same call with
//     start = next.
//   - settings/how-to-call-rest-api/batch.md and limits.md (see doc.go): at
//     most 50 commands a batch, result_total and result_next per command,
//     a batch counting as one request.
//
// Interpretations, not stated by the sources: that the success stage (S) of a
// smart invoice means it was paid, which is how Bitrix24 names it by default;
// that a deal is counted for its responsible at the time of reading (the
// history does not keep who was responsible when it was won); and that
// TYPE_ID 2 counts every call activity created that day, planned ones too,
// as SPEC §6 asks, which errs towards more calls recorded, never fewer.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

var _ crm.FactReader = (*Adapter)(nil)

// listPage is the portal's page size of every list method.
const listPage = 50

// maxFactPages bounds the pages read of one list (50 000 records a day).
const maxFactPages = 1000

// Entity type ids of the CRM objects facts come from.
const (
	entityDeal         = 2
	entityQuote        = 7
	entitySmartInvoice = 31
)

// isoOffset is ISO 8601 with the zone's offset, +00:00 rather than Z for UTC
// (the form the documentation's examples use).
const isoOffset = "2006-01-02T15:04:05-07:00"

// activityCall is the TYPE_ID of a call activity.
const activityCall = 2

// factSource is where one fact kind is read.
type factSource struct {
	kind   string
	method string // crm.activity.list, crm.item.list or crm.stagehistory.list
	entity int    // entityTypeId; 0 for activities
}

// history reports whether the source is a stage history, whose owners are
// looked up for their responsible.
func (s factSource) history() bool { return s.method == "crm.stagehistory.list" }

var factSources = []factSource{
	{crm.FactCalls, "crm.activity.list", 0},
	{crm.FactProposals, "crm.item.list", entityQuote},
	{crm.FactInvoices, "crm.item.list", entitySmartInvoice},
	{crm.FactWon, "crm.stagehistory.list", entityDeal},
	{crm.FactPayments, "crm.stagehistory.list", entitySmartInvoice},
}

// factRead is the state of reading one fact kind.
type factRead struct {
	src       factSource
	requested map[int]bool   // list pages asked for, by start
	pending   []int          // list pages to ask for next
	ids       map[int64]bool // records counted (or owners found)
	owners    []int64        // stage history: the objects, in order found
	owned     map[int64]bool // stage history: owners found, and owners counted (negative)
	joined    bool           // stage history: owners sent to be looked up
	counts    map[int64]float64
	err       error
}

// factCommand is one command of a batch and what its answer is for.
type factCommand struct {
	read  *factRead
	start int    // the list page's start; -1 for an owner look-up
	line  string // method?query
}

// Facts returns, for each CRM user, the calls, estimates, smart invoices,
// won deals and paid smart invoices the portal recorded on day d in loc; see
// the comment at the top of this file for the queries, the calls made, the
// errors and the sources.
func (a *Adapter) Facts(ctx context.Context, crmUserIDs []string, d day.Date, loc *time.Location) (map[string]crm.Facts, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError("facts", err)
	}
	if loc == nil {
		loc = time.UTC
	}
	users, names := factUsers(crmUserIDs)
	if len(users) == 0 {
		return map[string]crm.Facts{}, nil
	}
	from, to := d.Time(loc).Format(isoOffset), d.AddDays(1).Time(loc).Format(isoOffset)
	reads := make([]*factRead, len(factSources))
	for i, src := range factSources {
		reads[i] = &factRead{src: src, requested: map[int]bool{0: true}, pending: []int{0}, ids: map[int64]bool{}, owned: map[int64]bool{}, counts: map[int64]float64{}}
	}
	for round := 0; ; round++ {
		var cmds []factCommand
		for _, r := range reads {
			if r.err != nil {
				continue
			}
			for _, start := range r.pending {
				cmds = append(cmds, factCommand{read: r, start: start, line: listLine(r.src.method, r.src.params(users, from, to, start))})
			}
			r.pending = nil
		}
		for _, r := range reads {
			if r.err != nil || !r.src.history() || r.joined || r.busy(cmds) {
				continue
			}
			r.joined = true
			for lo := 0; lo < len(r.owners); lo += listPage {
				chunk := r.owners[lo:min(lo+listPage, len(r.owners))]
				cmds = append(cmds, factCommand{read: r, start: -1, line: listLine("crm.item.list", lookupParams(r.src.entity, chunk, users))})
			}
		}
		if len(cmds) == 0 {
			break
		}
		if round > maxFactPages {
			return nil, crm.PermanentError(fmt.Errorf("bitrix24: facts: more than %d pages of records for %s", maxFactPages*listPage, d))
		}
		for _, batch := range splitFactBatches(cmds) {
			if err := a.factBatch(ctx, batch, users); err != nil {
				return nil, err
			}
		}
	}
	return factResult(reads, users, names)
}

// busy reports whether cmds still read pages of r.
func (r *factRead) busy(cmds []factCommand) bool {
	for _, c := range cmds {
		if c.read == r && c.start >= 0 {
			return true
		}
	}
	return false
}

// factUsers returns the distinct positive integer ids among ids, sorted, and
// the text each was given as.
func factUsers(ids []string) ([]int64, map[int64]string) {
	names := map[int64]string{}
	var users []int64
	for _, s := range ids {
		v := validID(s)
		if v == "" {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		if _, dup := names[n]; dup {
			continue
		}
		names[n] = s
		users = append(users, n)
	}
	slices.Sort(users)
	return users, names
}

// params are the query of one list page of the source.
func (s factSource) params(users []int64, from, to string, start int) []param {
	var ps []param
	switch s.method {
	case "crm.activity.list":
		ps = append(ps, param{"filter[TYPE_ID]", strconv.Itoa(activityCall)})
		ps = appendIDs(ps, "filter[@RESPONSIBLE_ID][]", users)
		ps = append(ps,
			param{"filter[>=CREATED]", from}, param{"filter[<CREATED]", to},
			param{"select[]", "ID"}, param{"select[]", "RESPONSIBLE_ID"},
			param{"order[ID]", "ASC"})
	case "crm.item.list":
		ps = append(ps, param{"entityTypeId", strconv.Itoa(s.entity)})
		ps = appendIDs(ps, "filter[@assignedById][]", users)
		ps = append(ps,
			param{"filter[>=createdTime]", from}, param{"filter[<createdTime]", to},
			param{"select[]", "id"}, param{"select[]", "assignedById"},
			param{"order[id]", "ASC"})
	default: // crm.stagehistory.list
		ps = append(ps,
			param{"entityTypeId", strconv.Itoa(s.entity)},
			param{"filter[STAGE_SEMANTIC_ID]", "S"},
			param{"filter[>=CREATED_TIME]", from}, param{"filter[<CREATED_TIME]", to},
			param{"select[]", "ID"}, param{"select[]", "OWNER_ID"},
			param{"order[ID]", "ASC"})
	}
	return append(ps, param{"start", strconv.Itoa(start)})
}

// lookupParams are the query finding the responsible of the objects ids of
// entity, among users (at most 50 ids: one page).
func lookupParams(entity int, ids, users []int64) []param {
	ps := []param{{"entityTypeId", strconv.Itoa(entity)}}
	ps = appendIDs(ps, "filter[@id][]", ids)
	ps = appendIDs(ps, "filter[@assignedById][]", users)
	return append(ps, param{"select[]", "id"}, param{"select[]", "assignedById"}, param{"order[id]", "ASC"}, param{"start", "0"})
}

func appendIDs(ps []param, name string, ids []int64) []param {
	for _, id := range ids {
		ps = append(ps, param{name, strconv.FormatInt(id, 10)})
	}
	return ps
}

// listLine is a batch command: method?query, every name and value
// URL-encoded (brackets included: the portal decodes names before parsing
// them).
func listLine(method string, ps []param) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('?')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String()
}

// splitFactBatches cuts cmds into batches of at most MaxBatch commands and
// maxBatchBytes of command lines.
func splitFactBatches(cmds []factCommand) [][]factCommand {
	var out [][]factCommand
	var cur []factCommand
	size := 0
	for _, c := range cmds {
		if len(cur) > 0 && (len(cur) == MaxBatch || size+len(c.line) > maxBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, c)
		size += len(c.line)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// factBatch sends one batch and takes in each command's answer. It returns
// an error only when the batch failed as a whole.
func (a *Adapter) factBatch(ctx context.Context, batch []factCommand, users []int64) error {
	cmds := make(orderedCommands, len(batch))
	for i, c := range batch {
		cmds[i] = command{key: "f" + strconv.Itoa(i), line: c.line}
	}
	var br batchResult
	if _, err := a.c.call(ctx, "batch", map[string]any{"halt": 0, "cmd": cmds}, &br, len(cmds)); err != nil {
		return err
	}
	wanted := map[int64]bool{}
	for _, u := range users {
		wanted[u] = true
	}
	for i, c := range batch {
		r, key := c.read, cmds[i].key
		if r.err != nil {
			continue
		}
		method := strings.SplitN(c.line, "?", 2)[0]
		if err := a.c.commandError(&br, key, method); err != nil {
			r.err = err
			continue
		}
		raw, ok := br.Result[key]
		if !ok {
			r.err = crm.RetryableError(fmt.Errorf("bitrix24: batch: no result for %s", method), 0)
			continue
		}
		rows, err := listRows(raw)
		if err != nil {
			r.err = crm.RetryableError(fmt.Errorf("bitrix24: %s: unexpected result: %w", method, err), 0)
			continue
		}
		if c.start < 0 {
			r.takeOwners(rows, wanted)
			continue
		}
		r.takePage(rows, wanted)
		r.schedule(c.start, int64(flexOf(br.ResultTotal[key])), int64(flexOf(br.ResultNext[key])))
	}
	return nil
}

// takePage counts the records of one list page.
func (r *factRead) takePage(rows []row, wanted map[int64]bool) {
	idField, userField := "id", "assignedById"
	switch r.src.method {
	case "crm.activity.list":
		idField, userField = "ID", "RESPONSIBLE_ID"
	case "crm.stagehistory.list":
		idField, userField = "ID", ""
	}
	for _, rw := range rows {
		id := rw.int(idField)
		if id <= 0 || r.ids[id] {
			continue
		}
		r.ids[id] = true
		if userField == "" {
			owner := rw.int("OWNER_ID")
			if owner > 0 && !r.owned[owner] {
				r.owned[owner] = true
				r.owners = append(r.owners, owner)
			}
			continue
		}
		if u := rw.int(userField); wanted[u] {
			r.counts[u]++
		}
	}
}

// takeOwners counts the looked-up objects of a stage history for their
// responsible.
func (r *factRead) takeOwners(rows []row, wanted map[int64]bool) {
	for _, rw := range rows {
		id, u := rw.int("id"), rw.int("assignedById")
		if id <= 0 || !wanted[u] || r.owned[-id] {
			continue
		}
		r.owned[-id] = true // negative: counted
		r.counts[u]++
	}
}

// schedule asks for the pages after the one at start: every page the total
// says exists, and the next one the answer names.
func (r *factRead) schedule(start int, total, next int64) {
	add := func(s int) {
		switch {
		case s <= start || r.requested[s] || r.err != nil:
		case len(r.requested) >= maxFactPages:
			r.err = crm.PermanentError(fmt.Errorf("bitrix24: %s: more than %d records in one day", r.src.method, maxFactPages*listPage))
		default:
			r.requested[s] = true
			r.pending = append(r.pending, s)
		}
	}
	if start == 0 {
		if total > maxFactPages*listPage {
			// Counting only part of them would make every report look overstated.
			r.err = crm.PermanentError(fmt.Errorf("bitrix24: %s: %d records in one day, more than the %d read", r.src.method, total, maxFactPages*listPage))
			return
		}
		for s := listPage; int64(s) < total; s += listPage {
			add(s)
		}
	}
	if next > 0 && next < 1<<31 {
		add(int(next))
	}
}

func flexOf(raw json.RawMessage) flexInt {
	var n flexInt
	if len(raw) > 0 && json.Unmarshal(raw, &n) == nil {
		return n
	}
	return 0
}

// row is one record of a list answer, by field name.
type row map[string]json.RawMessage

// int returns the field as an integer (number or string), 0 if absent.
func (r row) int(name string) int64 {
	return int64(flexOf(r[name]))
}

// listRows returns the records of a list answer: a JSON array (or a PHP list
// as an object keyed 0…n-1), or an object holding one under "items".
func listRows(raw json.RawMessage) ([]row, error) {
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return nil, nil
	}
	var m objectMap
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if raw[0] == '{' {
		if items, ok := m["items"]; ok {
			return listRows(items)
		}
	}
	out := make([]row, 0, len(m))
	for _, k := range m.keys() {
		v := m[k]
		if isEmptyJSON(v) {
			continue
		}
		var rw row
		if err := json.Unmarshal(v, &rw); err != nil {
			return nil, fmt.Errorf("record %s: %w", k, err)
		}
		out = append(out, rw)
	}
	return out, nil
}

// factResult builds the answer: every kind read, for every user (0 when
// none), and the error of the kinds that could not be read.
func factResult(reads []*factRead, users []int64, names map[int64]string) (map[string]crm.Facts, error) {
	var errs []error
	var ok []*factRead
	for _, r := range reads {
		if r.err != nil {
			errs = append(errs, crm.FactError{Kind: r.src.kind, Err: r.err})
			continue
		}
		ok = append(ok, r)
	}
	counts := make(map[string]map[int64]float64, len(ok))
	for _, r := range ok {
		counts[r.src.kind] = r.counts
	}
	return crm.FactsByUser(users, names, counts), crm.JoinFactErrors("bitrix24", errs)
}
