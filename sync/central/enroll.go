package central

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// EnrollRetryWindow is how long after a code was used the same workstation, with the same
// nonce and key, may ask again for a token (its first reply was lost on the way).
const EnrollRetryWindow = 10 * time.Minute

// Enroll lets a workstation join a unit with a one-time code. The workstation keeps its own
// device id (it already names the events made offline) and sends its public key and a nonce.
//
// A code gives a token once. The only second answer is for the same device presenting the
// same code with the same nonce and key within EnrollRetryWindow (the reply was lost): it
// gets a fresh token, and the earlier one stops working. An active device is never
// re-enrolled, moved to another unit or slot, or given a new token by a code: an admin
// revokes it first. So a device id read from a pulled event is worth nothing to an attacker.
func (c *Central) Enroll(ctx context.Context, req api.EnrollRequest) (api.EnrollResponse, error) {
	code := normaliseCode(req.Code)
	name := strings.TrimSpace(req.DeviceName)
	if code == "" {
		return api.EnrollResponse{}, invalid("Vui lòng nhập mã đăng ký do quản trị hệ thống cấp.")
	}
	if len(code) > 64 {
		return api.EnrollResponse{}, invalid("Mã đăng ký không đúng dạng.")
	}
	if name == "" {
		name = "Máy trạm"
	}
	if len(name) > 200 {
		return api.EnrollResponse{}, invalid("Tên máy trạm quá dài (tối đa 200 ký tự).")
	}
	if !storable(name, req.UnitCode) {
		return api.EnrollResponse{}, invalid("Tên máy trạm chứa ký tự không hợp lệ.")
	}
	devID := strings.TrimSpace(req.DeviceID)
	if devID == "" {
		devID = c.newID()
	}
	if _, err := uuid.Parse(devID); err != nil || len(devID) != 36 {
		return api.EnrollResponse{}, invalid("Mã thiết bị không hợp lệ.")
	}
	if _, err := domain.ParseKey(req.PublicKey); err != nil {
		return api.EnrollResponse{}, invalid("Máy trạm không gửi khóa ký số hợp lệ; hãy cập nhật phần mềm motcua lên phiên bản mới.")
	}
	nonce := strings.TrimSpace(req.Nonce)
	if len(nonce) < 16 || len(nonce) > 128 {
		return api.EnrollResponse{}, invalid("Yêu cầu đăng ký thiếu mã chống lặp (nonce); hãy cập nhật phần mềm motcua lên phiên bản mới.")
	}
	token := newToken()
	var resp api.EnrollResponse
	now := c.now()
	err := c.db.tx(ctx, "enroll", func(tx *sql.Tx) error {
		var unit, unitName, nonceHash string
		var slot int
		var expires int64
		var usedAt sql.NullInt64
		var usedBy sql.NullString
		// The code's row stays locked to the end: the same code used twice at once gives one
		// token (the second use reads the code as used).
		err := tx.QueryRowContext(ctx, `SELECT unit, unit_name, slot, expires_at, used_at, device_id, nonce_hash FROM enroll_codes WHERE code_hash = ?`+c.db.forUpdate(),
			hashSecret(code)).Scan(&unit, &unitName, &slot, &expires, &usedAt, &usedBy, &nonceHash)
		if errors.Is(err, sql.ErrNoRows) {
			return denied("Mã đăng ký không đúng; hãy kiểm tra lại hoặc xin quản trị hệ thống cấp mã mới.")
		}
		if err != nil {
			return err
		}
		// Enrollments of one unit take turns (two codes for one slot used at once: the
		// second finds the slot taken).
		if err := c.db.lockFeed(ctx, tx, unit); err != nil {
			return err
		}
		var active sql.NullBool
		var curKey string
		err = tx.QueryRowContext(ctx, `SELECT active, public_key FROM devices WHERE id = ?`, devID).Scan(&active, &curKey)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if usedAt.Valid {
			retry := usedBy.String == devID && nonceHash != "" && nonceHash == hashSecret(nonce) &&
				now.UnixMilli()-usedAt.Int64 <= EnrollRetryWindow.Milliseconds() && active.Valid && active.Bool && curKey == req.PublicKey
			if !retry {
				return denied("Mã đăng ký đã được sử dụng; mỗi mã chỉ dùng được một lần. Hãy xin quản trị hệ thống cấp mã mới.")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET token_hash = ? WHERE id = ?`, hashSecret(token), devID); err != nil {
				return err
			}
			resp = api.EnrollResponse{DeviceID: devID, Token: token, UnitCode: unit, UnitName: unitName, Slot: slot, CentralKey: c.PublicKey()}
			return nil
		}
		if now.UnixMilli() > expires {
			return denied("Mã đăng ký đã hết hạn (hiệu lực 7 ngày); hãy xin quản trị hệ thống cấp mã mới.")
		}
		if req.UnitCode != "" && (!strings.EqualFold(req.UnitCode, unit) || req.Slot != slot) {
			return conflict(fmt.Sprintf("Máy trạm này đã cấp mã hồ sơ của đơn vị %s với số máy %d; mã đăng ký này dành cho máy số %d của đơn vị %s. Hãy xin mã đăng ký cho máy số %d của đơn vị %s.",
				strings.ToUpper(req.UnitCode), req.Slot, slot, unit, req.Slot, strings.ToUpper(req.UnitCode)))
		}
		if active.Valid && active.Bool {
			return conflict(fmt.Sprintf("Máy trạm có mã thiết bị %s đang hoạt động; không thể đăng ký lại, chuyển đơn vị hay cấp mã truy cập mới cho máy này. Nếu đúng là cần đăng ký lại, quản trị hệ thống hãy thu hồi máy đó trước (motcua-central revoke --device %s).", devID, devID))
		}
		var holder string
		err = tx.QueryRowContext(ctx, `SELECT name FROM devices WHERE unit = ? AND slot = ? AND active = 1 AND id <> ?`, unit, slot, devID).Scan(&holder)
		if err == nil {
			return conflict(fmt.Sprintf("Máy số %d của đơn vị %s đang được máy «%s» sử dụng.", slot, unit, holder))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices(id, name, unit, slot, token_hash, active, enrolled_at, public_key) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, unit = excluded.unit, slot = excluded.slot,
				token_hash = excluded.token_hash, active = 1, enrolled_at = excluded.enrolled_at, revoked_at = NULL, public_key = excluded.public_key`,
			devID, name, unit, slot, hashSecret(token), now.UnixMilli(), req.PublicKey); err != nil {
			return err
		}
		if err := addDeviceKey(ctx, tx, devID, unit, req.PublicKey, now); err != nil {
			return err
		}
		// A new enrollment (after a revoke) starts a new chain (a restored or new store).
		if _, err := tx.ExecContext(ctx, `DELETE FROM device_heads WHERE device = ?`, devID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enroll_codes SET used_at = ?, device_id = ?, nonce_hash = ? WHERE code_hash = ?`,
			now.UnixMilli(), devID, hashSecret(nonce), hashSecret(code)); err != nil {
			return err
		}
		resp = api.EnrollResponse{DeviceID: devID, Token: token, UnitCode: unit, UnitName: unitName, Slot: slot, CentralKey: c.PublicKey()}
		return nil
	})
	if err == nil {
		c.forgetKeys(devID)
	}
	return resp, err
}

func addDeviceKey(ctx context.Context, tx *sql.Tx, device, unit, key string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO device_keys(device, unit, public_key, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(device, public_key) DO NOTHING`, device, unit, key, now.UnixMilli())
	return err
}

// RegisterKey records the public key of a device enrolled before events were signed (the
// cut-over): once, authenticated by the device's token. The same key again is accepted; a
// different key is refused until an admin revokes the device and it enrolls again.
func (c *Central) RegisterKey(ctx context.Context, dev Device, key string) error {
	if _, err := domain.ParseKey(key); err != nil {
		return invalid("Khóa ký số không hợp lệ.")
	}
	err := c.db.tx(ctx, "register key", func(tx *sql.Tx) error {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT public_key FROM devices WHERE id = ? AND active = 1`+c.db.forUpdate(), dev.ID).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errAuth
			}
			return err
		}
		switch cur {
		case key:
			return nil
		case "":
		default:
			return conflict("Máy trạm này đã đăng ký một khóa ký số khác; không thể thay khóa. Quản trị hệ thống cần thu hồi máy (motcua-central revoke) rồi cấp mã đăng ký mới.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE devices SET public_key = ? WHERE id = ?`, key, dev.ID); err != nil {
			return err
		}
		return addDeviceKey(ctx, tx, dev.ID, dev.Unit, key, c.now())
	})
	if err == nil {
		c.forgetKeys(dev.ID)
	}
	return err
}

// DeviceKeys returns the city's key and every key held by a device of the unit, each signed
// by the city, for workstations to verify pulled events with.
func (c *Central) DeviceKeys(ctx context.Context, unit string) (api.KeysResponse, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT device, unit, public_key FROM device_keys WHERE unit = ? ORDER BY device, added_at`, unit)
	if err != nil {
		return api.KeysResponse{}, err
	}
	defer rows.Close()
	resp := api.KeysResponse{CentralKey: c.PublicKey(), Keys: []domain.KeyRecord{}}
	for rows.Next() {
		var r domain.KeyRecord
		if err := rows.Scan(&r.Device, &r.Unit, &r.PublicKey); err != nil {
			return api.KeysResponse{}, err
		}
		r.Sign(c.key)
		resp.Keys = append(resp.Keys, r)
	}
	if err := rows.Err(); err != nil {
		return api.KeysResponse{}, err
	}
	roster, err := c.roster(ctx, unit)
	if err != nil {
		return api.KeysResponse{}, err
	}
	resp.Roster = &roster
	return resp, nil
}

// roster lists the unit's active devices with their current keys, signed: the list LAN
// peers admit each other by (a revoked device drops out of it).
func (c *Central) roster(ctx context.Context, unit string) (domain.Roster, error) {
	r := domain.Roster{Unit: unit, At: c.now().UnixMilli(), Devices: []domain.RosterDevice{}}
	rows, err := c.db.r.QueryContext(ctx, `SELECT id, public_key, slot, name FROM devices WHERE unit = ? AND active = 1 AND public_key != '' ORDER BY slot, id`, unit)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var d domain.RosterDevice
		if err := rows.Scan(&d.Device, &d.PublicKey, &d.Slot, &d.Name); err != nil {
			return r, err
		}
		r.Devices = append(r.Devices, d)
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.Sign(c.key)
	return r, nil
}

// PublicKey is the city's public key (domain.EncodeKey).
func (c *Central) PublicKey() string { return domain.EncodeKey(c.key.Public().(ed25519.PublicKey)) }

// keysFor returns every public key a device has held (cached; enrollment and key
// registration forget the cache entry).
func (c *Central) keysFor(ctx context.Context, device string) ([]ed25519.PublicKey, error) {
	c.keysMu.Lock()
	ks, ok := c.keys[device]
	c.keysMu.Unlock()
	if ok {
		return ks, nil
	}
	rows, err := c.db.r.QueryContext(ctx, `SELECT public_key FROM device_keys WHERE device = ?`, device)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if k, err := domain.ParseKey(s); err == nil {
			ks = append(ks, k)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.keysMu.Lock()
	if len(c.keys) > 10000 {
		clear(c.keys)
	}
	c.keys[device] = ks
	c.keysMu.Unlock()
	return ks, nil
}

func (c *Central) forgetKeys(device string) {
	c.keysMu.Lock()
	delete(c.keys, device)
	c.keysMu.Unlock()
}

// metaAttested records that the events stored before signing were attested.
const metaAttested = "upgrade.attested"

// attestLegacy signs, with the city's key, every stored event that has no signature: the
// events received before signing existed. It runs once, when the database is upgraded (and
// finds nothing to do afterwards).
func (c *Central) attestLegacy(ctx context.Context) (int, error) {
	// Once done, never again: every event stored since carries a signature, and looking
	// for unsigned ones reads the whole log on every start.
	if done, err := c.db.meta(ctx, metaAttested); err != nil || done != "" {
		return 0, err
	}
	total := 0
	for {
		rows, err := c.db.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE sig = '' LIMIT 2000`)
		if err != nil {
			return total, err
		}
		var evs []domain.Event
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return total, err
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		if len(evs) == 0 {
			return total, c.db.tx(ctx, "attest", func(tx *sql.Tx) error { return putMeta(ctx, tx, metaAttested, "1") })
		}
		if err := c.db.tx(ctx, "attest", func(tx *sql.Tx) error {
			for i := range evs {
				by := domain.SignerCentral
				if evs[i].Device == domain.SignerCentral {
					by = "" // the city's own record: signed as its author
				}
				evs[i].Sign(c.key, by)
				if _, err := tx.ExecContext(ctx, `UPDATE events SET sig = ?, sig_by = ? WHERE id = ?`, evs[i].Sig, evs[i].SigBy, evs[i].ID); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return total, err
		}
		total += len(evs)
	}
}

// RecordHead keeps the head of a device's local event chain as it last showed it in a push,
// signed with the device's key, and returns the head the city now holds.
func (c *Central) RecordHead(ctx context.Context, dev Device, h api.ChainHead) (api.ChainHead, error) {
	if h.Seq < 0 || len(h.Link) != 64 || strings.Trim(h.Link, "0123456789abcdef") != "" {
		return api.ChainHead{}, invalid("Đầu chuỗi sự kiện của máy trạm không hợp lệ.")
	}
	keys, err := c.keysFor(ctx, dev.ID)
	if err != nil {
		return api.ChainHead{}, err
	}
	if !domain.VerifyHead(dev.ID, h.Seq, h.Link, h.At.UnixMilli(), h.Sig, keys...) {
		return api.ChainHead{}, invalid("Đầu chuỗi sự kiện không có chữ ký hợp lệ của máy trạm.")
	}
	now := c.now()
	if h.At.After(now.Add(domain.ClockAhead)) {
		return api.ChainHead{}, invalid("Thời điểm của đầu chuỗi sự kiện vượt quá giờ của máy chủ.")
	}
	var out api.ChainHead
	err = c.db.tx(ctx, "head", func(tx *sql.Tx) error {
		// The latest head the device signed (by the time it signed with it): after a restore
		// its chain is shorter than before, and that is the chain to compare with from now
		// on; an older head replayed later changes nothing.
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_heads(device, seq, link, at) VALUES (?, ?, ?, ?)
			ON CONFLICT(device) DO UPDATE SET seq = excluded.seq, link = excluded.link, at = excluded.at
			WHERE excluded.at > device_heads.at`,
			dev.ID, h.Seq, h.Link, h.At.UnixMilli()); err != nil {
			return err
		}
		var at int64
		if err := tx.QueryRowContext(ctx, `SELECT seq, link, at FROM device_heads WHERE device = ?`, dev.ID).Scan(&out.Seq, &out.Link, &at); err != nil {
			return err
		}
		out.At = time.UnixMilli(at).UTC()
		return nil
	})
	return out, err
}

// Head is the chain head the city holds for a device (ErrNotFound before its first push).
func (c *Central) Head(ctx context.Context, dev Device) (api.ChainHead, error) {
	var out api.ChainHead
	var at int64
	err := c.db.r.QueryRowContext(ctx, `SELECT seq, link, at FROM device_heads WHERE device = ?`, dev.ID).Scan(&out.Seq, &out.Link, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("đầu chuỗi của thiết bị %s: %w", dev.ID, domain.ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	out.At = time.UnixMilli(at).UTC()
	err = c.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE unit = ? AND device = ?`, dev.Unit, dev.ID).Scan(&out.Events)
	return out, err
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I: read aloud over the phone

func newEnrollCode() string {
	b := make([]byte, 12)
	rand.Read(b)
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return sb.String()
}

// normaliseCode accepts a code typed with spaces, dashes or in lower case.
func normaliseCode(s string) string {
	s = strings.ToUpper(s)
	var sb strings.Builder
	for _, r := range s {
		if r != '-' && r != ' ' && r != '\t' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// IssueEnrollCode makes a one-time code that lets one workstation join a unit at a slot.
// The slot must not be held by an active device of the unit.
func (c *Central) IssueEnrollCode(ctx context.Context, unitCode, unitName string, slot int) (string, time.Time, error) {
	unitCode = strings.ToUpper(strings.TrimSpace(unitCode))
	unitName = strings.TrimSpace(unitName)
	if err := domain.ValidateUnitCode(unitCode); err != nil {
		return "", time.Time{}, err
	}
	if err := domain.ValidateSlot(slot); err != nil {
		return "", time.Time{}, err
	}
	if unitName == "" {
		return "", time.Time{}, invalid("Vui lòng nhập tên đơn vị.")
	}
	if !storable(unitName) {
		return "", time.Time{}, invalid("Tên đơn vị chứa ký tự không hợp lệ.")
	}
	code := newEnrollCode()
	now := c.now()
	expires := now.Add(EnrollCodeTTL)
	err := c.db.tx(ctx, "enroll code", func(tx *sql.Tx) error {
		var holder string
		err := tx.QueryRowContext(ctx, `SELECT name FROM devices WHERE unit = ? AND slot = ? AND active = 1`, unitCode, slot).Scan(&holder)
		if err == nil {
			return conflict(fmt.Sprintf("Máy số %d của đơn vị %s đang được máy «%s» sử dụng; hãy thu hồi máy đó (motcua-central revoke) hoặc chọn số máy khác.", slot, unitCode, holder))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO units(code, name) VALUES (?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name`, unitCode, unitName); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO enroll_codes(code_hash, unit, unit_name, slot, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hashSecret(normaliseCode(code)), unitCode, unitName, slot, now.UnixMilli(), expires.UnixMilli())
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
}

// Revoke withdraws a device's token: its next call gets 401 and its sync pauses until it
// enrolls again. The slot becomes free.
func (c *Central) Revoke(ctx context.Context, deviceID string) error {
	return c.db.tx(ctx, "revoke", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET active = 0, revoked_at = ? WHERE id = ? AND active = 1`, c.now().UnixMilli(), deviceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("thiết bị %s: %w", deviceID, domain.ErrNotFound)
		}
		return nil
	})
}

// Devices lists the enrolled devices.
func (c *Central) Devices(ctx context.Context) ([]Device, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT id, name, unit, slot, active FROM devices ORDER BY unit, slot, enrolled_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var d Device
		if err := rows.Scan(&d.ID, &d.Name, &d.Unit, &d.Slot, &d.Active); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Authenticate finds the active device holding a token.
func (c *Central) Authenticate(ctx context.Context, token string) (Device, error) {
	if token == "" {
		return Device{}, errAuth
	}
	var d Device
	err := c.db.r.QueryRowContext(ctx, `SELECT id, name, unit, slot, active FROM devices WHERE token_hash = ?`, hashSecret(token)).
		Scan(&d.ID, &d.Name, &d.Unit, &d.Slot, &d.Active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !d.Active) {
		return Device{}, errAuth
	}
	return d, err
}
