package xlsx

import (
	"strconv"

	"github.com/xuri/excelize/v2"
)

// newTabs names the sheets of a new workbook: the first is excelize's default
// sheet renamed, the others are appended in order.
func newTabs(f *excelize.File, names []string) error {
	if err := f.SetSheetName(f.GetSheetName(0), names[0]); err != nil {
		return err
	}
	for _, name := range names[1:] {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	return nil
}

// replaceTabs gives each of names a new, empty sheet in an existing workbook:
// in the place of the old tab of that name (the manager may have reordered
// the tabs), or, for a tab the workbook does not have yet, after the tab
// before it in names (the first one goes first). Other sheets are not touched.
func replaceTabs(f *excelize.File, names []string) error {
	active := f.GetSheetName(f.GetActiveSheetIndex())
	for i, name := range names {
		// The new sheet is made before the old one goes, because excelize
		// will not delete the last sheet of a workbook.
		tmp := unusedName(f)
		if _, err := f.NewSheet(tmp); err != nil {
			return err
		}
		var err error
		if old, _ := f.GetSheetIndex(name); old >= 0 {
			if err = moveSheet(f, tmp, f.GetSheetName(old)); err == nil {
				err = f.DeleteSheet(f.GetSheetName(old + 1))
			}
		} else if i == 0 {
			err = moveSheet(f, tmp, f.GetSheetName(0))
		} else if prev, _ := f.GetSheetIndex(names[i-1]); prev+1 < f.SheetCount-1 {
			err = moveSheet(f, tmp, f.GetSheetName(prev+1))
		}
		if err == nil {
			err = f.SetSheetName(tmp, name)
		}
		if err != nil {
			return err
		}
	}
	if i, _ := f.GetSheetIndex(active); i >= 0 {
		f.SetActiveSheet(i)
	}
	return nil
}

// moveSheet moves sheet before target. excelize's MoveSheet keeps the sheet
// index of sheet-scoped defined names (print areas, autofilters) as it was,
// so they would end up on another sheet; they are re-pointed by sheet name.
func moveSheet(f *excelize.File, sheet, target string) error {
	var scopes []string
	wb := f.WorkBook
	if wb != nil && wb.DefinedNames != nil {
		for _, dn := range wb.DefinedNames.DefinedName {
			scope := ""
			if dn.LocalSheetID != nil {
				scope = f.GetSheetName(*dn.LocalSheetID)
			}
			scopes = append(scopes, scope)
		}
	}
	if err := f.MoveSheet(sheet, target); err != nil {
		return err
	}
	for i, scope := range scopes {
		if idx, _ := f.GetSheetIndex(scope); scope != "" && idx >= 0 {
			wb.DefinedNames.DefinedName[i].LocalSheetID = &idx
		}
	}
	return nil
}

// unusedName is a sheet name no sheet of f has, for the moment between
// creating a new tab and removing the old one.
func unusedName(f *excelize.File) string {
	for n := 1; ; n++ {
		name := "dayreport-new-" + strconv.Itoa(n)
		if i, _ := f.GetSheetIndex(name); i < 0 {
			return name
		}
	}
}
