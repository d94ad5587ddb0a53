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
	"path"
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

// db is the server's database: one writer connection and a pool of readers on SQLite; a
// pool of writers and one of readers on PostgreSQL.
type db struct {
	dialect dialect
	w, r    *sql.DB
	cp      *sql.DB // SQLite: checkpoints, off the writer's critical path
	stop    chan struct{}
	done    chan struct{}
}

// DBFile is the database's file name inside the data folder.
const DBFile = "central.db"

// openDB opens the store: PostgreSQL when dbURL is set, else SQLite in dir.
func openDB(ctx context.Context, dir, dbURL string) (*db, error) {
	if IsPostgres(dbURL) {
		return openPostgresDB(ctx, dbURL)
	}
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
	if err := d.start(ctx); err != nil {
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

func openPostgresDB(ctx context.Context, dbURL string) (*db, error) {
	w, err := openPostgres(dbURL, pgWriters)
	if err != nil {
		return nil, err
	}
	r, err := openPostgres(dbURL, pgReaders)
	if err != nil {
		w.Close()
		return nil, err
	}
	d := &db{dialect: postgresDialect, w: w, r: r}
	if err := w.PingContext(ctx); err != nil {
		d.close()
		return nil, fmt.Errorf("không kết nối được cơ sở dữ liệu PostgreSQL: %w", err)
	}
	if err := d.start(ctx); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// start brings the schema up to date and names the database (its epoch).
func (d *db) start(ctx context.Context) error {
	if err := d.migrate(ctx, 0); err != nil {
		return err
	}
	return d.tx(ctx, "epoch", func(tx *sql.Tx) error {
		// The epoch names this database: a cursor from another database (one that was
		// reset or restored) is recognised as unknown and answered with 410.
		var epoch string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'epoch'`).Scan(&epoch)
		if errors.Is(err, sql.ErrNoRows) {
			b := make([]byte, 8)
			rand.Read(b)
			// Two servers starting at once on a new PostgreSQL database: the first one's
			// epoch stays.
			_, err = tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('epoch', ?) ON CONFLICT(key) DO NOTHING`, hex.EncodeToString(b))
		}
		return err
	})
}

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migrationDir holds the dialect's numbered migrations: SQLite's in migrations/,
// PostgreSQL's in migrations/postgres/, with the same numbers (TestMigrationSetsMatch).
func (d dialect) migrationDir() string {
	if d == postgresDialect {
		return "migrations/postgres"
	}
	return "migrations"
}

func migrationNames(d dialect) ([]string, error) {
	names, err := fs.Glob(migrationFS, d.migrationDir()+"/*.sql")
	sort.Strings(names)
	return names, err
}

// SchemaVersion is the newest migration this build knows.
var SchemaVersion = func() int {
	names, _ := migrationNames(sqliteDialect)
	highest := 0
	for _, n := range names {
		if v, err := migrationNumber(n); err == nil && v > highest {
			highest = v
		}
	}
	return highest
}()

func migrationNumber(name string) (int, error) {
	return strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
}

// migrate applies the dialect's embedded numbered migrations not yet recorded (up to upTo;
// 0: all), each in its own transaction with its record. A SQLite database made before
// numbered migrations (it has the tables of schema 1 but no record) is recorded as schema 1
// first. On PostgreSQL each migration's transaction holds an advisory lock and looks at the
// record again under it, so two servers starting at once apply each migration once.
func (d *db) migrate(ctx context.Context, upTo int) error {
	if _, err := d.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current, legacy int
	legacyQuery := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'`
	if d.dialect == postgresDialect {
		legacyQuery = `SELECT 0` // PostgreSQL came after numbered migrations
	}
	if err := d.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0), (`+legacyQuery+`) FROM schema_migrations`).Scan(&current, &legacy); err != nil {
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
	names, err := migrationNames(d.dialect)
	if err != nil {
		return err
	}
	for _, name := range names {
		v, err := migrationNumber(name)
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", name)
		}
		if v <= current || upTo > 0 && v > upTo {
			continue
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		base := path.Base(name)
		if err := d.tx(ctx, "migrate "+base, func(tx *sql.Tx) error {
			if d.dialect == postgresDialect {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, 0)`, feedLockClass); err != nil {
					return err
				}
				var done int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v).Scan(&done); err != nil || done > 0 {
					return err
				}
			}
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
	rows, err := d.w.QueryContext(ctx, `SELECT unit || ' ' || ma_ho_so || ' (hồ sơ ' || `+d.stringAgg("id", ", ")+` || ')' FROM dossiers
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
	if d.stop != nil {
		close(d.stop)
		<-d.done
	}
	// SQLite: the last connection to close checkpoints and removes the WAL.
	var errs []error
	for _, x := range []*sql.DB{d.cp, d.r, d.w} {
		if x != nil {
			errs = append(errs, x.Close())
		}
	}
	return errors.Join(errs...)
}

// tx runs fn in one transaction on the writers: on SQLite an immediate one on the one
// writer connection (a CLI command, record or enroll-code, may hold the lock beyond
// busy_timeout, so it is retried a few times); on PostgreSQL a READ COMMITTED one, run
// again when it fails for a reason running again cures (dialect.retryable).
func (d *db) tx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if d.dialect == sqliteDialect {
		return sqlitex.Tx(ctx, d.w, op, 5, fn)
	}
	for attempt := 0; ; attempt++ {
		err := func() error {
			tx, err := d.w.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if err := fn(tx); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err == nil {
			return nil
		}
		if !d.dialect.retryable(err) || attempt >= 5 {
			return fmt.Errorf("%s: %w", op, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (%w)", op, ctx.Err(), err)
		case <-time.After(time.Duration(10*(attempt+1)) * time.Millisecond):
		}
	}
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
