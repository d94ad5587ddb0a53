package central

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The city's store is SQLite (one file in the data folder: the embedded default, for tests,
// demos and a district) or PostgreSQL (a city: --db postgres://…). Both go through
// database/sql with one set of queries, written with ? placeholders in SQL both accept; for
// PostgreSQL the connection rewrites ? into $1, $2, … (rebind) before pgx sees the query,
// so code in this package never spells a placeholder per dialect. The few differences that
// remain are the dialect's: the migrations (migrations/ and migrations/postgres/), the
// feed's writer lock (lockFeed), row locks (forUpdate), transaction retries, the sizes of
// multi-row statements (db.chunks, inPieces), a read snapshot (readTx) and a string
// aggregate. Write new SQL portable (ON CONFLICT … DO NOTHING rather than INSERT OR IGNORE,
// COALESCE, ||, no SQLite-only functions); the server suite runs on both stores.

// storable reports whether every s can be stored as text on both stores: PostgreSQL refuses
// the NUL character and broken UTF-8 that SQLite would keep, so the server refuses them
// before either sees them, with the same answer on both.
func storable(s ...string) bool {
	for _, x := range s {
		if strings.IndexByte(x, 0) >= 0 || !utf8.ValidString(x) {
			return false
		}
	}
	return true
}

// cleanText is s with NUL characters and broken UTF-8 removed (for advisory text such as an
// upload's file name).
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "")
}

// DescribeDB says where the city's records are, for logs and messages: the SQLite file, or
// the PostgreSQL server and database (never the password).
func DescribeDB(dir, dbURL string) string {
	if !IsPostgres(dbURL) {
		return "SQLite " + filepath.Join(dir, DBFile)
	}
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return "PostgreSQL (chuỗi kết nối không hợp lệ)"
	}
	return fmt.Sprintf("PostgreSQL %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// dialect names the store's SQL dialect.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgres reports whether a --db value names a PostgreSQL database (anything else than
// empty must: SQLite needs no connection string, it lives in the data folder).
func IsPostgres(dbURL string) bool { return strings.TrimSpace(dbURL) != "" }

// Connection pool sizes on PostgreSQL. Writers wait for one another only within a unit (the
// feed's lock), so a few connections keep both cores busy; readers (pulls, views) have their
// own pool so a burst of pushes never starves them. A city sets PostgreSQL's max_connections
// above the sum for each server process (docs/SERVER.md).
const (
	pgWriters = 8
	pgReaders = 8
)

// openPostgres opens a pool on the database dbURL names (a postgres:// URL or key=value
// connection string, as libpq and pgx read it).
func openPostgres(dbURL string, conns int) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("chuỗi kết nối PostgreSQL không hợp lệ: %w", err)
	}
	// Statements are prepared and cached per connection by pgx (its default mode): the
	// push path's multi-row INSERTs are parsed once per connection, not per batch.
	db := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

// rebindConnector hands out connections that rebind ? placeholders.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &rebindConn{cn.(*stdlib.Conn)}, nil
}

// rebindConn is pgx's database/sql connection with every query's ? placeholders rewritten
// to PostgreSQL's $n. The other methods (transactions, ping, session reset, value checks)
// are pgx's own.
type rebindConn struct{ *stdlib.Conn }

func (c *rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(context.Background(), rebind(query))
}

func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

var rebound sync.Map // query → rebound query, for queries up to 4 KB: a bounded set

// rebind rewrites the ? placeholders of query into $1, $2, … in order, leaving ? alone
// inside string literals, quoted identifiers and comments (like sqlx.Rebind, plus quoting).
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'' || ch == '"':
			end := strings.IndexByte(query[i+1:], ch)
			if end < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case ch == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case ch == '/' && i+1 < len(query) && query[i+1] == '*':
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+end+4])
			i += end + 3
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	out := b.String()
	if len(query) <= 4096 {
		// The long ones are multi-row statements, a few dozen sizes of up to 40 KB: rebinding
		// them again costs less than keeping them.
		rebound.Store(query, out)
	}
	return out
}

// retryable reports whether a transaction failed for a reason that running it again can
// cure: SQLite's lock held by another process; PostgreSQL's serialization failure or
// deadlock, or errRace (a concurrent writer of another unit took an event id first).
func (d dialect) retryable(err error) bool {
	if errors.Is(err, errRace) {
		return true
	}
	var pe *pgconn.PgError
	if d == postgresDialect && errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// errRace: an INSERT … ON CONFLICT DO NOTHING stored fewer events than the transaction
// decided to accept, because a writer outside this unit's lock stored one of the ids first.
// The transaction is run again and then sees that event as held.
var errRace = errors.New("một sự kiện cùng mã vừa được lưu bởi một giao dịch khác")

// feedLockClass is the first key of the PostgreSQL advisory locks that serialise the
// writers of one unit's feed (the second is a hash of the unit code).
const feedLockClass = 0x6d6f7463 // "motc"

// lockFeed makes tx the only writer of unit's events until it ends, and must be called
// before tx inserts any event of unit. On PostgreSQL a sequence value is taken when a row is
// inserted, not when it becomes visible: two writers could commit seq 11 before seq 10, and
// a reader that saw 11 and moved its cursor past it would never see 10. Under this lock the
// events of a unit are inserted and committed in seq order, so what a reader sees of a unit
// is always every event of it up to some seq (the feed reads one unit, and its cursor moves
// only to seqs of that unit it has seen: Changes). The lock is held to the end of the
// transaction, after its commit is visible. SQLite has one writer: nothing to do.
func (d *db) lockFeed(ctx context.Context, tx *sql.Tx, unit string) error {
	if d.dialect != postgresDialect {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, feedLockClass, unit)
	return err
}

// readTx is the options of a read transaction that must see one snapshot throughout
// (PostgreSQL's default takes a snapshot per statement; SQLite's read is one snapshot).
func (d *db) readTx() *sql.TxOptions {
	if d.dialect == postgresDialect {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// keyedMutex is one mutex per key, held only while someone holds or waits for it.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	sync.Mutex
	users int
}

// lock locks key's mutex and returns its unlock.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.users++
	k.mu.Unlock()
	e.Lock()
	return func() {
		e.Unlock()
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// forUpdate ends a SELECT whose rows the transaction goes on to change on their strength: on
// PostgreSQL it locks them (a concurrent transaction waits, then reads them as changed);
// SQLite's one writer needs nothing.
func (d *db) forUpdate() string {
	if d.dialect == postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

// stringAgg is the dialect's aggregate joining expr's values with sep (a literal).
func (d *db) stringAgg(expr, sep string) string {
	if d.dialect == postgresDialect {
		return "string_agg(" + expr + ", '" + sep + "')"
	}
	return "group_concat(" + expr + ", '" + sep + "')"
}
