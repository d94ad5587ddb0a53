package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"motcua/domain"
)

// Automatic backups: at most one a day into Config.BackupDir, keeping the newest backup of
// each of the 7 most recent days that have one and of each of the 4 most recent ISO weeks
// that have one (Vietnam time). "Most recent that have one" rather than "the last 7 calendar
// days": a PC left off for a month still keeps its 11 newest backups instead of deleting all
// of them on the first morning back.

var backupNameRE = regexp.MustCompile(`^motcua-(\d{8}-\d{6})(-\d{1,2})?$`)

// ListBackups lists the backups in dir, newest first, with the kind of each under the
// default rotation (7 daily, 4 weekly).
func ListBackups(dir string) ([]BackupEntry, error) {
	return listBackups(dir, DefaultRetention)
}

// BackupIn resolves what someone gives as a backup to restore or check: a backup folder
// itself, or the folder backups are written into (the folder of `motcua backup --to` and of
// Cài đặt), in which case the newest backup whose manifest reads is chosen. list is that
// folder's backups, newest first, nil when from is itself a backup.
func BackupIn(from string) (dir string, list []BackupEntry, err error) {
	_, _, merr := readManifest(from)
	if merr == nil {
		return from, nil, nil
	}
	list, err = ListBackups(from)
	if err != nil || len(list) == 0 {
		return "", list, merr
	}
	for _, e := range list {
		if e.Problem == "" {
			return e.Dir, list, nil
		}
	}
	return "", list, &domain.RuleError{Code: "backup.none_readable", Kind: domain.ErrInvalid,
		Msg: fmt.Sprintf("thư mục %s có %d bản sao lưu nhưng không bản nào đọc được: %s", from, len(list), list[0].Problem)}
}

// backupProblem words why a backup cannot be read, for the lists staff read (the settings
// screen, motcua backup list): the store's own sentences, never an OS or JSON error's text.
func backupProblem(err error) string {
	var re *domain.RuleError
	switch {
	case errors.As(err, &re):
		return re.Msg
	case errors.Is(err, ErrBackupDamaged):
		return ErrBackupDamaged.Error() + " (" + manifestFile + " không đọc được hoặc không hợp lệ)"
	case errors.Is(err, fs.ErrPermission):
		return "không có quyền đọc " + manifestFile + " (hãy kiểm tra quyền của thư mục sao lưu)"
	default:
		return "không đọc được " + manifestFile
	}
}

// Retention says how many backups the rotation keeps.
type Retention struct{ Daily, Weekly int }

// DefaultRetention keeps 7 daily and 4 weekly backups.
var DefaultRetention = Retention{Daily: 7, Weekly: 4}

func listBackups(dir string, keep Retention) ([]BackupEntry, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("không thấy thư mục sao lưu %s (ổ USB chưa cắm hoặc đường dẫn sai): %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("đọc thư mục sao lưu: %w", err)
	}
	var out []BackupEntry
	for _, de := range des {
		sub := backupNameRE.FindStringSubmatch(de.Name())
		if sub == nil || !de.IsDir() {
			continue
		}
		t, err := time.ParseInLocation(backupLayout, sub[1], domain.VN())
		if err != nil {
			continue
		}
		e := BackupEntry{Name: de.Name(), Dir: filepath.Join(dir, de.Name()), Time: t}
		m, _, err := readManifest(e.Dir)
		if err != nil {
			e.Problem = backupProblem(err)
		} else {
			e.Encrypted, e.TamperEvident, e.Dossiers, e.Version, e.Size = m.Encrypted, m.TamperEvident, m.Stats.Dossiers, m.AppVersion, m.Bytes
			if m.Format == 0 {
				e.Size, _ = dirSize(e.Dir)
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.After(out[j].Time)
		}
		return out[i].Name > out[j].Name
	})
	classify(out, keep)
	return out, nil
}

// classify sets each entry's Kind; entries are newest first.
func classify(entries []BackupEntry, keep Retention) {
	var lastDay, lastWeek string
	days, weeks := 0, 0
	for i := range entries {
		e := &entries[i]
		e.Kind = BackupExtra
		if e.Problem != "" {
			continue
		}
		t := e.Time.In(domain.VN())
		day := t.Format("2006-01-02")
		y, w := t.ISOWeek()
		week := fmt.Sprintf("%d-W%02d", y, w)
		if day != lastDay && days < keep.Daily {
			e.Kind, lastDay = BackupDaily, day
			days++
		}
		if week != lastWeek && weeks < keep.Weekly {
			if e.Kind == BackupExtra {
				e.Kind = BackupWeekly
			}
			lastWeek = week
			weeks++
		}
	}
}

