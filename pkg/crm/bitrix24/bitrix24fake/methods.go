package bitrix24fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxBatch is the most commands one batch call may hold.
const maxBatch = 50

// pageSize is the size of a list page.
const pageSize = 50

// spType is a smart process with its user fields and items.
type spType struct {
	ID, EntityTypeID int
	Title            string
	BeginClose       bool
	fields           []*UserField // in creation order
	items            map[int]*item
}

func (t *spType) field(name string) *UserField {
	for _, uf := range t.fields {
		if uf.FieldName == name {
			return uf
		}
	}
	return nil
}

// fieldByCamel finds a user field by its camelCase REST name.
func (t *spType) fieldByCamel(name string) *UserField {
	for _, uf := range t.fields {
		if camel(uf.FieldName) == name {
			return uf
		}
	}
	return nil
}

func (t *spType) sortedItems() []*item {
	out := make([]*item, 0, len(t.items))
	for _, it := range t.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// item is a smart-process item: standard fields by REST name, user fields by
// original name (float64 for double, string otherwise, nil when empty).
type item struct {
	id      int
	std     map[string]any
	uf      map[string]any
	created time.Time
	updated time.Time
}

// camel converts UF_CRM_3_NEW_CALLS to ufCrm3NewCalls: underscores between
// two digit runs stay, the others go and the next letter is capitalised.
func camel(name string) string {
	parts := strings.Split(strings.ToLower(name), "_")
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i > 0 && isDigits(p) && isDigits(parts[i-1]) {
			b.WriteByte('_')
		}
		if i == 0 {
			b.WriteString(p)
			continue
		}
		r := []rune(p)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// call is one request being answered; f.mu is held.
type call struct {
	f       *Fake
	stringy bool // encode ids and numbers as strings in this answer
	created bool // an item was created
}

func errBody(e *APIError) map[string]any {
	return map[string]any{"error": e.Code, "error_description": e.Description}
}

func badRequest(code, desc string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: code, Description: desc}
}

// single answers a method called on its own.
func (c *call) single(method string, params map[string]any) (int, map[string]any) {
	res, extra, e := c.dispatch(method, params, false)
	if e != nil {
		status := e.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return status, errBody(e)
	}
	out := map[string]any{"result": res}
	for k, v := range extra {
		out[k] = v
	}
	return http.StatusOK, out
}

// batch runs the commands in order and answers per command.
func (c *call) batch(params map[string]any, raw map[string]json.RawMessage) (int, map[string]any, []string) {
	cmds, err := batchCommands(raw["cmd"], params["cmd"])
	if err != nil {
		return http.StatusBadRequest, errBody(badRequest("INVALID_REQUEST", err.Error())), nil
	}
	if len(cmds) > maxBatch {
		return http.StatusBadRequest, errBody(badRequest("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")), nil
	}
	halt := str(params["halt"])
	stop := halt == "1" || halt == "true" || halt == "Y"
	results, errs := map[string]any{}, map[string]any{}
	totals, nexts, times := map[string]any{}, map[string]any{}, map[string]any{}
	methods := make([]string, 0, len(cmds))
	for _, cmd := range cmds {
		m, q, _ := strings.Cut(cmd.line, "?")
		m = strings.TrimSuffix(m, ".json")
		methods = append(methods, m)
		start := time.Now()
		var res any
		var extra map[string]any
		var e *APIError
		if m == "batch" {
			e = &APIError{Status: http.StatusMethodNotAllowed, Code: "ERROR_BATCH_METHOD_NOT_ALLOWED", Description: "Method is not allowed for batch usage"}
		} else if p, perr := parseQuery(q); perr != nil {
			e = badRequest("INVALID_REQUEST", perr.Error())
		} else {
			res, extra, e = c.dispatch(m, p, true)
		}
		if e != nil {
			errs[cmd.key] = errBody(e)
			if !e.ResetAt.IsZero() {
				times[cmd.key] = timing(start, e.ResetAt.Unix())
			}
			if stop {
				break
			}
			continue
		}
		results[cmd.key] = res
		if t, ok := extra["total"]; ok {
			totals[cmd.key] = t
		}
		if n, ok := extra["next"]; ok {
			nexts[cmd.key] = n
		}
		times[cmd.key] = timing(start, 0)
	}
	return http.StatusOK, map[string]any{"result": map[string]any{
		"result": phpMap(results), "result_error": phpMap(errs),
		"result_total": phpMap(totals), "result_next": phpMap(nexts), "result_time": phpMap(times),
	}}, methods
}

// phpMap encodes an empty map as [], as PHP does.
func phpMap(m map[string]any) any {
	if len(m) == 0 {
		return []any{}
	}
	return m
}

// dispatch runs one method and returns its result and extra top-level keys.
func (c *call) dispatch(method string, p map[string]any, inBatch bool) (any, map[string]any, *APIError) {
	switch method {
	case "crm.item.add":
		return c.itemAdd(p, inBatch)
	case "crm.item.update":
		return c.itemUpdate(p, inBatch)
	case "crm.item.get":
		return c.itemGet(p)
	case "crm.item.list":
		if e := c.listHook(method, p); e != nil {
			return nil, nil, e
		}
		return c.itemList(p)
	case "crm.item.delete":
		return c.itemDelete(p)
	case "crm.type.add":
		return c.typeAdd(p)
	case "crm.type.list":
		return c.typeList(p)
	case "userfieldconfig.add":
		return c.fieldAdd(p)
	case "userfieldconfig.list":
		return c.fieldList(p)
	case "crm.activity.list", "crm.stagehistory.list":
		if e := c.listHook(method, p); e != nil {
			return nil, nil, e
		}
		if method == "crm.activity.list" {
			return c.activityList(p)
		}
		return c.stageHistoryList(p)
	}
	return nil, nil, &APIError{Status: http.StatusNotFound, Code: "ERROR_METHOD_NOT_FOUND", Description: "Method not found!"}
}

// id encodes an integer the way this answer encodes numbers.
func (c *call) id(n int) any {
	if c.stringy {
		return strconv.Itoa(n)
	}
	return n
}

func (c *call) smartType(p map[string]any) (*spType, *APIError) {
	n, ok := num(p["entityTypeId"])
	if !ok {
		return nil, badRequest("NOT_FOUND", "Smart process not found")
	}
	for _, t := range c.f.types {
		if t.EntityTypeID == n {
			return t, nil
		}
	}
	if t := c.f.systemType(n); t != nil {
		return t, nil
	}
	return nil, badRequest("NOT_FOUND", "Smart process not found")
}

func original(p map[string]any) bool {
	v := str(p["useOriginalUfNames"])
	return v == "Y" || v == "1" || v == "true"
}

// apply stores fields into it, ignoring unknown ones, as the portal does.
func (c *call) apply(t *spType, it *item, fields map[string]any, orig bool) *APIError {
	for k, v := range fields {
		switch k {
		case "title", "xmlId", "opened", "sourceDescription":
			it.std[k] = str(v)
		case "assignedById":
			n, ok := num(v)
			if !ok || n <= 0 {
				return badRequest("CRM_FIELD_ERROR_VALUE_NOT_VALID", `Invalid value for field "Responsible person"`)
			}
			it.std[k] = n
		case "begindate", "closedate":
			if !t.BeginClose {
				continue
			}
			d, err := parseDate(str(v))
			if err != nil {
				return badRequest("CRM_FIELD_ERROR_VALUE_NOT_VALID", fmt.Sprintf(`Invalid value for field "%s"`, k))
			}
			it.std[k] = d
		default:
			var uf *UserField
			if orig {
				if strings.HasPrefix(k, "UF_") {
					uf = t.field(k)
				}
			} else if strings.HasPrefix(k, "ufCrm") {
				uf = t.fieldByCamel(k)
			}
			if uf == nil {
				continue
			}
			s := strings.TrimSpace(str(v))
			switch {
			case s == "":
				it.uf[uf.FieldName] = nil
			case uf.UserTypeID == "double" || uf.UserTypeID == "integer":
				x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
				if err != nil {
					return badRequest("CRM_FIELD_ERROR_VALUE_NOT_VALID", fmt.Sprintf(`Invalid value for field "%s"`, uf.Label))
				}
				it.uf[uf.FieldName] = x
			default:
				it.uf[uf.FieldName] = str(v)
			}
		}
	}
	return nil
}

// parseDate accepts YYYY-MM-DD, DD.MM.YYYY and RFC 3339 and stores the
// portal's form, midnight in Moscow.
func parseDate(s string) (string, error) {
	msk := time.FixedZone("MSK", 3*3600)
	for _, layout := range []string{time.DateOnly, "02.01.2006", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), msk); err == nil {
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, msk).Format(time.RFC3339), nil
		}
	}
	return "", fmt.Errorf("bad date %q", s)
}

