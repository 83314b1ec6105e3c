package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// A pass begins by reading, for every employee at once, the employees'
// first days (Since), the documents' last reads (Documents) and the pass
// date's days with their records' place (DaysHeldOnBy): for 10 000
// employees a third of a quiet `dayreport sync`, most of it SQLite
// stepping the rows. A cron's sync is a new process each poll, so it
// cannot keep them in memory between polls as the daemon does; the state
// keeps them instead (migration 017), with the change count (016) they
// hold at. The rows are kept as they were read (the columns' text), and
// decoded by the same code that decodes them from a query, so that what
// KeptReads gives is what the queries would give at that count.

// HeldOn names one DaysHeldOnBy read.
type HeldOn struct {
	Adapter string
	Date    day.Date
}

// Reads are the reads a pass starts with.
type Reads struct {
	Since map[string]day.Date
	Docs  map[string]DocumentState
	Held  map[HeldOn]map[string]*HeldDay
}

// readsMagic starts the encoding (another layout: another magic, and the
// kept reads are not used).
const readsMagic = "dayreport reads 1\n"

// keptPart is about how many bytes one part of the kept reads holds: a
// part ends after the row that takes it past this (a variable for the
// tests, which make parts of a row or two).
var keptPart = 256 << 10

// KeptData are the reads encoded (EncodeReads), in parts kept as rows of
// their own (migration 018): neither the encoding nor SQLite's record of
// it is ever one buffer of the whole (some 6 MiB for 10 000 employees,
// which was the highest point of a first pass's memory).
type KeptData [][]byte

// EncodeReads reads Since, Documents and DaysHeldOnBy of each of held, and
// returns the rows as read, encoded for KeepReads.
func (s *Store) EncodeReads(ctx context.Context, held []HeldOn) (KeptData, error) {
	w := &readsWriter{buf: make([]byte, 0, keptPart+keptPart/4)}
	w.buf = append(w.buf, readsMagic...)
	w.begin()
	if _, err := s.since(ctx, w); err != nil {
		return nil, err
	}
	w.begin()
	if _, err := s.documents(ctx, w); err != nil {
		return nil, err
	}
	w.buf = binary.AppendUvarint(w.buf, uint64(len(held)))
	for _, h := range held {
		w.str(h.Adapter)
		w.str(h.Date.String())
		w.begin()
		// The rows alone: not decoded into days no one reads.
		if err := s.eachHeldTo(ctx, h.Adapter, `d.date = ?`, []any{h.Date.String()}, w, nil); err != nil {
			return nil, err
		}
	}
	w.begin() // ends the last section
	return append(w.done, w.buf), nil
}

// KeepReads keeps data (from EncodeReads) as what the tables held at c.
func (s *Store) KeepReads(ctx context.Context, c ChangeCount, data KeptData) error {
	if s.db.d != sqliteDialect {
		return nil
	}
	return s.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pass_reads`); err != nil {
			return fmt.Errorf("store: keep reads: %w", err)
		}
		for i, part := range data {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pass_reads (part, epoch, n, data) VALUES (?, ?, ?, ?)`,
				i, c.epoch, c.n, part); err != nil {
				return fmt.Errorf("store: keep reads: %w", err)
			}
		}
		return nil
	})
}

// KeptReads returns the reads kept at c; ok is false when none were kept
// at c (the tables changed since, or nothing was kept).
func (s *Store) KeptReads(ctx context.Context, c ChangeCount) (Reads, bool, error) {
	if s.db.d != sqliteDialect {
		return Reads{}, false, nil
	}
	var size sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT SUM(length(data)) FROM pass_reads WHERE epoch = ? AND n = ?`, c.epoch, c.n).Scan(&size)
	if err != nil {
		return Reads{}, false, fmt.Errorf("store: kept reads: %w", err)
	}
	if !size.Valid {
		return Reads{}, false, nil
	}
	// The parts put together (the decoded strings are pieces of it).
	var data strings.Builder
	data.Grow(int(size.Int64))
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM pass_reads WHERE epoch = ? AND n = ? ORDER BY part`, c.epoch, c.n)
	if err != nil {
		return Reads{}, false, fmt.Errorf("store: kept reads: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var part sql.RawBytes
		if err := rows.Scan(&part); err != nil {
			return Reads{}, false, fmt.Errorf("store: kept reads: %w", err)
		}
		data.Write(part)
	}
	if err := rows.Err(); err != nil {
		return Reads{}, false, fmt.Errorf("store: kept reads: %w", err)
	}
	r, err := decodeReads(data.String())
	if err != nil {
		return Reads{}, false, err
	}
	return r, true, nil
}

// readsWriter encodes rows: strings by length, nullable ones behind a
// flag, integers as varints; each section of rows after its row count (4
// bytes, little-endian, set when the next section begins). buf is the
// part being written; a row that takes it past keptPart ends it (done).
type readsWriter struct {
	buf  []byte
	done [][]byte
	// part and at are where the current section's count goes, once open:
	// the part (len(done) when it is buf) and the offset in it.
	part, at int
	rows     int
	open     bool
}

// begin ends the current section (sets its count) and begins another.
func (w *readsWriter) begin() {
	if w.open {
		p := w.buf
		if w.part < len(w.done) {
			p = w.done[w.part]
		}
		binary.LittleEndian.PutUint32(p[w.at:], uint32(w.rows))
	}
	w.part, w.at, w.rows, w.open = len(w.done), len(w.buf), 0, true
	w.buf = append(w.buf, 0, 0, 0, 0)
}

// row counts a row written, and begins a new part when this one is full.
func (w *readsWriter) row() {
	w.rows++
	if len(w.buf) >= keptPart {
		w.done = append(w.done, w.buf)
		w.buf = make([]byte, 0, keptPart+keptPart/4)
	}
}

