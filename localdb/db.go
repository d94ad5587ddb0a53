// Package localdb is motcua's local store on SQLite: embedded migrations, the event log,
// the dossier projection, full-text search, the outbox, the audit chain and stored files.
// Each use case is one immediate transaction on the single writer connection; queries use
// a pool of read-only connections (WAL lets them run while the writer commits).
//
// It imports domain (rules), assets (seed data) and nothing from ui, sync or cmd.
package localdb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/domain/calendar"
	"motcua/internal/keyfile"
	"motcua/internal/sqlitex"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// SchemaVersion is the newest migration this build knows: the highest number among the
// migration files (not their count, so a gap in the numbering cannot mislead it).
var SchemaVersion = func() int {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	highest := 0
	for _, n := range names {
		if v, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0]); err == nil && v > highest {
			highest = v
		}
	}
	return highest
}()

// Options configure a store. Zero values mean the real clock and UUIDv7 ids.
type Options struct {
	Now   func() time.Time
	NewID func() string
	// ReadConns is the size of the reader pool (default 4).
	ReadConns int
	// LightPasswordHashing makes new password hashes cheap. Tests only: under the race
	// detector the real argon2id cost is seconds per account.
	LightPasswordHashing bool

	restored bool // opened by a restore: secrets found in the database belong to another device
}

// Store is the local database of one workstation, in one data folder.
type Store struct {
	dir    string
	path   string
	w      *sql.DB // one connection, immediate transactions
	r      *sql.DB // read-only pool
	now    func() time.Time
	newID  func() string
	clock  *domain.Clock
	mu     sync.RWMutex // guards the cached configuration below
	cfg    Config
	cat    *domain.Catalogue
	cal    *calendar.Calendar
	notify []func()

	lightHashing bool

	merger *indexMerger
	ckpt   *checkpointer

	key ed25519.PrivateKey // signs every event made here (KeyFile, beside the database)

	secMu sync.Mutex // serialises changes to SecretsFile within this process
}

// DBFile is the database's file name inside a data folder.
const DBFile = "motcua.db"

// dsn is the store's connection string (foreign keys on; see sqlitex.DSN for the rest).
// The writer keeps temporary data in memory: each statement of a use case keeps a
// statement journal of the pages it changes (a dozen indexes), and past 64 KiB SQLite
// writes it to a temporary file: a third of a bulk seed's time, and of an intake's
// writes, went there.
func dsn(path string, readOnly bool) string {
	if readOnly {
		return sqlitex.DSN(path, true, "foreign_keys(1)")
	}
	return sqlitex.DSN(path, false, "foreign_keys(1)", "temp_store(MEMORY)", "wal_autocheckpoint("+strconv.Itoa(walSafetyPages)+")")
}

