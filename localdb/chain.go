package localdb

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// The event chain and its seal. Every event this store holds is linked (events.link,
// domain.ChainLink) in the order it was stored. The chain alone has no key: whoever can
// write the file could recompute it. So every write also seals the two heads — the last
// event's link and the last audit entry's hash — with an HMAC keyed by this workstation's
// signing key, which lives beside the database, never in it: editing the database alone
// (a changed row, a deleted event or audit entry, a chain recomputed end to end) no longer
// matches the seal. The city keeps the head it saw at each push (chain.acked), which also
// catches an attacker who has the key file.

// Sync-state keys of the chain.
const (
	SyncKeyChainHead  = "chain.head"  // "<seq>:<link>" of the last event (for backups' manifests)
	SyncKeyChainSeal  = "chain.seal"  // the Seal of the last write, as JSON
	SyncKeyChainAcked = "chain.acked" // the head the city acknowledged at the last push, as JSON (api.ChainHead)
	// SyncKeyPullOwn asks the next pulls, from the start, for this device's own events too
	// (after a restore: what it pushed after the backup is only at the city).
	SyncKeyPullOwn = "pull.own"
)

// Seal binds the heads of the event chain and of the audit log with this device's key.
type Seal struct {
	EventSeq  int64  `json:"event_seq"`
	EventLink string `json:"event_link"`
	AuditSeq  int64  `json:"audit_seq"`
	AuditHash string `json:"audit_hash"`
	Key       string `json:"key"` // the public key of the device that sealed (domain.EncodeKey)
	MAC       string `json:"mac"`
}

// sealKey is derived from the signing key: the seal cannot be made without the key file.
func (s *Store) sealKey() []byte {
	h := sha256.New()
	h.Write([]byte("motcua.chain.seal.v1\n"))
	h.Write(s.key.Seed())
	return h.Sum(nil)
}

func (s *Store) sealMAC(se Seal) string {
	m := hmac.New(sha256.New, s.sealKey())
	fmt.Fprintf(m, "%d\n%s\n%d\n%s\n%s", se.EventSeq, se.EventLink, se.AuditSeq, se.AuditHash, se.Key)
	return hex.EncodeToString(m.Sum(nil))
}

// eventHead is the seq and link of the last event stored (0, "" when none).
func eventHead(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, string, error) {
	var seq int64
	var link string
	err := q.QueryRowContext(ctx, `SELECT seq, link FROM events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &link)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return seq, link, err
}

// seal writes the seal of the current heads, in the caller's transaction (every audited
// write calls it through audit).
func (s *Store) seal(ctx context.Context, tx *sql.Tx, auditSeq int64, auditHash string) error {
	seq, link, err := eventHead(ctx, tx)
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	se := Seal{EventSeq: seq, EventLink: link, AuditSeq: auditSeq, AuditHash: auditHash, Key: s.PublicKey()}
	se.MAC = s.sealMAC(se)
	raw, _ := json.Marshal(se)
	if err := putSyncValue(ctx, tx, SyncKeyChainSeal, string(raw)); err != nil {
		return err
	}
	return putSyncValue(ctx, tx, SyncKeyChainHead, fmt.Sprintf("%d:%s", seq, link))
}

// ChainHead is the seq and link of the last event (what a push asks the city to keep).
func (s *Store) ChainHead(ctx context.Context) (int64, string, error) {
	return eventHead(ctx, s.r)
}

// linkUnlinked computes the links of events stored before the chain existed (the upgrade),
// in seq order from the last linked one, then seals.
func (s *Store) linkUnlinked(ctx context.Context) error {
	// Once done, never again (every event is linked as it is written; the search reads the
	// whole log).
	if done, err := s.getSetting(ctx, s.w, upgradeLinked); err != nil || done != "" {
		return err
	}
	var n int
	if err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE link = '' LIMIT 1)`).Scan(&n); err != nil {
		return fmt.Errorf("link events: %w", err)
	}
	if n == 0 {
		return s.tx(ctx, "link events", func(tx *sql.Tx) error { return putSetting(ctx, tx, upgradeLinked, "1") })
	}
	var first int64
	if err := s.w.QueryRowContext(ctx, `SELECT MIN(seq) FROM events WHERE link = ''`).Scan(&first); err != nil {
		return fmt.Errorf("link events: %w", err)
	}
	return s.tx(ctx, "link events", func(tx *sql.Tx) error {
		if err := rechainFrom(ctx, tx, first); err != nil {
			return err
		}
		if err := putSetting(ctx, tx, upgradeLinked, "1"); err != nil {
			return err
		}
		return s.audit(ctx, tx, "system", "chain.link", "events", "chuỗi sự kiện được lập cho các sự kiện đã có")
	})
}

