package localdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
)

const (
	forgedName = "Trần Văn Giả"
	forgedID   = "001099099999"
)

// editDatabase changes every dossier's applicant and citizen ID in a plain database file,
// as someone with sqlite3 and the file would.
func editDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE dossiers SET applicant = ?, id_number = ?`, forgedName, forgedID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatal("nothing edited")
	}
}

// recomputeManifest sets the database's checksum and size in manifest.json to those of the
// plaintext at plainDB, as the person who edited it would.
func recomputeManifest(t *testing.T, dir, plainDB string) {
	t.Helper()
	m, _, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(plainDB)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	m.Database.SHA256, m.Database.Size = hex.EncodeToString(sum[:]), int64(len(b))
	if _, err := writeManifest(dir, m); err != nil {
		t.Fatal(err)
	}
}

// applicants reads the applicants' names and ID numbers of a restored store.
func applicants(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.r.Query(`SELECT applicant || '/' || id_number FROM dossiers ORDER BY rid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		out = append(out, a)
	}
	return out
}

// An encrypted backup whose database was replaced by an edited copy — encrypted to the
// backup's own age recipient, which is public by nature, with the checksum in manifest.json
// recomputed — is refused by VerifyBackup and by Restore, which writes nothing.
func TestEditedEncryptedBackupDetected(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	cfg := s.Config()
	cfg.BackupDir = filepath.Join(t.TempDir(), "usb")
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBackupPassphrase(ctx, admin, testPassphrase); err != nil {
		t.Fatal(err)
	}
	info, err := s.BackupNow(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Manifest.TamperEvident || info.Manifest.Encryption != "age" || info.Manifest.Notice != "" {
		t.Fatalf("manifest %+v", info.Manifest)
	}
	sec, err := s.readSecrets()
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.ParseHybridIdentity(sec.Backup.Identity)
	if err != nil {
		t.Fatal(err)
	}

	// The forger's plaintext: the same data (read off the PC, say), with names and IDs changed.
	snap, err := s.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(snap)
	editDatabase(t, snap)

	forge := func(t *testing.T, dir string) {
		in, err := os.Open(snap)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dir, DBFile+ageExt))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&sealer{recipient: id.Recipient()}).seal(out, in); err != nil {
			t.Fatal(err)
		}
		out.Close()
		recomputeManifest(t, dir, snap)
	}
	cases := map[string]func(t *testing.T, dir string){
		"database re-encrypted, checksum recomputed": forge,
		"and the manifest's MAC removed": func(t *testing.T, dir string) {
			forge(t, dir)
			os.Remove(filepath.Join(dir, manifestMACFile))
		},
		"and the MAC of the original kept, another backup's key": func(t *testing.T, dir string) {
			forge(t, dir)
			other, err := newBackupSecret(testPassphrase)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, backupKeyFile), other.Sealed, 0o600)
		},
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			dir := copyTree(t, info.Dir)
			tamper(t, dir)
			_, err := VerifyBackup(ctx, dir, testPassphrase)
			if !errors.Is(err, ErrBackupDamaged) {
				t.Errorf("verify-backup: %v", err)
			}
			t.Logf("verify-backup: %v", err)
			target := filepath.Join(t.TempDir(), "data")
			if err := Restore(dir, target, testPassphrase); !errors.Is(err, ErrBackupDamaged) {
				t.Errorf("restore: %v", err)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Error("a refused restore left data behind")
			}
		})
	}

	// The untouched backup restores, with the names as they were.
	target := filepath.Join(t.TempDir(), "data")
	ri, err := RestoreContext(ctx, info.Dir, target, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if !ri.Manifest.TamperEvident {
		t.Error("restored manifest not tamper-evident")
	}
	r, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, want := applicants(t, r), applicants(t, s); !reflect.DeepEqual(got, want) || strings.Contains(strings.Join(got, ","), forgedID) {
		t.Errorf("restored %v, want %v", got, want)
	}
}