// BackupRun is the outcome of one scheduled run.
type BackupRun struct {
	At      time.Time
	Made    *BackupInfo // nil when no backup was made
	Skipped string      // why no backup was needed ("" when one was made or failed)
	Deleted []string    // folders the rotation removed
	Err     error       // the backup failed, or the rotation could not remove something
}

// BackupScheduler makes the automatic daily backups. Call Run in a goroutine at start-up;
// it tries at once and then every hour, so a PC switched on late or a USB drive plugged in
// later still gets its backup that day.
type BackupScheduler struct {
	Store    *Store
	Log      *slog.Logger      // nil: slog.Default()
	Now      func() time.Time  // nil: the store's clock
	Keep     Retention         // zero: DefaultRetention
	OnResult func(r BackupRun) // optional, e.g. to refresh the settings screen; runs on Run's goroutine
	Interval time.Duration     // zero: one hour

	backup func(ctx context.Context, dir string, opt BackupOptions) (BackupInfo, error) // tests

	running sync.Mutex
	mu      sync.Mutex
	last    BackupRun
}

// Run backs up now and then every Interval until ctx ends.
func (b *BackupScheduler) Run(ctx context.Context) {
	every := b.Interval
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r := b.RunOnce(ctx)
		if b.OnResult != nil && ctx.Err() == nil {
			b.OnResult(r)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Last is the outcome of the latest run (zero before the first).
func (b *BackupScheduler) Last() BackupRun {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// RunOnce makes today's backup if Config.BackupDir is set and none exists yet, then
// rotates. It never panics; failures are logged and returned in BackupRun.Err.
func (b *BackupScheduler) RunOnce(ctx context.Context) (r BackupRun) {
	b.running.Lock()
	defer b.running.Unlock()
	log := b.Log
	if log == nil {
		log = slog.Default()
	}
	now := b.Now
	if now == nil {
		now = b.Store.Now
	}
	r.At = now()
	defer func() {
		if p := recover(); p != nil {
			log.Error("automatic backup panicked", "panic", p, "stack", string(debug.Stack()))
			r.Err = fmt.Errorf("sao lưu tự động gặp lỗi không mong muốn: %v", p)
		}
		b.mu.Lock()
		b.last = r
		b.mu.Unlock()
	}()
	dir := strings.TrimSpace(b.Store.Config().BackupDir)
	if dir == "" {
		r.Skipped = "chưa chọn thư mục sao lưu"
		return r
	}
	keep := b.Keep
	if keep == (Retention{}) {
		keep = DefaultRetention
	}
	if err := ensureBackupDir(dir); err != nil {
		r.Err = err
		log.Warn("automatic backup: folder unavailable", "dir", dir, "err", err)
		return r
	}
	entries, err := listBackups(dir, keep)
	if err != nil {
		r.Err = err
		log.Warn("automatic backup: cannot list", "dir", dir, "err", err)
		return r
	}
	today := r.At.In(domain.VN()).Format("2006-01-02")
	for _, e := range entries {
		if e.Problem == "" && e.Time.In(domain.VN()).Format("2006-01-02") == today {
			r.Skipped = "đã có bản sao lưu hôm nay: " + e.Name
			return r
		}
	}
	opt, mode, err := b.Store.storedBackupOptions(ctx)
	if err != nil {
		r.Err = err
		log.Error("automatic backup: cannot read the backup key", "err", err)
		return r
	}
	switch mode {
	case BackupUnset:
		// Backups are encrypted by default: none is made until an admin sets the passphrase
		// (Cài đặt asks for it as soon as the folder is chosen) or chooses plain backups.
		r.Err = ErrBackupPassphraseUnset
		log.Error("automatic backup waits for a backup passphrase (Cài đặt → Sao lưu và khôi phục)", "dir", dir)
		return r
	case BackupLegacy:
		log.Warn("automatic backup uses the first encrypted format: set the backup passphrase again to move to age")
	}
	opt.at = r.At
	backup := b.backup
	if backup == nil {
		backup = b.Store.Backup
	}
	start := time.Now()
	info, err := backup(ctx, dir, opt)
	if err != nil {
		r.Err = err
		log.Error("automatic backup failed", "dir", dir, "err", err)
		return r
	}
	r.Made = &info
	log.Info("automatic backup made", "dir", info.Dir, "files", info.Files, "bytes", info.Bytes,
		"encrypted", info.Encrypted, "took", time.Since(start).Round(time.Millisecond))
	if !info.Manifest.AuditOK && info.Manifest.Format > 0 {
		log.Warn("backup made, but the audit chain of the data is broken; run motcua verify", "dir", info.Dir)
	}
	r.Deleted, err = rotateBackups(dir, keep, info.Dir, r.At)
	for _, d := range r.Deleted {
		log.Info("old backup removed", "dir", d)
	}
	if err != nil {
		r.Err = fmt.Errorf("đã sao lưu vào %s nhưng không xóa được bản cũ: %w", info.Dir, err)
		log.Warn("backup rotation", "err", err)
	}
	return r
}

// ensureBackupDir creates the backup folder, but only inside a folder that exists: a drive
// letter or mount point of a USB drive that is not plugged in is reported, not created.
func ensureBackupDir(dir string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s không phải thư mục", dir)
		}
		return nil
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if _, err := os.Stat(parent); err != nil {
		return fmt.Errorf("không thấy thư mục sao lưu %s (ổ USB chưa cắm hoặc đường dẫn sai)", dir)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("không tạo được thư mục sao lưu %s: %w", dir, err)
	}
	return nil
}

// rotateBackups deletes the backups no rule keeps (never protect), and unfinished
// .partial folders more than a day old.
func rotateBackups(dir string, keep Retention, protect string, now time.Time) ([]string, error) {
	entries, err := listBackups(dir, keep)
	if err != nil {
		return nil, err
	}
	var deleted []string
	var errs []error
	for _, e := range entries {
		// A backup whose manifest cannot be read is left alone: it may come from a newer
		// motcua, and the listing shows its problem to whoever looks after the PC.
		if e.Kind != BackupExtra || e.Problem != "" || filepath.Clean(e.Dir) == filepath.Clean(protect) {
			continue
		}
		if err := os.RemoveAll(e.Dir); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, e.Dir)
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), partialSuffix)
		if !ok || !de.IsDir() || !backupNameRE.MatchString(name) {
			continue
		}
		if info, err := de.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			p := filepath.Join(dir, de.Name())
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, err)
				continue
			}
			deleted = append(deleted, p)
		}
	}
	return deleted, errors.Join(errs...)
}

