package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// excelize's DeleteSheet removes a worksheet but leaves its drawing and chart
// parts in the package, so without the clean-up below every rewrite of the
// Воронка tab would add one drawing and one chart to the file for good.
//
// excelize names a new part after how many parts of its kind the package has
// (chart<N+1>.xml). A part is therefore dropped only while its number is that
// count: the name excelize picks next is then the one just freed and cannot be
// a part still in use (such as a chart on the manager's own tab).

// partKinds are the name prefixes excelize counts to number a new part.
var partKinds = []string{"xl/charts/chart", "xl/drawings/drawing"}

// sheetDrawings lists the drawing and chart parts of the named sheets in the
// workbook package data, as it was before excelize changed anything, and the
// names of all its sheets in order.
func sheetDrawings(data []byte, sheets []string) (parts, names []string, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, err
	}
	p := pkg{zr: zr}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	workbook := p.target("", "/officeDocument")
	if err := p.decode(workbook, &book); err != nil {
		return nil, nil, err
	}
	for _, sh := range book.Sheets {
		names = append(names, sh.Name)
		if !slices.ContainsFunc(sheets, func(n string) bool { return strings.EqualFold(n, sh.Name) }) {
			continue
		}
		ws := p.byID(workbook, sh.ID)
		if ws == "" {
			continue
		}
		for _, drawing := range p.targets(ws, "/drawing") {
			parts = append(parts, drawing)
			parts = append(parts, p.targets(drawing, "/chart")...)
		}
	}
	return parts, names, nil
}

// dropParts removes the given parts, left behind by DeleteSheet, from f when
// excelize will not pick their names for a part still in use (see above).
func dropParts(f *excelize.File, parts []string) {
	if f.ContentTypes == nil {
		return // the content types were not read: a part cannot be unlisted
	}
	for _, kind := range partKinds {
		var mine []int
		for _, p := range parts {
			if n, ok := partNumber(p, kind); ok {
				mine = append(mine, n)
			}
		}
		// Highest first: each drop makes the next lower number the count.
		slices.Sort(mine)
		for _, n := range slices.Backward(mine) {
			if n != countParts(f, kind) {
				break
			}
			dropPart(f, kind+strconv.Itoa(n)+".xml")
		}
	}
}

func dropPart(f *excelize.File, name string) {
	rels := relsOf(name)
	f.Pkg.Delete(name)
	f.Pkg.Delete(rels)
	f.Relationships.Delete(rels)
	f.Drawings.Delete(name)
	overrides := f.ContentTypes.Overrides[:0]
	for _, o := range f.ContentTypes.Overrides {
		if o.PartName != "/"+name {
			overrides = append(overrides, o)
		}
	}
	f.ContentTypes.Overrides = overrides
}

// countParts counts the parts of a kind the way excelize does.
func countParts(f *excelize.File, kind string) int {
	seen := map[string]bool{}
	count := func(k, _ any) bool {
		if name, _ := k.(string); strings.Contains(name, kind) {
			seen[name] = true
		}
		return true
	}
	f.Pkg.Range(count)
	if kind == "xl/drawings/drawing" {
		f.Drawings.Range(count)
	}
	return len(seen)
}

func partNumber(name, kind string) (int, bool) {
	digits, ok := strings.CutPrefix(name, kind)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(digits, ".xml"))
	return n, err == nil && strings.HasSuffix(digits, ".xml")
}

// pkg reads the parts and relationships of an OPC package.
type pkg struct{ zr *zip.Reader }

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
	Mode   string `xml:"TargetMode,attr"`
}

func (p pkg) decode(name string, v any) error {
	f, err := p.zr.Open(name)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	return xml.NewDecoder(io.LimitReader(f, 64<<20)).Decode(v)
}

// rels are the relationships of a part ("" for the package); a part without
// any has none.
func (p pkg) rels(part string) []relationship {
	var r struct {
		Rels []relationship `xml:"Relationship"`
	}
	if p.decode(relsOf(part), &r) != nil {
		return nil
	}
	return r.Rels
}

// targets are the parts a part points to with a relationship type ending in typ.
func (p pkg) targets(part, typ string) []string {
	var out []string
	for _, r := range p.rels(part) {
		if strings.HasSuffix(r.Type, typ) && r.Mode != "External" {
			out = append(out, resolve(part, r.Target))
		}
	}
	return out
}

func (p pkg) target(part, typ string) string {
	if t := p.targets(part, typ); len(t) > 0 {
		return t[0]
	}
	return "xl/workbook.xml"
}

func (p pkg) byID(part, id string) string {
	for _, r := range p.rels(part) {
		if r.ID == id {
			return resolve(part, r.Target)
		}
	}
	return ""
}

// relsOf names the relationships part of a part: xl/_rels/workbook.xml.rels.
func relsOf(part string) string {
	if part == "" {
		return "_rels/.rels"
	}
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

// resolve makes a relationship target a package path: absolute targets start
// at the root, the others at the folder of the part that points.
func resolve(from, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Join(path.Dir(from), target)
}
