package localdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func init() {
	// argon2id and scrypt at their real cost take seconds under -race; the format is the same.
	defaultKDF = kdfParams{Time: 1, MemoryKiB: 64, Threads: 1}
	scryptWorkFactor = 10
}

const testPassphrase = "Một cửa An Hưng 2026"

// state is what the store holds after one commit.
type state struct {
	stats Stats
	audit int64
	ids   []string
}

func (s *Store) testState(t *testing.T, ids []string) state {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Error(err)
	}
	var n int64
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM audit`).Scan(&n); err != nil {
		t.Error(err)
	}
	return state{stats: st, audit: n, ids: slices.Clone(ids)}
}

func dossierIDs(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.r.Query(`SELECT id FROM dossiers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// A backup taken while dossiers keep arriving restores into exactly the store as it was
// after some commit: same Stats, same audit chain, the same dossiers, and Verify passes.
func TestBackupWhileReceiving(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(fmt.Sprintf("encrypted=%v", encrypted), func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
			var (
				mu      sync.Mutex
				history = []state{s.testState(t, nil)} // the state after each commit
				ids     []string
			)
			started := make(chan struct{})
			stop := make(chan struct{})
			done := make(chan error)
			go func() {
				for i := 0; ; i++ {
					d, err := s.Receive(ctx, clerk, birthIntake())
					if err != nil {
						done <- err
						return
					}
					mu.Lock()
					ids = append(ids, d.ID)
					history = append(history, s.testState(t, ids))
					mu.Unlock()
					if i%3 == 0 {
						if _, err := s.StoreFile(ctx, strings.NewReader(fmt.Sprintf("%%PDF-1.4 bản quét %d", i)), "scan.pdf"); err != nil {
							done <- err
							return
						}
						mu.Lock()
						history = append(history, s.testState(t, ids))
						mu.Unlock()
					}
					if i == 4 {
						close(started)
					}
					select {
					case <-stop:
						if i > 4 {
							done <- nil
							return
						}
					default:
					}
				}
			}()
			<-started
			opt := BackupOptions{}
			if encrypted {
				opt.Passphrase = testPassphrase
			}
			info, err := s.Backup(ctx, t.TempDir(), opt)
			// Let a few more dossiers arrive after the backup, then stop.
			for {
				mu.Lock()
				n := len(ids)
				mu.Unlock()
				if n >= info.Manifest.Stats.Dossiers+3 || err != nil {
					break
				}
				time.Sleep(time.Millisecond)
			}
			close(stop)
			if werr := <-done; werr != nil {
				t.Fatal(werr)
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Encrypted != encrypted {
				t.Errorf("encrypted %v", info.Encrypted)
			}

			target := filepath.Join(t.TempDir(), "restored")
			pass := ""
			if encrypted {
				pass = testPassphrase
			}
			rinfo, err := RestoreContext(ctx, info.Dir, target, pass)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Open(ctx, target, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := r.testState(t, nil)
			got.ids = dossierIDs(t, r)
			var want *state
			for i := range history {
				h := history[i]
				if h.stats.Dossiers == got.stats.Dossiers && h.stats.Files == got.stats.Files {
					want = &h
				}
			}
			if want == nil {
				t.Fatalf("restored %+v matches no committed state", got.stats)
			}
			sort.Strings(want.ids)
			// Restored into another folder, the store has another key: the restore
			// resealed its chain, one audit entry more ("restore.adopt").
			want.audit++
			if !reflect.DeepEqual(got.stats, want.stats) || got.audit != want.audit || !slices.Equal(got.ids, want.ids) {
				t.Errorf("restored store differs from the source at the snapshot:\n got %+v audit %d\nwant %+v audit %d", got.stats, got.audit, want.stats, want.audit)
			}
			if !reflect.DeepEqual(rinfo.Stats, got.stats) || !reflect.DeepEqual(info.Manifest.Stats, got.stats) {
				t.Errorf("restore info %+v, manifest %+v, store %+v", rinfo.Stats, info.Manifest.Stats, got.stats)
			}
			mu.Lock()
			final := len(ids)
			mu.Unlock()
			t.Logf("snapshot at %d dossiers, %d files; %d dossiers received in all", got.stats.Dossiers, got.stats.Files, final)
			if got.stats.Dossiers < 5 || got.stats.Dossiers >= final {
				t.Errorf("snapshot at %d dossiers of %d: not taken while receiving", got.stats.Dossiers, final)
			}
			res, err := r.Verify(ctx)
			if err != nil || !res.OK() || res.Entries != want.audit {
				t.Errorf("restored verify %+v %v", res, err)
			}
			if r.Config().DeviceID != s.Config().DeviceID {
				t.Error("device id not restored")
			}
			// The restored store works: a new intake continues the numbering.
			if _, err := r.Receive(ctx, clerk, birthIntake()); err != nil {
				t.Error(err)
			}
		})
	}
}

func sampleStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	for i := 0; i < 3; i++ {
		if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StoreFile(ctx, strings.NewReader(fmt.Sprintf("%%PDF-1.4 CCCD Nguyễn Văn An %d", i)), "cccd.pdf"); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func walkFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	return out
}

func TestEncryptedRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	info, err := s.Backup(ctx, t.TempDir(), BackupOptions{Passphrase: testPassphrase})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Encrypted || info.Files != 3 {
		t.Fatalf("info %+v", info)
	}
	// Nothing in clear: no plain database, no document or name readable.
	for _, p := range walkFiles(t, info.Dir) {
		if base := filepath.Base(p); base == manifestFile || base == manifestMACFile {
			continue
		}
		if !strings.HasSuffix(p, ageExt) {
			t.Errorf("unencrypted file in an encrypted backup: %s", p)
		}
		b, _ := os.ReadFile(p)
		// Markers long enough that random ciphertext cannot contain them by chance.
		for _, clear := range []string{"%PDF-1.", "Nguyễn Văn An", "SQLite format 3", "nguyen van an"} {
			if bytes.Contains(b, []byte(clear)) {
				t.Errorf("%s contains %q in clear", p, clear)
			}
		}
	}
	if _, err := VerifyBackup(ctx, info.Dir, testPassphrase); err != nil {
		t.Errorf("verify: %v", err)
	}
	if _, err := VerifyBackup(ctx, info.Dir, ""); !errors.Is(err, ErrNeedPassphrase) {
		t.Errorf("verify without passphrase: %v", err)
	}
	// The same passphrase typed by an input method that decomposes the diacritics.
	target := filepath.Join(t.TempDir(), "data")
	if err := Restore(info.Dir, target, norm.NFD.String(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, _ := s.Stats(ctx)
	b, _ := r.Stats(ctx)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("stats %+v vs %+v", a, b)
	}
	if res, err := r.Verify(ctx); err != nil || !res.OK() {
		t.Errorf("verify %+v %v", res, err)
	}
	if _, err := s.Backup(ctx, t.TempDir(), BackupOptions{Passphrase: "ngắn"}); err == nil || !strings.Contains(err.Error(), "ít nhất 8 ký tự") {
		t.Errorf("short passphrase: %v", err)
	}
}

func TestRestoreWrongPassphraseWritesNothing(t *testing.T) {
	s := sampleStore(t)
	info, err := s.Backup(context.Background(), t.TempDir(), BackupOptions{Passphrase: testPassphrase})
	if err != nil {
		t.Fatal(err)
	}
	newDir := filepath.Join(t.TempDir(), "new")
	emptyDir := t.TempDir()
	for _, target := range []string{newDir, emptyDir} {
		err := Restore(info.Dir, target, "mật khẩu khác hẳn")
		if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "sai mật khẩu") {
			t.Errorf("wrong passphrase: %v", err)
		}
		if err := Restore(info.Dir, target, ""); !errors.Is(err, ErrNeedPassphrase) {
			t.Errorf("no passphrase: %v", err)
		}
	}
	if _, err := os.Stat(newDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed restore created %s", newDir)
	}
	if es, _ := os.ReadDir(emptyDir); len(es) != 0 {
		t.Errorf("a failed restore wrote into the empty folder: %v", es)
	}
}

