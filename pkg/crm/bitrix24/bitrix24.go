package bitrix24

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
)

// Name is the adapter's config name.
const Name = "bitrix24"

// Limits and defaults.
const (
	// MaxBatch is the most records one Upsert call carries, and the most
	// commands one batch call and one crm.item.list page hold.
	MaxBatch = 50
	// DefaultRequestsPerSecond is the leaky bucket's drain rate on every
	// plan but Enterprise.
	DefaultRequestsPerSecond = 2
	// ServerBucket is the bucket size the portal allows before answering
	// QUERY_LIMIT_EXCEEDED (Enterprise allows 250: 50 is safe everywhere).
	ServerBucket = 50
	// DefaultBurst is the client's own bucket: the server's less two
	// requests of headroom, so that network jitter (a request counted later
	// than it was sent, the next one sooner) never overflows the server's.
	DefaultBurst = ServerBucket - 2
	// DefaultTimeout bounds one REST call (a batch of 50 writes can take
	// seconds on a busy portal).
	DefaultTimeout = 60 * time.Second
)

// maxLookupPages bounds the pages one lookup reads (more than one only when
// duplicates exist for the keys).
const maxLookupPages = 20

// maxBatchBytes splits a batch before its command lines grow past this size,
// whatever the command count: notes run to 4000 characters each.
const maxBatchBytes = 512 << 10

// Options are the adapter's settings that do not come from the config file.
type Options struct {
	// HTTPClient sends the requests (nil: a client that does not follow
	// redirects).
	HTTPClient *http.Client
	// Timeout bounds each REST call (0: DefaultTimeout; negative: none).
	Timeout time.Duration
	// Now is the clock used to turn operating_reset_at into a wait
	// (nil: time.Now).
	Now func() time.Time
	// Burst is the client's bucket size (0: DefaultBurst). Requests beyond
	// it wait for the bucket to drain at config's requests_per_second.
	Burst int
	// TimeScale runs the client's bucket that many times faster, for tests
	// against a fake whose bucket is scaled the same way (0 or 1: real time).
	TimeScale float64
	// Logger receives one line per REST call; nil logs nothing. Lines never
	// carry the webhook URL.
	Logger *zerolog.Logger
}

// Adapter writes records as items of a Bitrix24 smart process.
type Adapter struct {
	c      *client
	schema *schema
}

var _ crm.Adapter = (*Adapter)(nil)

// New returns an adapter for cfg. It checks the config and makes no request.
// Its errors never quote the webhook URL.
func New(cfg config.Bitrix24CRM, opts Options) (*Adapter, error) {
	if cfg.EntityTypeID <= 0 {
		return nil, errors.New("bitrix24: entity_type_id is not set: run `dayreport crm setup` and paste the block it prints")
	}
	if cfg.SPAID <= 0 {
		return nil, errors.New("bitrix24: spa_id is not set: run `dayreport crm setup` and paste the block it prints")
	}
	c, err := newClient(cfg.WebhookURL.Value(), cfg.RequestsPerSecond, opts)
	if err != nil {
		return nil, err
	}
	return &Adapter{c: c, schema: newSchema(cfg.EntityTypeID, cfg.SPAID, cfg.Fields)}, nil
}

// Name returns "bitrix24".
func (a *Adapter) Name() string { return Name }

// MaxBatch returns 50: one lookup page and one batch call per Upsert.
func (a *Adapter) MaxBatch() int { return MaxBatch }

