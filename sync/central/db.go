package central

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// The server's own database: devices, enrollment codes, every event of every unit in server
// order (seq), the dossier projection with the national portal's fields, stored files and the
// catalogue. Same habits as localdb: WAL, synchronous=FULL, busy_timeout first, one writer.

func dsn(path string, readOnly bool) string {
	// The city holds every unit's events: a page cache of 64 MB keeps the indexes warm.
	if readOnly {
		return sqlitex.DSN(path, true, "cache_size(-65536)")
	}
	// Checkpoints run in the background (checkpointer), not inside the commit that happens
	// to cross the threshold while a push holds the writer.
	return sqlitex.DSN(path, false, "cache_size(-65536)", "wal_autocheckpoint(0)")
}

// db is the server's database: one writer connection and a pool of readers.
type db struct {
	w, r *sql.DB
	cp   *sql.DB // checkpoints, off the writer's critical path
	stop chan struct{}
	done chan struct{}
}

// DBFile is the database's file name inside the data folder.
const DBFile = "central.db"

func openDB(ctx context.Context, dir string) (*db, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open central: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open central: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	d := &db{w: w}
	if err := d.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := d.tx(ctx, "epoch", func(tx *sql.Tx) error {
		// The epoch names this database: a cursor from another database (one that was
		// reset or restored) is recognised as unknown and answered with 410.
		var epoch string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'epoch'`).Scan(&epoch)
		if errors.Is(err, sql.ErrNoRows) {
			b := make([]byte, 8)
			rand.Read(b)
			_, err = tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('epoch', ?)`, hex.EncodeToString(b))
		}
		return err
	}); err != nil {
		w.Close()
		return nil, err
	}
	if d.r, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		w.Close()
		return nil, fmt.Errorf("open central: %w", err)
	}
	d.r.SetMaxOpenConns(4)
	d.r.SetMaxIdleConns(4)
	if d.cp, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		d.r.Close()
		w.Close()
		return nil, fmt.Errorf("open central: %w", err)
	}
	d.cp.SetMaxOpenConns(1)
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	go d.checkpointer()
	return d, nil
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// SchemaVersion is the newest migration this build knows.
var SchemaVersion = func() int {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	highest := 0
	for _, n := range names {
		if v, err := migrationNumber(n); err == nil && v > highest {
			highest = v
		}
	}
	return highest
}()

func migrationNumber(name string) (int, error) {
	return strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
}

// migrate applies the embedded numbered migrations not yet recorded, each in its own
// transaction with its record. A database made before numbered migrations (it has the
// tables of schema 1 but no record) is recorded as schema 1 first.
func (d *db) migrate(ctx context.Context) error {
	if _, err := d.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current, legacy int
	if err := d.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0),
		(SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events') FROM schema_migrations`).Scan(&current, &legacy); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current == 0 && legacy == 1 {
		if _, err := d.w.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (1, '0001_init.sql', ?)`,
			time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		current = 1
	}
	if current > SchemaVersion {
		return fmt.Errorf("cơ sở dữ liệu của máy chủ được tạo bởi phiên bản mới hơn (phiên bản dữ liệu %d, phần mềm hỗ trợ đến %d); hãy cập nhật motcua-central", current, SchemaVersion)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := migrationNumber(name)
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", name)
		}
		if v <= current {
			continue
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		base := filepath.Base(name)
		if err := d.tx(ctx, "migrate "+base, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`, v, base, time.Now().UnixMilli())
			return err
		}); err != nil {
			return fmt.Errorf("nâng cấp cơ sở dữ liệu máy chủ (%s): %w", base, err)
		}
	}
	return nil
}

// uniqueCodes makes codes unique per unit with a UNIQUE index. A database an older server
// filled may hold the same code twice in a unit (it accepted anything): then the index
// cannot be made; the server still refuses new duplicates at push, and the duplicates are
// returned for the operator (the log and `motcua-central stats` name them).
func (d *db) uniqueCodes(ctx context.Context) ([]string, error) {
	var dups []string
	rows, err := d.w.QueryContext(ctx, `SELECT unit || ' ' || ma_ho_so || ' (hồ sơ ' || group_concat(id, ', ') || ')' FROM dossiers
		WHERE ma_ho_so <> '' GROUP BY unit, ma_ho_so HAVING COUNT(*) > 1 LIMIT 50`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		dups = append(dups, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(dups) > 0 {
		return dups, nil
	}
	_, err = d.w.ExecContext(ctx, `CREATE UNIQUE INDEX IF NOT EXISTS dossiers_unit_code ON dossiers(unit, ma_ho_so) WHERE ma_ho_so <> ''`)
	return nil, err
}

// checkpointer copies the WAL into the database file in the background. PASSIVE never
// waits for the writer or the readers; it does what it can and tries again shortly.
func (d *db) checkpointer() {
	defer close(d.done)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.cp.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func (d *db) close() error {
	close(d.stop)
	<-d.done
	// The last connection to close checkpoints and removes the WAL.
	return errors.Join(d.cp.Close(), d.r.Close(), d.w.Close())
}

// tx runs fn in one immediate transaction on the writer connection; a CLI command (record,
// enroll-code) may hold the lock beyond busy_timeout, so it is retried a few times.
func (d *db) tx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	return sqlitex.Tx(ctx, d.w, op, 5, fn)
}

func (d *db) meta(ctx context.Context, key string) (string, error) {
	var v string
	err := d.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func putMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// maxHLC is the latest clock reading of any stored event.
func maxHLC(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (domain.HLC, error) {
	var h int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(hlc), 0) FROM events`).Scan(&h)
	return domain.HLC(h), err
}

func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}
