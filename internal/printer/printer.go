// Package printer hands a finished PDF to the operating system: print it on the default
// printer, open it in the PDF viewer, or open the folder it is in. One interface, one small
// implementation per OS (CUPS lp and xdg-open on Linux, the shell's verbs on Windows).
//
// It imports only the standard library and golang.org/x/sys; never ui, localdb or domain.
package printer

import (
	"errors"
	"fmt"
)

// Printer is what the app needs from the system to get a paper into the citizen's hand.
type Printer interface {
	// Print sends path to the default printer, copies times (at least 1).
	Print(path string, copies int) error
	// Open shows path in the system's viewer.
	Open(path string) error
	// OpenFolder shows dir in the system's file manager.
	OpenFolder(dir string) error
}

// ErrUnavailable means the system has no tool for the action (no lp, no PDF viewer);
// errors.Is finds it through the wrapping.
var ErrUnavailable = errors.New("printer: not available on this system")

// unavailable wraps ErrUnavailable with what is missing.
func unavailable(what string) error { return fmt.Errorf("%w: %s", ErrUnavailable, what) }

// System returns the running OS's printer.
func System() Printer { return system{} }
