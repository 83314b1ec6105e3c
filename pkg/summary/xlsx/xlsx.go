// Package xlsx writes the manager summary of SPEC §8 into a local .xlsx
// workbook: the four tabs of a summary.Model (Сводка, Воронка, Отсутствия,
// Проверка), rewritten on every pass that changes them (the segments of
// rows the workbook already holds copied as they are: segments.go), next
// to whatever tabs of their own the manager keeps in the same file. What the tabs hold is laid out by
// summary.Model.Layout; this package renders it with excelize: styles, the
// autofilter and frozen header, the team chart, the print setup. The rows go
// through excelize's StreamWriter, laid out a slice of the model at a time
// (pieces.go; the Итоги месяца tab a few hundred rows at a time), and each
// stream moves its rows to its temporary file every MiB (release.go), so
// that a team of 10 000 is written in about 15 MiB beside its model, not in
// a model of every cell.
//
// User text (names, notes, flags, labels) is always stored as a string cell,
// so "=HYPERLINK(…)" typed in a report is shown, never evaluated; numbers are
// numbers and conversions are fractions with a percent format, so the manager
// can sort, filter and chart them.
package xlsx

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// newFileMode is the mode of a workbook Write creates; a rewritten one keeps its own.
const newFileMode fs.FileMode = 0o644

// Write writes m to path: it creates the workbook, or rewrites the four tabs
// of the model (summary.TabNames(m.Lang)) in an existing one and leaves every
// other tab as it was. The workbook is written to a temporary file in the same
// directory and renamed over path, so a crash never leaves a half-written
// workbook; a file at path that is not a workbook is left alone.
func Write(path string, m *summary.Model) error {
	_, _, err := WriteIf(path, m, nil)
	return err
}

// WriteIf is Write, but the written workbook replaces the file at path
// only when keep (nil: always) says so once it is complete; written says
// whether it did, copied how many segments of rows it copied from the file
// it replaces (segments.go). A model whose parts are built as they are
// written (summary.Model.FunnelFrom, PlanFrom, DaysFrom) is built once,
// and keep can tell from what was built whether the file already shows it.
func WriteIf(path string, m *summary.Model, keep func() bool) (written bool, copied int, err error) {
	var c reuse
	if written, err = write(path, m, keep, &c); err != nil {
		return false, 0, fmt.Errorf("xlsx: write %s: %w", path, err)
	}
	return written, c.copied, nil
}

