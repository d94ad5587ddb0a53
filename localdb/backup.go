package localdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"motcua/domain"
	"motcua/internal/version"
)

// A backup is a folder named motcua-YYYYMMDD-HHMMSS (Vietnam time) holding:
//
//	manifest.json        what the backup holds: counts, checksums, versions (written last
//	                     but for its MAC)
//	motcua.db[.age]      a consistent copy of the database (VACUUM INTO reads one snapshot
//	                     while the app keeps writing)
//	files/ab/<sha>[.age] the stored documents that snapshot refers to (immutable once stored)
//	key.age, manifest.mac  when encrypted: see backup_age.go
//
// It is written under <name>.partial, checked — reopened, integrity_check, row counts, the
// audit chain, every document's SHA-256; decrypted first when encrypted — and only then
// renamed, so a folder with the final name is a verified backup.
//
// Encrypted is the default: the passphrase set in Cài đặt (or asked by «motcua backup»).
// A plain backup is an explicit choice, and says in its manifest that it proves nothing:
// whoever holds it can edit the database and recompute the checksums. Neither kind holds
// the device token or signing key (SecretsFile, KeyFile), so a restore elsewhere must enrol
// again. Backups of format 1 (AES-GCM of our own, .enc files; backup_crypt.go) still
// restore, and a workstation whose stored key is of that format still writes them until
// its passphrase is set again.

const (
	manifestFile   = "manifest.json"
	manifestFormat = 2
	legacyFormat   = 1 // AES-GCM (.enc), no manifest MAC
	backupPrefix   = "motcua-"
	backupLayout   = "20060102-150405"
	partialSuffix  = ".partial"
)

// BackupOptions configure one backup. The zero value makes a plain backup: callers choose
// it explicitly (--plain); UseStored is the default of the app and the CLI.
type BackupOptions struct {
	// UseStored encrypts with this workstation's backup key (the passphrase set in Cài
	// đặt), or makes a plain backup if an admin chose that; before either,
	// ErrBackupPassphraseUnset.
	UseStored bool
	// Passphrase, when not empty, encrypts the backup (at least 8 characters) with a key
	// of its own, sealed with this passphrase.
	Passphrase string

	secret *backupSecret // the stored key (automatic backups)
	legacy *backupKey    // a stored key of the first format
	at     time.Time     // the scheduler's clock (zero: the store's)
}

// BackupFileInfo describes the database file in a backup (the plaintext's size and hash).
type BackupFileInfo struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// BackupManifest is manifest.json: what a backup holds, so it can be checked and listed
// without opening (or decrypting) it. It holds counts, never citizens' data.
type BackupManifest struct {
	Format        int       `json:"format"`
	CreatedAt     time.Time `json:"created_at"`
	AppVersion    string    `json:"app_version"`
	SchemaVersion int       `json:"schema_version"`
	UnitCode      string    `json:"unit_code,omitempty"`
	DeviceID      string    `json:"device_id,omitempty"`
	Encrypted     bool      `json:"encrypted"`
	Encryption    string    `json:"encryption,omitempty"` // "age" (format 2); format 1 used AES-GCM
	// TamperEvident: an edit of the backup is detected on restore (it is encrypted, and
	// from format 2 its manifest authenticated). A plain backup is not, and Notice says so.
	TamperEvident bool   `json:"tamper_evident"`
	Notice        string `json:"notice,omitempty"`
	// ChainHead is the head of the store's event chain at the snapshot, so a restore (and
	// the city) can tell the copy's history from a rewritten one.
	ChainHead    string           `json:"chain_head,omitempty"`
	Database     BackupFileInfo   `json:"database"`
	Files        int              `json:"files"`
	FilesBytes   int64            `json:"files_bytes"`
	Bytes        int64            `json:"bytes"` // on disk, everything but the manifest
	Tables       map[string]int64 `json:"tables"`
	Stats        Stats            `json:"stats"`
	AuditEntries int64            `json:"audit_entries"`
	AuditOK      bool             `json:"audit_ok"` // false: the source's chain was already broken
}

// BackupInfo describes a backup just written.
type BackupInfo struct {
	Dir       string
	Files     int
	Bytes     int64
	Encrypted bool
	Manifest  BackupManifest
}

// backupHook, when set by a test, runs after a backup is written and before it is checked.
var backupHook func(partialDir string)

