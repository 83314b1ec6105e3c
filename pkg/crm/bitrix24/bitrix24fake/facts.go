package bitrix24fake

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The portal's CRM records that bitrix24.Adapter.Facts reads: activities
// (crm.activity.list), estimates and smart invoices (crm.item.list with
// entityTypeId 7 and 31), deals (entityTypeId 2), and the stage history of
// deals and smart invoices (crm.stagehistory.list). Tests put them in with
// AddCall, AddEstimate, AddInvoice, AddDeal, MoveStage and their shortcuts;
// the methods filter them with the portal's prefixes (>=, <, @, …), answer
// pages of 50 with total and next, and reject a filter on a field they do
// not know with 400 INVALID_ARG_VALUE, as the portal does.

// Entity types of the CRM objects the facts come from (Bitrix24's CRM
// object type ids).
const (
	EntityDeal         = 2
	EntityQuote        = 7
	EntitySmartInvoice = 31
)

// Activity type ids (crm.enum.activitytype).
const (
	ActivityMeeting = 1
	ActivityCall    = 2
	ActivityTask    = 3
	ActivityEmail   = 4
)

// Stage semantics: in progress, success, failure.
const (
	SemanticProcess = "P"
	SemanticSuccess = "S"
	SemanticFailure = "F"
)

// portalZone is the portal's time zone: dates are answered in it.
var portalZone = time.FixedZone("MSK", 3*3600)

// systemTitles are the CRM's own object types that crm.item.list serves
// besides the smart processes made with crm.type.add.
var systemTitles = map[int]string{EntityDeal: "Deal", EntityQuote: "Estimate", EntitySmartInvoice: "Invoice"}

// activity is a CRM activity (a call, a meeting, …).
type activity struct {
	id, typeID, responsible int
	created                 time.Time
}

// stageEntry is one record of an object's stage history.
type stageEntry struct {
	id, entityTypeID, ownerID int
	semantic                  string
	created                   time.Time
}

// factStore holds the records behind the facts; the Fake's mu guards it.
type factStore struct {
	system     map[int]*spType
	activities []*activity
	history    []*stageEntry
	nextAct    int
	nextStage  int
}

// systemType returns the CRM type entityTypeID (a deal, an estimate, a smart
// invoice), made on first use; nil for other ids. Callers hold mu.
func (f *Fake) systemType(entityTypeID int) *spType {
	title, ok := systemTitles[entityTypeID]
	if !ok {
		return nil
	}
	if f.fx.system == nil {
		f.fx.system = map[int]*spType{}
	}
	t := f.fx.system[entityTypeID]
	if t == nil {
		t = &spType{EntityTypeID: entityTypeID, Title: title, items: map[int]*item{}}
		f.fx.system[entityTypeID] = t
	}
	return t
}

// AddActivity stores an activity of typeID for the CRM user, created at at,
// and returns its id.
func (f *Fake) AddActivity(user, typeID int, at time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fx.nextAct++
	f.fx.activities = append(f.fx.activities, &activity{id: f.fx.nextAct, typeID: typeID, responsible: user, created: at})
	return f.fx.nextAct
}

// AddCall stores a call activity (TYPE_ID 2) of the CRM user at at.
func (f *Fake) AddCall(user int, at time.Time) int { return f.AddActivity(user, ActivityCall, at) }

// AddItem stores an object of a CRM type (EntityDeal, EntityQuote,
// EntitySmartInvoice) assigned to the CRM user and created at at, and
// returns its id.
func (f *Fake) AddItem(entityTypeID, user int, at time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.systemType(entityTypeID)
	if t == nil {
		panic(fmt.Sprintf("bitrix24fake: AddItem: entity type %d is not a CRM type the fake keeps", entityTypeID))
	}
	id := f.nextItemID
	f.nextItemID++
	t.items[id] = &item{
		id: id, std: map[string]any{"title": fmt.Sprintf("%s #%d", t.Title, id), "xmlId": "", "opened": "Y", "assignedById": user},
		uf: map[string]any{}, created: at, updated: at,
	}
	f.fx.nextStage++
	f.fx.history = append(f.fx.history, &stageEntry{id: f.fx.nextStage, entityTypeID: entityTypeID, ownerID: id, semantic: SemanticProcess, created: at})
	return id
}

