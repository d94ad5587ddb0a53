package localdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"motcua/domain"
)

// fakeBackup writes a minimal backup folder (a manifest) named by the scheduler's clock.
func fakeBackup(now func() time.Time) func(ctx context.Context, dir string, opt BackupOptions) (BackupInfo, error) {
	return func(ctx context.Context, dir string, opt BackupOptions) (BackupInfo, error) {
		m := BackupManifest{Format: manifestFormat, CreatedAt: now(), Database: BackupFileInfo{Name: DBFile}, AuditOK: true}
		final, partial, err := reserveBackupDir(dir, m.CreatedAt)
		if err != nil {
			return BackupInfo{}, err
		}
		if _, err := writeManifest(partial, m); err != nil {
			return BackupInfo{}, err
		}
		if err := os.Rename(partial, final); err != nil {
			return BackupInfo{}, err
		}
		return BackupInfo{Dir: final, Manifest: m}, nil
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func dayName(d time.Time) string { return "motcua-" + d.Format("20060102") + "-080000" }

// expectedKept is the rotation rule stated on calendar days: with one backup on each day up
// to today, the last 7 days, and the newest day of each of the 4 newest ISO weeks.
func expectedKept(first, today time.Time) []string {
	keep := map[string]bool{}
	for i := 0; i < 7; i++ {
		if d := today.AddDate(0, 0, -i); !d.Before(first) {
			keep[dayName(d)] = true
		}
	}
	weeks := 0
	lastWeek := -1
	for d := today; !d.Before(first) && weeks < 4; d = d.AddDate(0, 0, -1) {
		if _, w := d.ISOWeek(); w != lastWeek {
			keep[dayName(d)] = true
			lastWeek = w
			weeks++
		}
	}
	var out []string
	for n := range keep {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestRotationOverSixtyDays(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 1, 5, 8, 0))
	dir := filepath.Join(t.TempDir(), "usb")
	cfg := s.Config()
	cfg.BackupDir = dir
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.ChoosePlainBackups(ctx, admin); err != nil {
		t.Fatal(err)
	}
	var now time.Time
	clock := func() time.Time { return now }
	var logs bytes.Buffer
	b := &BackupScheduler{Store: s, Now: clock, backup: fakeBackup(clock), Log: slog.New(slog.NewTextHandler(&logs, nil))}
	first := vnTime(2026, 1, 5, 8, 0) // a Monday
	for day := 0; day < 60; day++ {
		today := first.AddDate(0, 0, day)
		now = today
		r := b.RunOnce(ctx)
		if r.Err != nil || r.Made == nil || filepath.Base(r.Made.Dir) != dayName(today) {
			t.Fatalf("day %d: %+v", day, r)
		}
		// Later the same day: nothing more.
		now = today.Add(6 * time.Hour)
		if r := b.RunOnce(ctx); r.Made != nil || r.Err != nil || !strings.Contains(r.Skipped, "hôm nay") {
			t.Fatalf("day %d, second run: %+v", day, r)
		}
		if got, want := names(t, dir), expectedKept(first, today); !slices.Equal(got, want) {
			t.Fatalf("day %d (%s): kept\n%v\nwant\n%v", day, today.Format("2006-01-02"), got, want)
		}
	}
	// Day 59 is Thursday 5 March 2026: the 7 days from 27 February, and the Sundays
	// closing the two weeks before (the newest backups of weeks 8 and 7).
	want := []string{"motcua-20260215-080000", "motcua-20260222-080000", "motcua-20260227-080000", "motcua-20260228-080000",
		"motcua-20260301-080000", "motcua-20260302-080000", "motcua-20260303-080000", "motcua-20260304-080000", "motcua-20260305-080000"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("after 60 days: %v", got)
	}
	list, err := ListBackups(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range list {
		kinds = append(kinds, e.Time.In(domain.VN()).Format("0102")+":"+e.Kind)
	}
	wantKinds := []string{"0305:daily", "0304:daily", "0303:daily", "0302:daily", "0301:daily", "0228:daily", "0227:daily", "0222:weekly", "0215:weekly"}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("kinds %v", kinds)
	}
	if !strings.Contains(logs.String(), "old backup removed") {
		t.Error("rotation not logged")
	}
}

// A PC off for a month keeps its backups; a clock set back never loses the backup just made.
func TestRotationKeepsWhatItMustKeep(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 1, 5, 8, 0))
	dir := t.TempDir()
	cfg := s.Config()
	cfg.BackupDir = dir
	s.UpdateConfig(ctx, admin, cfg)
	s.ChoosePlainBackups(ctx, admin)
	var now time.Time
	clock := func() time.Time { return now }
	b := &BackupScheduler{Store: s, Now: clock, backup: fakeBackup(clock), Log: slog.New(slog.DiscardHandler)}
	for day := 0; day < 10; day++ {
		now = vnTime(2026, 1, 5+day, 8, 0)
		b.RunOnce(ctx)
	}
	before := names(t, dir)
	now = vnTime(2026, 2, 20, 8, 0) // back after five weeks
	r := b.RunOnce(ctx)
	if r.Err != nil || r.Made == nil {
		t.Fatal(r)
	}
	after := names(t, dir)
	// The 7 newest days (6 old and the new one) are kept; only the oldest backup goes.
	if len(after) != len(before) || !slices.Contains(after, dayName(vnTime(2026, 2, 20, 8, 0))) {
		t.Errorf("before %v\nafter %v", before, after)
	}

	// Clock set back a year: every existing backup looks newer, the new one is kept anyway.
	now = vnTime(2025, 2, 20, 8, 0)
	r = b.RunOnce(ctx)
	if r.Err != nil || r.Made == nil {
		t.Fatal(r)
	}
	if _, err := os.Stat(r.Made.Dir); err != nil {
		t.Errorf("the backup just made was deleted: %v", err)
	}
}