func flipByte(t *testing.T, path string, at func(size int) int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at(len(b))] ^= 0x20
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	for _, p := range walkFiles(t, src) {
		rel, _ := filepath.Rel(src, p)
		if _, _, err := writeBackupFile(filepath.Join(dst, rel), p, nil); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestTamperedEncryptedBackupDetected(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	info, err := s.Backup(ctx, t.TempDir(), BackupOptions{Passphrase: testPassphrase})
	if err != nil {
		t.Fatal(err)
	}
	doc := ""
	for _, p := range walkFiles(t, filepath.Join(info.Dir, "files")) {
		doc = p
	}
	cases := []struct {
		name   string
		tamper func(dir string)
	}{
		{"database byte", func(dir string) { flipByte(t, filepath.Join(dir, "motcua.db.age"), func(n int) int { return n / 2 }) }},
		{"database header", func(dir string) {
			// inside age's header, which its MAC covers
			flipByte(t, filepath.Join(dir, "motcua.db.age"), func(int) int { return 30 })
		}},
		{"database truncated", func(dir string) {
			p := filepath.Join(dir, "motcua.db.age")
			st, _ := os.Stat(p)
			os.Truncate(p, st.Size()-1000)
		}},
		{"manifest edited", func(dir string) {
			p := filepath.Join(dir, manifestFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(`"files": 3`), []byte(`"files": 2`), 1), 0o600)
		}},
		{"manifest MAC missing", func(dir string) { os.Remove(filepath.Join(dir, manifestMACFile)) }},
		{"key missing", func(dir string) { os.Remove(filepath.Join(dir, backupKeyFile)) }},
		{"document byte", func(dir string) {
			rel, _ := filepath.Rel(info.Dir, doc)
			flipByte(t, filepath.Join(dir, rel), func(n int) int { return n - 3 })
		}},
		{"document missing", func(dir string) {
			rel, _ := filepath.Rel(info.Dir, doc)
			os.Remove(filepath.Join(dir, rel))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, info.Dir)
			c.tamper(dir)
			if _, err := VerifyBackup(ctx, dir, testPassphrase); !errors.Is(err, ErrBackupDamaged) {
				t.Errorf("verify: %v", err)
			}
			target := filepath.Join(t.TempDir(), "data")
			if err := Restore(dir, target, testPassphrase); !errors.Is(err, ErrBackupDamaged) {
				t.Errorf("restore: %v", err)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Error("a failed restore left data behind")
			}
		})
	}
}