// AddEstimate stores an estimate (entityTypeId 7) of the CRM user.
func (f *Fake) AddEstimate(user int, at time.Time) int { return f.AddItem(EntityQuote, user, at) }

// AddInvoice stores a smart invoice (entityTypeId 31) of the CRM user.
func (f *Fake) AddInvoice(user int, at time.Time) int {
	return f.AddItem(EntitySmartInvoice, user, at)
}

// AddDeal stores a deal (entityTypeId 2) of the CRM user.
func (f *Fake) AddDeal(user int, at time.Time) int { return f.AddItem(EntityDeal, user, at) }

// MoveStage records that object id of entityTypeID moved at at to a stage of
// semantic (SemanticProcess, SemanticSuccess, SemanticFailure).
func (f *Fake) MoveStage(entityTypeID, id int, semantic string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t := f.systemType(entityTypeID); t == nil || t.items[id] == nil {
		panic(fmt.Sprintf("bitrix24fake: MoveStage: no object %d of type %d", id, entityTypeID))
	}
	f.fx.nextStage++
	f.fx.history = append(f.fx.history, &stageEntry{id: f.fx.nextStage, entityTypeID: entityTypeID, ownerID: id, semantic: semantic, created: at})
}

// Reassign makes user the responsible of object id of entityTypeID.
func (f *Fake) Reassign(entityTypeID, id, user int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.systemType(entityTypeID)
	if t == nil || t.items[id] == nil {
		panic(fmt.Sprintf("bitrix24fake: Reassign: no object %d of type %d", id, entityTypeID))
	}
	t.items[id].std["assignedById"] = user
}

// AddWonDeal stores a deal of the CRM user, created an hour before at and
// moved to a success stage at at, and returns its id.
func (f *Fake) AddWonDeal(user int, at time.Time) int {
	id := f.AddDeal(user, at.Add(-time.Hour))
	f.MoveStage(EntityDeal, id, SemanticSuccess, at)
	return id
}

// AddPaidInvoice stores a smart invoice of the CRM user issued at issued and
// moved to its success stage (paid) at paid, and returns its id.
func (f *Fake) AddPaidInvoice(user int, issued, paid time.Time) int {
	id := f.AddInvoice(user, issued)
	f.MoveStage(EntitySmartInvoice, id, SemanticSuccess, paid)
	return id
}

// listHook asks Options.ListError about a list call.
func (c *call) listHook(method string, p map[string]any) *APIError {
	if c.f.opts.ListError == nil {
		return nil
	}
	n, _ := num(p["entityTypeId"])
	e := c.f.opts.ListError(method, n)
	if e != nil && e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	return e
}

// listCond is one condition of a list filter.
type listCond struct {
	op, field string
	values    []string
	times     []time.Time // values read as instants (zero when not one)
}

// listOps are the filter prefixes of list methods, longest first.
var listOps = []string{">=", "<=", "!@", "!=", ">", "<", "@", "=", "!"}

// parseFilter reads a list filter; fields says whether a field may be
// filtered on.
func parseFilter(filter map[string]any, fields func(string) bool) ([]listCond, *APIError) {
	var out []listCond
	for k, v := range filter {
		op, field := "=", k
		for _, o := range listOps {
			if strings.HasPrefix(k, o) {
				op, field = o, k[len(o):]
				break
			}
		}
		if !fields(field) {
			return nil, badRequest("INVALID_ARG_VALUE", fmt.Sprintf("Invalid filter: field '%s' is not allowed in filter", field))
		}
		var vals []string
		for _, x := range list(v) {
			vals = append(vals, str(x))
		}
		if isRange(op) && len(vals) != 1 {
			return nil, badRequest("INVALID_ARG_VALUE", fmt.Sprintf("Invalid filter: field '%s' has invalid value", field))
		}
		out = append(out, newListCond(op, field, vals))
	}
	return out, nil
}