func (c *call) hook(method string, id int, fields map[string]any, inBatch bool) *APIError {
	if c.f.opts.CommandError == nil {
		return nil
	}
	e := c.f.opts.CommandError(Command{Method: method, ID: id, XMLID: str(fields["xmlId"]), InBatch: inBatch})
	if e != nil && e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	return e
}

func (c *call) itemAdd(p map[string]any, inBatch bool) (any, map[string]any, *APIError) {
	t, e := c.smartType(p)
	if e != nil {
		return nil, nil, e
	}
	fields := obj(p["fields"])
	if e := c.hook("crm.item.add", 0, fields, inBatch); e != nil {
		return nil, nil, e
	}
	now := time.Now()
	it := &item{id: c.f.nextItemID, std: map[string]any{"title": "", "xmlId": "", "opened": "Y"}, uf: map[string]any{}, created: now, updated: now}
	if e := c.apply(t, it, fields, original(p)); e != nil {
		return nil, nil, e
	}
	if str(it.std["title"]) == "" {
		it.std["title"] = fmt.Sprintf("%s #%d", t.Title, it.id)
	}
	c.f.nextItemID++
	t.items[it.id] = it
	c.created = true
	return map[string]any{"item": c.itemJSON(t, it, original(p), nil)}, nil, nil
}

