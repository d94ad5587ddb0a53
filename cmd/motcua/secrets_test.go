package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// `motcua init` into a folder that already exists with 0755 leaves the folder 0700 and the
// database, its -wal and -shm, the signing key, the secrets file and the backups 0600.
func TestFileModesAfterInitIntoAnOpenFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	if code, out, errs := runCmd(t, "matkhau-quan-tri\n", "init", "--data", dir, "--unit-code", "000.00.06.H56",
		"--unit-name", "Trung tâm Phục vụ hành chính công xã An Hưng", "--slot", "1"); code != 0 {
		t.Fatalf("init: %s %s", out, errs)
	}
	to := filepath.Join(t.TempDir(), "usb")
	pf := filepath.Join(t.TempDir(), "pass.txt")
	os.WriteFile(pf, []byte("Mật khẩu sao lưu xã An Hưng\n"), 0o600)
	if code, out, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--passphrase-file", pf); code != 0 {
		t.Fatalf("backup: %s %s", out, errs)
	}
	// The -wal and -shm exist while the store is open.
	s, err := localdb.Open(context.Background(), dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetSyncValue(context.Background(), localdb.SyncKeyToken, "tok-of-this-counter"); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "files"): 0o700}
	for _, name := range []string{localdb.DBFile, localdb.DBFile + "-wal", localdb.DBFile + "-shm", localdb.KeyFile, localdb.SecretsFile} {
		want[filepath.Join(dir, name)] = 0o600
	}
	backups, _ := localdb.ListBackups(to)
	if len(backups) != 1 {
		t.Fatalf("backups %+v", backups)
	}
	filepath.WalkDir(backups[0].Dir, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			want[p] = 0o700
		} else {
			want[p] = 0o600
		}
		return err
	})
	for p, mode := range want {
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s is %v, want %v", p, st.Mode().Perm(), mode)
		}
	}
}

// A backup of an enrolled workstation restored into an empty folder (another PC) does not
// sync as that workstation: no token, a new signing key; the engine reports it not
// enrolled and the city hears nothing from it, while the original keeps syncing.
func TestRestoredElsewhereDoesNotSyncAsTheOriginal(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), AdminToken: "admin-secret", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	var pushes atomic.Int64
	srv.SetObserver(func(r *http.Request) {
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/events") {
			pushes.Add(1)
		}
	})
	ts := httptest.NewServer(srv.Handler())
	defer func() { ts.Close(); srv.Close() }()

	dir := initStore(t) // slot 2 of 000.00.06.H56
	if code, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "5"); code != 0 {
		t.Fatal(errs)
	}
	a, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := srv.Central().IssueEnrollCode(ctx, "000.00.06.H56", "Trung tâm Phục vụ hành chính công xã An Hưng", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := appsync.Enroll(ctx, a, ts.URL, code, "Quầy 2"); err != nil {
		t.Fatal(err)
	}
	engine := func(s *localdb.Store) *appsync.Engine {
		return appsync.New(s, appsync.Options{HTTPClient: ts.Client(), Logger: quiet})
	}
	ea := engine(a)
	if _, err := ea.SyncOnce(ctx); err != nil {
		t.Fatalf("the original does not sync: %v", err)
	}
	if !ea.Status().Enrolled {
		t.Fatal("the original does not report itself enrolled")
	}
	before, err := srv.Central().Events(ctx)
	if err != nil || len(before) == 0 || pushes.Load() == 0 {
		t.Fatalf("nothing reached the city: %d events, %d pushes, %v", len(before), pushes.Load(), err)
	}
	a.Close()

	to := filepath.Join(t.TempDir(), "usb")
	pf := filepath.Join(t.TempDir(), "pass.txt")
	os.WriteFile(pf, []byte("Mật khẩu sao lưu xã An Hưng\n"), 0o600)
	if code, out, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--passphrase-file", pf); code != 0 {
		t.Fatalf("backup: %s %s", out, errs)
	}
	list, _ := localdb.ListBackups(to)
	other := filepath.Join(t.TempDir(), "other-pc")
	rc, out, errs := runCmd(t, "", "restore", "--from", list[0].Dir, "--data", other, "--passphrase-file", pf)
	if rc != 0 || !strings.Contains(out, "hãy đăng ký lại") {
		t.Fatalf("restore: %d %s %s", rc, out, errs)
	}

	b, err := localdb.Open(ctx, other, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if tok, _ := b.SyncValue(ctx, localdb.SyncKeyToken); tok != "" {
		t.Fatalf("the copy holds a token: %q", tok)
	}
	pushes.Store(0)
	eb := engine(b)
	if _, err := eb.SyncOnce(ctx); !errors.Is(err, appsync.ErrNotEnrolled) {
		t.Errorf("the copy's sync: %v", err)
	}
	if st := eb.Status(); st.Enrolled {
		t.Errorf("the copy reports itself enrolled: %+v", st)
	}
	after, _ := srv.Central().Events(ctx)
	if pushes.Load() != 0 || len(after) != len(before) {
		t.Errorf("the city heard from the copy: %d pushes, %d events (was %d)", pushes.Load(), len(after), len(before))
	}
}
