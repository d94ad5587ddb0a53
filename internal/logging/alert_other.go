//go:build !windows

package logging

import (
	"fmt"
	"os"
	"os/exec"
)

// Alert tells the user about an error after the UI loop itself has died: on standard
// error, and in a dialog when zenity is installed (most Linux desktops).
func Alert(title, msg string) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", title, msg)
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return
	}
	if path, err := exec.LookPath("zenity"); err == nil {
		exec.Command(path, "--error", "--title", title, "--text", msg, "--no-markup").Run()
	}
}
