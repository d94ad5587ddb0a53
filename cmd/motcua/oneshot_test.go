package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"motcua/sync/api"
	"motcua/sync/central"
)

// A one-shot command does not promise a retry it will not make: sync --once under a 429
// says the wait once per attempt, and its last line, like enroll's against a server that is
// not motcua's, tells the clerk to run the command again.
func TestOneShotCommandsPromiseNoRetry(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), AdminToken: "admin-secret", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var busy atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if busy.Load() {
			w.Header().Set(api.Header, api.HeaderValue)
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	dir := initAt(t, "1")
	code, _, err := srv.Central().IssueEnrollCode(ctx, "000.00.06.H56", "Trung tâm", 1)
	if err != nil {
		t.Fatal(err)
	}
	if st, out, errs := runCmd(t, "", "enroll", "--data", dir, "--server", ts.URL, "--code", code, "--name", "Quầy 1"); st != 0 {
		t.Fatalf("enroll: %s %s", out, errs)
	}
	busy.Store(true)
	st, out, errs := runCmd(t, "", "sync", "--data", dir, "--once")
	if st == 0 || !strings.Contains(out, "Lần thử chưa xong: Máy chủ đang quá tải — thử lại sau 1 giây.\n") ||
		!strings.Contains(errs, "Máy chủ đang quá tải; hãy chạy lại lệnh sau 1 giây\n") || strings.Contains(out+errs, "sẽ thử lại") {
		t.Errorf("sync --once under 429: rc %d\n%s\n%s", st, out, errs)
	}

	notMotcua := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not implemented", http.StatusNotImplemented)
	}))
	defer notMotcua.Close()
	st, out, errs = runCmd(t, "", "enroll", "--data", initAt(t, "2"), "--server", notMotcua.URL, "--code", "AAAA-BBBB-CCCC", "--name", "Quầy 2")
	if st == 0 || errs != "motcua: Máy chủ đang gặp sự cố (mã 501); hãy chạy lại lệnh sau ít phút\n" {
		t.Errorf("enroll against a server that is not motcua's: rc %d\n%s\n%q", st, out, errs)
	}
}

// Paths that are not what a command needs are said as they are: a folder that takes no new
// file, a backup folder that does not exist, a file given as the backup folder.
func TestPathsSaidAsTheyAre(t *testing.T) {
	dir := initStore(t)
	st, _, errs := runCmd(t, "", "report", "--data", dir, "--from", "2026-01-01", "--to", "2026-01-31", "-o", "/proc/version", "--format", "pdf")
	if st == 0 || errs != "motcua: không ghi được tệp /proc/version: thư mục /proc không cho tạo tệp mới, hãy chọn thư mục khác\n" {
		t.Errorf("report into /proc: rc %d %q", st, errs)
	}
	missing := filepath.Join(t.TempDir(), "khong-co")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	for _, args := range [][]string{{"restore", "--data", target}, {"verify-backup"}} {
		cmd := args[0]
		st, _, errs := runCmd(t, "", append(args, "--from", missing)...)
		if st == 0 || !strings.HasPrefix(errs, "motcua: không có thư mục "+missing+" (ổ USB đã cắm chưa?)") || strings.Contains(errs, "manifest") {
			t.Errorf("%s --from a folder that does not exist: rc %d %q", cmd, st, errs)
		}
		st, _, errs = runCmd(t, "", append(args, "--from", file)...)
		if st == 0 || !strings.HasPrefix(errs, "motcua: "+file+" là một tệp, không phải thư mục") || strings.Contains(errs, "manifest") {
			t.Errorf("%s --from a file: rc %d %q", cmd, st, errs)
		}
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused restore made %s: %v", target, err)
	}
}