// newListCond makes a condition, reading its values as instants once.
func newListCond(op, field string, vals []string) listCond {
	cd := listCond{op: op, field: field, values: vals, times: make([]time.Time, len(vals))}
	for i, v := range vals {
		if t, err := parseInstant(v); err == nil {
			cd.times[i] = t
		}
	}
	return cd
}

func isRange(op string) bool { return op == ">=" || op == "<=" || op == ">" || op == "<" }

// matches reports whether v satisfies the condition.
func (cd listCond) matches(v string) bool {
	return cd.match(func(i int) int { return compare(v, cd.values[i]) }, v == "")
}

// matchesTime is matches for a date and time.
func (cd listCond) matchesTime(t time.Time) bool {
	return cd.match(func(i int) int {
		if !cd.times[i].IsZero() {
			return t.Compare(cd.times[i])
		}
		return compare(portalTime(t), cd.values[i])
	}, false)
}

// match applies the operator to the comparisons with each value.
func (cd listCond) match(cmp func(i int) int, empty bool) bool {
	if isRange(cd.op) {
		if empty {
			return false
		}
		c := cmp(0)
		switch cd.op {
		case ">=":
			return c >= 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		default:
			return c < 0
		}
	}
	in := false
	for i := range cd.values {
		if cmp(i) == 0 {
			in = true
			break
		}
	}
	if cd.op == "!@" || cd.op == "!=" || cd.op == "!" {
		return !in
	}
	return in
}

// compare orders two filter values: as instants when both are dates, as
// numbers when both are numbers, else as text.
func compare(a, b string) int {
	if ta, errA := parseInstant(a); errA == nil {
		if tb, errB := parseInstant(b); errB == nil {
			return ta.Compare(tb)
		}
	}
	if na, errA := strconv.ParseFloat(a, 64); errA == nil {
		if nb, errB := strconv.ParseFloat(b, 64); errB == nil {
			switch {
			case na < nb:
				return -1
			case na > nb:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a, b)
}

// parseInstant reads a date and time as the portal takes it in a filter:
// ISO 8601 with an offset, or without one in the portal's zone.
func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "02.01.2006 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, portalZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

// portalTime is t as the portal answers a date and time.
func portalTime(t time.Time) string { return t.In(portalZone).Format(time.RFC3339) }

// listPage cuts page start of n rows: the bounds, total and next.
func (c *call) listPage(p map[string]any, n int) (lo, hi int, extra map[string]any) {
	start, _ := num(p["start"])
	start = max(start, 0)
	lo, hi = min(start, n), min(start+pageSize, n)
	extra = map[string]any{"total": c.id(n)}
	if start+pageSize < n {
		extra["next"] = c.id(start + pageSize)
	}
	return lo, hi, extra
}

// descending reports whether order asks for field in descending order.
func descending(p map[string]any, field string) bool {
	for k, v := range obj(p["order"]) {
		if strings.EqualFold(k, field) && strings.EqualFold(str(v), "DESC") {
			return true
		}
	}
	return false
}

// pick limits a row to the selected fields (all of them for none or "*").
func pick(row map[string]any, sel any) map[string]any {
	names := list(sel)
	if len(names) == 0 {
		return row
	}
	out := map[string]any{}
	for _, n := range names {
		s := str(n)
		if s == "*" {
			return row
		}
		if v, ok := row[s]; ok {
			out[s] = v
		}
	}
	return out
}

// activityFields are the activity fields the fake filters on.
var activityFields = map[string]bool{"ID": true, "TYPE_ID": true, "RESPONSIBLE_ID": true, "CREATED": true}

func (a *activity) value(field string) string {
	switch field {
	case "ID":
		return strconv.Itoa(a.id)
	case "TYPE_ID":
		return strconv.Itoa(a.typeID)
	case "RESPONSIBLE_ID":
		return strconv.Itoa(a.responsible)
	case "CREATED":
		return portalTime(a.created)
	}
	return ""
}

// activityList answers crm.activity.list: the result is the list itself.
func (c *call) activityList(p map[string]any) (any, map[string]any, *APIError) {
	conds, e := parseFilter(obj(p["filter"]), func(f string) bool { return activityFields[f] })
	if e != nil {
		return nil, nil, e
	}
	var matched []*activity
	for _, a := range c.f.fx.activities {
		ok := true
		for _, cd := range conds {
			if cd.field == "CREATED" {
				if !cd.matchesTime(a.created) {
					ok = false
					break
				}
				continue
			}
			if !cd.matches(a.value(cd.field)) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, a)
		}
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].id < matched[j].id })
	if descending(p, "ID") {
		sort.Slice(matched, func(i, j int) bool { return matched[i].id > matched[j].id })
	}
	lo, hi, extra := c.listPage(p, len(matched))
	rows := []any{}
	for _, a := range matched[lo:hi] {
		// crm.activity.list answers every number as a string.
		rows = append(rows, pick(map[string]any{
			"ID": strconv.Itoa(a.id), "TYPE_ID": strconv.Itoa(a.typeID), "RESPONSIBLE_ID": strconv.Itoa(a.responsible),
			"CREATED": portalTime(a.created), "COMPLETED": "Y", "SUBJECT": fmt.Sprintf("Activity #%d", a.id),
		}, p["select"]))
	}
	return rows, extra, nil
}