// rechainFrom recomputes the links of every event from seq on (after events were linked
// for the first time, or taken out by repair-clocks).
func rechainFrom(ctx context.Context, tx *sql.Tx, from int64) error {
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT link FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1`, from).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE events SET link = ? WHERE seq = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	after := from - 1
	for {
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`, seq FROM events WHERE seq > ? ORDER BY seq LIMIT 5000`, after)
		if err != nil {
			return err
		}
		type linked struct {
			seq  int64
			link string
		}
		var batch []linked
		for rows.Next() {
			var seq int64
			e, err := sqlitex.ScanEvent(rows, &seq)
			if err != nil {
				rows.Close()
				return err
			}
			prev = domain.ChainLink(prev, e)
			batch = append(batch, linked{seq, prev})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, b := range batch {
			if _, err := upd.ExecContext(ctx, b.link, b.seq); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].seq
	}
}

// adoptRestored makes a store restored from a backup this workstation's own: when the
// seal was made with another device's key (the backup came from another machine or a lost
// data folder), the chain is checked end to end and, if every link holds, sealed again
// with this workstation's key, recorded in the audit log. The restore is the admin's act
// (with the backup's passphrase); opening a store never reseals by itself.
func (s *Store) adoptRestored(ctx context.Context) error {
	// Whatever the city acknowledged was a later chain than this copy's, and what this
	// workstation pushed after the backup is only at the city now: forget the old head and
	// pull everything again, its own events included (SyncKeyPullOwn).
	if err := s.tx(ctx, "restored sync", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_state WHERE key IN (?, ?)`, SyncKeyChainAcked, SyncKeyCursor); err != nil {
			return err
		}
		return putSyncValue(ctx, tx, SyncKeyPullOwn, "1")
	}); err != nil {
		return err
	}
	raw, err := s.SyncValue(ctx, SyncKeyChainSeal)
	if err != nil || raw == "" {
		return err
	}
	var se Seal
	if json.Unmarshal([]byte(raw), &se) != nil || se.Key == s.PublicKey() {
		return nil
	}
	var r FullVerify
	if err := s.verifyChain(ctx, &r, VerifyOptions{}, func(string, int64, int64) {}); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if f.Kind == "chain" {
			return fmt.Errorf("chuỗi sự kiện trong bản sao lưu bị phá vỡ: %s", f.Msg)
		}
	}
	return s.tx(ctx, "adopt restored", func(tx *sql.Tx) error {
		return s.audit(ctx, tx, "system", "restore.adopt", "chain",
			"dữ liệu khôi phục từ bản sao lưu của khóa "+se.Key+"; chuỗi sự kiện đã kiểm tra và được niêm phong lại bằng khóa của máy này")
	})
}

// SignHead signs a chain head for the city with this workstation's key.
func (s *Store) SignHead(seq int64, link string, at time.Time) string {
	return base64.RawStdEncoding.EncodeToString(ed25519.Sign(s.key, domain.HeadMessage(s.Config().DeviceID, seq, link, at.UnixMilli())))
}