// plainNotice is what a plain backup's manifest says about itself.
const plainNotice = "Bản sao lưu không mã hóa: ai cầm được bản này đọc được dữ liệu, sửa được cơ sở dữ liệu rồi tính lại mã băm trong bản kê; không chứng minh được là chưa bị sửa."

// Backup writes a verified backup into a new folder under toDir (created if needed). With
// opt.Passphrase it is encrypted; nothing unencrypted is written to toDir then (the snapshot
// is taken in the data folder, which holds the same data in clear anyway).
func (s *Store) Backup(ctx context.Context, toDir string, opt BackupOptions) (BackupInfo, error) {
	if opt.UseStored {
		stored, mode, err := s.storedBackupOptions(ctx)
		if err != nil {
			return BackupInfo{}, err
		}
		if mode == BackupUnset {
			return BackupInfo{}, ErrBackupPassphraseUnset
		}
		stored.at = opt.at
		opt = stored
	}
	enc := opt.secret
	if opt.Passphrase != "" {
		var err error
		if enc, err = newBackupSecret(opt.Passphrase); err != nil {
			return BackupInfo{}, err
		}
	}
	var seal *sealer
	access := newAccess("")
	switch {
	case enc != nil:
		id, err := enc.identity()
		if err != nil {
			return BackupInfo{}, err
		}
		seal, access.id = &sealer{recipient: id.Recipient()}, id
	case opt.legacy != nil:
		seal, access.legacy = &sealer{legacy: opt.legacy}, newKeyring("", opt.legacy)
	}
	if err := os.MkdirAll(toDir, 0o700); err != nil {
		return BackupInfo{}, fmt.Errorf("sao lưu: không tạo được thư mục %s: %w", toDir, err)
	}
	removeStaleTemps(s.dir)
	snap, err := s.snapshot(ctx)
	if err != nil {
		return BackupInfo{}, err
	}
	defer os.Remove(snap)

	m, shas, err := s.inspectSnapshot(ctx, snap)
	if err != nil {
		return BackupInfo{}, err
	}
	if !opt.at.IsZero() {
		m.CreatedAt = opt.at.UTC().Truncate(time.Second)
	}
	m.Encrypted, m.TamperEvident = seal != nil, seal != nil
	switch {
	case enc != nil:
		m.Encryption = encryptionAge
	case opt.legacy != nil:
		m.Format = legacyFormat
	default:
		m.Notice = plainNotice
	}

	final, partial, err := reserveBackupDir(toDir, m.CreatedAt)
	if err != nil {
		return BackupInfo{}, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(partial)
		}
	}()

	for _, sha := range shas {
		if err := ctx.Err(); err != nil {
			return BackupInfo{}, err
		}
		dst := filepath.Join(partial, "files", sha[:2], sha)
		n, sum, err := writeBackupFile(dst, s.FilePath(sha), seal)
		if err != nil {
			return BackupInfo{}, fmt.Errorf("sao lưu tệp %s: %w", sha, err)
		}
		if sum != sha {
			return BackupInfo{}, fmt.Errorf("sao lưu: tệp %s trong thư mục dữ liệu đã bị hỏng (nội dung không khớp mã băm); chạy «motcua verify» và khôi phục tệp này từ bản sao lưu cũ trước khi sao lưu tiếp", sha)
		}
		m.Files++
		m.FilesBytes += n
	}
	dbName := DBFile + seal.ext()
	n, sum, err := writeBackupFile(filepath.Join(partial, DBFile), snap, seal)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("sao lưu cơ sở dữ liệu: %w", err)
	}
	m.Database = BackupFileInfo{Name: dbName, Size: n, SHA256: sum}
	if enc != nil {
		if _, err := writeFileSynced(filepath.Join(partial, backupKeyFile), func(w io.Writer) (int64, error) {
			n, err := w.Write(enc.Sealed)
			return int64(n), err
		}); err != nil {
			return BackupInfo{}, fmt.Errorf("sao lưu: %w", err)
		}
	}
	if m.Bytes, err = dirSize(partial); err != nil {
		return BackupInfo{}, fmt.Errorf("sao lưu: %w", err)
	}
	raw, err := writeManifest(partial, m)
	if err != nil {
		return BackupInfo{}, err
	}
	if enc != nil {
		if err := writeManifestMAC(partial, access.id, raw); err != nil {
			return BackupInfo{}, fmt.Errorf("sao lưu: %w", err)
		}
	}
	syncDir(partial)
	os.Remove(snap) // free the space before the check decrypts a second copy

	if backupHook != nil {
		backupHook(partial)
	}
	if _, err := verifyBackup(ctx, partial, access, s.dir); err != nil {
		return BackupInfo{}, fmt.Errorf("bản sao lưu vừa ghi không đạt kiểm tra, đã xóa (ổ đĩa sao lưu có thể bị lỗi): %w", err)
	}
	if err := renameRetry(ctx, partial, final); err != nil {
		return BackupInfo{}, fmt.Errorf("sao lưu: %w", err)
	}
	syncDir(toDir)
	ok = true
	return BackupInfo{Dir: final, Files: m.Files, Bytes: m.Bytes, Encrypted: m.Encrypted, Manifest: m}, nil
}

