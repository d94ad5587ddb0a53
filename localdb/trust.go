package localdb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// Signed events on the workstation: its own Ed25519 key (KeyFile, beside the database, never
// in it or in a backup), the keys of the unit's other devices and the city's as the city
// vouched for them, and the pulled events refused because they could not be trusted.

// KeyFile is the workstation's signing key inside the data folder.
const KeyFile = "device.key"

// SyncKeyCentralKey is the city's public key, pinned at enrollment (or, for a workstation
// enrolled before signing, on the first key fetch after the upgrade).
const SyncKeyCentralKey = "central.key"

// Settings that record an upgrade pass as done (see signUnsigned, linkUnlinked).
const (
	upgradeSigned = "upgrade.events_signed"
	upgradeLinked = "upgrade.events_linked"
)

// SyncKeyKeyRegistered is the public key this device last registered with the city.
const SyncKeyKeyRegistered = "device.key.registered"

// PublicKey is this workstation's public key (domain.EncodeKey).
func (s *Store) PublicKey() string { return domain.EncodeKey(s.key.Public().(ed25519.PublicKey)) }

// sign signs an event this workstation authors.
func (s *Store) sign(e *domain.Event) { e.Sign(s.key, "") }

// signUnsigned signs the workstation's own events written before signing existed (the
// cut-over), so they can be pushed and carried like any other. Pulled events keep what
// their carrier gave them.
func (s *Store) signUnsigned(ctx context.Context) error {
	// Once done, never again: every event written since is signed when it is written, and
	// looking for unsigned ones reads the whole log (seconds at a million dossiers, on
	// every start).
	if done, err := s.getSetting(ctx, s.w, upgradeSigned); err != nil || done != "" {
		return err
	}
	cfg := s.Config()
	for {
		rows, err := s.w.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE local = 1 AND sig = '' LIMIT 5000`)
		if err != nil {
			return fmt.Errorf("sign events: %w", err)
		}
		evs, err := sqlitex.ScanEvents(rows)
		if err != nil {
			return fmt.Errorf("sign events: %w", err)
		}
		if len(evs) == 0 {
			return s.tx(ctx, "sign events", func(tx *sql.Tx) error { return putSetting(ctx, tx, upgradeSigned, "1") })
		}
		if err := s.tx(ctx, "sign events", func(tx *sql.Tx) error {
			for i := range evs {
				if evs[i].Device != cfg.DeviceID {
					// Another device's event marked local (a restored copy): not ours to sign.
					evs[i].Sig = "-"
				} else {
					s.sign(&evs[i])
				}
				if _, err := tx.ExecContext(ctx, `UPDATE events SET sig = ? WHERE id = ?`, evs[i].Sig, evs[i].ID); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// Keys is what the workstation verifies received events with.
type Keys struct {
	Central ed25519.PublicKey              // nil until pinned
	Devices map[string][]ed25519.PublicKey // device id → every key it has held
}

// For returns the keys that may verify an event (nil when none is known).
func (k Keys) For(e domain.Event) []ed25519.PublicKey {
	if e.Signer() == domain.SignerCentral {
		if k.Central == nil {
			return nil
		}
		return []ed25519.PublicKey{k.Central}
	}
	return k.Devices[e.Device]
}

// Keys reads the pinned city key and the device keys known.
func (s *Store) Keys(ctx context.Context) (Keys, error) {
	k := Keys{Devices: map[string][]ed25519.PublicKey{}}
	ck, err := s.SyncValue(ctx, SyncKeyCentralKey)
	if err != nil {
		return k, err
	}
	if ck != "" {
		if k.Central, err = domain.ParseKey(ck); err != nil {
			return k, fmt.Errorf("khóa của máy chủ đã lưu bị hỏng: %w", err)
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT device, public_key, record FROM device_keys`)
	if err != nil {
		return k, fmt.Errorf("keys: %w", err)
	}
	defer rows.Close()
	me := s.Config().DeviceID
	for rows.Next() {
		var dev, pub, record string
		if err := rows.Scan(&dev, &pub, &record); err != nil {
			return k, err
		}
		if record == selfRecord {
			// A key this workstation held (its data may have come from another machine by
			// a restore): its own events stay verifiable.
			if dev != me {
				continue
			}
		} else {
			// Another device's key counts only as the city vouched for it.
			var r domain.KeyRecord
			if json.Unmarshal([]byte(record), &r) != nil || r.Device != dev || r.PublicKey != pub || k.Central == nil {
				continue
			}
			if _, err := r.Verify(k.Central); err != nil {
				continue
			}
		}
		if pk, err := domain.ParseKey(pub); err == nil {
			k.Devices[dev] = append(k.Devices[dev], pk)
		}
	}
	k.Devices[me] = append(k.Devices[me], s.key.Public().(ed25519.PublicKey))
	return k, rows.Err()
}