func TestSchedulerFailuresAreReported(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	var logs bytes.Buffer
	b := &BackupScheduler{Store: s, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	if r := b.RunOnce(ctx); r.Err != nil || r.Skipped == "" {
		t.Errorf("no folder configured: %+v", r)
	}
	cfg := s.Config()
	cfg.BackupDir = filepath.Join(t.TempDir(), "not-plugged-in", "motcua")
	s.UpdateConfig(ctx, admin, cfg)
	if r := b.RunOnce(ctx); r.Err == nil || !strings.Contains(r.Err.Error(), "ổ USB chưa cắm") {
		t.Errorf("missing drive: %+v", r)
	}
	if _, err := os.Stat(cfg.BackupDir); !errors.Is(err, os.ErrNotExist) {
		t.Error("created the folder of a missing drive")
	}
	cfg.BackupDir = t.TempDir()
	s.UpdateConfig(ctx, admin, cfg)
	// Encrypted by default: nothing is made before a passphrase is set or plain chosen.
	b.backup = fakeBackup(s.Now)
	if r := b.RunOnce(ctx); !errors.Is(r.Err, ErrBackupPassphraseUnset) || r.Made != nil {
		t.Errorf("no passphrase: %+v", r)
	}
	if err := s.SetBackupPassphrase(ctx, admin, testPassphrase); err != nil {
		t.Fatal(err)
	}
	b.backup = func(context.Context, string, BackupOptions) (BackupInfo, error) { panic("disk on fire") }
	if r := b.RunOnce(ctx); r.Err == nil || !strings.Contains(r.Err.Error(), "disk on fire") {
		t.Errorf("panic: %+v", r)
	}
	b.backup = func(context.Context, string, BackupOptions) (BackupInfo, error) {
		return BackupInfo{}, errors.New("đĩa đầy")
	}
	if r := b.RunOnce(ctx); r.Err == nil || b.Last().Err == nil {
		t.Errorf("failure: %+v", r)
	}
	if !strings.Contains(logs.String(), "panicked") || !strings.Contains(logs.String(), "automatic backup failed") {
		t.Errorf("not logged:\n%s", logs.String())
	}
}

// The real thing: the stored passphrase encrypts the automatic backup, which restores.
func TestScheduledEncryptedBackup(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	cfg := s.Config()
	cfg.BackupDir = filepath.Join(t.TempDir(), "backups")
	s.UpdateConfig(ctx, admin, cfg)
	if err := s.SetBackupPassphrase(ctx, clerk, testPassphrase); err == nil {
		t.Error("a counter clerk set the backup passphrase")
	}
	if err := s.SetBackupPassphrase(ctx, admin, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if on, err := s.BackupEncrypted(ctx); !on || err != nil {
		t.Fatal(on, err)
	}
	b := &BackupScheduler{Store: s, Log: slog.New(slog.DiscardHandler)}
	r := b.RunOnce(ctx)
	if r.Err != nil || r.Made == nil || !r.Made.Encrypted {
		t.Fatalf("%+v", r)
	}
	if r := b.RunOnce(ctx); r.Made != nil {
		t.Error("two backups on one day")
	}
	list, err := ListBackups(cfg.BackupDir)
	if err != nil || len(list) != 1 || !list[0].Encrypted || list[0].Kind != BackupDaily || list[0].Dossiers != 3 || list[0].Size < 1000 {
		t.Fatalf("%+v %v", list, err)
	}
	target := filepath.Join(t.TempDir(), "data")
	if err := Restore(list[0].Dir, target, "sai mật khẩu rồi"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if err := Restore(list[0].Dir, target, testPassphrase); err != nil {
		t.Fatal(err)
	}
	// Choosing plain backups makes the next day's backup plain, and labelled so.
	if err := s.SetBackupPassphrase(ctx, admin, ""); err == nil {
		t.Error("an empty passphrase was taken")
	}
	if err := s.ChoosePlainBackups(ctx, admin); err != nil {
		t.Fatal(err)
	}
	b.Now = func() time.Time { return s.Now().Add(24 * time.Hour) }
	if r := b.RunOnce(ctx); r.Err != nil || r.Made == nil || r.Made.Encrypted || r.Made.Manifest.TamperEvident || r.Made.Manifest.Notice == "" {
		t.Fatalf("%+v", r)
	}
}

func TestSchedulerRunStopsWithContext(t *testing.T) {
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	ctx, cancel := context.WithCancel(context.Background())
	runs := make(chan BackupRun, 10)
	b := &BackupScheduler{Store: s, Interval: time.Millisecond, Log: slog.New(slog.DiscardHandler),
		OnResult: func(r BackupRun) {
			select {
			case runs <- r:
			default:
			}
		}}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	<-runs
	<-runs
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// A backup the list cannot read says why in the store's own words: never a JSON or OS
// error's English, which the settings screen would show staff as it is.
func TestBackupListWordsProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, manifest string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, manifestFile), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("motcua-20260302-170000", "{not json")
	write("motcua-20260303-170000", fmt.Sprintf(`{"format": %d, "app_version": "9.0"}`, manifestFormat+1))
	list, err := ListBackups(dir)
	if err != nil || len(list) != 2 {
		t.Fatalf("%v %+v", err, list)
	}
	want := map[string]string{
		"motcua-20260302-170000": "bản sao lưu bị hỏng hoặc đã bị sửa đổi (manifest.json không đọc được hoặc không hợp lệ)",
		"motcua-20260303-170000": fmt.Sprintf("bản sao lưu dạng %d do motcua 9.0 tạo: hãy cập nhật phần mềm trước khi dùng", manifestFormat+1),
	}
	for _, e := range list {
		if e.Problem != want[e.Name] {
			t.Errorf("%s: %q, want %q", e.Name, e.Problem, want[e.Name])
		}
	}
	_, _, err = BackupIn(dir)
	var re *domain.RuleError
	if !errors.As(err, &re) || strings.Contains(re.Msg, "invalid character") {
		t.Errorf("no readable backup: %v", err)
	}
}