// snapshot writes a consistent copy of the database to a temporary file in the data folder.
func (s *Store) snapshot(ctx context.Context) (string, error) {
	f, err := os.CreateTemp(s.dir, "backup-*.db")
	if err != nil {
		return "", fmt.Errorf("sao lưu: %w", err)
	}
	path := f.Name()
	f.Close()
	os.Remove(path) // VACUUM INTO wants a name that does not exist yet
	// VACUUM INTO reads one snapshot; it needs a connection that may write (the copy), so
	// neither the query-only readers nor the writer (it would block intakes) will do.
	src, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return "", fmt.Errorf("sao lưu: %w", err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("sao lưu: chụp cơ sở dữ liệu: %w", err)
	}
	os.Chmod(path, 0o600) // SQLite made it with the umask's mode
	return path, nil
}

// inspectSnapshot checks the snapshot and describes it: the manifest (without the file
// fields) and the stored files it refers to.
func (s *Store) inspectSnapshot(ctx context.Context, snap string) (BackupManifest, []string, error) {
	db, err := openCopy(snap)
	if err != nil {
		return BackupManifest{}, nil, fmt.Errorf("sao lưu: %w", err)
	}
	defer db.Close()
	cfg := s.Config()
	m := BackupManifest{Format: manifestFormat, CreatedAt: s.now().UTC().Truncate(time.Second), AppVersion: version.Version,
		UnitCode: cfg.UnitCode, DeviceID: cfg.DeviceID}
	d, err := describeDB(ctx, db)
	if err != nil {
		return m, nil, fmt.Errorf("sao lưu: %w", err)
	}
	if d.integrity != "ok" {
		return m, nil, fmt.Errorf("sao lưu: cơ sở dữ liệu đang dùng không toàn vẹn (%s); chạy «motcua verify»", d.integrity)
	}
	m.SchemaVersion, m.Tables, m.Stats, m.AuditEntries, m.AuditOK = d.schema, d.tables, d.stats, d.auditEntries, d.auditOK
	m.ChainHead = d.chainHead
	return m, d.files, nil
}

// dbFacts is what describeDB finds in a database copy.
type dbFacts struct {
	integrity    string
	schema       int
	tables       map[string]int64
	stats        Stats
	auditEntries int64
	auditOK      bool
	chainHead    string
	files        []string
}

func describeDB(ctx context.Context, db *sql.DB) (dbFacts, error) {
	var d dbFacts
	// The store's own checks (integrity_check and the audit chain), run on the copy. The
	// copy's dir has no files: the documents are checked separately (they may be
	// encrypted), so FilesMissing is ignored.
	view := &Store{dir: filepath.Join(os.TempDir(), "motcua-no-files"), r: db}
	res, err := view.Verify(ctx)
	if err != nil {
		return d, err
	}
	d.integrity, d.auditEntries, d.auditOK = res.Integrity, res.Entries, res.BrokenAt == 0
	if d.integrity != "ok" {
		return d, nil
	}
	if d.stats, err = view.Stats(ctx); err != nil {
		return d, err
	}
	if d.chainHead, err = view.chainHead(ctx); err != nil {
		return d, err
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&d.schema); err != nil {
		return d, err
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return d, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return d, err
		}
		names = append(names, n)
	}
	rows.Close()
	d.tables = map[string]int64{}
	for _, n := range names {
		var c int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return d, fmt.Errorf("đếm bảng %s: %w", n, err)
		}
		d.tables[n] = c
	}
	rows, err = db.QueryContext(ctx, `SELECT sha256 FROM files ORDER BY sha256`)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return d, err
		}
		if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
			return d, fmt.Errorf("mã tệp không hợp lệ trong bảng files: %q", sha)
		}
		d.files = append(d.files, sha)
	}
	return d, rows.Err()
}