// The key of the automatic backups is kept in SecretsFile (see backup_age.go): an age
// identity and key.age, the identity sealed with the passphrase, never the passphrase.
// Whoever can read the data folder can read the data anyway: the key protects the copies
// that leave the PC on a USB drive, and proves them unedited when they come back.

// storedKey is a backup key of the first encrypted format (argon2id-stretched passphrase),
// as it was kept in the settings table; it now sits in SecretsFile until replaced.
type storedKey struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
	Master    []byte `json:"master"`
	Check     []byte `json:"check"`
}

// backupPlainSetting records an admin's explicit choice of plain backups (a choice, not a
// secret: it lives in the settings table).
const backupPlainSetting = "backup.plain"

// ErrBackupPassphraseUnset means no backup passphrase is set and plain backups were not
// chosen: the admin must choose before the first backup.
var ErrBackupPassphraseUnset = &domain.RuleError{Code: "backup.passphrase_unset", Kind: domain.ErrInvalid,
	Msg: "Chưa đặt mật khẩu sao lưu. Hãy đặt mật khẩu sao lưu (bản sao lưu được mã hóa và chống sửa đổi), hoặc chọn rõ sao lưu không mã hóa."}

// SetBackupPassphrase sets the passphrase that encrypts this workstation's backups (a new
// key, sealed with it). Only an administrator may change it. It replaces a key of the first
// format and an earlier choice of plain backups.
func (s *Store) SetBackupPassphrase(ctx context.Context, actor domain.Staff, passphrase string) error {
	if !actor.Role.Can(domain.PermAdminister) {
		return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được đặt mật khẩu sao lưu.", Kind: domain.ErrDenied}
	}
	b, err := newBackupSecret(passphrase)
	if err != nil {
		return err
	}
	if err := s.updateSecrets(func(sec *deviceSecrets) { sec.Backup, sec.LegacyBackup = b, nil }); err != nil {
		return err
	}
	return s.tx(ctx, "set backup passphrase", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, backupPlainSetting); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor.Username, "backup.encryption", "on", "")
	})
}

