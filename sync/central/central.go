// Package central is the server side of motcua's sync protocol v1: the reference "city
// system" used for development, demos and tests, and a city's server (cmd/motcua-central
// serves it). It keeps its records in SQLite (the embedded default) or PostgreSQL (store.go),
// enrolls workstations, takes their events exactly once (deduplicated by
// id), folds dossiers with domain.Fold, serves pulls, the catalogue and tus uploads, lets an
// operator record processing-side events, and can inject faults.
//
// It imports domain, sync/api, sync/bundle and assets; never localdb, ui or the client engine.
package central

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/internal/keyfile"
	"motcua/internal/sqlitex"
)

// Device is an enrolled workstation.
type Device struct {
	ID     string
	Name   string
	Unit   string
	Slot   int
	Active bool
}

// CentralDevice is the device name the server stamps on events an operator records.
const CentralDevice = domain.SignerCentral

// EnrollCodeTTL is how long an enrollment code stays valid.
const EnrollCodeTTL = 7 * 24 * time.Hour

// errGone answers a cursor this database does not know.
var errGone = errors.New("con trỏ đồng bộ không hợp lệ với cơ sở dữ liệu này; hãy đồng bộ lại từ đầu")

// errAuth answers a missing, unknown or revoked token.
var errAuth = errors.New("thiết bị chưa được cấp quyền hoặc đã bị thu hồi")

// Central is the city's store and its rules, without HTTP: the server and the CLI share it.
type Central struct {
	db    *db
	dir   string
	epoch string
	now   func() time.Time
	newID func() string
	clock *domain.Clock
	key   ed25519.PrivateKey // the city's signing key (KeyFile in the data folder)

	// DuplicateCodes are the codes (unit and code) an older server stored for two dossiers
	// of one unit: the operator must settle them (record code_assigned on one of each pair).
	DuplicateCodes []string

	keysMu sync.Mutex
	keys   map[string][]ed25519.PublicKey // device → every key it has held

	pageBytes int // byte cap of a /changes page (0: DefaultLimits)

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared on the writer connection, reused by every transaction

	units keyedMutex // PostgreSQL: pushes of one unit wait for each other in the process

	catMu  sync.Mutex
	catKey string // meta "catalogue.rev" the cache below was built from
	catDoc []byte
	catTag string
}

// Config configures a Central. Zero values mean the real clock and UUIDv7 ids.
type Config struct {
	Dir string // the data folder: the city's key, stored files, and the SQLite database
	// DB is a PostgreSQL connection string (postgres://… or key=value) for the city's
	// records; empty: SQLite in Dir.
	DB    string
	Now   func() time.Time
	NewID func() string
}

// KeyFile is the city's Ed25519 signing key, beside the database (never inside it).
const KeyFile = "central.key"