// openCopy opens a database file that nobody writes, read-only, leaving no side files
// (a backup on a USB drive stays as it was).
func openCopy(path string) (*sql.DB, error) {
	u := url.URL{Scheme: "file", Opaque: uriPath(path), RawQuery: "mode=ro&immutable=1"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// uriPath escapes the characters that end a path in an SQLite URI.
func uriPath(p string) string {
	p = filepath.ToSlash(p)
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(p)
}

// reserveBackupDir picks a free name for a backup made at t and creates its .partial folder.
func reserveBackupDir(toDir string, t time.Time) (final, partial string, err error) {
	base := backupPrefix + t.In(domain.VN()).Format(backupLayout)
	for i := 1; i < 100; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		final = filepath.Join(toDir, name)
		partial = final + partialSuffix
		if _, err := os.Lstat(final); err == nil {
			continue
		}
		if err := os.Mkdir(partial, 0o700); err != nil {
			if errors.Is(err, os.ErrExist) {
				continue
			}
			return "", "", fmt.Errorf("sao lưu: %w", err)
		}
		return final, partial, nil
	}
	return "", "", fmt.Errorf("sao lưu: quá nhiều bản sao lưu cùng lúc trong %s", toDir)
}

// writeBackupFile copies src to dst (encrypted by seal when given, as dst+seal.ext()
// then) and returns the plaintext's size and SHA-256. dst is fsynced.
func writeBackupFile(dst, src string, seal *sealer) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	dst += seal.ext()
	h := sha256.New()
	n, err := writeFileSynced(dst, func(w io.Writer) (int64, error) {
		r := io.TeeReader(in, h)
		if seal != nil {
			return seal.seal(w, r)
		}
		return io.Copy(w, r)
	})
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// writeFileSynced creates dst (and its folder), fills it with write and fsyncs it.
func writeFileSynced(dst string, write func(io.Writer) (int64, error)) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := write(out)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// writeManifest writes manifest.json and returns its bytes (which the MAC covers).
func writeManifest(dir string, m BackupManifest) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	_, err = writeFileSynced(filepath.Join(dir, manifestFile), func(w io.Writer) (int64, error) {
		n, err := w.Write(b)
		return int64(n), err
	})
	if err != nil {
		return nil, fmt.Errorf("sao lưu: %w", err)
	}
	syncDir(dir)
	return b, nil
}

// ReadBackupManifest reads what a backup folder holds without opening it (to show before
// restoring, and to know whether it needs a passphrase). Nothing in it is authenticated
// yet: VerifyBackup and Restore check it.
func ReadBackupManifest(dir string) (BackupManifest, error) {
	m, _, err := readManifest(dir)
	return m, err
}

// readManifest reads a backup's manifest and returns its bytes too. A folder from motcua's
// first backup format (a database and files, no manifest) gives a manifest with Format 0.
func readManifest(dir string) (BackupManifest, []byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, os.ErrNotExist) {
		if st, err := os.Stat(filepath.Join(dir, DBFile)); err == nil && st.Mode().IsRegular() {
			return BackupManifest{Database: BackupFileInfo{Name: DBFile, Size: st.Size()}, Bytes: st.Size(), Notice: plainNotice}, nil, nil
		}
		return BackupManifest{}, nil, &domain.RuleError{Code: "backup.not_a_backup", Kind: domain.ErrInvalid,
			Msg: fmt.Sprintf("thư mục %s không phải bản sao lưu motcua (không có %s)", dir, manifestFile)}
	}
	if err != nil {
		return BackupManifest{}, nil, err
	}
	var m BackupManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return m, nil, fmt.Errorf("%w: %s không đọc được (%v)", ErrBackupDamaged, manifestFile, err)
	}
	if m.Format > manifestFormat {
		return m, nil, &domain.RuleError{Code: "backup.too_new", Kind: domain.ErrInvalid,
			Msg: fmt.Sprintf("bản sao lưu dạng %d do motcua %s tạo: hãy cập nhật phần mềm trước khi dùng", m.Format, m.AppVersion)}
	}
	ext := ""
	switch {
	case m.Format == legacyFormat && m.Encrypted:
		ext = encExt
	case m.Format >= 2 && m.Encrypted:
		ext = ageExt
		if m.Encryption != encryptionAge {
			return m, nil, fmt.Errorf("%w: %s ghi cách mã hóa %q không biết", ErrBackupDamaged, manifestFile, m.Encryption)
		}
	}
	if m.Format < 1 || m.Database.Name != DBFile+ext {
		return m, nil, fmt.Errorf("%w: %s không hợp lệ", ErrBackupDamaged, manifestFile)
	}
	// Format 1 had no such label: what it says follows from the encryption.
	m.TamperEvident = m.Encrypted
	if !m.Encrypted && m.Notice == "" {
		m.Notice = plainNotice
	}
	return m, b, nil
}