// Upsert writes the records as smart-process items, in at most three steps:
//
//  1. Records without an ObjectID are looked up by key: one crm.item.list
//     filtered on xmlId per 50 keys. A key found is updated, not created, so
//     a create whose answer was lost (a timeout, a 5xx) is never repeated.
//     A New push (nothing was ever sent for its key) is created without a
//     lookup: N new records cost ceil(N/50) calls.
//  2. One batch call (halt=0) per 50 records: crm.item.update for a known
//     id, crm.item.add for the rest. Each command's result or result_error
//     becomes that record's Result: a failed command fails only its record,
//     classified by its error code, and nothing is re-sent here.
//  3. An update answered NOT_FOUND (the item was deleted behind dayreport's
//     back) is looked up by key again and created when it is really gone.
//
// A request that fails as a whole (a rate limit, a 5xx, a timeout) fails the
// records it carried with its classified error; a Retrier then sends them
// again, and step 1 finds what an ambiguous create did store.
func (a *Adapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	u := &upsert{a: a, pushes: pushes, res: make([]crm.Result, len(pushes)), ids: make([]string, len(pushes)), done: make([]bool, len(pushes))}
	if len(pushes) == 0 {
		return u.res
	}
	if err := ctx.Err(); err != nil {
		for i := range u.res {
			u.fail(i, ctxError("upsert", err))
		}
		return u.res
	}
	var unknown, todo []int
	first := make(map[string]int, len(pushes))
	for i, p := range pushes {
		key := p.Record.Key
		if strings.TrimSpace(key) == "" {
			u.fail(i, crm.PermanentError(fmt.Errorf("bitrix24: push %d has no record key", i)))
			continue
		}
		if j, dup := first[key]; dup {
			// Writing both could create two items; the first goes now, this
			// one after it, when the lookup will find the first's item.
			u.fail(i, crm.RetryableError(fmt.Errorf("bitrix24: %s is pushed twice in one call (as %d and %d); the second waits", key, j, i), 0))
			continue
		}
		first[key] = i
		if id := validID(p.ObjectID); id != "" {
			u.ids[i] = id
		} else if !p.New {
			unknown = append(unknown, i)
		}
		todo = append(todo, i)
	}
	u.lookup(ctx, unknown)
	gone := u.write(ctx, todo)
	if len(gone) > 0 {
		for _, i := range gone {
			u.ids[i] = ""
		}
		u.lookup(ctx, gone)
		for _, i := range u.write(ctx, gone) {
			u.fail(i, crm.RetryableError(fmt.Errorf("bitrix24: %s: the item vanished twice while being written", pushes[i].Record.Key), 0))
		}
	}
	for i := range u.res {
		if !u.done[i] {
			u.fail(i, crm.RetryableError(fmt.Errorf("bitrix24: %s: not written", pushes[i].Record.Key), 0))
		}
	}
	return u.res
}

// validID returns id when it is a positive integer, else "".
func validID(id string) string {
	id = strings.TrimSpace(id)
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
		return strconv.FormatInt(n, 10)
	}
	return ""
}

// upsert is the state of one Upsert call.
type upsert struct {
	a      *Adapter
	pushes []crm.Push
	res    []crm.Result
	ids    []string // the item id of each push, once known
	done   []bool   // the push has its Result
}

func (u *upsert) fail(i int, err error) {
	u.res[i] = crm.Result{Err: err}
	u.done[i] = true
}

func (u *upsert) succeed(i int, id string) {
	u.res[i] = crm.Result{ObjectID: id}
	u.done[i] = true
}

// pending returns the indices of idx that have no Result yet.
func (u *upsert) pending(idx []int) []int {
	out := idx[:0:0]
	for _, i := range idx {
		if !u.done[i] {
			out = append(out, i)
		}
	}
	return out
}

// lookup finds the items of the pushes idx by key, 50 keys per
// crm.item.list, and records their ids. A failed lookup fails its pushes:
// nothing is created for a key that could not be looked up.
func (u *upsert) lookup(ctx context.Context, idx []int) {
	idx = u.pending(idx)
	for lo := 0; lo < len(idx); lo += MaxBatch {
		chunk := idx[lo:min(lo+MaxBatch, len(idx))]
		keys := make([]string, len(chunk))
		for k, i := range chunk {
			keys[k] = u.pushes[i].Record.Key
		}
		found, err := u.a.find(ctx, keys)
		for _, i := range chunk {
			if err != nil {
				u.fail(i, err)
				continue
			}
			u.ids[i] = found[u.pushes[i].Record.Key]
		}
	}
}