// The verify step after writing catches a backup that the disk did not keep as written.
func TestCorruptedBackupDetected(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	to := t.TempDir()
	backupHook = func(dir string) {
		flipByte(t, filepath.Join(dir, DBFile), func(n int) int { return n - 100 })
	}
	_, err := s.Backup(ctx, to, BackupOptions{})
	backupHook = nil
	if !errors.Is(err, ErrBackupDamaged) || !strings.Contains(err.Error(), "không đạt kiểm tra") {
		t.Fatalf("corrupted backup accepted: %v", err)
	}
	if es, _ := os.ReadDir(to); len(es) != 0 {
		t.Errorf("a failed backup left %v", es)
	}

	// A good backup, damaged later, fails VerifyBackup and Restore.
	info, err := s.Backup(ctx, to, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBackup(ctx, info.Dir, ""); err != nil {
		t.Fatal(err)
	}
	docs := walkFiles(t, filepath.Join(info.Dir, "files"))
	cases := map[string]func(dir string){
		"database": func(dir string) { flipByte(t, filepath.Join(dir, DBFile), func(n int) int { return n / 3 }) },
		"document changed": func(dir string) {
			flipByte(t, filepath.Join(dir, "files", relTo(info.Dir, docs[0])), func(n int) int { return 2 })
		},
		"document missing": func(dir string) { os.Remove(filepath.Join(dir, "files", relTo(info.Dir, docs[1]))) },
		"manifest":         func(dir string) { os.WriteFile(filepath.Join(dir, manifestFile), []byte("{"), 0o600) },
	}
	for name, tamper := range cases {
		dir := copyTree(t, info.Dir)
		tamper(dir)
		if _, err := VerifyBackup(ctx, dir, ""); !errors.Is(err, ErrBackupDamaged) {
			t.Errorf("%s: verify %v", name, err)
		}
		if err := Restore(dir, filepath.Join(t.TempDir(), "data"), ""); !errors.Is(err, ErrBackupDamaged) {
			t.Errorf("%s: restore %v", name, err)
		}
	}
}

func relTo(base, p string) string {
	rel, _ := filepath.Rel(filepath.Join(base, "files"), p)
	return rel
}

// A backup of the first format (a database and files, no manifest) still restores.
func TestRestoreFirstFormat(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	info, err := s.Backup(ctx, t.TempDir(), BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(info.Dir, manifestFile))
	if _, err := VerifyBackup(ctx, info.Dir, ""); err != nil {
		t.Errorf("verify: %v", err)
	}
	ri, err := RestoreContext(ctx, info.Dir, filepath.Join(t.TempDir(), "data"), "")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := s.Stats(ctx); !reflect.DeepEqual(ri.Stats, want) || !ri.Verify.OK() {
		t.Errorf("restored %+v %+v", ri.Stats, ri.Verify)
	}
}

func TestEncryptStream(t *testing.T) {
	k, err := newBackupKey(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, encChunkSize - 1, encChunkSize, encChunkSize + 1, 3*encChunkSize + 17} {
		plain := bytes.Repeat([]byte("hồ sơ "), n/8+1)[:n]
		var enc bytes.Buffer
		if m, err := encryptStream(&enc, bytes.NewReader(plain), k); err != nil || m != int64(n) {
			t.Fatalf("%d: encrypt %d %v", n, m, err)
		}
		chunks := max(1, (n+encChunkSize-1)/encChunkSize)
		if want := encHeaderSize + n + 16*chunks; enc.Len() != want {
			t.Errorf("%d: %d bytes, want %d", n, enc.Len(), want)
		}
		var out bytes.Buffer
		if _, err := decryptStream(&out, bytes.NewReader(enc.Bytes()), newKeyring(testPassphrase)); err != nil || !bytes.Equal(out.Bytes(), plain) {
			t.Fatalf("%d: decrypt %v", n, err)
		}
		// Dropping the last chunk (a copy cut short on a chunk boundary) is caught.
		if chunks > 1 {
			cut := enc.Bytes()[:encHeaderSize+(chunks-1)*(encChunkSize+16)]
			if _, err := decryptStream(&bytes.Buffer{}, bytes.NewReader(cut), newKeyring(testPassphrase)); !errors.Is(err, ErrBackupDamaged) {
				t.Errorf("%d: truncated stream accepted: %v", n, err)
			}
		}
		if _, err := decryptStream(&bytes.Buffer{}, bytes.NewReader(enc.Bytes()), newKeyring("sai mật khẩu rồi")); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("%d: wrong passphrase: %v", n, err)
		}
	}
	if _, err := decryptStream(&bytes.Buffer{}, strings.NewReader("SQLite format 3\x00 and more bytes than a header has ......................................................................"), newKeyring("x")); !errors.Is(err, ErrBackupDamaged) {
		t.Errorf("not an encrypted file: %v", err)
	}
}

// renameRetry keeps trying while a file is held, but not past its context.
func TestRenameRetryHonoursContext(t *testing.T) {
	dir := t.TempDir()
	missing, to := filepath.Join(dir, "missing"), filepath.Join(dir, "to")
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := renameRetry(ctx, missing, to)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("renameRetry = %v, want the context's error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("renameRetry took %v after its context ended", d)
	}

	from := filepath.Join(dir, "from")
	if err := os.WriteFile(from, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := renameRetry(context.Background(), from, to); err != nil {
		t.Fatalf("renameRetry of a free file: %v", err)
	}
}