// Open opens (creating if needed) the store in dir and runs pending migrations.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := lockDown(dir); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{dir: dir, path: filepath.Join(dir, DBFile), now: opt.Now, newID: opt.NewID, lightHashing: opt.LightPasswordHashing}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	s.clock = domain.NewClock(s.now)
	var err error
	if s.w, err = sql.Open("sqlite", dsn(s.path, false)); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.r, err = sql.Open("sqlite", dsn(s.path, true)); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	n := opt.ReadConns
	if n <= 0 {
		n = 4
	}
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	if s.key, err = keyfile.LoadOrCreate(filepath.Join(dir, KeyFile)); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: khóa ký số của máy trạm: %w", err)
	}
	if err := s.load(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.moveSecretsOut(ctx, !opt.restored); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.settleBackupMode(ctx, opt.restored); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.recordOwnKey(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.signUnsigned(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.linkUnlinked(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startIndexMerger(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startCheckpointer(); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// lockDown keeps the data folder to this account: the folder 0700 even when it already
// existed with 0755, the database and its -wal and -shm files 0600. SQLite creates those
// two with the database file's permissions, so the database is made here, empty (SQLite
// takes an empty file for a new database), with 0600 before SQLite first opens it; files
// left 0644 by an older motcua are narrowed.
func lockDown(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, "files")} {
		if err := os.Chmod(d, 0o700); err != nil {
			return err
		}
	}
	db := filepath.Join(dir, DBFile)
	if f, err := os.OpenFile(db, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", filepath.Join(dir, KeyFile), filepath.Join(dir, SecretsFile)} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.merger.stop()
	s.ckpt.stop()
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Dir is the data folder.
func (s *Store) Dir() string { return s.dir }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Now is the store's clock (injected in tests).
func (s *Store) Now() time.Time { return s.now() }

// OnWrite registers a function called after every committed local write (the sync engine
// uses it to push promptly). It runs on the writer's goroutine: it must not block.
func (s *Store) OnWrite(f func()) {
	s.mu.Lock()
	s.notify = append(s.notify, f)
	s.mu.Unlock()
}

func (s *Store) written() {
	s.mu.RLock()
	fs := s.notify
	s.mu.RUnlock()
	for _, f := range fs {
		f()
	}
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > SchemaVersion {
		return fmt.Errorf("%w (phiên bản dữ liệu %d, phần mềm hỗ trợ đến %d)", ErrTooNew, current, SchemaVersion)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", base)
		}
		if v <= current {
			continue
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := s.tx(ctx, "migrate "+base, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				v, base, s.now().UnixMilli())
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// worker is a background goroutine that writes wake up, until stop: its loop selects on
// kick and quit and closes done when it returns.
type worker struct {
	kick chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func newWorker() worker {
	return worker{kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

// wake kicks the loop (once for any number of calls until it takes the kick).
func (w *worker) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// stop ends the loop and waits for it.
func (w *worker) stop() {
	w.once.Do(func() {
		close(w.quit)
		<-w.done
	})
}

// tx runs fn in one immediate transaction on the writer connection.
func (s *Store) tx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	err := sqlitex.Tx(ctx, s.w, op, 3, fn)
	if err == nil {
		s.merger.wrote()
		s.ckpt.wrote()
	}
	return err
}

// The search index (FTS5) keeps its entries in segments that must be merged as they
// accumulate. Left to itself it merges inside the writes that add to it, 64 pages of work
// at a time: one intake in sixty-four took 20–30 ms more at 100,000 dossiers. So the index
// is told not to (automerge = 0), and indexMerger does that work when the store has been
// quiet for a moment, a few pages per short transaction, stepping aside as soon as a use
// case wants the writer. Should it not keep up (a process that only writes), FTS5 still
// merges a level once it holds 16 segments (crisismerge).
type indexMerger struct {
	worker
	s       *Store
	pending atomic.Bool
	steps   atomic.Int64 // merge transactions that did work (tests)
}

const (
	mergeQuiet = 250 * time.Millisecond // no write for this long before merging
	mergePages = 16                     // pages of merge work per transaction (a few ms)
)

func (s *Store) startIndexMerger(ctx context.Context) error {
	var automerge sql.NullString
	err := s.w.QueryRowContext(ctx, `SELECT v FROM dossier_fts_config WHERE k = 'automerge'`).Scan(&automerge)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("open store: %w", err)
	}
	if automerge.String != "0" {
		if err := sqlitex.Tx(ctx, s.w, "search index", 3, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO dossier_fts(dossier_fts, rank) VALUES ('automerge', 0)`)
			return err
		}); err != nil {
			return fmt.Errorf("open store: %w", err)
		}
	}
	m := &indexMerger{worker: newWorker(), s: s}
	s.merger = m
	go m.run()
	m.wrote() // what an earlier process left
	return nil
}

// wrote tells the merger a write committed (the index may have a new segment).
func (m *indexMerger) wrote() {
	if m == nil {
		return
	}
	m.pending.Store(true)
	m.wake()
}

func (m *indexMerger) stop() {
	if m != nil {
		m.worker.stop()
	}
}

func (m *indexMerger) run() {
	defer close(m.done)
	for {
		select {
		case <-m.quit:
			return
		case <-m.kick:
		}
		// Wait until no write came for mergeQuiet, then merge until there is nothing left
		// to merge or a write comes.
		for m.pending.Load() {
			m.pending.Store(false)
			select {
			case <-m.quit:
				return
			case <-time.After(mergeQuiet):
			}
			if m.pending.Load() {
				continue
			}
			for !m.pending.Load() {
				did, err := m.step()
				if err != nil || !did {
					break
				}
				select {
				case <-m.quit:
					return
				default:
				}
			}
		}
	}
}

// step does mergePages pages of merge work; did reports whether there was any.
func (m *indexMerger) step() (did bool, err error) {
	ctx := context.Background()
	err = sqlitex.Tx(ctx, m.s.w, "merge search index", 0, func(tx *sql.Tx) error {
		did, err = mergeSearchIndex(ctx, tx, mergePages)
		return err
	})
	if did {
		m.steps.Add(1)
	}
	return did, err
}

// mergeSearchIndex does about pages pages of the search index's merge work in tx and
// reports whether there was any to do.
func mergeSearchIndex(ctx context.Context, tx *sql.Tx, pages int) (bool, error) {
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dossier_fts(dossier_fts, rank) VALUES ('merge', ?)`, pages); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	// The command itself counts as one change; the pages it wrote as more.
	return after-before > 1, nil
}

// ms converts a time to the stored form (nil for the zero time).
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
