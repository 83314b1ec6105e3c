package amocrm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/dayreport/dayreport/pkg/crm"
)

// lookupLimit is the page size of a lookup, amoCRM's maximum.
const lookupLimit = 250

// maxLookupPages bounds the pages one lookup reads: a search that matches
// more than 5000 elements for one key is not selective enough to trust, and
// paging through all of it is what gets integrations blocked.
const maxLookupPages = 20

// item is one key of an Upsert call: the pushes carrying it and what became
// of it.
type item struct {
	pushes []int // indices into the call's pushes
	key    string
	c      content
	id     int64       // the element to update: known from the push, or found
	found  *elementOut // the lookup's answer; nil: not found (or not looked up)
	done   bool
	err    error
	outID  int64 // the object id to report
}

func (it *item) succeed(id int64) { it.done, it.err, it.outID = true, nil, id }

// fail ends the item with err, reporting the id it was being written to (if
// any) so that the Retrier's next attempt updates it instead of looking up.
func (it *item) fail(err error) { it.done, it.err, it.outID = true, err, it.id }

// Upsert writes the records as list elements: known ids are updated, other
// keys looked up, and what is not found created; see the package
// documentation for the requests it sends and how errors are classified.
func (a *Adapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	results := make([]crm.Result, len(pushes))
	if len(pushes) == 0 {
		return results
	}
	if err := ctx.Err(); err != nil {
		for i := range results {
			results[i].Err = fmt.Errorf("amocrm: not pushed: %w", err)
		}
		return results
	}
	items := a.items(pushes)

	var known, unknown []*item
	for _, it := range items {
		switch {
		case it.done:
		case it.id > 0:
			known = append(known, it)
		default:
			unknown = append(unknown, it)
		}
	}
	unknown = append(unknown, a.update(ctx, known, true)...)
	a.lookupAll(ctx, unknown)
	var changed, missing []*item
	for _, it := range unknown {
		switch {
		case it.done:
		case it.found == nil:
			missing = append(missing, it)
		case a.holds(*it.found, it.c):
			it.succeed(int64(it.found.ID))
		default:
			it.id = int64(it.found.ID)
			changed = append(changed, it)
		}
	}
	a.update(ctx, changed, false)
	a.create(ctx, missing)

	for _, it := range items {
		res := crm.Result{Err: a.scrub.Scrub(it.err)}
		if !it.done {
			res.Err = crm.RetryableError(fmt.Errorf("amocrm: %s: not written (adapter bug: no outcome)", it.key), 0)
		}
		if it.outID > 0 {
			res.ObjectID = strconv.FormatInt(it.outID, 10)
		}
		for _, i := range it.pushes {
			results[i] = res
		}
	}
	return results
}

// items groups the pushes by key, in order of first appearance. A key pushed
// twice is written once, with the last push's record; the id is the last one
// any of its pushes knew.
func (a *Adapter) items(pushes []crm.Push) []*item {
	byKey := make(map[string]*item, len(pushes))
	var items []*item
	for i, p := range pushes {
		it, ok := byKey[p.Record.Key]
		if !ok {
			it = &item{key: p.Record.Key}
			byKey[p.Record.Key] = it
			items = append(items, it)
		}
		it.pushes = append(it.pushes, i)
		if id, err := strconv.ParseInt(p.ObjectID, 10, 64); err == nil && id > 0 {
			it.id = id
		}
		it.done, it.err = false, nil
		c, err := a.encode(p.Record)
		if err != nil {
			it.fail(err)
			continue
		}
		it.c = c
	}
	return items
}

