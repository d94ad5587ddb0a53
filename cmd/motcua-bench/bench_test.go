package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runBench(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// motcua-bench on a small store: one line per measure in the agreed format, the store made
// once and reused, and a clear message for a measure that does not exist. (The figures
// themselves are for `make bench`; under the race detector they mean nothing.)
func TestBenchCommand(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	args := []string{"--dossiers", "1500", "--samples", "20", "--only", "intake,search,queue,report", "--cache", cache}
	code, out, errs := runBench(t, args...)
	if code != 0 && code != 3 { // 3: a target missed
		t.Fatalf("bench: %d\n%s\n%s", code, out, errs)
	}
	line := regexp.MustCompile(`^[^\t]+\t[^\t]+\t[^\t]+\t(ok|MISS)$`)
	names := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !line.MatchString(l) {
			t.Errorf("not a measure line: %q", l)
			continue
		}
		names[strings.Split(l, "\t")[0]] = true
	}
	for _, want := range []string{"intake commit (durable)", "search by code", "search by ID number", "search by name without diacritics",
		"search box of the queue (name, open dossiers)", "queue page: open dossiers (the screen's default)", "queue page: every status",
		"queue page: scrolling, next page by key"} {
		if !names[want] {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	if !hasPrefixLine(out, "monthly report (Biểu II.06a") {
		t.Errorf("no report line in\n%s", out)
	}
	if !strings.Contains(errs, "tạo 1500 hồ sơ mẫu") {
		t.Errorf("the first run should make the store: %s", errs)
	}
	// The second run reuses it.
	code, _, errs = runBench(t, "--dossiers", "1500", "--samples", "5", "--only", "search", "--cache", cache)
	if code != 0 && code != 3 {
		t.Fatalf("second bench: %d %s", code, errs)
	}
	if strings.Contains(errs, "hồ sơ mẫu trải") {
		t.Errorf("the second run made the store again: %s", errs)
	}
	code, _, errs = runBench(t, "--only", "speed", "--cache", cache)
	if code == 0 || !strings.Contains(errs, "không có mục đo") {
		t.Errorf("unknown measure: %d %s", code, errs)
	}
}

func hasPrefixLine(out, prefix string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// The app command is for the bench's own children: it needs the store's folder.
func TestAppNeedsData(t *testing.T) {
	code, _, errs := runBench(t, "app")
	if code != 1 || !strings.Contains(errs, "thiếu --data") {
		t.Errorf("app without --data: %d %s", code, errs)
	}
}