// selfRecord marks, in device_keys, a key this workstation itself held.
const selfRecord = "self"

// recordOwnKey notes this workstation's public key among the keys it has held, so events it
// signed stay verifiable wherever its data is restored.
func (s *Store) recordOwnKey(ctx context.Context) error {
	cfg := s.Config()
	_, err := s.w.ExecContext(ctx, `INSERT INTO device_keys(device, public_key, unit, record, added_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(device, public_key) DO NOTHING`, cfg.DeviceID, s.PublicKey(), cfg.UnitCode, selfRecord, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("own key: %w", err)
	}
	return nil
}

// PinCentralKey stores the city's public key if none is pinned yet. A different key than the
// one pinned is refused: only a new enrollment (SaveEnrollment) replaces it.
func (s *Store) PinCentralKey(ctx context.Context, key string) error {
	if _, err := domain.ParseKey(key); err != nil {
		return &domain.RuleError{Code: "sync.central_key", Kind: domain.ErrInvalid, Msg: "Máy chủ gửi khóa công khai không hợp lệ."}
	}
	return s.tx(ctx, "pin central key", func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, SyncKeyCentralKey).Scan(&cur)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		switch cur {
		case key:
			return nil
		case "":
			if err := putSyncValue(ctx, tx, SyncKeyCentralKey, key); err != nil {
				return err
			}
			return s.audit(ctx, tx, "sync", "sync.central_key", "central", key)
		}
		return &domain.RuleError{Code: "sync.central_key_changed", Kind: domain.ErrConflict,
			Msg: "Khóa ký số của máy chủ thành phố khác với khóa đã ghi nhận khi đăng ký; có thể đang kết nối tới máy chủ giả mạo. Hãy báo quản trị hệ thống."}
	})
}