// OpenCentral opens (creating if needed) the city's database: cfg.DB, or SQLite in cfg.Dir.
func OpenCentral(ctx context.Context, cfg Config) (*Central, error) {
	if IsPostgres(cfg.DB) {
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("open central: %w", err)
		}
	}
	d, err := openDB(ctx, cfg.Dir, cfg.DB)
	if err != nil {
		return nil, err
	}
	key, err := keyfile.LoadOrCreate(filepath.Join(cfg.Dir, KeyFile))
	if err != nil {
		d.close()
		return nil, fmt.Errorf("open central: khóa ký của máy chủ: %w", err)
	}
	c := &Central{db: d, dir: cfg.Dir, now: cfg.Now, newID: cfg.NewID, key: key, keys: map[string][]ed25519.PublicKey{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.newID == nil {
		c.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	c.clock = domain.NewClock(c.now)
	if c.epoch, err = d.meta(ctx, "epoch"); err != nil {
		d.close()
		return nil, err
	}
	h, err := maxHLC(ctx, d.r)
	if err != nil {
		d.close()
		return nil, err
	}
	c.clock.Observe(h) // ignored when out of bounds: repair-clocks quarantines such events
	if err := c.prepareHot(ctx); err != nil {
		c.Close()
		return nil, err
	}
	if c.DuplicateCodes, err = d.uniqueCodes(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("open central: %w", err)
	}
	if _, err := c.attestLegacy(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("open central: ký xác nhận các sự kiện cũ: %w", err)
	}
	return c, nil
}

// Close closes the database.
func (c *Central) Close() error {
	c.stmtMu.Lock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
	c.stmtMu.Unlock()
	return c.db.close()
}

// exec runs a statement in tx. The large multi-row statements of the push path are prepared
// once when the database opens (prepareHot) and reused, instead of being parsed for every
// chunk; anything else is prepared on the spot. (Preparing inside a transaction would wait
// for the writer's only connection, which the transaction holds.)
func (c *Central) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	c.stmtMu.Lock()
	st, ok := c.stmts[query]
	c.stmtMu.Unlock()
	var res sql.Result
	var err error
	if ok {
		res, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		res, err = tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Rows per multi-row statement on the push path. SQLite runs them in-process, and prepares
// the full-size ones once (prepareHot); on PostgreSQL every statement is a round trip, so
// they are larger (within its 65,535 parameters a statement).
const (
	eventChunk        = 80
	projectionChunk   = 40
	pgEventChunk      = 500
	pgProjectionChunk = 250
)

// chunks are the rows per multi-row statement of the push path on this store: events, dossier projections.
func (d *db) chunks() (events, projections int) {
	if d.dialect == postgresDialect {
		return pgEventChunk, pgProjectionChunk
	}
	return eventChunk, projectionChunk
}

func (c *Central) prepareHot(ctx context.Context) error {
	c.stmtMu.Lock()
	defer c.stmtMu.Unlock()
	c.stmts = map[string]*sql.Stmt{}
	if c.db.dialect == postgresDialect {
		return nil // pgx prepares and caches every statement on each connection
	}
	for _, q := range []string{insertEventsSQL(eventChunk), upsertDossiersSQL(projectionChunk)} {
		st, err := c.db.w.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		c.stmts[q] = st
	}
	return nil
}

// insertEventsSQL stores n events; one already held (same id) is left as it is.
func insertEventsSQL(n int) string {
	return `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by, received_at) VALUES ` +
		rowsOf(n, 14) + ` ON CONFLICT(id) DO NOTHING`
}

func upsertDossiersSQL(n int) string {
	return `INSERT INTO dossiers(id, unit, ma_ho_so, ma_tthc, ten_tthc, ma_linh_vuc, ten_linh_vuc,
			kenh_thuc_hien, chu_ho_so, so_giay_to, loai_doi_tuong, trang_thai, ngay_tiep_nhan, ngay_hen_tra, ngay_tra,
			ngay_ket_thuc, ngay_tu_choi, don_vi_xu_ly, conflicts, events, last_hlc, updated_at)
		VALUES ` + rowsOf(n, projectionColumns) + `
		ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, ma_ho_so = excluded.ma_ho_so, ma_tthc = excluded.ma_tthc,
			ten_tthc = excluded.ten_tthc, ma_linh_vuc = excluded.ma_linh_vuc, ten_linh_vuc = excluded.ten_linh_vuc,
			kenh_thuc_hien = excluded.kenh_thuc_hien, chu_ho_so = excluded.chu_ho_so, so_giay_to = excluded.so_giay_to,
			loai_doi_tuong = excluded.loai_doi_tuong, trang_thai = excluded.trang_thai, ngay_tiep_nhan = excluded.ngay_tiep_nhan,
			ngay_hen_tra = excluded.ngay_hen_tra, ngay_tra = excluded.ngay_tra, ngay_ket_thuc = excluded.ngay_ket_thuc,
			ngay_tu_choi = excluded.ngay_tu_choi, don_vi_xu_ly = excluded.don_vi_xu_ly, conflicts = excluded.conflicts,
			events = excluded.events, last_hlc = excluded.last_hlc, updated_at = excluded.updated_at`
}

// Dir is the data folder.
func (c *Central) Dir() string { return c.dir }

func invalid(msg string) error {
	return &domain.RuleError{Code: "invalid", Msg: msg, Kind: domain.ErrInvalid}
}

func conflict(msg string) error {
	return &domain.RuleError{Code: "conflict", Msg: msg, Kind: domain.ErrConflict}
}

func denied(msg string) error {
	return &domain.RuleError{Code: "denied", Msg: msg, Kind: domain.ErrDenied}
}

const eventColumns = sqlitex.EventColumns

func scanEvent(sc interface{ Scan(...any) error }, extra ...any) (domain.Event, error) {
	return sqlitex.ScanEvent(sc, extra...)
}

// placeholders is "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rowsOf is "(?, …), (?, …)" for n rows of cols values.
func rowsOf(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// inPieces is inChunks that, with pow2, cuts what is left after the full chunks into pieces
// of power-of-two sizes (a remainder of 300 makes 256, 32, 8 and 4). PostgreSQL prepares and
// keeps every distinct statement on each connection (pgx's cache), and a multi-row statement
// is distinct for each row count: so each kind has at most a dozen, not one per count.
func inPieces[T any](xs []T, size int, pow2 bool, fn func([]T) error) error {
	full := len(xs) / size * size
	if !pow2 || full == len(xs) {
		return inChunks(xs, size, fn)
	}
	if err := inChunks(xs[:full], size, fn); err != nil {
		return err
	}
	for rest := xs[full:]; len(rest) > 0; {
		n := 1
		for n*2 <= len(rest) {
			n *= 2
		}
		if err := fn(rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

// pieces says whether multi-row statements go in power-of-two pieces (inPieces).
func (d *db) pieces() bool { return d.dialect == postgresDialect }

// inChunks calls fn on consecutive chunks of at most size elements.
func inChunks[T any](xs []T, size int, fn func([]T) error) error {
	for start := 0; start < len(xs); start += size {
		if err := fn(xs[start:min(start+size, len(xs))]); err != nil {
			return err
		}
	}
	return nil
}
