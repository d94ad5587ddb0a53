package forms

import (
	"embed"
	"io/fs"
	"sort"
	"strings"

	"motcua/domain"
)

// Declarations (tờ khai) are the forms a citizen fills in and signs: birth, death and
// marriage registration, marital status, civil-status extracts, certified copies. Unlike
// the counter's own forms, their questions are data too: each template lists its fields
// (what is asked, how it is checked, which intake field fills it) and how the official
// paper lays them out. The seed set is embedded from declarations/*.json;
// assets/declarations/ holds the same files for people looking for the data (a test keeps
// them identical). On "no-writing days" an official fills one in on the Hỗ trợ viết screen
// and prints it for the citizen to check and sign.

// ParseDeclarations parses several templates (domain.ParseDeclarations).
func ParseDeclarations(docs ...[]byte) (domain.Declarations, error) {
	return domain.ParseDeclarations(docs...)
}

//go:embed declarations/*.json
var declarationFS embed.FS

// DeclarationFiles returns the embedded seed templates by file name.
func DeclarationFiles() map[string][]byte {
	names, _ := fs.Glob(declarationFS, "declarations/*.json")
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := declarationFS.ReadFile(n)
		if err != nil {
			panic(err) // embedded at build time
		}
		out[strings.TrimPrefix(n, "declarations/")] = b
	}
	return out
}

// DefaultDeclarations returns the embedded seed templates.
func DefaultDeclarations() domain.Declarations {
	files := DeclarationFiles()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	docs := make([][]byte, len(names))
	for i, n := range names {
		docs[i] = files[n]
	}
	d, err := ParseDeclarations(docs...)
	if err != nil {
		panic(err) // embedded at build time and checked by the tests
	}
	return d
}
