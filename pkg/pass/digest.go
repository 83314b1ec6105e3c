package pass

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"reflect"
	"slices"

	"github.com/dayreport/dayreport/pkg/funnel"
	planfact "github.com/dayreport/dayreport/pkg/plan"
)

// digester digests a value of the summary's model (the funnel, the plan
// tabs' model) for the fingerprint: every exported field of every struct
// in declaration order, whatever its JSON tag says (a field the JSON
// leaves out may still order or show something), each value by its bits,
// a map by its keys in order, a pointer's nil told apart from a zero. It
// took the place of the model's JSON, whose encoding (the numbers
// formatted, the maps sorted) was a tenth of the CPU of a pass that
// rewrote the summary of 10 000 employees.
type digester struct {
	h   hash.Hash
	buf []byte
	// held counts the maps being digested whose values are in buf by
	// offset (stringMap): buf is not flushed meanwhile. scratch is
	// stringMap's room for the values while it orders them.
	held    int
	scratch []byte
	// fields are the indexes of each struct type's exported fields, found
	// once per type: reflect's Field, asked for every field of every
	// employee's funnel and plan figures, was a fifth of the digest.
	fields map[reflect.Type][]int
}

// exported are the indexes of t's exported fields, in declaration order.
func (d *digester) exported(t reflect.Type) []int {
	if f, ok := d.fields[t]; ok {
		return f
	}
	f := []int{}
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			f = append(f, i)
		}
	}
	if d.fields == nil {
		d.fields = map[reflect.Type][]int{}
	}
	d.fields[t] = f
	return f
}

// digestFlush is how much the digester gathers before it hashes it.
const digestFlush = 32 << 10

func newDigester(h hash.Hash) *digester { return &digester{h: h} }

// add digests v.
func (d *digester) add(v any) {
	d.value(reflect.ValueOf(v))
	d.flush()
}

func (d *digester) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

func (d *digester) value(v reflect.Value) {
	if d.held == 0 && len(d.buf) > digestFlush {
		d.flush()
	}
	if !v.IsValid() {
		d.buf = append(d.buf, 0)
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			d.buf = append(d.buf, 1)
		} else {
			d.buf = append(d.buf, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.buf = binary.AppendVarint(d.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.buf = binary.AppendUvarint(d.buf, v.Uint())
	case reflect.Float32, reflect.Float64:
		d.buf = binary.LittleEndian.AppendUint64(d.buf, math.Float64bits(v.Float()))
	case reflect.String:
		d.buf = binary.AppendUvarint(d.buf, uint64(v.Len()))
		d.buf = append(d.buf, v.String()...)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			d.buf = append(d.buf, 0)
			return
		}
		d.buf = append(d.buf, 1)
		d.buf = binary.AppendUvarint(d.buf, uint64(v.Len()))
		for i := range v.Len() {
			d.value(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			d.buf = append(d.buf, 0)
			return
		}
		d.buf = append(d.buf, 1)
		if v.Type().Key().Kind() == reflect.String {
			d.stringMap(v)
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, compareKeys)
		d.buf = binary.AppendUvarint(d.buf, uint64(len(keys)))
		for _, k := range keys {
			d.value(k)
			d.value(v.MapIndex(k))
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			d.buf = append(d.buf, 0)
			return
		}
		d.buf = append(d.buf, 1)
		if v.Kind() == reflect.Interface {
			d.buf = append(d.buf, v.Elem().Type().String()...)
		}
		d.value(v.Elem())
	case reflect.Struct:
		switch v.Type() {
		case reviewType:
			d.review(v)
			return
		case funnelType:
			d.funnel(v)
			return
		}
		for _, i := range d.exported(v.Type()) {
			d.value(v.Field(i))
		}
	default:
		// Functions and channels show nothing.
		d.buf = append(d.buf, 2)
	}
}

// reviewType is digested by review.
var reviewType = reflect.TypeFor[planfact.Review]()

// review digests a month review as value digests its whole form
// (Review.Whole): a review a stream made makes each employee's review as
// it is read, and holds none of them; made whole here, 10 000 employees'
// reviews were held at once again. TestReviewDigestIsWhole fails when
// Review gains a field this does not digest.
func (d *digester) review(v reflect.Value) {
	rv := v.Interface().(planfact.Review)
	digestStreamed(d, v, reviewEmployees, rv.Employees != nil, rv.Len(), rv.Employee)
}

// funnelType is digested by funnel.
var funnelType = reflect.TypeFor[funnel.Result]()

// funnel digests a funnel result as value digests its whole form
// (Result.Whole): a result funnel.Stream made builds each employee's
// funnel as it is read, and holds none of them.
func (d *digester) funnel(v reflect.Value) {
	r := v.Interface().(funnel.Result)
	digestStreamed(d, v, funnelEmployees, r.Employees != nil, r.Len(), r.Employee)
}

// digestStreamed digests a struct v whose field emps (its last: the digest
// tests check) a stream may leave nil and make one element at a time (n of
// them, the i-th as at(i) makes it), as value digests the struct made
// whole: every other field as value does, then the elements, as value
// digests a slice; made: the field holds them.
func digestStreamed[E any](d *digester, v reflect.Value, emps int, made bool, n int, at func(int) E) {
	d.fieldsBut(v, emps)
	if made {
		d.value(v.Field(emps))
		return
	}
	d.sliceHead(n)
	for i := range n {
		e := at(i)
		d.value(reflect.ValueOf(&e).Elem())
	}
}

// fieldsBut digests v's exported fields but the one at index skip.
func (d *digester) fieldsBut(v reflect.Value, skip int) {
	for _, i := range d.exported(v.Type()) {
		if i != skip {
			d.value(v.Field(i))
		}
	}
}

// sliceHead digests what value digests of a slice of n elements, not nil,
// before its elements.
func (d *digester) sliceHead(n int) {
	d.buf = append(d.buf, 1)
	d.buf = binary.AppendUvarint(d.buf, uint64(n))
}

// fieldIndex is the index of the field name of t.
func fieldIndex(t reflect.Type, name string) int {
	f, ok := t.FieldByName(name)
	if !ok {
		panic("pass: " + t.String() + " has no field " + name)
	}
	return f.Index[0]
}

// reviewEmployees and funnelEmployees are the index of the Employees of a
// month review and of a funnel result.
var (
	reviewEmployees = fieldIndex(reviewType, "Employees")
	funnelEmployees = fieldIndex(funnelType, "Employees")
)

// stringMap digests a map of string keys as value does any map (its
// length, then each key and value by key), without a reflect.Value made
// for each key and value (MapKeys, MapIndex): the maps of metrics and
// statuses of 10 000 employees' funnels and plans were most of the
// digest's allocations. Each value is digested as it is met into the
// buffer's tail, then the entries are put in key order.
func (d *digester) stringMap(v reflect.Value) {
	d.buf = binary.AppendUvarint(d.buf, uint64(v.Len()))
	type entry struct {
		key        string
		start, end int
	}
	entries := make([]entry, 0, v.Len())
	key := reflect.New(v.Type().Key()).Elem()
	val := reflect.New(v.Type().Elem()).Elem()
	base := len(d.buf)
	d.held++
	for it := v.MapRange(); it.Next(); {
		key.SetIterKey(it)
		val.SetIterValue(it)
		start := len(d.buf)
		d.value(val)
		entries = append(entries, entry{key.String(), start, len(d.buf)})
	}
	d.held--
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.key, b.key) })
	values := d.scratch[:0]
	values = append(values, d.buf[base:]...)
	d.buf = d.buf[:base]
	for _, e := range entries {
		d.buf = binary.AppendUvarint(d.buf, uint64(len(e.key)))
		d.buf = append(d.buf, e.key...)
		d.buf = append(d.buf, values[e.start-base:e.end-base]...)
	}
	d.scratch = values
}

