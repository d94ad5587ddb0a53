//go:build !windows

package printer

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type system struct{}

// Print spools path with CUPS's lp on the default destination ("lp -n N -- path"); lp
// returns once the job is queued, and fails when there is no default printer.
func (system) Print(path string, copies int) error {
	lp, err := exec.LookPath("lp")
	if err != nil {
		return unavailable("lp")
	}
	cmd := exec.Command(lp, "-n", strconv.Itoa(max(copies, 1)), "--", path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(out.String()); msg != "" {
			return fmt.Errorf("lp: %s: %w", msg, err)
		}
		return fmt.Errorf("lp: %w", err)
	}
	return nil
}

// pdfViewers are tried, in this order, when the desktop's handler cannot open a PDF: on a
// PC without a desktop environment xdg-open often finds no application for PDFs although
// one is installed (install-deps.sh installs mupdf when there is none).
var pdfViewers = []string{"evince", "okular", "atril", "xreader", "qpdfview", "zathura", "mupdf"}

func (system) Open(path string) error {
	err := open(path)
	if err == nil || !strings.EqualFold(filepath.Ext(path), ".pdf") {
		return err
	}
	for _, v := range pdfViewers {
		if bin, lerr := exec.LookPath(v); lerr == nil {
			if verr := start(v, bin, path); verr == nil {
				return nil
			}
		}
	}
	return err
}

func (system) OpenFolder(dir string) error { return open(dir) }

// open starts the desktop's handler for path without waiting for the viewer to close, but
// long enough to hear that the handler itself failed (xdg-open exits non-zero when no
// application is registered for PDFs).
func open(path string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return unavailable(name)
	}
	return start(name, bin, path)
}

// start runs bin on path and waits long enough to hear that it failed at once.
func start(name, bin, path string) error {
	cmd := exec.Command(bin, path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %s: %w", name, strings.TrimSpace(out.String()), err)
		}
	case <-time.After(3 * time.Second):
		// Still running: the viewer is up (some handlers stay in the foreground).
	}
	return nil
}