func (c *call) itemUpdate(p map[string]any, inBatch bool) (any, map[string]any, *APIError) {
	t, e := c.smartType(p)
	if e != nil {
		return nil, nil, e
	}
	id, _ := num(p["id"])
	fields := obj(p["fields"])
	if e := c.hook("crm.item.update", id, fields, inBatch); e != nil {
		return nil, nil, e
	}
	it, ok := t.items[id]
	if !ok {
		return nil, nil, badRequest("NOT_FOUND", "Element not found")
	}
	// Validate on a copy: a rejected update changes nothing.
	next := &item{id: it.id, std: clone(it.std), uf: clone(it.uf), created: it.created, updated: time.Now()}
	if e := c.apply(t, next, fields, original(p)); e != nil {
		return nil, nil, e
	}
	t.items[id] = next
	return map[string]any{"item": c.itemJSON(t, next, original(p), nil)}, nil, nil
}

func (c *call) itemGet(p map[string]any) (any, map[string]any, *APIError) {
	t, e := c.smartType(p)
	if e != nil {
		return nil, nil, e
	}
	id, _ := num(p["id"])
	it, ok := t.items[id]
	if !ok {
		return nil, nil, badRequest("NOT_FOUND", "Element not found")
	}
	return map[string]any{"item": c.itemJSON(t, it, original(p), nil)}, nil, nil
}

func (c *call) itemDelete(p map[string]any) (any, map[string]any, *APIError) {
	t, e := c.smartType(p)
	if e != nil {
		return nil, nil, e
	}
	id, _ := num(p["id"])
	if _, ok := t.items[id]; !ok {
		return nil, nil, badRequest("NOT_FOUND", "Element not found")
	}
	delete(t.items, id)
	return []any{}, nil, nil
}