// find returns the item id of each key that has an item (the oldest, should
// there be several).
func (a *Adapter) find(ctx context.Context, keys []string) (map[string]string, error) {
	found := make(map[string]string, len(keys))
	params := map[string]any{
		"entityTypeId":       a.schema.entityTypeID,
		"useOriginalUfNames": "Y",
		"select":             []string{"id", "xmlId"},
		"filter":             map[string]any{"@xmlId": keys},
		"order":              map[string]string{"id": "ASC"},
	}
	for page := 0; page < maxLookupPages; page++ {
		var list itemList
		env, err := a.c.call(ctx, "crm.item.list", params, &list, 0)
		if err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			id, key := int64(it.V.ID), string(it.V.XMLID)
			if id <= 0 || key == "" {
				continue
			}
			if old, ok := found[key]; ok {
				if n, _ := strconv.ParseInt(old, 10, 64); n <= id {
					continue
				}
			}
			found[key] = strconv.FormatInt(id, 10)
		}
		if env.Next <= 0 {
			break
		}
		params["start"] = int64(env.Next)
	}
	return found, nil
}

// write sends an update or an add for each push of idx, in batch calls, and
// records each command's outcome. It returns the pushes whose update was
// answered NOT_FOUND, without a Result yet.
func (u *upsert) write(ctx context.Context, idx []int) (gone []int) {
	idx = u.pending(idx)
	s := u.a.schema
	head := func(id string) []param {
		h := []param{{"entityTypeId", strconv.Itoa(s.entityTypeID)}}
		if id != "" {
			h = append(h, param{"id", id})
		}
		return append(h, param{"useOriginalUfNames", "Y"})
	}
	var batch orderedCommands
	var members []int
	size := 0
	flush := func() {
		if len(batch) > 0 {
			gone = append(gone, u.send(ctx, batch, members)...)
		}
		batch, members, size = nil, nil, 0
	}
	for _, i := range idx {
		method := "crm.item.add"
		if u.ids[i] != "" {
			method = "crm.item.update"
		}
		line := commandLine(method, head(u.ids[i]), s.fields(u.pushes[i].Record))
		if len(batch) == MaxBatch || (len(batch) > 0 && size+len(line) > maxBatchBytes) {
			flush()
		}
		batch = append(batch, command{key: "p" + strconv.Itoa(i), line: line})
		members = append(members, i)
		size += len(line)
	}
	flush()
	return gone
}

// send runs one batch call and records each command's outcome.
func (u *upsert) send(ctx context.Context, cmds orderedCommands, members []int) (gone []int) {
	var br batchResult
	_, err := u.a.c.call(ctx, "batch", map[string]any{"halt": 0, "cmd": cmds}, &br, len(cmds))
	if err != nil {
		for _, i := range members {
			u.fail(i, err)
		}
		return nil
	}
	for k, i := range members {
		key, update := cmds[k].key, u.ids[i] != ""
		method := "crm.item.add"
		if update {
			method = "crm.item.update"
		}
		if err := u.a.c.commandError(&br, key, method); err != nil {
			var ae *APIError
			if update && errors.As(err, &ae) && ae.Code == codeNotFound {
				gone = append(gone, i)
				continue
			}
			u.fail(i, err)
			continue
		}
		raw, ok := br.Result[key]
		if !ok {
			// No answer for the command: for an add, ambiguous. The retry
			// looks the key up first.
			u.fail(i, crm.RetryableError(fmt.Errorf("bitrix24: batch: no result for %s of %s", method, u.pushes[i].Record.Key), 0))
			continue
		}
		var ir itemResult
		if jerr := jsonUnmarshal(raw, &ir); jerr != nil || ir.Item.V.ID <= 0 {
			if update {
				u.succeed(i, u.ids[i])
				continue
			}
			u.fail(i, crm.RetryableError(fmt.Errorf("bitrix24: batch: %s of %s answered without an item id", method, u.pushes[i].Record.Key), 0))
			continue
		}
		u.succeed(i, strconv.FormatInt(int64(ir.Item.V.ID), 10))
	}
	return gone
}
