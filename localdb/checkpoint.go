package localdb

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// In WAL mode every commit appends to the log, and the pages must be copied back into the
// database file now and then (a checkpoint). SQLite does it by default inside the commit
// that takes the log past 1,000 pages, which at a million dossiers is every thirty-odd
// intakes and costs that intake 15–35 ms (the copy and an fsync of the database file):
// the p99 of intake commit was 20–34 ms instead of under 5 (docs/BENCHMARKS.md).
//
// So the writer only checkpoints as a safety net, past walSafetyPages, and checkpointer
// does it on a connection of its own once the store has been quiet for checkpointDelay, in
// PASSIVE mode: it copies what no reader still needs without taking the write lock. It
// waits for the quiet because even beside the commit, the copy's fsync of a large file
// shares the disk and the file system's journal with the next commit's fsync: run every
// 200 ms during back-to-back intakes it still cost some of them 10–60 ms. The log starts
// over from the beginning once everything in it has been copied, as before; a burst of
// writes with no pause (a long pull from the city; 300-odd intakes in a row) reaches the
// safety net and pays for one checkpoint inside a commit.
type checkpointer struct {
	worker
	db *sql.DB

	copied  atomic.Int64 // log pages copied into the database (tests)
	settled atomic.Bool  // the last checkpoint copied the whole log and nothing was written since (tests)
}

const (
	walSafetyPages  = 10000                  // the writer's own wal_autocheckpoint (40 MB of log)
	checkpointDelay = 250 * time.Millisecond // no write for this long before a checkpoint
)

func (s *Store) startCheckpointer() error {
	db, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{worker: newWorker(), db: db}
	s.ckpt = c
	go c.run()
	return nil
}

// wrote tells the checkpointer a write committed.
func (c *checkpointer) wrote() {
	if c != nil {
		// Kick before clearing: a checkpoint that sees no kick pending ran after this write.
		c.wake()
		c.settled.Store(false)
	}
}

func (c *checkpointer) stop() {
	if c != nil {
		c.worker.stop()
		c.db.Close()
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.quit:
			return
		case <-c.kick:
		}
		// Wait for checkpointDelay without a write.
		for quiet := false; !quiet; {
			select {
			case <-c.quit:
				return
			case <-c.kick:
			case <-time.After(checkpointDelay):
				quiet = true
			}
		}
		// Busy (another checkpoint running) or failed: the next write tries again, and
		// the writer's safety net remains.
		var busy, logPages, copied int
		if err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied); err == nil && copied > 0 {
			c.copied.Add(int64(copied))
			if busy == 0 && copied == logPages && len(c.kick) == 0 {
				c.settled.Store(true)
			}
		}
	}
}