// value is an item's value of a filter or select name.
func (t *spType) value(it *item, name string, orig bool) (any, bool) {
	switch name {
	case "id":
		return it.id, true
	case "title", "xmlId", "assignedById", "opened", "begindate", "closedate":
		return it.std[name], true
	case "createdTime":
		return portalTime(it.created), true
	case "updatedTime":
		return portalTime(it.updated), true
	}
	var uf *UserField
	if orig && strings.HasPrefix(name, "UF_") {
		uf = t.field(name)
	} else if !orig && strings.HasPrefix(name, "ufCrm") {
		uf = t.fieldByCamel(name)
	}
	if uf == nil {
		return nil, false
	}
	return it.uf[uf.FieldName], true
}

// filterOps are the filter prefixes the fake understands, longest first.
var filterOps = listOps

func (c *call) itemList(p map[string]any) (any, map[string]any, *APIError) {
	t, e := c.smartType(p)
	if e != nil {
		return nil, nil, e
	}
	orig := original(p)
	type cond struct {
		op, field string
		values    []string
	}
	var conds []cond
	for k, v := range obj(p["filter"]) {
		op, field := "=", k
		for _, o := range filterOps {
			if strings.HasPrefix(k, o) {
				op, field = o, k[len(o):]
				break
			}
		}
		if _, ok := t.value(&item{std: map[string]any{}, uf: map[string]any{}}, field, orig); !ok {
			return nil, nil, badRequest("INVALID_ARG_VALUE", fmt.Sprintf("Invalid filter: field '%s' is not allowed in filter", field))
		}
		var vals []string
		if op == "@" || op == "!@" {
			for _, x := range list(v) {
				vals = append(vals, str(x))
			}
		} else {
			vals = []string{str(v)}
		}
		conds = append(conds, cond{op, field, vals})
	}
	var matched []*item
	for _, it := range t.sortedItems() {
		ok := true
		for _, cd := range conds {
			v, _ := t.value(it, cd.field, orig)
			if isRange(cd.op) {
				// >=, <=, >, <: dates as instants, numbers as numbers.
				if !newListCond(cd.op, cd.field, cd.values).matches(str(v)) {
					ok = false
					break
				}
				continue
			}
			in := false
			for _, want := range cd.values {
				if str(v) == want {
					in = true
					break
				}
			}
			if cd.op == "!@" || cd.op == "!=" || cd.op == "!" {
				in = !in
			}
			if !in {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, it)
		}
	}
	if dir, ok := obj(p["order"])["id"]; ok && strings.EqualFold(str(dir), "DESC") {
		sort.Slice(matched, func(i, j int) bool { return matched[i].id > matched[j].id })
	}
	start, _ := num(p["start"])
	start = max(start, 0)
	var sel []string
	for _, s := range list(p["select"]) {
		sel = append(sel, str(s))
	}
	items := []any{}
	for i := start; i < len(matched) && i < start+pageSize; i++ {
		items = append(items, c.itemJSON(t, matched[i], orig, sel))
	}
	extra := map[string]any{"total": c.id(len(matched))}
	if start+pageSize < len(matched) {
		extra["next"] = c.id(start + pageSize)
	}
	return map[string]any{"items": items}, extra, nil
}

// itemJSON is an item as the portal answers it; sel limits the fields (id
// always comes).
func (c *call) itemJSON(t *spType, it *item, orig bool, sel []string) map[string]any {
	out := map[string]any{
		"id": c.id(it.id), "entityTypeId": c.id(t.EntityTypeID), "xmlId": it.std["xmlId"], "title": it.std["title"],
		"createdBy": c.id(1), "updatedBy": c.id(1), "opened": it.std["opened"],
		"createdTime": it.created.Format(time.RFC3339), "updatedTime": it.updated.Format(time.RFC3339),
		"categoryId": c.id(0), "stageId": fmt.Sprintf("DT%d_0:NEW", t.EntityTypeID),
	}
	if v, ok := it.std["assignedById"].(int); ok {
		out["assignedById"] = c.id(v)
	} else {
		out["assignedById"] = c.id(1)
	}
	if t.BeginClose {
		out["begindate"], out["closedate"] = it.std["begindate"], it.std["closedate"]
	}
	for _, uf := range t.fields {
		name := uf.FieldName
		if !orig {
			name = camel(name)
		}
		v := it.uf[uf.FieldName]
		if x, ok := v.(float64); ok && c.stringy {
			v = strconv.FormatFloat(x, 'f', -1, 64)
		}
		out[name] = v
	}
	if len(sel) == 0 || slices.Contains(sel, "*") {
		return out
	}
	picked := map[string]any{"id": out["id"]}
	for _, s := range sel {
		if v, ok := out[s]; ok {
			picked[s] = v
		}
	}
	return picked
}