// historyFields are the stage history fields of deals and smart invoices.
var historyFields = map[string]bool{"ID": true, "TYPE_ID": true, "OWNER_ID": true, "CREATED_TIME": true, "CATEGORY_ID": true, "STAGE_SEMANTIC_ID": true, "STAGE_ID": true}

func (s *stageEntry) typeID() int {
	switch s.semantic {
	case SemanticSuccess, SemanticFailure:
		return 3 // moved to a final stage
	}
	return 2
}

func (s *stageEntry) stageID() string {
	switch s.semantic {
	case SemanticSuccess:
		return "WON"
	case SemanticFailure:
		return "LOSE"
	}
	return "NEW"
}

func (s *stageEntry) value(field string) string {
	switch field {
	case "ID":
		return strconv.Itoa(s.id)
	case "TYPE_ID":
		return strconv.Itoa(s.typeID())
	case "OWNER_ID":
		return strconv.Itoa(s.ownerID)
	case "CREATED_TIME":
		return portalTime(s.created)
	case "CATEGORY_ID":
		return "0"
	case "STAGE_SEMANTIC_ID":
		return s.semantic
	case "STAGE_ID":
		return s.stageID()
	}
	return ""
}

// stageHistoryList answers crm.stagehistory.list for deals and smart
// invoices: {items: […]}.
func (c *call) stageHistoryList(p map[string]any) (any, map[string]any, *APIError) {
	n, ok := num(p["entityTypeId"])
	if !ok || (n != EntityDeal && n != EntitySmartInvoice) {
		return nil, nil, badRequest("ENTITY_TYPE_NOT_SUPPORTED", fmt.Sprintf("Entity type %s is not supported", str(p["entityTypeId"])))
	}
	conds, e := parseFilter(obj(p["filter"]), func(f string) bool { return historyFields[f] })
	if e != nil {
		return nil, nil, e
	}
	var matched []*stageEntry
	for _, s := range c.f.fx.history {
		if s.entityTypeID != n {
			continue
		}
		ok := true
		for _, cd := range conds {
			if cd.field == "CREATED_TIME" {
				if !cd.matchesTime(s.created) {
					ok = false
					break
				}
				continue
			}
			if !cd.matches(s.value(cd.field)) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, s)
		}
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].id < matched[j].id })
	if descending(p, "ID") {
		sort.Slice(matched, func(i, j int) bool { return matched[i].id > matched[j].id })
	}
	lo, hi, extra := c.listPage(p, len(matched))
	items := []any{}
	for _, s := range matched[lo:hi] {
		items = append(items, pick(map[string]any{
			"ID": c.id(s.id), "TYPE_ID": c.id(s.typeID()), "OWNER_ID": c.id(s.ownerID), "CREATED_TIME": portalTime(s.created),
			"CATEGORY_ID": c.id(0), "STAGE_SEMANTIC_ID": s.semantic, "STAGE_ID": s.stageID(),
		}, p["select"]))
	}
	return map[string]any{"items": items}, extra, nil
}