func (w *readsWriter) str(s string) {
	w.buf = binary.AppendUvarint(w.buf, uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *readsWriter) nullStr(n sql.NullString) {
	if !n.Valid {
		w.buf = append(w.buf, 0)
		return
	}
	w.buf = append(w.buf, 1)
	w.str(n.String)
}

// strings writes a row of text columns.
func (w *readsWriter) strings(cols ...string) {
	for _, c := range cols {
		w.str(c)
	}
	w.row()
}

// held writes a DaysHeldOnBy row as scanned.
func (w *readsWriter) held(r *dayScan, pushed, pending sql.NullString) {
	w.str(r.d.Employee)
	w.str(r.date)
	w.str(r.status)
	w.buf = binary.AppendVarint(w.buf, int64(r.late))
	w.nullStr(r.closed)
	w.nullStr(r.firstSeen)
	if r.versionID.Valid {
		w.buf = append(w.buf, 1)
		w.buf = binary.AppendVarint(w.buf, r.versionID.Int64)
	} else {
		w.buf = append(w.buf, 0)
	}
	for _, s := range []string{r.metrics, r.d.Notes, r.errs, r.flags, r.d.SourceURL, r.d.RecordHash, r.updated, r.d.LongTerm} {
		w.str(s)
	}
	w.nullStr(pushed)
	w.nullStr(pending)
	w.row()
}

// readsReader decodes what readsWriter wrote; the strings are pieces of
// the text decoded.
type readsReader struct {
	s   string
	bad bool
}

var errKeptReads = errors.New("store: kept reads: not in this build's encoding")

func (r *readsReader) uvarint() uint64 {
	var x uint64
	var shift uint
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		b := r.s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				break // overflows
			}
			r.s = r.s[i+1:]
			return x | uint64(b)<<shift
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	r.bad, r.s = true, ""
	return 0
}

func (r *readsReader) varint() int64 {
	ux := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (r *readsReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.bad, r.s = true, ""
		return ""
	}
	v := r.s[:n]
	r.s = r.s[n:]
	return v
}

func (r *readsReader) flag() bool {
	if r.s == "" || r.s[0] > 1 {
		r.bad, r.s = true, ""
		return false
	}
	f := r.s[0] == 1
	r.s = r.s[1:]
	return f
}

func (r *readsReader) nullStr() sql.NullString {
	if !r.flag() {
		return sql.NullString{}
	}
	return sql.NullString{String: r.str(), Valid: true}
}

// count is a section's row count, bounded by what is left to read.
func (r *readsReader) count() int {
	if len(r.s) < 4 {
		r.bad, r.s = true, ""
		return 0
	}
	n := uint64(binary.LittleEndian.Uint32([]byte(r.s[:4])))
	r.s = r.s[4:]
	if n > uint64(len(r.s)) {
		r.bad, r.s = true, ""
		return 0
	}
	return int(n)
}

func decodeReads(data string) (Reads, error) {
	if len(data) < len(readsMagic) || data[:len(readsMagic)] != readsMagic {
		return Reads{}, errKeptReads
	}
	r := &readsReader{s: data[len(readsMagic):]}
	out := Reads{Held: map[HeldOn]map[string]*HeldDay{}}
	n := r.count()
	out.Since = make(map[string]day.Date, n)
	for range n {
		emp, since := r.str(), r.str()
		d, err := parseDate(since)
		if err != nil {
			return Reads{}, err
		}
		out.Since[emp] = d
	}
	n = r.count()
	out.Docs = make(map[string]DocumentState, n)
	for range n {
		emp := r.str()
		st := DocumentState{Revision: r.str(), ContentHash: r.str()}
		if newest := r.str(); newest != "" {
			var err error
			if st.Newest, err = parseDate(newest); err != nil {
				return Reads{}, err
			}
		}
		out.Docs[emp] = st
	}
	groups := r.uvarint()
	if groups > uint64(len(r.s)) {
		return Reads{}, errKeptReads
	}
	for range groups {
		// Its own copy: a pass keeps the adapter's name (which dates the
		// reads held) to its end, and a piece of data kept all of it.
		adapter := strings.Clone(r.str())
		d, err := parseDate(r.str())
		if err != nil {
			return Reads{}, err
		}
		n := r.count()
		byEmp := make(map[string]*HeldDay, n)
		chunk := make([]HeldDay, 0, n)
		var sc dayScan
		for range n {
			sc.d = Day{Employee: r.str()}
			sc.date, sc.status = r.str(), r.str()
			sc.late = int(r.varint())
			sc.closed, sc.firstSeen = r.nullStr(), r.nullStr()
			sc.versionID = sql.NullInt64{}
			if r.flag() {
				sc.versionID = sql.NullInt64{Int64: r.varint(), Valid: true}
			}
			sc.metrics, sc.d.Notes, sc.errs, sc.flags = r.str(), r.str(), r.str(), r.str()
			sc.d.SourceURL, sc.d.RecordHash, sc.updated, sc.d.LongTerm = r.str(), r.str(), r.str(), r.str()
			pushed, pending := r.nullStr(), r.nullStr()
			if r.bad {
				return Reads{}, errKeptReads
			}
			got, err := sc.day()
			if err != nil {
				return Reads{}, err
			}
			chunk = append(chunk, HeldDay{Day: got, Pushed: pushed.String, Pending: pending.String, Queued: pending.Valid})
			byEmp[got.Employee] = &chunk[len(chunk)-1]
		}
		out.Held[HeldOn{Adapter: adapter, Date: d}] = byEmp
	}
	if r.count() != 0 || r.bad || r.s != "" {
		return Reads{}, errKeptReads // the last section's end, and nothing after it
	}
	return out, nil
}
