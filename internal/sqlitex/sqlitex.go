// Package sqlitex holds the habits the workstation's store (localdb) and the reference
// server (sync/central) share on modernc.org/sqlite: the DSN with busy_timeout first, one
// immediate transaction retried when another process holds the lock, and reading an event
// row. It imports domain only.
package sqlitex

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"motcua/domain"
)

// DSN builds a connection string for path. busy_timeout comes first (later pragmas may
// already need to wait for a lock), then synchronous=FULL and the given pragmas. A writer
// gets WAL and immediate transactions; a reader is query-only.
func DSN(path string, readOnly bool, pragmas ...string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// IsBusy reports whether err is SQLite's "database is locked" (or a locked table).
func IsBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// Tx runs fn in one immediate transaction on the writer w, retrying up to retries times
// when another process (a CLI command, a backup) holds the lock beyond busy_timeout. The
// error names the operation.
func Tx(ctx context.Context, w *sql.DB, op string, retries int, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := tryTx(ctx, w, fn)
		if err == nil {
			return nil
		}
		if IsBusy(err) && attempt < retries {
			// The wait ends early when the caller gives up (a closing window, a stopped
			// sync pass): it must not hold them for the rest of the back-off.
			if werr := wait(ctx, time.Duration(50*(attempt+1))*time.Millisecond); werr != nil {
				return fmt.Errorf("%s: %w (%w)", op, werr, err)
			}
			continue
		}
		return fmt.Errorf("%s: %w", op, err)
	}
}

// wait sleeps for d, or until ctx is done (then it returns ctx's error).
func wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func tryTx(ctx context.Context, w *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// EventColumns are the columns ScanEvent reads, in its order.
const EventColumns = `id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by`

// ScanEvent reads an event row (EventColumns, then extra destinations).
func ScanEvent(sc interface{ Scan(...any) error }, extra ...any) (domain.Event, error) {
	var e domain.Event
	var payload string
	var at, hlc int64
	dest := append([]any{&e.ID, &e.Stream, &e.StreamID, &e.Type, &e.Version, &payload, &e.Actor, &e.Device, &e.Unit, &at, &hlc, &e.Sig, &e.SigBy}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return e, err
	}
	e.Payload = json.RawMessage(payload)
	e.At = time.UnixMilli(at).UTC()
	e.HLC = domain.HLC(hlc)
	return e, nil
}

// ScanEvents reads every row of rows as an event (ScanEvent's columns) and closes rows.
func ScanEvents(rows *sql.Rows) ([]domain.Event, error) {
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		e, err := ScanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