// VerifyBackup checks a backup folder as Backup does after writing it: the manifest's MAC,
// the database's checksum, integrity, row counts, audit and event chain heads, and every
// stored document. An encrypted backup needs its passphrase and is decrypted to a
// temporary file. A plain backup can only be checked against its own manifest, which
// whoever edited it could have recomputed: the returned manifest says so (TamperEvident
// false, Notice).
func VerifyBackup(ctx context.Context, dir, passphrase string) (BackupManifest, error) {
	return verifyBackup(ctx, dir, newAccess(passphrase), "")
}

func verifyBackup(ctx context.Context, dir string, acc *backupAccess, tmpDir string) (BackupManifest, error) {
	m, raw, err := readManifest(dir)
	if err != nil {
		return m, err
	}
	if m.Format == 0 {
		return m, verifyLegacy(ctx, dir)
	}
	if err := acc.unlock(dir, m, raw); err != nil {
		return m, err
	}
	dbPath := filepath.Join(dir, m.Database.Name)
	if m.Encrypted {
		tmp, err := os.CreateTemp(tmpDir, "verify-*.db")
		if err != nil {
			return m, err
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		if err := restoreFile(tmp.Name(), dbPath, acc, m.Database.SHA256, m.Database.Size); err != nil {
			return m, fmt.Errorf("cơ sở dữ liệu: %w", err)
		}
		dbPath = tmp.Name()
	} else if err := checkPlainFile(dbPath, m.Database.SHA256, m.Database.Size); err != nil {
		return m, fmt.Errorf("cơ sở dữ liệu: %w", err)
	}
	db, err := openCopy(dbPath)
	if err != nil {
		return m, err
	}
	defer db.Close()
	d, err := describeDB(ctx, db)
	if err != nil {
		return m, fmt.Errorf("%w: %v", ErrBackupDamaged, err)
	}
	if err := sameFacts(m, d); err != nil {
		return m, err
	}
	var files int
	var bytes int64
	for _, sha := range d.files {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		p := filepath.Join(dir, "files", sha[:2], sha) + strings.TrimPrefix(m.Database.Name, DBFile)
		h := sha256.New()
		var n int64
		if m.Encrypted {
			n, err = decryptFile(h, p, acc)
		} else {
			n, err = hashFile(h, p)
		}
		if errors.Is(err, os.ErrNotExist) {
			return m, fmt.Errorf("%w: thiếu tệp %s", ErrBackupDamaged, sha)
		}
		if err != nil {
			return m, fmt.Errorf("tệp %s: %w", sha, err)
		}
		if hex.EncodeToString(h.Sum(nil)) != sha {
			return m, fmt.Errorf("%w: tệp %s bị sửa đổi", ErrBackupDamaged, sha)
		}
		files++
		bytes += n
	}
	if files != m.Files || bytes != m.FilesBytes {
		return m, fmt.Errorf("%w: có %d tệp (%d byte), bản kê ghi %d (%d byte)", ErrBackupDamaged, files, bytes, m.Files, m.FilesBytes)
	}
	return m, nil
}

// sameFacts compares a database copy with what the manifest recorded at backup time.
func sameFacts(m BackupManifest, d dbFacts) error {
	switch {
	case d.integrity != "ok":
		return fmt.Errorf("%w: integrity_check: %s", ErrBackupDamaged, d.integrity)
	case d.schema != m.SchemaVersion:
		return fmt.Errorf("%w: phiên bản dữ liệu %d, bản kê ghi %d", ErrBackupDamaged, d.schema, m.SchemaVersion)
	case !maps.Equal(d.tables, m.Tables):
		return fmt.Errorf("%w: số dòng các bảng khác bản kê", ErrBackupDamaged)
	case d.auditEntries != m.AuditEntries || d.auditOK != m.AuditOK:
		return fmt.Errorf("%w: nhật ký kiểm tra khác bản kê", ErrBackupDamaged)
	case m.Format >= 2 && d.chainHead != m.ChainHead:
		return fmt.Errorf("%w: đầu chuỗi sự kiện %q, bản kê ghi %q", ErrBackupDamaged, d.chainHead, m.ChainHead)
	case len(d.files) != m.Files:
		return fmt.Errorf("%w: cơ sở dữ liệu nhắc đến %d tệp, bản kê ghi %d", ErrBackupDamaged, len(d.files), m.Files)
	}
	return nil
}

// verifyLegacy checks a backup of the first format by the store's own Verify.
func verifyLegacy(ctx context.Context, dir string) error {
	db, err := openCopy(filepath.Join(dir, DBFile))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := (&Store{dir: dir, r: db}).Verify(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBackupDamaged, err)
	}
	if res.Integrity != "ok" || len(res.FilesMissing) > 0 {
		return fmt.Errorf("%w: integrity_check %s, %d tệp thiếu hoặc hỏng", ErrBackupDamaged, res.Integrity, len(res.FilesMissing))
	}
	return nil
}