// A plain backup cannot prove anything: the same edit goes through, and the backup says so
// in its manifest, its listing and what VerifyBackup and Restore return.
func TestPlainBackupIsLabelled(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	to := t.TempDir()
	info, err := s.Backup(ctx, to, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(info.Dir, manifestFile))
	if !bytes.Contains(raw, []byte(`"tamper_evident": false`)) || !bytes.Contains(raw, []byte("không chứng minh được là chưa bị sửa")) {
		t.Errorf("manifest.json does not say the backup proves nothing:\n%s", raw)
	}
	list, err := ListBackups(to)
	if err != nil || len(list) != 1 || list[0].TamperEvident || list[0].Encrypted {
		t.Fatalf("listing %+v %v", list, err)
	}
	dbPath := filepath.Join(info.Dir, DBFile)
	editDatabase(t, dbPath)
	recomputeManifest(t, info.Dir, dbPath)
	m, err := VerifyBackup(ctx, info.Dir, "")
	if err != nil {
		t.Fatalf("the edit of a plain backup is not detectable, but verify failed: %v", err)
	}
	if m.TamperEvident || m.Notice == "" {
		t.Errorf("verify of a plain backup is not labelled: %+v", m)
	}
	ri, err := RestoreContext(ctx, info.Dir, filepath.Join(t.TempDir(), "data"), "")
	if err != nil {
		t.Fatal(err)
	}
	if ri.Manifest.TamperEvident || ri.Manifest.Notice == "" {
		t.Errorf("restore of a plain backup is not labelled: %+v", ri.Manifest)
	}

	// An encrypted backup stripped down to look plain keeps a trace: refused while its key
	// or MAC is there; with both gone it is a plain backup, and labelled as one.
	if err := s.SetBackupPassphrase(ctx, admin, testPassphrase); err != nil {
		t.Fatal(err)
	}
	opt, _, _ := s.storedBackupOptions(ctx)
	enc, err := s.Backup(ctx, t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	dir := copyTree(t, enc.Dir)
	plain := filepath.Join(t.TempDir(), "plain.db")
	snap, _ := s.snapshot(ctx)
	os.Rename(snap, plain)
	editDatabase(t, plain)
	os.Remove(filepath.Join(dir, DBFile+ageExt))
	b, _ := os.ReadFile(plain)
	os.WriteFile(filepath.Join(dir, DBFile), b, 0o600)
	m, _, _ = readManifest(dir)
	m.Encrypted, m.Encryption, m.Database.Name = false, "", DBFile
	writeManifest(dir, m)
	recomputeManifest(t, dir, plain)
	if _, err := VerifyBackup(ctx, dir, ""); !errors.Is(err, ErrBackupDamaged) {
		t.Errorf("stripped backup with its key left: %v", err)
	}
	os.Remove(filepath.Join(dir, backupKeyFile))
	os.Remove(filepath.Join(dir, manifestMACFile))
	for _, p := range walkFiles(t, filepath.Join(dir, "files")) {
		sha := strings.TrimSuffix(filepath.Base(p), ageExt)
		os.Remove(p)
		data, _ := os.ReadFile(s.FilePath(sha))
		os.WriteFile(filepath.Join(filepath.Dir(p), sha), data, 0o600)
	}
	m, err = VerifyBackup(ctx, dir, "")
	if err != nil {
		t.Fatalf("a fully stripped backup is a plain backup: %v", err)
	}
	if m.TamperEvident || m.Notice == "" {
		t.Errorf("a stripped backup passes as tamper-evident: %+v", m)
	}
}

// Backups written by the AES-GCM code before age (testdata/backup-v1, made by that code)
// still verify and restore; the wrong passphrase is still told apart from damage.
func TestFormat1BackupStillRestores(t *testing.T) {
	ctx := context.Background()
	dir := copyTree(t, filepath.Join("testdata", "backup-v1"))
	m, err := VerifyBackup(ctx, dir, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != 1 || !m.Encrypted || !m.TamperEvident || m.Files != 1 {
		t.Errorf("manifest %+v", m)
	}
	if err := Restore(dir, filepath.Join(t.TempDir(), "data"), "sai mật khẩu rồi"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	target := filepath.Join(t.TempDir(), "data")
	ri, err := RestoreContext(ctx, dir, target, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if ri.Stats.Dossiers != 2 || ri.Stats.Files != 1 || !ri.Verify.OK() {
		t.Errorf("restored %+v %+v", ri.Stats, ri.Verify)
	}
	r, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Receive(ctx, clerk, birthIntake()); err != nil {
		t.Errorf("the restored store does not work: %v", err)
	}
}

// legacyInstall makes a store as the releases before this one left it: the device token in
// sync_state and the backup key (argon2id, first format) in settings.
func legacyInstall(t *testing.T, token string) (dir string, key *backupKey) {
	t.Helper()
	ctx := context.Background()
	s := sampleStore(t)
	dir = s.Dir()
	cfg := s.Config()
	cfg.ServerURL, cfg.BackupDir = "https://motcua.haiphong.gov.vn", filepath.Join(t.TempDir(), "usb")
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	key, err := newBackupKey(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(storedKey{Time: key.params.Time, MemoryKiB: key.params.MemoryKiB, Threads: key.params.Threads,
		Salt: key.salt[:], Master: key.master[:], Check: key.check[:]})
	// As the old code wrote them, including a re-enrollment that replaced a first token.
	for _, q := range []struct{ sql, v string }{
		{`INSERT INTO sync_state(key, value) VALUES ('device.token', ?)`, "first-" + token},
		{`INSERT INTO settings(key, value) VALUES ('backup.key', ?)`, string(raw)},
		{`UPDATE sync_state SET value = ? WHERE key = 'device.token'`, token},
	} {
		if _, err := s.w.Exec(q.sql, q.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, key
}

// fileHas reports whether any file of the data folder's database (db, wal) holds b.
func fileHas(t *testing.T, paths []string, b []byte) string {
	t.Helper()
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, b) {
			return p
		}
	}
	return ""
}

func dbFiles(dir string) []string {
	p := filepath.Join(dir, DBFile)
	return []string{p, p + "-wal", p + "-shm"}
}

// The upgrade moves the token and the backup key out of the database into SecretsFile and
// wipes their bytes from the database file; automatic backups keep working with the old key
// (first format) until the passphrase is set again, then use age.
func TestUpgradeMovesSecretsOutOfTheDatabase(t *testing.T) {
	ctx := context.Background()
	const token = "tok-3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e"
	dir, key := legacyInstall(t, token)
	if fileHas(t, dbFiles(dir), []byte(token)) == "" {
		t.Fatal("the legacy install does not hold the token (test set-up)")
	}
	master := base64.StdEncoding.EncodeToString(key.master[:])

	s, err := Open(ctx, dir, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if tok, err := s.SyncValue(ctx, SyncKeyToken); tok != token || err != nil {
		t.Fatalf("token after the upgrade: %q %v", tok, err)
	}
	for _, secret := range []string{token, "first-" + token, master} {
		if p := fileHas(t, dbFiles(dir), []byte(secret)); p != "" {
			t.Errorf("%q still in %s after the upgrade", secret, p)
		}
	}
	if mode, err := s.BackupMode(ctx); mode != BackupLegacy || err != nil {
		t.Fatalf("backup mode %q %v", mode, err)
	}
	var moved int
	s.r.QueryRow(`SELECT COUNT(*) FROM audit WHERE action = 'secrets.out_of_db'`).Scan(&moved)
	if res, err := s.Verify(ctx); moved != 1 || err != nil || !res.OK() {
		t.Errorf("audit %d, verify %+v %v", moved, res, err)
	}

	b := &BackupScheduler{Store: s, Log: slog.New(slog.DiscardHandler)}
	r := b.RunOnce(ctx)
	if r.Err != nil || r.Made == nil || r.Made.Manifest.Format != legacyFormat || !r.Made.Encrypted {
		t.Fatalf("scheduled backup with the old key: %+v", r)
	}
	if p := fileHas(t, walkFiles(t, r.Made.Dir), []byte(token)); p != "" {
		t.Errorf("the token is in the backup: %s", p)
	}
	ri, err := RestoreContext(ctx, r.Made.Dir, filepath.Join(t.TempDir(), "data"), testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if !ri.NeedsEnrollment {
		t.Error("a restore elsewhere does not ask for enrollment")
	}

	// Setting the passphrase again moves to age.
	if err := s.SetBackupPassphrase(ctx, admin, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if mode, _ := s.BackupMode(ctx); mode != BackupEncrypted {
		t.Errorf("mode %q", mode)
	}
	if tok, _ := s.SyncValue(ctx, SyncKeyToken); tok != token {
		t.Error("setting the passphrase lost the token")
	}
}

// After enrollment the token is in SecretsFile only: not in the database's bytes, not in a
// backup (plain, where it would be readable).
func TestTokenNeitherInDatabaseNorBackup(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	const token = "tok-9b1d3f5a7c2e4b6d8f0a1c3e5b7d9f2a"
	en := Enrollment{ServerURL: "https://motcua.haiphong.gov.vn", Token: token, DeviceID: s.Config().DeviceID,
		UnitCode: testCfg.UnitCode, UnitName: testCfg.UnitName, Slot: testCfg.Slot}
	if err := s.SaveEnrollment(ctx, en); err != nil {
		t.Fatal(err)
	}
	if tok, _ := s.SyncValue(ctx, SyncKeyToken); tok != token {
		t.Fatalf("token %q", tok)
	}
	if p := fileHas(t, dbFiles(s.Dir()), []byte(token)); p != "" {
		t.Errorf("the token is in %s", p)
	}
	raw, err := os.ReadFile(filepath.Join(s.Dir(), SecretsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(token)) {
		// Sealed by the OS (Windows): not readable here either, which is the point.
		t.Logf("%s is sealed", SecretsFile)
	}
	info, err := s.Backup(ctx, t.TempDir(), BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := fileHas(t, walkFiles(t, info.Dir), []byte(token)); p != "" {
		t.Errorf("the token is in the backup: %s", p)
	}
	// A refused enrollment leaves the token as it was.
	bad := en
	bad.Token, bad.Slot = "tok-of-a-refused-enrollment", 3
	if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEnrollment(ctx, bad); err == nil {
		t.Fatal("a slot change after intakes was accepted")
	}
	if tok, _ := s.SyncValue(ctx, SyncKeyToken); tok != token {
		t.Errorf("token after a refused enrollment: %q", tok)
	}
}

// Another workstation's backup restored into an empty folder has no token and a new
// signing key, even a backup made before the token left the database (here one of the
// first format, no manifest, with the token inside).
func TestRestoreElsewhereHasNoSecrets(t *testing.T) {
	ctx := context.Background()
	const token = "tok-5e7a9c1b3d5f7a9c2e4b6d8f0a1c3e5b"
	dir, _ := legacyInstall(t, token)
	// A backup of the first format is a copy of the folder's database as the old code
	// held it (the token inside) and its files.
	backup := filepath.Join(t.TempDir(), "motcua-20260302-090000")
	os.MkdirAll(backup, 0o700)
	b, err := os.ReadFile(filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(backup, DBFile), b, 0o600)
	if !bytes.Contains(b, []byte(token)) {
		t.Fatal("set-up: the old backup does not hold the token")
	}
	src, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// The documents, as the first format kept them.
	rows, _ := src.r.Query(`SELECT sha256 FROM files`)
	for rows.Next() {
		var sha string
		rows.Scan(&sha)
		data, _ := os.ReadFile(src.FilePath(sha))
		os.MkdirAll(filepath.Join(backup, "files", sha[:2]), 0o700)
		os.WriteFile(filepath.Join(backup, "files", sha[:2], sha), data, 0o600)
	}
	rows.Close()

	target := filepath.Join(t.TempDir(), "other-pc")
	ri, err := RestoreContext(ctx, backup, target, "")
	if err != nil {
		t.Fatal(err)
	}
	if !ri.NeedsEnrollment || ri.KeptSecrets {
		t.Errorf("restore info %+v", ri)
	}
	r, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if tok, err := r.SyncValue(ctx, SyncKeyToken); tok != "" || err != nil {
		t.Errorf("the restored copy holds a token: %q %v", tok, err)
	}
	if r.PublicKey() == src.PublicKey() {
		t.Error("the restored copy signs with the original workstation's key")
	}
	if p := fileHas(t, dbFiles(target), []byte(token)); p != "" {
		t.Errorf("the token is still in %s", p)
	}
	if mode, _ := r.BackupMode(ctx); mode != BackupUnset {
		t.Errorf("the restored copy has the original's backup key: %q", mode)
	}
}

// A store that had a backup folder and no passphrase before backups were encrypted by
// default chose plain backups the old way (an empty passphrase): it keeps making them,
// now labelled and recorded. A store that chooses a folder now is asked for a passphrase.
func TestPlainKeptForAFolderChosenBefore(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	dir := s.Dir()
	cfg := s.Config()
	cfg.BackupDir = filepath.Join(t.TempDir(), "usb")
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	if mode, _ := s.BackupMode(ctx); mode != BackupUnset {
		t.Fatalf("a folder chosen now: mode %q", mode)
	}
	// As a release before this one left it: no mark that the mode was settled.
	if _, err := s.w.Exec(`DELETE FROM settings WHERE key = ?`, backupModeSettled); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if mode, _ := s.BackupMode(ctx); mode != BackupPlain {
		t.Fatalf("mode %q", mode)
	}
	var n int
	s.r.QueryRow(`SELECT COUNT(*) FROM audit WHERE action = 'backup.encryption' AND subject = 'off'`).Scan(&n)
	b := &BackupScheduler{Store: s, Log: slog.New(slog.DiscardHandler)}
	r := b.RunOnce(ctx)
	if n != 1 || r.Err != nil || r.Made == nil || r.Made.Manifest.TamperEvident || r.Made.Manifest.Notice == "" {
		t.Fatalf("audit %d, run %+v", n, r)
	}
}