func (c *call) typeAdd(p map[string]any) (any, map[string]any, *APIError) {
	fields := obj(p["fields"])
	title := strings.TrimSpace(str(fields["title"]))
	if title == "" {
		return nil, nil, badRequest("ERROR_CORE", "Field title is required")
	}
	entity := c.f.nextEntity
	if v, ok := fields["entityTypeId"]; ok {
		n, ok := num(v)
		allowed := (n >= 1030 && n%2 == 0) || (n >= 128 && n <= 192)
		if !ok || !allowed {
			return nil, nil, badRequest("ERROR_CORE", "entityTypeId is out of the allowed ranges")
		}
		entity = n
	}
	for _, t := range c.f.types {
		if t.EntityTypeID == entity {
			return nil, nil, badRequest("ERROR_CORE", fmt.Sprintf("Smart process with entityTypeId %d already exists", entity))
		}
	}
	if entity == c.f.nextEntity {
		c.f.nextEntity += 2
	}
	t := &spType{
		ID: c.f.nextTypeID, EntityTypeID: entity, Title: title,
		BeginClose: str(fields["isBeginCloseDatesEnabled"]) == "Y",
		items:      map[int]*item{},
	}
	c.f.nextTypeID++
	c.f.types = append(c.f.types, t)
	return map[string]any{"type": map[string]any{
		"id": c.id(t.ID), "entityTypeId": c.id(t.EntityTypeID), "title": t.Title, "createdBy": c.id(1),
		"isBeginCloseDatesEnabled": yesNo(t.BeginClose), "isStagesEnabled": "N", "isCategoriesEnabled": "N",
		"relations": map[string]any{"parent": []any{}, "child": []any{}}, "linkedUserFields": []any{},
		"customSections": []any{}, "customSectionId": nil,
	}}, nil, nil
}