// update PATCHes the items' elements, MaxBatch at a time. Elements amoCRM
// says are gone are returned when fromPush (their id came from the state
// database, so the key is looked up next); otherwise (the id was just found)
// they fail retryably.
func (a *Adapter) update(ctx context.Context, items []*item, fromPush bool) (gone []*item) {
	vanished := func(it *item) {
		if fromPush {
			it.id = 0
			gone = append(gone, it)
			return
		}
		it.fail(crm.RetryableError(fmt.Errorf("amocrm: %s: element %d vanished while being updated; the next attempt looks the key up again", it.key, it.id), 0))
	}
	for lo := 0; lo < len(items); lo += MaxBatch {
		chunk := items[lo:min(lo+MaxBatch, len(items))]
		body := make([]element, len(chunk))
		for i, it := range chunk {
			body[i] = a.updateElement(it.id, it.c, strconv.Itoa(i))
		}
		var out halPage
		_, err := a.do(ctx, http.MethodPatch, nil, body, &out)
		var ae *apiError
		switch {
		case err == nil:
			byReq, byID := index(out.Embedded.Elements)
			for i, it := range chunk {
				el, ok := byReq[strconv.Itoa(i)]
				if !ok {
					el, ok = byID[it.id]
				}
				if ok && el.IsDeleted {
					vanished(it)
					continue
				}
				it.succeed(it.id)
			}
		case errors.As(err, &ae) && ae.status == http.StatusNotFound:
			for _, it := range chunk {
				vanished(it)
			}
		case errors.As(err, &ae) && ae.status == http.StatusBadRequest && len(ae.validation) > 0:
			a.rejected(chunk, body, ae, vanished)
		default:
			for _, it := range chunk {
				it.fail(err)
			}
		}
	}
	return gone
}

// create POSTs the items' elements, MaxBatch at a time.
func (a *Adapter) create(ctx context.Context, items []*item) {
	for lo := 0; lo < len(items); lo += MaxBatch {
		chunk := items[lo:min(lo+MaxBatch, len(items))]
		body := make([]element, len(chunk))
		for i, it := range chunk {
			body[i] = a.createElement(it.c, strconv.Itoa(i))
		}
		var out halPage
		_, err := a.do(ctx, http.MethodPost, nil, body, &out)
		var ae *apiError
		switch {
		case err == nil:
			els := out.Embedded.Elements
			byReq, _ := index(els)
			for i, it := range chunk {
				el, ok := byReq[strconv.Itoa(i)]
				if !ok && len(els) == len(chunk) {
					el, ok = els[i], true // no request ids: the answer keeps the order
				}
				if !ok || el.ID <= 0 {
					it.fail(crm.RetryableError(fmt.Errorf("amocrm: %s: the create was answered without an id for it; the next attempt looks the key up", it.key), 0))
					continue
				}
				it.succeed(int64(el.ID))
			}
		case errors.As(err, &ae) && ae.status == http.StatusBadRequest && len(ae.validation) > 0:
			a.rejected(chunk, body, ae, nil)
		default:
			for _, it := range chunk {
				it.fail(err)
			}
		}
	}
}

// index maps the elements of an answer by request_id and by id.
func index(els []elementOut) (map[string]elementOut, map[int64]elementOut) {
	byReq := make(map[string]elementOut, len(els))
	byID := make(map[int64]elementOut, len(els))
	for _, el := range els {
		if el.RequestID != "" {
			byReq[string(el.RequestID)] = el
		}
		if el.ID > 0 {
			byID[int64(el.ID)] = el
		}
	}
	return byReq, byID
}

// rejected settles a chunk amoCRM refused with validation errors: the
// elements named fail for good (or, for an error about the element's id, are
// handed to gone when gone is not nil), and the others, which the refusal
// left unwritten too, fail retryably so that the Retrier sends them again
// without the rejected ones.
func (a *Adapter) rejected(chunk []*item, body []element, ae *apiError, gone func(*item)) {
	named := map[int][]validationErr{}
	for _, g := range ae.validation {
		i, err := strconv.Atoi(string(g.RequestID))
		if err != nil || i < 0 || i >= len(chunk) {
			continue
		}
		named[i] = append(named[i], g.Errors...)
	}
	if len(named) == 0 { // nothing attributable: the request as a whole is wrong
		for _, it := range chunk {
			it.fail(crm.PermanentError(ae))
		}
		return
	}
	for i, it := range chunk {
		errs, ok := named[i]
		switch {
		case ok && gone != nil && aboutID(errs):
			gone(it)
		case ok:
			it.fail(crm.PermanentError(&rejection{key: it.key, req: ae, why: a.describe(errs, body[i])}))
		default:
			it.fail(crm.RetryableError(fmt.Errorf("amocrm: %s: not written: amoCRM refused the whole %s request because of other elements in it", it.key, ae.method), 0))
		}
	}
}

