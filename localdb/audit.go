package localdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// The audit log: every write appends an entry whose hash covers the previous entry's hash,
// so a changed or deleted entry breaks the chain from that point on.

const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

func auditHash(prev string, seq, at int64, actor, action, subject, detail string) string {
	h := sha256.New()
	for _, part := range []string{prev, strconv.FormatInt(seq, 10), strconv.FormatInt(at, 10), actor, action, subject, detail} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, actor, action, subject, detail string) error {
	var seq int64
	prev := genesisHash
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: %w", err)
	}
	seq++
	at := s.now().UnixMilli()
	hash := auditHash(prev, seq, at, actor, action, subject, detail)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit(seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		seq, at, actor, action, subject, detail, prev, hash)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return s.seal(ctx, tx, seq, hash)
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Seq     int64
	At      int64
	Actor   string
	Action  string
	Subject string
	Detail  string
}

// VerifyResult is what Verify found.
type VerifyResult struct {
	Entries      int64
	Integrity    string // "ok" or SQLite's first complaint
	BrokenAt     int64  // first audit entry whose hash or link is wrong (0: none)
	BrokenWhy    string
	FilesMissing []string // stored files referenced but absent or altered
}

// OK reports whether everything checked out.
func (r VerifyResult) OK() bool {
	return r.Integrity == "ok" && r.BrokenAt == 0 && len(r.FilesMissing) == 0
}

// Verify checks SQLite's integrity, the audit chain from its first entry, and that every
// stored file is present with the right hash.
func (s *Store) Verify(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	if err := s.integrityCheck(ctx, &res.Integrity); err != nil {
		return res, fmt.Errorf("verify: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		return res, fmt.Errorf("verify: %w", err)
	}
	defer rows.Close()
	prev := genesisHash
	var want int64 = 1
	for rows.Next() {
		var e AuditEntry
		var prevHash, hash string
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &prevHash, &hash); err != nil {
			return res, err
		}
		res.Entries++
		if res.BrokenAt != 0 {
			continue
		}
		switch {
		case e.Seq != want:
			res.BrokenAt, res.BrokenWhy = want, fmt.Sprintf("thiếu mục nhật ký số %d", want)
		case prevHash != prev:
			res.BrokenAt, res.BrokenWhy = e.Seq, fmt.Sprintf("mục %d không nối với mục trước", e.Seq)
		case auditHash(prev, e.Seq, e.At, e.Actor, e.Action, e.Subject, e.Detail) != hash:
			res.BrokenAt, res.BrokenWhy = e.Seq, fmt.Sprintf("mục %d (%s %s) đã bị sửa", e.Seq, e.Action, e.Subject)
		}
		prev, want = hash, e.Seq+1
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	missing, err := s.checkFiles(ctx)
	if err != nil {
		return res, err
	}
	res.FilesMissing = missing
	return res, nil
}

// integrityCheck runs PRAGMA integrity_check on a connection opened for it alone. On a
// pooled read connection SQLite's FTS5 checks its search tables against the segment
// structure that connection cached at its last search, and after the writer has merged
// segments since, it reports "fts5: corruption found reading blob …" on a healthy file
// (TestIntegrityCheckHealthyAfterWritesAndSearches: the writer and a fresh connection
// both say ok at that moment). A fresh connection has nothing cached.
func (s *Store) integrityCheck(ctx context.Context, out *string) error {
	db, err := sql.Open("sqlite", dsn(s.path, true))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(out)
}
