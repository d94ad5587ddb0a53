package ui

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The screens see the store and the sync engine only through the interfaces in store.go:
// the package's code (tests aside) imports neither localdb nor sync.
func TestScreensDoNotImportAdapters(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case path == "motcua/localdb" || strings.HasPrefix(path, "motcua/localdb/"),
				path == "motcua/sync" || strings.HasPrefix(path, "motcua/sync/"):
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
