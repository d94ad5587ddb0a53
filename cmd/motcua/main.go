// Command motcua is the counter app of a commune Public Administration Service Centre.
// Without a command it opens the desktop app; with one it runs a headless admin command
// (init, seed, stats, holidays, due, verify, backup, restore, enroll, sync, report, bench).
package main

import (
	"context"
	"os"
	"os/signal"

	// Before Fyne's init parses the locale: LANG=C.UTF-8 would log an error three times.
	_ "early.motcua/locale"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