// AddDeviceKeys stores device keys the city vouched for: each record must carry a valid
// signature of the pinned city key; the others are skipped. It returns how many were new.
func (s *Store) AddDeviceKeys(ctx context.Context, records []domain.KeyRecord) (int, error) {
	k, err := s.Keys(ctx)
	if err != nil {
		return 0, err
	}
	if k.Central == nil {
		return 0, &domain.RuleError{Code: "sync.no_central_key", Kind: domain.ErrConflict, Msg: "Chưa có khóa công khai của máy chủ thành phố."}
	}
	added := 0
	err = s.tx(ctx, "device keys", func(tx *sql.Tx) error {
		added = 0
		for _, r := range records {
			if _, err := r.Verify(k.Central); err != nil {
				continue
			}
			raw, _ := json.Marshal(r)
			res, err := tx.ExecContext(ctx, `INSERT INTO device_keys(device, public_key, unit, record, added_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT(device, public_key) DO NOTHING`, r.Device, r.PublicKey, r.Unit, string(raw), s.now().UnixMilli())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		return nil
	})
	return added, err
}

func putRefused(ctx context.Context, tx *sql.Tx, r Refused, now time.Time) error {
	raw, err := json.Marshal(r.Event)
	if err != nil {
		raw, _ = json.Marshal(map[string]string{"id": r.Event.ID, "payload": string(r.Event.Payload)})
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO inbound_quarantine(id, event, reason, at) VALUES (?, ?, ?, ?)`,
		r.Event.ID, string(raw), r.Reason, now.UnixMilli())
	return err
}

// RefusedEvents lists the received events refused, oldest first.
func (s *Store) RefusedEvents(ctx context.Context) ([]Refused, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT event, reason, at FROM inbound_quarantine ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("refused events: %w", err)
	}
	defer rows.Close()
	var out []Refused
	for rows.Next() {
		var raw, reason string
		var at int64
		if err := rows.Scan(&raw, &reason, &at); err != nil {
			return nil, err
		}
		var e domain.Event
		json.Unmarshal([]byte(raw), &e)
		out = append(out, Refused{Event: e, Reason: reason, At: time.UnixMilli(at).UTC()})
	}
	return out, rows.Err()
}

// ClockRepair is what RepairClocks moved.
type ClockRepair struct {
	Moved []Refused
	Clock domain.HLC // the clock after the repair
}

// RepairClocks finds stored events whose clock is out of bounds (more than
// domain.ClockAhead past this workstation's clock, or before 2020), moves each into the
// refused events with the reason, refolds what they touched and brings the clock back to the
// latest event left. Local events are moved too: one stamped in 2036 by a wrong PC clock
// would otherwise order after everything for ten years; the report names them so the
// clerk can record them again.
func (s *Store) RepairClocks(ctx context.Context) (ClockRepair, error) {
	var rep ClockRepair
	now := s.now()
	b := domain.ClockBounds(now)
	err := s.tx(ctx, "repair clocks", func(tx *sql.Tx) error {
		rep.Moved = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`, seq FROM events WHERE hlc >= ? OR hlc < ? OR at > ? OR at < ? ORDER BY seq`,
			b.HLCAbove, b.HLCBelow, b.AtAbove, b.AtBelow)
		if err != nil {
			return err
		}
		var evs []domain.Event
		var firstSeq int64
		for rows.Next() {
			var seq int64
			e, err := sqlitex.ScanEvent(rows, &seq)
			if err != nil {
				rows.Close()
				return err
			}
			if len(evs) == 0 {
				firstSeq = seq
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		streams := map[string]string{}
		for _, e := range evs {
			reason := "Thời điểm của sự kiện nằm ngoài giới hạn."
			if err := domain.CheckClock(e, now, 0); err != nil {
				reason = err.Error()
			}
			r := Refused{Event: e, Reason: reason, At: now}
			if err := putRefused(ctx, tx, r, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id = ?`, e.ID); err != nil {
				return err
			}
			streams[e.StreamID] = e.Stream
			rep.Moved = append(rep.Moved, r)
		}
		for sid, kind := range streams {
			if err := s.refoldOrDrop(ctx, tx, kind, sid); err != nil {
				return err
			}
		}
		if len(evs) > 0 {
			// The chain is relinked past the events taken out (audited below).
			if err := rechainFrom(ctx, tx, firstSeq); err != nil {
				return err
			}
		}
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(hlc), 0) FROM events`).Scan(&last); err != nil {
			return err
		}
		s.clock.Reset(domain.HLC(last))
		rep.Clock = domain.HLC(last)
		if len(rep.Moved) > 0 {
			return s.audit(ctx, tx, "sync", "sync.repair_clocks", "events", fmt.Sprintf("%d sự kiện", len(rep.Moved)))
		}
		return nil
	})
	return rep, err
}

// refoldOrDrop rebuilds a stream's projection after events were taken out of it, removing
// the projection when nothing is left.
func (s *Store) refoldOrDrop(ctx context.Context, tx *sql.Tx, kind, sid string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE stream_id = ?`, sid).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return s.refoldStream(ctx, tx, kind, sid)
	}
	if kind == domain.StreamDossier {
		var rid int64
		err := tx.QueryRowContext(ctx, `SELECT rid FROM dossiers WHERE id = ?`, sid).Scan(&rid)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return s.dropDossier(ctx, tx, rid, sid)
	}
	return nil
}

// Print writes the report for the clerk, in Vietnamese.
func (r ClockRepair) Print(w io.Writer) {
	if len(r.Moved) == 0 {
		fmt.Fprintln(w, "Không có sự kiện nào có thời điểm ngoài giới hạn.")
		return
	}
	fmt.Fprintf(w, "Đã cách ly %d sự kiện có thời điểm ngoài giới hạn:\n", len(r.Moved))
	for _, m := range r.Moved {
		fmt.Fprintf(w, "  %s  %s  máy %s: %s\n", m.Event.ID, m.Event.Type, m.Event.Device, m.Reason)
	}
	if t := r.Clock.Time(); r.Clock > 0 {
		fmt.Fprintf(w, "Đồng hồ của máy trạm nay theo sự kiện mới nhất còn lại: %s.\n", t.In(domain.VN()).Format("15:04:05 02/01/2006"))
	}
}
