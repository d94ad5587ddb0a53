// Package logging sets up motcua's logs: structured records (log/slog) in a size-rotated
// file in the data folder, copied to the terminal when there is one, and a panic handler
// that logs the stack and tells the clerk in plain Vietnamese instead of the window just
// vanishing. It imports nothing from the project.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"golang.org/x/term"
)

const (
	// FileName is the current log file inside the data folder's logs/ folder.
	FileName = "motcua.log"
	// CrashFileName receives what the Go runtime prints when the program dies of an error
	// no recover can catch (a fatal error, a panic in a goroutine without RecoverPanic).
	CrashFileName = "crash.log"
	// MaxBytes is the size at which the log file is rotated.
	MaxBytes = 5 << 20
	// Keep is how many rotated files are kept beside the current one (motcua.log.1 … .5).
	Keep = 5
)

// logPath is the current log file, for the message shown after a panic.
var logPath atomic.Value // string

// Path is the log file Setup opened ("" before Setup).
func Path() string {
	p, _ := logPath.Load().(string)
	return p
}

// Setup opens dataDir/logs/motcua.log (rotated at 5 MB, keeping 5 older files) and returns a
// logger writing text records at level and above to it, and to standard error when that is
// a terminal. Close the returned Closer at exit. The caller decides whether to make it
// slog's default (slog.SetDefault), which also routes the standard log package to it.
func Setup(dataDir string, level slog.Leveler) (*slog.Logger, io.Closer, error) {
	dir := filepath.Join(dataDir, "logs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("nhật ký: không tạo được thư mục %s: %w", dir, err)
	}
	// Logs name citizens' dossiers: keep them to this account even in a folder made 0755.
	os.Chmod(dir, 0o700)
	path := filepath.Join(dir, FileName)
	rf, err := OpenRotating(path, MaxBytes, Keep)
	if err != nil {
		return nil, nil, fmt.Errorf("nhật ký: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	h := slog.Handler(slog.NewTextHandler(rf, opts))
	if term.IsTerminal(int(os.Stderr.Fd())) {
		h = slog.NewMultiHandler(h, slog.NewTextHandler(os.Stderr, opts))
	}
	c := &closer{rf: rf}
	// Fatal errors bypass every handler: have the runtime print them to a file too, since
	// a Windows GUI program has no console to print them to.
	if f, err := os.OpenFile(filepath.Join(dir, CrashFileName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
		if debug.SetCrashOutput(f, debug.CrashOptions{}) == nil {
			c.crash = f
		} else {
			f.Close()
		}
	}
	logPath.Store(path)
	return slog.New(h).With("pid", os.Getpid()), c, nil
}

type closer struct {
	rf    *RotatingFile
	crash *os.File
}

func (c *closer) Close() error {
	if c.crash != nil {
		debug.SetCrashOutput(nil, debug.CrashOptions{})
		c.crash.Close()
	}
	return c.rf.Close()
}

// ParseLevel reads a level name (debug, info, warn, error; any case); anything else is info.
func ParseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// PanicMessage is what the clerk is told after a panic.
func PanicMessage() string {
	msg := "Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu không bị mất."
	if p := Path(); p != "" {
		msg += " Chi tiết đã được ghi vào nhật ký: " + p
	}
	return msg
}

// RecoverPanic, deferred at the top of a goroutine or of main, turns a panic into a log
// record with its stack and a message for the clerk (show may be nil; a panic inside show
// is ignored). The goroutine then ends normally. In main, after the UI loop died, show
// should not use the UI: Alert shows a native message box.
//
//	defer logging.RecoverPanic(logger, showError)
func RecoverPanic(logger *slog.Logger, show func(msg string)) {
	p := recover()
	if p == nil {
		return
	}
	if logger == nil {
		logger = slog.Default()
	}
	logger.Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	if show != nil {
		func() {
			defer func() { recover() }()
			show(PanicMessage())
		}()
	}
}

// FileLogger opens dataDir/logs/name (rotated as Setup's file is) and returns a logger that
// writes there only, never to standard error: for a command whose output a clerk reads, so
// that the technical detail of a failure stays for whoever supports the centre.
func FileLogger(dataDir, name string, level slog.Leveler) (*slog.Logger, io.Closer, error) {
	dir := filepath.Join(dataDir, "logs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("nhật ký: không tạo được thư mục %s: %w", dir, err)
	}
	rf, err := OpenRotating(filepath.Join(dir, name), MaxBytes, Keep)
	if err != nil {
		return nil, nil, fmt.Errorf("nhật ký: %w", err)
	}
	return slog.New(slog.NewTextHandler(rf, &slog.HandlerOptions{Level: level})).With("pid", os.Getpid()), rf, nil
}
