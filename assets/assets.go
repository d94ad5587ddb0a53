// Package assets embeds motcua's seed data: the procedure catalogue, the official
// working-calendar tables, declaration templates, translations and icons. It only holds
// bytes; parsing belongs to the packages that own the models (domain, domain/calendar).
package assets

import (
	"embed"
	"io/fs"
	"sort"
)

// CatalogueJSON is the seed procedure catalogue (domain.Catalogue).
//
//go:embed catalogue.json
var CatalogueJSON []byte

//go:embed calendar/*.json
var calendarFS embed.FS

// CalendarTables returns the official yearly calendar tables (calendar.YearTable JSON),
// oldest first.
func CalendarTables() [][]byte {
	names, _ := fs.Glob(calendarFS, "calendar/*.json")
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := calendarFS.ReadFile(n)
		if err != nil {
			panic(err) // embedded at build time
		}
		out = append(out, b)
	}
	return out
}

//go:embed declarations/*.json
var declarationFS embed.FS

// DeclarationTemplates returns the declaration templates (domain.DeclarationTemplate JSON),
// sorted by file name. forms embeds the same files for printing (a test keeps them equal).
func DeclarationTemplates() [][]byte {
	names, _ := fs.Glob(declarationFS, "declarations/*.json")
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := declarationFS.ReadFile(n)
		if err != nil {
			panic(err) // embedded at build time
		}
		out = append(out, b)
	}
	return out
}

// EnglishJSON maps the app's Vietnamese source strings (and message codes) to English.
//
//go:embed i18n/en.json
var EnglishJSON []byte

// VietnameseFyneJSON translates Fyne's own widget strings (file dialogs, menus) to Vietnamese.
//
//go:embed i18n/fyne.vi.json
var VietnameseFyneJSON []byte

// Icon is the app's icon (512×512 PNG).
//
//go:embed icon.png
var Icon []byte