// aboutID reports whether validation errors say the element's id is wrong,
// which for an update means the element is gone.
func aboutID(errs []validationErr) bool {
	for _, e := range errs {
		if e.Path == "id" || strings.Contains(strings.ToLower(e.Code), "notfound") {
			return true
		}
	}
	return false
}

// describe renders validation errors, naming the field behind a
// custom_fields_values.<i> path.
func (a *Adapter) describe(errs []validationErr, el element) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		where := e.Path
		if rest, ok := strings.CutPrefix(e.Path, "custom_fields_values."); ok {
			n, _, _ := strings.Cut(rest, ".")
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < len(el.CustomFieldsValues) {
				where += " (" + a.fieldName(el.CustomFieldsValues[i].FieldID) + ")"
			}
		}
		part := e.Code
		if where != "" {
			part += " at " + where
		}
		if e.Detail != "" {
			part += ": " + e.Detail
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// fieldName names a field id by its key in the config.
func (a *Adapter) fieldName(id int) string {
	for _, m := range a.fields.metrics {
		if m.id == id {
			return fmt.Sprintf("field %d, metric %s", id, m.key)
		}
	}
	for k, fid := range a.fields.text {
		if fid == id {
			return fmt.Sprintf("field %d, %s", id, k)
		}
	}
	return fmt.Sprintf("field %d", id)
}

// rejection is a permanent per-element validation error.
type rejection struct {
	key string
	req *apiError
	why string
}

func (e *rejection) Error() string {
	return fmt.Sprintf("amocrm: %s: rejected by amoCRM (%s %s: %d): %s", e.key, e.req.method, e.req.path, e.req.status, e.why)
}

func (e *rejection) Unwrap() error { return e.req }

// lookupAll looks the items' keys up, a few at a time.
func (a *Adapter) lookupAll(ctx context.Context, items []*item) {
	if len(items) == 0 {
		return
	}
	jobs := make(chan *item)
	var wg sync.WaitGroup
	for range min(a.lookups, len(items)) {
		wg.Go(func() {
			for it := range jobs {
				found, err := a.lookup(ctx, it.key)
				if err != nil {
					it.fail(err)
					continue
				}
				it.found = found
			}
		})
	}
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	wg.Wait()
}

// lookup returns the element named key (the lowest id among duplicates), or
// nil when there is none. It reads every page the search returns, since the
// search is not by exact name.
func (a *Adapter) lookup(ctx context.Context, key string) (*elementOut, error) {
	var best *elementOut
	for page := 1; page <= maxLookupPages; page++ {
		q := url.Values{"query": {key}, "limit": {strconv.Itoa(lookupLimit)}, "page": {strconv.Itoa(page)}}
		var out halPage
		status, err := a.do(ctx, http.MethodGet, q, nil, &out)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return best, nil
		}
		for _, el := range out.Embedded.Elements {
			if el.Name == key && !el.IsDeleted && el.ID > 0 && (best == nil || el.ID < best.ID) {
				found := el
				best = &found
			}
		}
		if out.Links.Next == nil || len(out.Embedded.Elements) == 0 {
			return best, nil
		}
	}
	if best != nil {
		return best, nil
	}
	return nil, crm.PermanentError(fmt.Errorf("amocrm: looking up %s: the search matched more than %d elements without one named exactly so; "+
		"not creating it, since it may be further down", key, maxLookupPages*lookupLimit))
}
