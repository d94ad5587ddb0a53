package logging

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.log")
	r, err := OpenRotating(path, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		fmt.Fprintf(r, "line %02d ..........\n", i) // 20 bytes: 5 to a file
	}
	r.Close()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "x.log x.log.1 x.log.2 x.log.3" {
		t.Fatalf("files %v", names)
	}
	// The newest lines are in x.log, the ones before in .1, .2, .3; each file at most 100 bytes.
	for i, name := range []string{"x.log", "x.log.1", "x.log.2", "x.log.3"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if len(b) > 100 {
			t.Errorf("%s: %d bytes", name, len(b))
		}
		first := 35 - 5*i
		if want := fmt.Sprintf("line %02d", first); !strings.HasPrefix(string(b), want) || strings.Count(string(b), "\n") != 5 {
			t.Errorf("%s starts %q, want %q", name, string(b[:7]), want)
		}
	}

	// Reopening appends and counts what is already there.
	r, _ = OpenRotating(path, 100, 3)
	fmt.Fprintf(r, "line 40 ..........\n")
	r.Close()
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "line 40") {
		t.Errorf("reopened file not rotated first: %q", b)
	}

	// A record larger than the limit is written whole.
	r, _ = OpenRotating(path, 100, 3)
	big := strings.Repeat("x", 250) + "\n"
	if n, err := r.Write([]byte(big)); n != len(big) || err != nil {
		t.Fatal(n, err)
	}
	r.Close()
	if b, _ := os.ReadFile(path); string(b) != big {
		t.Errorf("big record split")
	}
}

// When the file cannot be renamed (on Windows, while another program holds it open),
// writing goes on in the same file and rotation is tried again later.
func TestRotationBlocked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.log")
	// x.log.1 is a non-empty folder: neither removed nor replaced by a rename.
	os.MkdirAll(filepath.Join(path+".1", "busy"), 0o700)
	r, err := OpenRotating(path, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err := fmt.Fprintf(r, "line %02d ..........\n", i); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "\n") != 20 {
		t.Errorf("lines lost while rotation is blocked: %q", b)
	}
	os.RemoveAll(path + ".1")
	for i := 20; i < 25; i++ {
		fmt.Fprintf(r, "line %02d ..........\n", i)
	}
	r.Close()
	if _, err := os.Stat(path + ".1"); err != nil {
		t.Errorf("rotation not retried: %v", err)
	}
}

func TestRotationConcurrent(t *testing.T) {
	dir := t.TempDir()
	r, _ := OpenRotating(filepath.Join(dir, "x.log"), 1000, 100)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				fmt.Fprintf(r, "g%d line %03d\n", g, i)
			}
		}()
	}
	wg.Wait()
	r.Close()
	total := 0
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		total += strings.Count(string(b), "\n")
	}
	if total != 400 {
		t.Errorf("%d lines, want 400", total)
	}
}

func TestSetupAndRecoverPanic(t *testing.T) {
	data := t.TempDir()
	logger, c, err := Setup(data, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	logger.Debug("hidden")
	logger.Info("started", "version", "test")
	var shown []string
	var mu sync.Mutex
	show := func(msg string) { mu.Lock(); shown = append(shown, msg); mu.Unlock() }
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer RecoverPanic(logger, show)
		explode()
	}()
	<-done
	// No panic: nothing shown. A panicking show is contained.
	func() { defer RecoverPanic(logger, show) }()
	func() {
		defer RecoverPanic(logger, func(string) { panic("show broke too") })
		panic("twice")
	}()
	c.Close()

	path := filepath.Join(data, "logs", "motcua.log")
	if Path() != path {
		t.Errorf("path %s", Path())
	}
	if len(shown) != 1 || !strings.Contains(shown[0], "Dữ liệu đã lưu không bị mất") || !strings.Contains(shown[0], path) {
		t.Errorf("shown %q", shown)
	}
	b, _ := os.ReadFile(path)
	log := string(b)
	for _, want := range []string{"msg=started", "version=test", "level=ERROR msg=panic", "assignment to entry in nil map", "logging.explode", "twice"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "hidden") {
		t.Error("debug record written at info level")
	}
}

func explode() {
	var m map[string]int
	m["bản ghi hỏng"]++
}

// A panic nobody recovers still leaves its stack in logs/crash.log.
func TestCrashOutput(t *testing.T) {
	if dir := os.Getenv("MOTCUA_CRASH_DIR"); dir != "" {
		Setup(dir, slog.LevelInfo)
		done := make(chan bool)
		go func() { panic("không ai bắt được") }()
		<-done
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashOutput$")
	cmd.Env = append(os.Environ(), "MOTCUA_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("child did not crash: %s", out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "logs", CrashFileName))
	if !strings.Contains(string(b), "panic: không ai bắt được") || !strings.Contains(string(b), "goroutine") {
		t.Errorf("crash.log: %q", b)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "WARN": slog.LevelWarn, " error ": slog.LevelError, "": slog.LevelInfo, "loud": slog.LevelInfo} {
		if got := ParseLevel(in); got != want {
			t.Errorf("%q: %v", in, got)
		}
	}
}
