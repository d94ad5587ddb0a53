package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/central"
)

// initAt makes a workstation's data folder at a slot of the test unit.
func initAt(t *testing.T, slot string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := runCmd(t, "matkhau-quan-tri\n", "init", "--data", dir, "--unit-code", "000.00.06.H56",
		"--unit-name", "Trung tâm Phục vụ hành chính công xã An Hưng", "--slot", slot, "--admin", "admin")
	if code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errs)
	}
	return dir
}

// Two counters enrolled at the city; the city goes down; one serves (peer-serve), the other
// is told its address (peers add) and `sync --once` takes the dossiers the first received,
// reporting the city unreachable and the peer in step; peers list shows the exchange, and
// peers remove forgets it.
func TestPeersCommandsAndSyncOnceWithAPeer(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), AdminToken: "admin-secret", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() { ts.Close(); srv.Close() }()

	a, b := initAt(t, "1"), initAt(t, "2")
	for i, dir := range []string{a, b} {
		code, _, err := srv.Central().IssueEnrollCode(ctx, "000.00.06.H56", "Trung tâm", i+1)
		if err != nil {
			t.Fatal(err)
		}
		if st, out, errs := runCmd(t, "", "enroll", "--data", dir, "--server", ts.URL, "--code", code, "--name", "Quầy "+string(rune('1'+i))); st != 0 {
			t.Fatalf("enroll: %s %s", out, errs)
		}
	}
	for _, dir := range []string{a, b} {
		if st, out, errs := runCmd(t, "", "sync", "--data", dir, "--once"); st != 0 {
			t.Fatalf("first sync: %s %s", out, errs)
		}
	}
	// b receives two dossiers while the city is down.
	ts.Close()
	var made []domain.Dossier
	func() {
		s, err := localdb.Open(ctx, b, localdb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for range 2 {
			d, err := s.Receive(ctx, domain.Staff{Username: "admin", FullName: "Quản trị", Role: domain.RoleAdmin, Active: true}, domain.Intake{
				ProcedureCode: "1.001193",
				Applicant:     domain.Person{Name: "Trần Thị Bình", IDNumber: "001199012345", Birth: "01/01/1999", Sex: "Nữ", Phone: "0912345678", Address: "Thôn Đông"},
				Documents:     []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, d)
		}
	}()

	// b serves; b also knows an address where nothing answers (its exchange there fails).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	off, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	offAddr := off.Addr().String()
	off.Close()
	if st, out, errs := runCmd(t, "", "peers", "add", "--data", b, offAddr); st != 0 {
		t.Fatalf("peers add: %d %s %s", st, out, errs)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan int, 1)
	var sout, serr lockedWriter
	go func() {
		served <- run(sctx, []string{"peer-serve", "--data", b, "--listen", addr, "--mdns=false", "--interval", "1h"}, strings.NewReader(""), &sout, &serr)
	}()
	var once gosync.Once
	stopServe := func() {
		once.Do(func() {
			stop()
			if code := <-served; code != 0 {
				t.Errorf("peer-serve ended with %d: %s", code, serr.String())
			}
		})
	}
	defer stopServe()
	waitDial(t, addr)
	// peer-serve's records of its exchanges go to the log file, not to the console.
	logFile := filepath.Join(b, "logs", "motcua.log")
	for deadline := time.Now().Add(time.Minute); ; {
		// A record of peer-serve's own logger (in a separate process, slog's default would
		// write to standard error; in this test process it may land in a file wrapped).
		if raw, _ := os.ReadFile(logFile); strings.Contains(string(raw), `msg="peer: exchange incomplete" peer=`+offAddr) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("peer-serve's failed exchange with %s is not in %s; console: %s %s", offAddr, logFile, sout.String(), serr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(sout.String()+serr.String(), offAddr) {
		t.Errorf("peer-serve prints its log records:\n%s\n%s", sout.String(), serr.String())
	}

	if st, out, errs := runCmd(t, "", "peers", "list", "--data", a); st != 0 || !strings.Contains(out, "Chưa có máy ngang hàng nào") {
		t.Fatalf("peers list before: %d %s %s", st, out, errs)
	}
	if st, _, errs := runCmd(t, "", "peers", "add", "--data", a, "không phải:địa chỉ"); st == 0 || !strings.Contains(errs, "không đúng dạng") {
		t.Fatalf("peers add with a bad address: %d %s", st, errs)
	}
	if st, out, errs := runCmd(t, "", "peers", "add", "--data", a, addr); st != 0 || !strings.Contains(out, "Đã thêm máy ngang hàng "+addr) {
		t.Fatalf("peers add: %d %s %s", st, out, errs)
	}
	st, out, errs := runCmd(t, "", "sync", "--data", a, "--once")
	if st != 0 {
		t.Fatalf("sync --once with the city down and a peer up: %d\n%s\n%s", st, out, errs)
	}
	for _, want := range []string{"Máy chủ thành phố", "Không kết nối được", "Máy ngang hàng " + addr + " (Quầy 2)", "Đã đồng bộ xong: nhận "} {
		if !strings.Contains(out, want) {
			t.Errorf("sync --once report lacks %q:\n%s", want, out)
		}
	}
	// What the clerk reads is the report: no log records mixed in (they go to the log
	// file), and no stutter in the city's line.
	for _, bad := range []string{"INFO", "WARN", "level=", "Không kết nối được (Không kết nối được"} {
		if strings.Contains(out+errs, bad) {
			t.Errorf("sync --once output has %q:\n%s\n%s", bad, out, errs)
		}
	}
	if !strings.Contains(out, "Không kết nối được máy chủ") {
		t.Errorf("sync --once does not say the city is unreachable:\n%s", out)
	}
	noTransportWords(t, "sync --once with the city down and a peer up", out+errs)
	func() {
		s, err := localdb.Open(ctx, a, localdb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for _, d := range made {
			if _, err := s.Get(ctx, d.ID); err != nil {
				t.Errorf("a lacks %s after sync --once: %v", d.Code, err)
			}
		}
		if n, _ := s.OutboxCount(ctx); n != 0 {
			t.Errorf("a would push %d events it learned from b", n)
		}
	}()
	st, out, _ = runCmd(t, "", "peers", "list", "--data", a)
	if st != 0 || !strings.Contains(out, addr) || !strings.Contains(out, "Quầy 2") || !strings.Contains(out, "đồng bộ lần cuối") || !strings.Contains(out, "tự nhập") {
		t.Fatalf("peers list after: %d %s", st, out)
	}
	// With the peer switched off too, nothing answers: the command fails and says so.
	stopServe()
	if st, out, errs := runCmd(t, "", "sync", "--data", a, "--once"); st == 0 || !strings.Contains(errs, "Không kết nối được với máy chủ thành phố hay máy ngang hàng nào") {
		t.Fatalf("sync --once with nothing up: %d %s %s", st, out, errs)
	} else {
		noTransportWords(t, "sync --once with nothing up", out+errs)
	}
	if st, out, errs := runCmd(t, "", "peers", "remove", "--data", a, addr); st != 0 || !strings.Contains(out, "Đã bỏ") {
		t.Fatalf("peers remove: %d %s %s", st, out, errs)
	}
	if st, _, errs := runCmd(t, "", "peers", "remove", "--data", a, addr); st == 0 || !strings.Contains(errs, "không có máy ngang hàng") {
		t.Fatalf("peers remove twice: %d %s", st, errs)
	}
	if st, out, _ := runCmd(t, "", "peers", "list", "--data", a); st != 0 || !strings.Contains(out, "Chưa có máy ngang hàng nào") {
		t.Fatalf("peers list after remove: %s", out)
	}
	if st, out, errs := runCmd(t, "", "peers", "config", "--data", a, "--serve", "off"); st != 0 || !strings.Contains(out, "không phục vụ") {
		t.Fatalf("peers config: %d %s %s", st, out, errs)
	}
	// peer-serve honours the switch (it protects a stolen workstation while the city is
	// down); --force overrides it, and a port in use is said in words.
	if st, out, errs := runCmd(t, "", "peer-serve", "--data", a, "--listen", "127.0.0.1:0", "--mdns=false"); st == 0 || !strings.Contains(errs, "đã được tắt phục vụ máy ngang hàng") || !strings.Contains(errs, "--serve on") {
		t.Fatalf("peer-serve with serving switched off: %d %s %s", st, out, errs)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if st, out, errs := runCmd(t, "", "peer-serve", "--data", a, "--force", "--listen", busy.Addr().String(), "--mdns=false"); st == 0 ||
		!strings.Contains(errs, "đang được một chương trình khác dùng") || strings.Contains(errs, "bind:") {
		t.Fatalf("peer-serve on a port in use: %d %s %s", st, out, errs)
	}
}

// waitDial waits until something accepts connections at addr.
func waitDial(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedWriter is a buffer a long-running command writes to while the test reads it.
type lockedWriter struct {
	mu gosync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// noTransportWords fails if a clerk's console shows a transport's own words (English, with
// the server's address): those go to the data folder's log.
func noTransportWords(t *testing.T, what, console string) {
	t.Helper()
	for _, bad := range []string{"dial tcp", "connection refused", "EOF", "http://", "https://", "context canceled"} {
		if strings.Contains(console, bad) {
			t.Errorf("%s shows %q to the clerk:\n%s", what, bad, console)
		}
	}
}

// The city is down and the counter has no peers: `sync --once` retries, then fails, and
// every line the clerk reads — each retry and the final one — is plain Vietnamese; the
// transport's words (dial tcp …: connection refused, with the URL) are in the log file.
func TestSyncOnceCityDownSaysItInWords(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), AdminToken: "admin-secret", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	dir := initAt(t, "1")
	code, _, err := srv.Central().IssueEnrollCode(ctx, "000.00.06.H56", "Trung tâm", 1)
	if err != nil {
		t.Fatal(err)
	}
	if st, out, errs := runCmd(t, "", "enroll", "--data", dir, "--server", ts.URL, "--code", code, "--name", "Quầy 1"); st != 0 {
		t.Fatalf("enroll: %s %s", out, errs)
	}
	ts.Close()

	st, out, errs := runCmd(t, "", "sync", "--data", dir, "--once")
	if st == 0 {
		t.Fatalf("sync --once with the city down succeeded:\n%s\n%s", out, errs)
	}
	for _, want := range []string{"Lần thử chưa xong: Không kết nối được máy chủ: máy chủ không nhận kết nối", "thử lại sau"} {
		if !strings.Contains(out, want) {
			t.Errorf("sync --once does not say %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "motcua: Đồng bộ chưa hoàn tất") || !strings.Contains(errs, "Không kết nối được máy chủ") {
		t.Errorf("sync --once's last line: %q", errs)
	}
	noTransportWords(t, "sync --once with the city down", out+errs)
	raw, _ := os.ReadFile(filepath.Join(dir, "logs", "motcua.log"))
	if !strings.Contains(string(raw), "connection refused") {
		t.Errorf("the cause is not in the log:\n%s", raw)
	}

	// verify asks the city for its chain head: the city down is said in words.
	st, out, errs = runCmd(t, "", "verify", "--data", dir)
	if !strings.Contains(out+errs, "Không hỏi được máy chủ thành phố (Không kết nối được máy chủ") {
		t.Errorf("verify with the city down: %d\n%s\n%s", st, out, errs)
	}
	noTransportWords(t, "verify with the city down", out+errs)

	// The continuous `sync` (until Ctrl+C) prints the status in words; its log records —
	// «sync failed err=…dial tcp…» — go to the log file, not to the console.
	before, _ := os.ReadFile(filepath.Join(dir, "logs", "motcua.log"))
	sctx, stop := context.WithCancel(ctx)
	var sout, serr lockedWriter
	// A fresh process's default logger writes to the console: here, the command's standard
	// error, so a record that escaped to it would be caught below.
	prevLog := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&serr, nil)))
	defer slog.SetDefault(prevLog)
	done := make(chan int, 1)
	go func() {
		done <- run(sctx, []string{"sync", "--data", dir}, strings.NewReader(""), &sout, &serr)
	}()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(serr.String(), "Không kết nối được máy chủ"); {
		if time.Now().After(deadline) {
			stop()
			<-done
			t.Fatalf("sync does not say the city is unreachable: %q %q", sout.String(), serr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		raw, _ := os.ReadFile(filepath.Join(dir, "logs", "motcua.log"))
		if strings.Count(string(raw), "connection refused") > strings.Count(string(before), "connection refused") {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the continuous sync's failure is not in the log:\n%s", raw)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if code := <-done; code != 0 {
		t.Errorf("sync stopped by Ctrl+C: %d %q", code, serr.String())
	}
	noTransportWords(t, "sync (continuous) with the city down", sout.String()+serr.String())

	// enroll against the stopped city: words again, no transport text.
	st, out, errs = runCmd(t, "", "enroll", "--data", initAt(t, "2"), "--server", ts.URL, "--code", "AAAA-BBBB-CCCC", "--name", "Quầy 2")
	if st == 0 || !strings.Contains(errs, "Không kết nối được máy chủ") {
		t.Errorf("enroll with the city down: %d %s %s", st, out, errs)
	}
	noTransportWords(t, "enroll with the city down", out+errs)
}
