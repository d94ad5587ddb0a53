package central

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// The server's own database: devices, enrollment codes, every event of every unit in server
// order (seq), the dossier projection with the national portal's fields, stored files and the
// catalogue. Same habits as localdb: WAL, synchronous=FULL, busy_timeout first, one writer.

const schema = `
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
) WITHOUT ROWID;

-- Workstations. The token is kept only as its SHA-256.
CREATE TABLE IF NOT EXISTS devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL,
    enrolled_at INTEGER NOT NULL,
    revoked_at  INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS devices_slot ON devices(unit, slot) WHERE active = 1;

-- One-time enrollment codes, also kept hashed.
CREATE TABLE IF NOT EXISTS enroll_codes (
    code_hash  TEXT PRIMARY KEY,
    unit       TEXT NOT NULL,
    unit_name  TEXT NOT NULL,
    slot       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
) WITHOUT ROWID;

-- Every event in server order: seq is the pull cursor's position.
CREATE TABLE IF NOT EXISTS events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    stream      TEXT NOT NULL,
    stream_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    v           INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    device      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    hlc         INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_unit ON events(unit, seq);
CREATE INDEX IF NOT EXISTS events_stream ON events(stream_id, hlc);

-- The fold of each dossier: the national portal's fields that lists, filters and reports
-- need, as columns (DVCQG names in snake case). The whole dossier is folded from its events
-- when asked for.
CREATE TABLE IF NOT EXISTS dossiers (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    unit            TEXT NOT NULL,
    ma_ho_so        TEXT NOT NULL,
    ma_tthc         TEXT NOT NULL,
    ten_tthc        TEXT NOT NULL,
    ma_linh_vuc     TEXT NOT NULL,
    ten_linh_vuc    TEXT NOT NULL,
    kenh_thuc_hien  INTEGER NOT NULL,
    chu_ho_so       TEXT NOT NULL,
    so_giay_to      TEXT NOT NULL,
    loai_doi_tuong  INTEGER NOT NULL,
    trang_thai      INTEGER NOT NULL,
    ngay_tiep_nhan  INTEGER,
    ngay_hen_tra    INTEGER,
    ngay_tra        INTEGER,
    ngay_ket_thuc   INTEGER,
    ngay_tu_choi    INTEGER,
    don_vi_xu_ly    TEXT NOT NULL,
    conflicts       INTEGER NOT NULL,
    events          INTEGER NOT NULL,
    last_hlc        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dossiers_unit_status ON dossiers(unit, trang_thai);
CREATE INDEX IF NOT EXISTS dossiers_code ON dossiers(ma_ho_so);

-- Files held, by content.
CREATE TABLE IF NOT EXISTS files (
    sha256    TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    mime      TEXT NOT NULL,
    device    TEXT NOT NULL,
    stored_at INTEGER NOT NULL
) WITHOUT ROWID;
`

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
	if err := d.tx(ctx, "schema", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return err
		}
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
