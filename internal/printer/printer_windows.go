package printer

import (
	"fmt"

	"golang.org/x/sys/windows"
)

type system struct{}

// Print asks the shell to print the PDF with its registered application's "print" verb, once
// per copy (the verb has no copies argument).
func (system) Print(path string, copies int) error {
	for range max(copies, 1) {
		if err := shell("print", path); err != nil {
			return err
		}
	}
	return nil
}

func (system) Open(path string) error { return shell("open", path) }

func (system) OpenFolder(dir string) error { return shell("explore", dir) }

// shell runs ShellExecute; a file type without an application for verb fails with
// ERROR_NO_ASSOCIATION, reported as ErrUnavailable.
func shell(verb, path string) error {
	v, err := windows.UTF16PtrFromString(verb)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	err = windows.ShellExecute(0, v, p, nil, nil, windows.SW_SHOWNORMAL)
	if err == windows.ERROR_NO_ASSOCIATION {
		return unavailable(verb)
	}
	if err != nil {
		return fmt.Errorf("ShellExecute %s: %w", verb, err)
	}
	return nil
}