func (c *call) fieldAdd(p map[string]any) (any, map[string]any, *APIError) {
	if str(p["moduleId"]) != "crm" {
		return nil, nil, badRequest("", "Module is not supported")
	}
	field := obj(p["field"])
	entityID := str(field["entityId"])
	var t *spType
	for _, x := range c.f.types {
		if entityID == "CRM_"+strconv.Itoa(x.ID) {
			t = x
		}
	}
	if t == nil {
		return nil, nil, badRequest("", "Access denied")
	}
	name, userType := str(field["fieldName"]), str(field["userTypeId"])
	switch {
	case name == "":
		return nil, nil, badRequest("", "The 'FIELD_NAME' field is not found.")
	case userType == "":
		return nil, nil, badRequest("", "The 'USER_TYPE_ID' field is not found.")
	case !strings.HasPrefix(name, "UF_"+entityID+"_") || len(name) > 50 || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "":
		return nil, nil, badRequest("", "You cannot create custom fields")
	case t.field(name) != nil:
		return nil, nil, badRequest("", fmt.Sprintf("Field %s already exists", name))
	}
	switch userType {
	case "string", "double", "integer", "url", "boolean", "date", "datetime", "employee", "enumeration":
	default:
		return nil, nil, badRequest("", "Fail to create new user field")
	}
	label := name
	switch l := field["editFormLabel"].(type) {
	case string:
		label = l
	case map[string]any:
		if s := str(l["ru"]); s != "" {
			label = s
		} else if s := str(l["en"]); s != "" {
			label = s
		}
	}
	uf := &UserField{
		ID: c.f.nextFieldID, EntityID: entityID, FieldName: name, UserTypeID: userType,
		XMLID: str(field["xmlId"]), Label: label,
		Multiple: str(field["multiple"]) == "Y", Mandatory: str(field["mandatory"]) == "Y",
		Settings: obj(field["settings"]),
	}
	c.f.nextFieldID++
	t.fields = append(t.fields, uf)
	var xml any
	if uf.XMLID != "" {
		xml = uf.XMLID
	}
	return map[string]any{"field": map[string]any{
		"id": strconv.Itoa(uf.ID), "entityId": uf.EntityID, "fieldName": uf.FieldName, "userTypeId": uf.UserTypeID,
		"xmlId": xml, "sort": "100", "multiple": yesNo(uf.Multiple), "mandatory": yesNo(uf.Mandatory),
		"showFilter": "N", "showInList": "Y", "editInList": "Y", "isSearchable": "N",
		"settings": phpMap(uf.Settings), "editFormLabel": map[string]any{"ru": label},
	}}, nil, nil
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// typeList answers crm.type.list: the smart processes, filtered on title,
// id or entityTypeId (exact), ordered by id, 50 a page from start.
func (c *call) typeList(p map[string]any) (any, map[string]any, *APIError) {
	filter := obj(p["filter"])
	for k := range filter {
		switch strings.TrimPrefix(k, "=") {
		case "title", "id", "entityTypeId":
		default:
			return nil, nil, badRequest("INVALID_ARG_VALUE", fmt.Sprintf("Invalid filter: field '%s' is not allowed in filter", k))
		}
	}
	var docs []any
	for _, t := range c.f.types {
		match := true
		for k, v := range filter {
			switch strings.TrimPrefix(k, "=") {
			case "title":
				match = match && str(v) == t.Title
			case "id":
				n, _ := num(v)
				match = match && n == t.ID
			case "entityTypeId":
				n, _ := num(v)
				match = match && n == t.EntityTypeID
			}
		}
		if match {
			docs = append(docs, map[string]any{
				"id": c.id(t.ID), "entityTypeId": c.id(t.EntityTypeID), "title": t.Title, "code": "",
				"isBeginCloseDatesEnabled": yesNo(t.BeginClose), "isStagesEnabled": "N", "isCategoriesEnabled": "N",
			})
		}
	}
	lo, hi, extra := c.listPage(p, len(docs))
	return map[string]any{"types": append([]any{}, docs[lo:hi]...)}, extra, nil
}

// fieldList answers userfieldconfig.list: the user fields of every smart
// process (moduleId crm), filtered on the fields the method documents
// (id, fieldName, userTypeId, xmlId, exact; not entityId), ordered by id,
// 50 a page from start.
func (c *call) fieldList(p map[string]any) (any, map[string]any, *APIError) {
	if str(p["moduleId"]) != "crm" {
		return nil, nil, badRequest("", "Module is not supported")
	}
	filter := obj(p["filter"])
	for k := range filter {
		switch k {
		case "id", "fieldName", "userTypeId", "xmlId":
		default:
			return nil, nil, badRequest("", fmt.Sprintf("Invalid filter: field '%s' is not allowed in filter", k))
		}
	}
	var docs []any
	for _, t := range c.f.types {
		for _, uf := range t.fields {
			got := map[string]string{"id": strconv.Itoa(uf.ID), "fieldName": uf.FieldName, "userTypeId": uf.UserTypeID, "xmlId": uf.XMLID}
			match := true
			for k, v := range filter {
				match = match && str(v) == got[k]
			}
			if !match {
				continue
			}
			var xml any
			if uf.XMLID != "" {
				xml = uf.XMLID
			}
			docs = append(docs, map[string]any{
				"id": strconv.Itoa(uf.ID), "entityId": uf.EntityID, "fieldName": uf.FieldName, "userTypeId": uf.UserTypeID,
				"xmlId": xml, "multiple": yesNo(uf.Multiple), "mandatory": yesNo(uf.Mandatory),
			})
		}
	}
	lo, hi, extra := c.listPage(p, len(docs))
	return map[string]any{"fields": append([]any{}, docs[lo:hi]...)}, extra, nil
}
