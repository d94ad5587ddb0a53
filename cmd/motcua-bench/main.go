// Command motcua-bench measures the performance targets of DESIGN.md (docs/BENCHMARKS.md):
// the store on a million dossiers, a push to the reference city server (sync/central, run in
// this process), and the desktop app's start and memory under Xvfb. It is a command of its
// own so that the desktop binary carries neither the city's server nor these hooks.
//
//	motcua-bench [--quick] [--only intake,search,…] …   the measures (make bench)
//	motcua-bench app --data DIR                           the app, reporting to the bench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command reads and writes; tests give buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// exitError carries an exit status other than 1 (3: a target missed).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// run is main without os.Exit, so tests can call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) > 0 && args[0] == "app" {
		return report(e, cmdApp(ctx, e, args[1:]))
	}
	return report(e, cmdBench(ctx, e, args))
}

func report(e *env, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(e.stderr, "motcua-bench:", err)
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func newFlags(e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("motcua-bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}
