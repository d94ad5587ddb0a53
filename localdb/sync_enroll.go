package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"motcua/domain"
)

// Sync bookkeeping keys in the sync_state table (owned by the sync engine).
const (
	SyncKeyToken         = "device.token"   // the device token from enrollment (kept in SecretsFile, read through SyncValue)
	SyncKeyAuthPaused    = "auth.paused"    // set when the central system answered 401: sync waits for re-enrollment
	SyncKeyCursor        = "pull.cursor"    // the pull cursor, stored with the events it covers
	SyncKeyCatalogueETag = "catalogue.etag" // ETag of the catalogue last applied
)

// Enrollment is what the central system gave this workstation when it joined a unit.
type Enrollment struct {
	ServerURL  string
	Token      string
	DeviceID   string
	DeviceName string
	UnitCode   string
	UnitName   string
	Slot       int
	CentralKey string // the city's public key, pinned from now on
	PublicKey  string // this device's key, as sent in the enrollment
	// AllowPlainHTTP: an administrator chose plain http:// to a server on another machine.
	AllowPlainHTTP bool
}

// SaveEnrollment stores an enrollment in one transaction: server URL, unit, slot and device
// name in the configuration, the auth pause lifted; the token goes to SecretsFile. It refuses,
// changing nothing, when this workstation already made events under another unit code or
// slot: they are part of every dossier code it issued. A new server or unit starts pulling
// from the beginning.
func (s *Store) SaveEnrollment(ctx context.Context, en Enrollment) error {
	en.UnitCode = strings.ToUpper(strings.TrimSpace(en.UnitCode))
	en.UnitName = strings.TrimSpace(en.UnitName)
	en.ServerURL = strings.TrimRight(strings.TrimSpace(en.ServerURL), "/")
	old := s.Config()
	if en.DeviceID != "" && en.DeviceID != old.DeviceID {
		return &domain.RuleError{Code: "enroll.device", Kind: domain.ErrConflict,
			Msg: fmt.Sprintf("Máy chủ trả về mã thiết bị %s, khác với mã của máy trạm này (%s).", en.DeviceID, old.DeviceID)}
	}
	if en.Token == "" {
		return &domain.RuleError{Code: "enroll.token", Kind: domain.ErrInvalid, Msg: "Máy chủ không cấp mã truy cập cho thiết bị."}
	}
	cfg := old
	cfg.ServerURL, cfg.UnitCode, cfg.UnitName, cfg.Slot = en.ServerURL, en.UnitCode, en.UnitName, en.Slot
	cfg.AllowPlainHTTP = en.AllowPlainHTTP
	if strings.TrimSpace(en.DeviceName) != "" {
		cfg.DeviceName = strings.TrimSpace(en.DeviceName)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	// The token goes to SecretsFile first, and back to what it was if the enrollment is
	// refused below: never into the database.
	prev, err := s.token()
	if err != nil {
		return err
	}
	if err := s.updateSecrets(func(sec *deviceSecrets) { sec.Token = en.Token }); err != nil {
		return err
	}
	err = s.tx(ctx, "enroll", func(tx *sql.Tx) error {
		var otherUnit string
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(unit), '') FROM events WHERE local = 1 AND unit <> ?`, cfg.UnitCode).Scan(&n, &otherUnit); err != nil {
			return err
		}
		if n > 0 {
			return &domain.RuleError{Code: "enroll.unit_locked", Kind: domain.ErrConflict,
				Msg: fmt.Sprintf("Máy trạm này đã tiếp nhận hồ sơ của đơn vị %s (%d sự kiện); không thể đăng ký vào đơn vị %s. Hãy xin mã đăng ký đúng đơn vị.", otherUnit, n, cfg.UnitCode)}
		}
		if old.Configured() && old.Slot != cfg.Slot {
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE local = 1`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &domain.RuleError{Code: "enroll.slot_locked", Kind: domain.ErrConflict,
					Msg: fmt.Sprintf("Máy trạm này đã cấp mã hồ sơ với số máy %d; không thể nhận số máy %d. Hãy xin mã đăng ký cho máy số %d.", old.Slot, cfg.Slot, old.Slot)}
			}
		}
		raw, _ := json.Marshal(cfg)
		if err := putSetting(ctx, tx, "config", string(raw)); err != nil {
			return err
		}
		// A new enrollment is the trust anchor: the city's key it carries replaces any
		// pinned before, and the device key it carried is registered.
		for k, v := range map[string]string{SyncKeyCentralKey: en.CentralKey, SyncKeyKeyRegistered: en.PublicKey} {
			if v == "" {
				continue
			}
			if err := putSyncValue(ctx, tx, k, v); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_state WHERE key = ?`, SyncKeyAuthPaused); err != nil {
			return err
		}
		if old.ServerURL != cfg.ServerURL || old.UnitCode != cfg.UnitCode {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sync_state WHERE key IN (?, ?)`, SyncKeyCursor, SyncKeyCatalogueETag); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, "sync", "sync.enroll", cfg.UnitCode, fmt.Sprintf("máy số %d, máy chủ %s", cfg.Slot, cfg.ServerURL))
	})
	if err != nil {
		if rerr := s.updateSecrets(func(sec *deviceSecrets) { sec.Token = prev }); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
	s.written() // wakes the sync engine
	return nil
}

// EnrollmentBinding returns the unit code and slot this workstation is bound to: the ones
// in its configuration once it has made events (they are part of every code it issued).
// Empty when it is free to join any unit at any slot.
func (s *Store) EnrollmentBinding(ctx context.Context) (string, int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE local = 1 LIMIT 1)`).Scan(&n); err != nil {
		return "", 0, fmt.Errorf("enrollment binding: %w", err)
	}
	cfg := s.Config()
	if n == 0 || !cfg.Configured() {
		return "", 0, nil
	}
	return cfg.UnitCode, cfg.Slot, nil
}

// PauseSync records that the central system refused this workstation's token: sync waits
// for re-enrollment (SaveEnrollment lifts the pause).
func (s *Store) PauseSync(ctx context.Context, reason string) error {
	return s.tx(ctx, "pause sync", func(tx *sql.Tx) error {
		if err := putSyncValue(ctx, tx, SyncKeyAuthPaused, reason); err != nil {
			return err
		}
		return s.audit(ctx, tx, "sync", "sync.paused", "auth", reason)
	})
}

// ResetCursor forgets the pull cursor (the central system no longer knows it): the next pull
// starts from the beginning. Events already held are skipped by id, so nothing is lost.
func (s *Store) ResetCursor(ctx context.Context) error {
	return s.tx(ctx, "reset cursor", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sync_state WHERE key = ?`, SyncKeyCursor)
		return err
	})
}