// Encode writes m as a new workbook to w.
func Encode(w io.Writer, m *summary.Model) (err error) {
	f := excelize.NewFile()
	defer closeFile(f, &err)
	f.SetZipWriter(sortedZipFrom(nil))
	if err := build(f, m, true, nil, nil); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// write is WriteIf; c, when set, is told what was taken from the workbook
// replaced (segments.go).
func write(path string, m *summary.Model, keep func() bool, c *reuse) (written bool, err error) {
	path = followLinks(path)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return writeNew(path, m, newFileMode, keep, c)
	}
	if err != nil {
		return false, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	tabs := summary.TabNames(m.Lang).All()
	old, sheets, err := sheetDrawings(data, tabs)
	if err != nil {
		return false, fmt.Errorf("not a workbook: %w", err)
	}
	if slices.Equal(sheets, tabs) {
		// Nothing of the manager's to keep: written anew rather than
		// opened, which would parse every old tab into excelize's cell
		// model (hundreds of MiB for a team of thousands).
		return writeNew(path, m, info.Mode().Perm(), keep, c)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return false, fmt.Errorf("not a workbook: %w", err)
	}
	defer closeFile(f, &err)
	segs := openSegments(path)
	defer segs.done(c)
	f.SetZipWriter(sortedZipFrom(segs))
	if err := build(f, m, false, old, segs); err != nil {
		return false, err
	}
	return save(f, path, info.Mode().Perm(), keep, segs)
}

// writeNew writes m as a new workbook at path with the given permissions,
// copying the segments of the rows that the workbook at path (if any)
// holds as they are (segments.go).
func writeNew(path string, m *summary.Model, perm fs.FileMode, keep func() bool, c *reuse) (written bool, err error) {
	f := excelize.NewFile()
	defer closeFile(f, &err)
	segs := openSegments(path)
	defer segs.done(c)
	f.SetZipWriter(sortedZipFrom(segs))
	if err := build(f, m, true, nil, segs); err != nil {
		return false, err
	}
	return save(f, path, perm, keep, segs)
}

// build writes the four tabs into f: a new workbook when fresh, or else an
// existing one, where old lists the drawing parts of the tabs being
// replaced; segs are the segments of rows the package may copy.
func build(f *excelize.File, m *summary.Model, fresh bool, old []string, segs *oldSegments) error {
	tabs := summary.TabNames(m.Lang)
	if fresh {
		if err := newTabs(f, tabs.All()); err != nil {
			return err
		}
		if err := setProperties(f, m.Generated); err != nil {
			return err
		}
	} else {
		if err := replaceTabs(f, tabs.All()); err != nil {
			return err
		}
		dropParts(f, old)
	}

	l := summary.LabelsFor(m.Lang)
	st := newStyles(f)
	window := m.Window()
	for i, next := range layOut(m) {
		p, err := next()
		if err != nil {
			return fmt.Errorf("tab %s: %w", tabs.All()[i], err)
		}
		s := newSheet(f, p.head.Name, st, segs)
		s.write(p, l, window)
		if err := cmp.Or(p.err, s.finish()); err != nil {
			return fmt.Errorf("tab %s: %w", p.head.Name, err)
		}
	}
	sortDefaults(f)
	return nil
}

// sortDefaults orders the default content types by extension. excelize adds
// those of images in map order; sorted, the same model gives the same bytes.
func sortDefaults(f *excelize.File) {
	if f.ContentTypes == nil {
		return
	}
	d := f.ContentTypes.Defaults
	sort.SliceStable(d, func(i, j int) bool { return d[i].Extension < d[j].Extension })
}

// setProperties stamps a new workbook with the time of the model rather than
// the clock, so the same model always gives the same file.
func setProperties(f *excelize.File, generated time.Time) error {
	props := &excelize.DocProperties{Creator: "dayreport"}
	if !generated.IsZero() {
		props.Created = generated.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	return f.SetDocProps(props)
}

// followLinks follows path while it is a symbolic link, so that the rename
// replaces the file the link points to (even one not written yet), not the link.
func followLinks(path string) string {
	for range 40 { // the limit of the kernel: a loop ends somewhere
		target, err := os.Readlink(path)
		if err != nil {
			return path // not a link
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}

// staleTemp is how old a temporary workbook must be to be someone's
// leftover (a process killed between writing it and the rename), not a
// write going on.
const staleTemp = 2 * time.Minute

// removeStale removes the temporary workbooks next to path that a killed
// process left behind (they piled up, one per kill).
func removeStale(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+globEscape(filepath.Base(path))+".*.tmp"))
	for _, m := range matches {
		if info, err := os.Lstat(m); err == nil && info.Mode().IsRegular() && time.Since(info.ModTime()) > staleTemp {
			_ = os.Remove(m)
		}
	}
}

// globEscape escapes the pattern characters of a file name.
func globEscape(name string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(name)
}

// errNotKept ends a save whose workbook keep did not want.
var errNotKept = errors.New("not kept")

// save writes f next to path and renames it over path when keep (nil:
// always) says so.
func save(f *excelize.File, path string, mode fs.FileMode, keep func() bool, segs *oldSegments) (written bool, err error) {
	removeStale(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
		if errors.Is(err, errNotKept) {
			err = nil
		}
	}()
	if bufferedSave {
		err = f.Write(tmp)
	} else {
		err = writeTo(f, tmp, segs)
	}
	if err != nil {
		return false, err
	}
	if keep != nil && !keep() {
		return false, errNotKept
	}
	if err = tmp.Chmod(mode); err != nil {
		return false, err
	}
	if err = tmp.Sync(); err != nil {
		return false, err
	}
	if err = tmp.Close(); err != nil {
		return false, err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return false, err
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

// bufferedSave makes save write through excelize's buffer, as it did before
// writeTo (TestSaveIsExcelizesWrite compares the two).
var bufferedSave bool

// writeTo writes the package of f to file as it is made. excelize's own
// Write builds the whole package in a bytes.Buffer first (14 MiB for
// 10 000 employees, grown by doubling, beside everything the pass held:
// the last peak of a first pass); here excelize's buffer stays empty and
// the sorted zip writes the same bytes straight to the file
// (TestSaveIsExcelizesWrite). What excelize would do to the buffer
// afterwards (patch the local headers of parts over 4 GiB, encrypt with a
// password) never applies to a summary, so an empty buffer is all it sees.
func writeTo(f *excelize.File, file io.Writer, segs *oldSegments) error {
	w := bufio.NewWriterSize(file, 256<<10)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return sortedZipFrom(segs)(w) })
	defer f.SetZipWriter(sortedZipFrom(segs))
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	if buf.Len() > 0 {
		return errors.New("excelize wrote around the zip writer")
	}
	return w.Flush()
}

// syncDir makes the rename durable. Not every file system can sync a
// directory, and the workbook is complete either way, so errors are ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// closeFile removes the temporary files excelize may have made.
func closeFile(f *excelize.File, err *error) {
	if cerr := f.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}
