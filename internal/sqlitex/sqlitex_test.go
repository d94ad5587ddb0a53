package sqlitex

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// The back-off between retries ends as soon as the context does, however long it would be.
func TestWaitHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	t0 := time.Now()
	err := wait(ctx, time.Hour)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("wait: %v, want context.Canceled", err)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Fatalf("wait returned after %s", d)
	}
	if err := wait(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("wait to the end: %v", err)
	}
}

// lockedDB is a database whose write lock another connection holds until release is called,
// and a writer on it that gives up on the lock at once (busy_timeout 0), so Tx's own retries
// are what is measured.
func lockedDB(t *testing.T) (w *sql.DB, release func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	holder, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })
	if _, err := holder.Exec(`CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin() // immediate: takes the write lock now
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	w, err = sql.Open("sqlite", DSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	// One connection, so the pragma below holds for every transaction (the driver sorts
	// the DSN's pragmas, so a second busy_timeout there would not reliably win).
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(`PRAGMA busy_timeout = 0`); err != nil {
		t.Fatal(err)
	}
	return w, func() { _ = tx.Commit() }
}

func insert(tx *sql.Tx) error {
	_, err := tx.Exec(`INSERT INTO t VALUES (2)`)
	return err
}

func TestTxRetriesWhileBusy(t *testing.T) {
	w, release := lockedDB(t)
	time.AfterFunc(120*time.Millisecond, release)
	if err := Tx(context.Background(), w, "insert", 20, insert); err != nil {
		t.Fatalf("Tx after the lock was released: %v", err)
	}
	var n int
	if err := w.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows %d, %v", n, err)
	}
}

func TestTxGivesUpWhenBusyWithoutRetries(t *testing.T) {
	w, release := lockedDB(t)
	defer release()
	err := Tx(context.Background(), w, "insert", 0, insert)
	if !IsBusy(err) {
		t.Fatalf("Tx: %v, want busy", err)
	}
}

// A caller that gives up while Tx waits between retries gets its answer at once: the error
// says both why it stopped (the context) and what it was waiting for (the lock).
func TestTxStopsWaitingWhenContextEnds(t *testing.T) {
	w, release := lockedDB(t)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	// Retries enough to wait minutes in all (50 ms more per attempt).
	done := make(chan error, 1)
	t0 := time.Now()
	go func() { done <- Tx(ctx, w, "insert", 1000, insert) }()
	time.Sleep(150 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || !IsBusy(err) {
			t.Fatalf("Tx: %v, want context.Canceled and busy", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Tx still waiting %s after the context ended", time.Since(t0))
	}
}