// compareKeys orders a map's keys (strings, numbers, as a model's maps
// hold).
func compareKeys(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.Float32, reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	default:
		return 0
	}
}

// funnelDigest digests a streamed funnel (funnel.Stream) as digestOf digests
// it, from the employees' funnels the Воронка tab builds as it lays them
// out: digested beforehand, each of 10 000 was built twice (some 40 ms and
// 17 MB a summary). An employee built again (a tab laid out twice) is the
// same funnel, already digested; when one is missed, or the tab was not
// laid out to the end, sum digests the funnel anew.
type funnelDigest struct {
	f    *funnel.Result
	h    hash.Hash
	d    *digester
	next int  // the employee to digest next
	off  bool // one was missed: digest anew
	sum  string
}

// newFunnelDigest digests f up to its employees, and the employees as f
// builds them.
func newFunnelDigest(f *funnel.Result) *funnelDigest {
	h := sha256.New()
	fd := &funnelDigest{f: f, h: h, d: newDigester(h)}
	// As digestOf(f) does: the pointer, the fields before the employees
	// (the last field: TestFunnelDigestOfTheTab), then the employees as
	// value digests a slice.
	fd.d.buf = append(fd.d.buf, 1)
	fd.d.fieldsBut(reflect.ValueOf(f).Elem(), funnelEmployees)
	fd.d.sliceHead(f.Len())
	if f.Len() == 0 {
		fd.finish()
		return fd
	}
	f.Observe(fd.built)
	return fd
}

func (fd *funnelDigest) built(i int, e *funnel.Employee) {
	switch {
	case fd.off || i < fd.next:
	case i > fd.next:
		fd.off = true
	default:
		fd.d.value(reflect.ValueOf(e).Elem())
		fd.next++
		if fd.next == fd.f.Len() {
			fd.finish()
		}
	}
}

// finish sums the digest of every employee digested in order.
func (fd *funnelDigest) finish() {
	fd.d.flush()
	fd.done(hex.EncodeToString(fd.h.Sum(nil)))
}

// done keeps sum and lets go of the funnel (its windows' totals are not
// kept through the tabs after it).
func (fd *funnelDigest) done(sum string) {
	fd.f.Observe(nil)
	fd.sum = sum
	fd.f, fd.d, fd.h = nil, nil, nil
}

// digest is the digest of the funnel (digestOf's), once it was built.
func (fd *funnelDigest) digest() string {
	if fd.sum == "" {
		fd.f.Observe(nil) // built anew by digestOf, not observed
		fd.done(digestOf(fd.f))
	}
	return fd.sum
}
