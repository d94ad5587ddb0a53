//go:build !windows

package printer

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTool writes an executable script named name into a folder put first on PATH (the
// only folder on it); the script appends its arguments to log and exits with code.
func fakeTool(t *testing.T, bin, name, log string, code int) {
	t.Helper()
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + log + "'\nexit " + string(rune('0'+code)) + "\n"
	if code != 0 {
		script = "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + log + "'\necho 'lp: Error - no default destination available.' >&2\nexit " + string(rune('0'+code)) + "\n"
	}
	if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func setup(t *testing.T) (bin, log, pdf string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	log = filepath.Join(dir, "calls.log")
	pdf = filepath.Join(dir, "HS 001-mau01.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return bin, log, pdf
}

func calls(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestPrintSendsCopiesToTheDefaultPrinter(t *testing.T) {
	bin, log, pdf := setup(t)
	fakeTool(t, bin, "lp", log, 0)
	if err := System().Print(pdf, 2); err != nil {
		t.Fatal(err)
	}
	if got, want := calls(t, log), "-n 2 -- "+pdf; got != want {
		t.Fatalf("lp called with %q, want %q", got, want)
	}
	if err := System().Print(pdf, 0); err != nil { // no setting: one copy
		t.Fatal(err)
	}
	if got := calls(t, log); !strings.HasSuffix(got, "-n 1 -- "+pdf) {
		t.Fatalf("lp calls %q", got)
	}
}

func TestPrintReportsLpsMessage(t *testing.T) {
	bin, log, pdf := setup(t)
	fakeTool(t, bin, "lp", log, 1)
	err := System().Print(pdf, 1)
	if err == nil || !strings.Contains(err.Error(), "no default destination") || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenAndOpenFolder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	bin, log, pdf := setup(t)
	fakeTool(t, bin, "xdg-open", log, 0)
	if err := System().Open(pdf); err != nil {
		t.Fatal(err)
	}
	if err := System().OpenFolder(filepath.Dir(pdf)); err != nil {
		t.Fatal(err)
	}
	if got, want := calls(t, log), pdf+"\n"+filepath.Dir(pdf); got != want {
		t.Fatalf("xdg-open calls %q, want %q", got, want)
	}
}

func TestNothingInstalledIsUnavailable(t *testing.T) {
	_, _, pdf := setup(t) // PATH holds an empty folder: no lp, no xdg-open
	for name, err := range map[string]error{
		"print": System().Print(pdf, 1), "open": System().Open(pdf), "folder": System().OpenFolder(filepath.Dir(pdf)),
	} {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: err = %v, want ErrUnavailable", name, err)
		}
	}
}

func TestOpenerFailureIsAnError(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	bin, log, pdf := setup(t)
	fakeTool(t, bin, "xdg-open", log, 3) // xdg-open: "no method available for opening"
	if err := System().Open(pdf); err == nil || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

// Where xdg-open is missing, or finds no application for PDFs (a PC without a desktop
// environment), a PDF viewer on PATH opens the PDF; a folder is still the handler's.
func TestOpenFallsBackToAPDFViewer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fallback is Linux's")
	}
	bin, log, pdf := setup(t)
	fakeTool(t, bin, "mupdf", log, 0)
	if err := System().Open(pdf); err != nil {
		t.Fatal(err)
	}
	if got := calls(t, log); got != pdf {
		t.Fatalf("mupdf calls %q, want %q", got, pdf)
	}
	if err := System().OpenFolder(filepath.Dir(pdf)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("folder without xdg-open: err = %v", err)
	}
	os.Remove(log)
	fakeTool(t, bin, "xdg-open", log, 3) // "no method available for opening"
	if err := System().Open(pdf); err != nil {
		t.Fatal(err)
	}
	if got := calls(t, log); got != pdf+"\n"+pdf {
		t.Fatalf("calls %q, want xdg-open then mupdf on %q", got, pdf)
	}
}