func hashFile(h hash.Hash, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(h, f)
}

func decryptFile(w io.Writer, path string, acc *backupAccess) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return acc.open(w, f, path)
}

func checkPlainFile(path, sha string, size int64) error {
	h := sha256.New()
	n, err := hashFile(h, path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: thiếu %s", ErrBackupDamaged, filepath.Base(path))
	}
	if err != nil {
		return err
	}
	if n != size || hex.EncodeToString(h.Sum(nil)) != sha {
		return fmt.Errorf("%w: %s không khớp mã băm", ErrBackupDamaged, filepath.Base(path))
	}
	return nil
}

// restoreFile writes the plaintext of a backup file (encrypted when it ends in .age or
// .enc) to dst, checking its size (when size >= 0) and SHA-256; dst is removed when it does
// not check out.
func restoreFile(dst, src string, acc *backupAccess, sha string, size int64) error {
	in, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: thiếu %s", ErrBackupDamaged, filepath.Base(src))
	}
	if err != nil {
		return err
	}
	defer in.Close()
	h := sha256.New()
	n, err := writeFileSynced(dst, func(w io.Writer) (int64, error) {
		w = io.MultiWriter(w, h)
		if encryptedName(src) {
			return acc.open(w, in, src)
		}
		return io.Copy(w, in)
	})
	if err == nil && ((size >= 0 && n != size) || hex.EncodeToString(h.Sum(nil)) != sha) {
		err = fmt.Errorf("%w: %s không khớp mã băm", ErrBackupDamaged, filepath.Base(src))
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}

// renameRetry renames, trying again for a moment: on Windows an antivirus scanner or the
// search indexer may hold a file just written for a short while. It stops waiting when
// ctx is done.
func renameRetry(ctx context.Context, from, to string) error {
	var err error
	for i := 0; i < 10; i++ {
		if err = os.Rename(from, to); err == nil {
			return nil
		}
		t := time.NewTimer(time.Duration(100*(i+1)) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (%v)", ctx.Err(), err)
		case <-t.C:
		}
	}
	return err
}

// removeStaleTemps deletes snapshots and decrypted copies that a backup interrupted by a
// crash or a power cut left in the data folder (they can be as large as the database).
func removeStaleTemps(dir string) {
	for _, pattern := range []string{"backup-*.db", "verify-*.db"} {
		names, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, n := range names {
			if st, err := os.Stat(n); err == nil && time.Since(st.ModTime()) > 24*time.Hour {
				os.Remove(n)
			}
		}
	}
}

// randomSuffix names temporary files.
func randomSuffix() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
