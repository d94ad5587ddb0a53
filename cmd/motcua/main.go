// Command motcua is the counter app of a commune Public Administration Service Centre.
// Without a command it opens the desktop app; with one it runs a headless admin command
// (init, seed, stats, holidays, due, verify, backup, restore, enroll, sync, report). The
// performance measures are a command of their own, motcua-bench: this binary carries the
// app, not the city's server.
package main

import (
	"context"
	"os"
	"os/signal"

	"motcua/internal/desktop"
	"motcua/internal/logging"

	// Before Fyne's init parses the locale: LANG=C.UTF-8 would log an error three times.
	_ "early.motcua/locale"
)

func main() {
	prog = invokedName(os.Args[0])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runGUI opens the desktop app (internal/desktop) on the data folder.
func runGUI(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "")
	data := dataFlag(fs)
	level := fs.String("log-level", "info", "mức ghi nhật ký: debug, info, warn, error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return desktop.Run(ctx, desktop.Options{Data: *data, LogLevel: logging.ParseLevel(*level)})
}