// ChoosePlainBackups records an administrator's explicit choice of unencrypted backups
// (they cannot prove they were not edited), forgetting the backup key.
func (s *Store) ChoosePlainBackups(ctx context.Context, actor domain.Staff) error {
	if !actor.Role.Can(domain.PermAdminister) {
		return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được đổi cách sao lưu.", Kind: domain.ErrDenied}
	}
	if err := s.updateSecrets(func(sec *deviceSecrets) { sec.Backup, sec.LegacyBackup = nil, nil }); err != nil {
		return err
	}
	return s.tx(ctx, "plain backups", func(tx *sql.Tx) error {
		if err := putSetting(ctx, tx, backupPlainSetting, "1"); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor.Username, "backup.encryption", "off", "sao lưu không mã hóa (không chống sửa đổi)")
	})
}

// backupModeSettled marks a store whose backup mode was settled once, at the upgrade to
// backups encrypted by default.
const backupModeSettled = "backup.mode_settled"

// settleBackupMode runs once per store. Before backups were encrypted by default, leaving
// the passphrase empty was how an admin chose plain backups: a store that already had a
// backup folder and no passphrase keeps making them, now as an explicit choice, labelled,
// and recorded in the audit log. A store without a folder yet will be asked for a
// passphrase; so will a store just restored (its folder is another PC's choice).
func (s *Store) settleBackupMode(ctx context.Context, restored bool) error {
	done, err := s.getSetting(ctx, s.w, backupModeSettled)
	if err != nil || done != "" {
		return err
	}
	mode, err := s.BackupMode(ctx)
	if err != nil {
		return err
	}
	plain := !restored && mode == BackupUnset && strings.TrimSpace(s.Config().BackupDir) != ""
	return s.tx(ctx, "settle backup mode", func(tx *sql.Tx) error {
		if err := putSetting(ctx, tx, backupModeSettled, "1"); err != nil {
			return err
		}
		if !plain {
			return nil
		}
		if err := putSetting(ctx, tx, backupPlainSetting, "1"); err != nil {
			return err
		}
		return s.audit(ctx, tx, "system", "backup.encryption", "off", "giữ sao lưu không mã hóa như đã chọn trước khi sao lưu được mã hóa mặc định")
	})
}

// BackupMode says how this workstation's backups are protected.
func (s *Store) BackupMode(ctx context.Context) (BackupMode, error) {
	_, mode, err := s.storedBackupOptions(ctx)
	return mode, err
}

// BackupEncrypted reports whether this workstation's backups are encrypted.
func (s *Store) BackupEncrypted(ctx context.Context) (bool, error) {
	mode, err := s.BackupMode(ctx)
	return mode == BackupEncrypted || mode == BackupLegacy, err
}

// storedBackupOptions are the options of a backup made with the stored choice.
func (s *Store) storedBackupOptions(ctx context.Context) (BackupOptions, BackupMode, error) {
	sec, err := s.readSecrets()
	if err != nil {
		return BackupOptions{}, BackupUnset, err
	}
	switch {
	case sec.Backup != nil:
		return BackupOptions{secret: sec.Backup}, BackupEncrypted, nil
	case sec.LegacyBackup != nil:
		k, err := sec.LegacyBackup.key()
		return BackupOptions{legacy: k}, BackupLegacy, err
	}
	plain, err := s.getSetting(ctx, s.r, backupPlainSetting)
	if err != nil {
		return BackupOptions{}, BackupUnset, err
	}
	if plain != "" {
		return BackupOptions{}, BackupPlain, nil
	}
	return BackupOptions{}, BackupUnset, nil
}

func (sk *storedKey) key() (*backupKey, error) {
	if len(sk.Salt) != 16 || len(sk.Master) != 32 || len(sk.Check) != 32 {
		return nil, fmt.Errorf("khóa sao lưu đã lưu bị hỏng; hãy đặt lại mật khẩu sao lưu trong Cài đặt")
	}
	k := &backupKey{params: kdfParams{Time: sk.Time, MemoryKiB: sk.MemoryKiB, Threads: sk.Threads}}
	copy(k.salt[:], sk.Salt)
	copy(k.master[:], sk.Master)
	copy(k.check[:], sk.Check)
	return k, nil
}
