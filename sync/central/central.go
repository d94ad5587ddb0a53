// Package central is the server side of motcua's sync protocol v1: the reference "city
// system" used for development, demos and tests (cmd/motcua-central serves it). It keeps its
// own SQLite database, enrolls workstations, takes their events exactly once (deduplicated by
// id), folds dossiers with domain.Fold, serves pulls, the catalogue and tus uploads, lets an
// operator record processing-side events, and can inject faults.
//
// It imports domain, sync/api, sync/bundle and assets; never localdb, ui or the client engine.
package central

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/internal/keyfile"
	"motcua/internal/sqlitex"
	"motcua/sync/api"
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

	catMu  sync.Mutex
	catKey string // meta "catalogue.rev" the cache below was built from
	catDoc []byte
	catTag string
}

// Config configures a Central. Zero values mean the real clock and UUIDv7 ids.
type Config struct {
	Dir   string
	Now   func() time.Time
	NewID func() string
}

// KeyFile is the city's Ed25519 signing key, beside the database (never inside it).
const KeyFile = "central.key"

// OpenCentral opens (creating if needed) the city's database in cfg.Dir.
func OpenCentral(ctx context.Context, cfg Config) (*Central, error) {
	d, err := openDB(ctx, cfg.Dir)
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
func (c *Central) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	c.stmtMu.Lock()
	st, ok := c.stmts[query]
	c.stmtMu.Unlock()
	if !ok {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}
	_, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	return err
}

// Rows per multi-row statement on the push path.
const (
	eventChunk      = 80
	projectionChunk = 40
)

func (c *Central) prepareHot(ctx context.Context) error {
	c.stmtMu.Lock()
	defer c.stmtMu.Unlock()
	c.stmts = map[string]*sql.Stmt{}
	for _, q := range []string{insertEventsSQL(eventChunk), upsertDossiersSQL(projectionChunk)} {
		st, err := c.db.w.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		c.stmts[q] = st
	}
	return nil
}

func insertEventsSQL(n int) string {
	return `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by, received_at) VALUES ` + rowsOf(n, 14)
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

func invalid(msg string) error {
	return &domain.RuleError{Code: "invalid", Msg: msg, Kind: domain.ErrInvalid}
}

func conflict(msg string) error {
	return &domain.RuleError{Code: "conflict", Msg: msg, Kind: domain.ErrConflict}
}

func denied(msg string) error {
	return &domain.RuleError{Code: "denied", Msg: msg, Kind: domain.ErrDenied}
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

const eventColumns = sqlitex.EventColumns

func scanEvent(sc interface{ Scan(...any) error }, extra ...any) (domain.Event, error) {
	return sqlitex.ScanEvent(sc, extra...)
}

// checkPayload decodes an event's payload with the rules every valid one must follow.
func checkPayload(e domain.Event) string {
	if _, err := domain.DecodePayload(e); err != nil {
		return "Nội dung sự kiện không hợp lệ: " + err.Error()
	}
	return ""
}

// checkTrust checks that a pushed event's clock is within bounds and that it is signed by
// one of the pushing device's keys ("" = trusted). A valid token only opens the door.
func checkTrust(e domain.Event, keys []ed25519.PublicKey, now time.Time) string {
	if err := domain.CheckClock(e, now, 0); err != nil {
		return err.Error()
	}
	if e.SigBy != "" {
		return "Máy trạm chỉ được gửi sự kiện do chính mình ký."
	}
	switch err := e.Verify(keys...); {
	case err == nil:
		return ""
	case errors.Is(err, domain.ErrUnknownKey):
		return "Máy trạm chưa đăng ký khóa ký số với máy chủ; hãy cập nhật phần mềm motcua rồi đồng bộ lại."
	default:
		return "Chữ ký số không hợp lệ: " + err.Error() + "."
	}
}

// checkCode finds the dossier code an event gives and checks that it belongs to the pushing
// device: its unit's prefix and its slot. A workstation of one unit cannot make a dossier
// under another unit's code, nor take the numbers of another workstation of its unit.
func checkCode(dev Device, e domain.Event) (code, reason string) {
	code, ok := domain.EventCode(e)
	if !ok {
		return "", ""
	}
	if code == "" {
		if e.Type == domain.EvRegisteredOnline {
			return "", ""
		}
		return "", "Sự kiện thiếu mã hồ sơ."
	}
	dc, err := domain.ParseDossierCode(code)
	if err != nil {
		return code, err.Error()
	}
	if dc.String() != code {
		return code, fmt.Sprintf("Mã hồ sơ %s phải viết đúng dạng %s.", code, dc.String())
	}
	// Every code a workstation gives carries its own slot: an online registration comes
	// from the city's portal, never from a counter, and must not reserve a sibling's numbers.
	if dc.Unit != dev.Unit || dc.Slot != dev.Slot {
		return code, fmt.Sprintf("Mã hồ sơ %s không thuộc máy trạm này: mã do máy số %d của đơn vị %s cấp phải bắt đầu bằng «%s-» và có số thứ tự bắt đầu bằng %d.",
			code, dev.Slot, dev.Unit, dev.Unit, dev.Slot)
	}
	return code, ""
}

// checkEnvelope validates one pushed event's envelope and that it is the pushing device's
// own, for its own unit ("" = valid). The payload is checked separately (checkPayload).
func checkEnvelope(dev Device, e domain.Event) string {
	if err := e.CheckLimits(); err != nil {
		return err.Error()
	}
	if err := e.Check(); err != nil {
		return "Sự kiện không hợp lệ: " + err.Error()
	}
	if e.Device != dev.ID {
		return fmt.Sprintf("Sự kiện ghi máy trạm %s nhưng được gửi từ máy %s.", e.Device, dev.ID)
	}
	if e.Unit != dev.Unit {
		return fmt.Sprintf("Sự kiện thuộc đơn vị %q nhưng máy trạm được đăng ký cho đơn vị %s.", e.Unit, dev.Unit)
	}
	if err := e.CheckStream(); err != nil {
		return err.Error()
	}
	if e.At.UnixMilli() <= 0 {
		return "Thời điểm của sự kiện không hợp lệ."
	}
	return ""
}

// Push stores a device's events exactly once: accepted (new), duplicate (same id, same
// content) or rejected (invalid, another device's or unit's, or the id reused with other
// content). Accepted events are folded into their dossiers in the same transaction. Events
// that break a status rule are kept and show up as conflicts: they are facts.
func (c *Central) Push(ctx context.Context, dev Device, events []domain.Event) (api.PushResponse, error) {
	if len(events) > api.MaxBatch {
		return api.PushResponse{}, invalid(fmt.Sprintf("Mỗi lần gửi tối đa %d sự kiện.", api.MaxBatch))
	}
	results := make([]api.PushResult, len(events))
	bad := make([]string, len(events)) // why an event is invalid on its own; "" = valid
	keys, err := c.keysFor(ctx, dev.ID)
	if err != nil {
		return api.PushResponse{}, err
	}
	now := c.now()
	codes := map[int]string{} // event index → the dossier code it gives
	for i, e := range events {
		bad[i] = checkEnvelope(dev, e)
		if bad[i] == "" {
			bad[i] = checkTrust(e, keys, now)
		}
		if bad[i] == "" {
			var code string
			code, bad[i] = checkCode(dev, e)
			if code != "" {
				codes[i] = code
			}
		}
	}
	// Fold the batch's dossiers now, outside the writer's lock, as if each were new: the
	// common case (a dossier pushed with its events). The transaction uses a fold only when
	// that holds, and folds from the database otherwise. An event the fold applied has a
	// valid payload already; the others are decoded to find out.
	byStream := map[string][]domain.Event{}
	seen := make(map[string]int, len(events))
	for i, e := range events {
		seen[e.ID]++
		if bad[i] == "" && e.Stream == domain.StreamDossier {
			byStream[e.StreamID] = append(byStream[e.StreamID], e)
		}
	}
	prefold := make(map[string]domain.Dossier, len(byStream))
	applied := make(map[string]bool, len(events))
	for sid, evs := range byStream {
		d := domain.Fold(evs)
		prefold[sid] = d
		for _, e := range evs {
			applied[e.ID] = true
		}
		for _, cf := range d.Conflicts {
			applied[cf.EventID] = false
		}
	}
	for i, e := range events {
		if bad[i] == "" && (!applied[e.ID] || seen[e.ID] > 1) {
			bad[i] = checkPayload(e)
		}
	}
	received := c.now().UnixMilli()
	ids := make([]string, 0, len(events))
	sids := make([]string, 0, len(events))
	seenSID := map[string]bool{}
	for i, e := range events {
		if bad[i] == "" {
			ids = append(ids, e.ID)
			if !seenSID[e.StreamID] {
				seenSID[e.StreamID] = true
				sids = append(sids, e.StreamID)
			}
		}
	}
	err = c.db.tx(ctx, "push", func(tx *sql.Tx) error {
		// Set-wise lookups: which ids are held already, which streams exist and whose they are.
		held := map[string]domain.Event{}
		if err := inChunks(ids, 500, func(chunk []string) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanEvent(rows)
				if err != nil {
					return err
				}
				held[e.ID] = e
			}
			return rows.Err()
		}); err != nil {
			return err
		}
		owners := map[string]string{} // stream → unit, for streams with stored events
		if err := inChunks(sids, 500, func(chunk []string) error {
			rows, err := tx.QueryContext(ctx, `SELECT stream_id, MIN(unit) FROM events WHERE stream_id IN (`+placeholders(len(chunk))+`) GROUP BY stream_id`, anys(chunk)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var sid, unit string
				if err := rows.Scan(&sid, &unit); err != nil {
					return err
				}
				owners[sid] = unit
			}
			return rows.Err()
		}); err != nil {
			return err
		}
		// Which dossier of the unit holds each code the batch gives (codes are unique per unit).
		codeOwner := map[string]string{}
		claimed := make([]string, 0, len(codes))
		for i, code := range codes {
			if bad[i] == "" {
				claimed = append(claimed, code)
			}
		}
		if err := inChunks(claimed, 500, func(chunk []string) error {
			rows, err := tx.QueryContext(ctx, `SELECT ma_ho_so, id FROM dossiers WHERE unit = ? AND ma_ho_so IN (`+placeholders(len(chunk))+`)`,
				append([]any{dev.Unit}, anys(chunk)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var code, id string
				if err := rows.Scan(&code, &id); err != nil {
					return err
				}
				codeOwner[code] = id
			}
			return rows.Err()
		}); err != nil {
			return err
		}
		var accepted []domain.Event
		batch := map[string]domain.Event{}   // accepted in this batch, by id
		fresh := map[string][]domain.Event{} // streams new with this batch: their events, folded without a query
		var order []string
		ordered := map[string]bool{}
		for i, e := range events {
			// The closure may run again after a busy retry: start every result afresh.
			results[i] = api.PushResult{ID: e.ID}
			if bad[i] != "" {
				results[i].Status, results[i].Reason = api.Rejected, bad[i]
				continue
			}
			prev, ok := held[e.ID]
			if !ok {
				prev, ok = batch[e.ID]
			}
			if ok {
				if prev.SameContent(e) {
					results[i].Status = api.Duplicate
				} else {
					results[i].Status, results[i].Reason = api.Rejected, "Mã sự kiện đã được dùng cho một sự kiện khác."
				}
				continue
			}
			if u, ok := owners[e.StreamID]; ok && u != e.Unit {
				results[i].Status, results[i].Reason = api.Rejected, fmt.Sprintf("Hồ sơ %s thuộc đơn vị khác.", e.StreamID)
				continue
			}
			if code, ok := codes[i]; ok {
				if holder, held := codeOwner[code]; held && holder != e.StreamID {
					results[i].Status, results[i].Reason = api.Rejected, fmt.Sprintf("Mã hồ sơ %s đã được dùng cho một hồ sơ khác của đơn vị.", code)
					continue
				}
				codeOwner[code] = e.StreamID
			}
			results[i].Status = api.Accepted
			accepted = append(accepted, e)
			batch[e.ID] = e
			if !ordered[e.StreamID] {
				ordered[e.StreamID] = true
				order = append(order, e.StreamID)
			}
			if _, existed := owners[e.StreamID]; !existed {
				fresh[e.StreamID] = append(fresh[e.StreamID], e)
			}
		}
		const cols = 14
		if err := inChunks(accepted, eventChunk, func(chunk []domain.Event) error {
			args := make([]any, 0, len(chunk)*cols)
			for _, e := range chunk {
				args = append(args, e.ID, e.Stream, e.StreamID, string(e.Type), e.Version, string(e.Payload), e.Actor, e.Device, e.Unit,
					e.At.UnixMilli(), int64(e.HLC), e.Sig, e.SigBy, received)
			}
			return c.exec(ctx, tx, insertEventsSQL(len(chunk)), args...)
		}); err != nil {
			return err
		}
		f, err := newFolder(ctx, tx, c.now())
		if err != nil {
			return err
		}
		f.c = c
		defer f.close()
		var folded []domain.Dossier
		for _, sid := range order {
			if evs, ok := fresh[sid]; ok {
				switch {
				case evs[0].Stream != domain.StreamDossier:
				case len(evs) == len(byStream[sid]):
					folded = append(folded, prefold[sid])
				default:
					folded = append(folded, domain.Fold(evs))
				}
				continue
			}
			d, err := f.fold(ctx, sid)
			if err != nil {
				return err
			}
			folded = append(folded, d)
		}
		return f.projectAll(ctx, folded)
	})
	if err != nil {
		return api.PushResponse{}, err
	}
	for i, e := range events {
		if results[i].Status == api.Accepted {
			c.clock.Observe(e.HLC)
		}
	}
	return api.PushResponse{Results: results, ServerTime: c.now().UTC()}, nil
}

// folder rebuilds dossier projections inside a write transaction.
type folder struct {
	c    *Central // statement cache (nil: prepare each time)
	tx   *sql.Tx
	load *sql.Stmt
	now  time.Time
}

func newFolder(ctx context.Context, tx *sql.Tx, now time.Time) (*folder, error) {
	load, err := tx.PrepareContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ? ORDER BY hlc, device, id`)
	if err != nil {
		return nil, err
	}
	return &folder{tx: tx, load: load, now: now}, nil
}

func (f *folder) close() { f.load.Close() }

// fold folds every stored event of a stream.
func (f *folder) fold(ctx context.Context, streamID string) (domain.Dossier, error) {
	rows, err := f.load.QueryContext(ctx, streamID)
	if err != nil {
		return domain.Dossier{}, err
	}
	evs, err := sqlitex.ScanEvents(rows)
	if err != nil {
		return domain.Dossier{}, err
	}
	return domain.Fold(evs), nil
}

// refold folds every stored event of a dossier and writes the projection.
func (f *folder) refold(ctx context.Context, streamID string) error {
	d, err := f.fold(ctx, streamID)
	if err != nil {
		return err
	}
	return f.projectAll(ctx, []domain.Dossier{d})
}

const projectionColumns = 22

// projectAll writes dossiers' folds, many rows per statement.
func (f *folder) projectAll(ctx context.Context, ds []domain.Dossier) error {
	rows := make([]any, 0, len(ds)*projectionColumns)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		query := upsertDossiersSQL(n)
		var err error
		if f.c != nil {
			err = f.c.exec(ctx, f.tx, query, rows...)
		} else {
			_, err = f.tx.ExecContext(ctx, query, rows...)
		}
		rows, n = rows[:0], 0
		return err
	}
	for _, d := range ds {
		if d.ID == "" {
			// Events whose opening event has not arrived yet: nothing to project until it does.
			continue
		}
		p := portalFields(d)
		received := d.ReceivedAt
		if received.IsZero() {
			received = d.RegisteredAt
		}
		var refused time.Time
		if d.Status == domain.StatusRefused {
			refused = d.ClosedAt
		}
		rows = append(rows, d.ID, d.Unit, d.Code, d.Procedure.Code, d.Procedure.Name, d.Procedure.FieldCode, d.Procedure.Field,
			int(d.Channel), p.owner, p.ownerID, int(d.Subject), int(d.Status), ms(received), ms(d.DueAt), ms(d.ReturnedAt),
			ms(d.ResultAt), ms(refused), p.agency, len(d.OpenConflicts()), d.Events, int64(d.LastHLC), f.now.UnixMilli())
		n++
		if n == projectionChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
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

// inChunks calls fn on consecutive chunks of at most size elements.
func inChunks[T any](xs []T, size int, fn func([]T) error) error {
	for start := 0; start < len(xs); start += size {
		if err := fn(xs[start:min(start+size, len(xs))]); err != nil {
			return err
		}
	}
	return nil
}

// Changes returns the next page of events of the device's unit that the device did not
// author, in server order, after cursor ("" = from the start). The cursor is opaque to the
// client: "<epoch>.<seq>", so a cursor from another database is answered with errGone.
func (c *Central) Changes(ctx context.Context, dev Device, cursor string, limit int) (api.ChangesResponse, error) {
	return c.ChangesOwn(ctx, dev, cursor, limit, false)
}

// ChangesOwn is Changes that, with own, also returns the device's own events: a workstation
// restored from a backup asks for them once, to get back what it pushed after the backup.
func (c *Central) ChangesOwn(ctx context.Context, dev Device, cursor string, limit int, own bool) (api.ChangesResponse, error) {
	after, err := c.parseCursor(cursor)
	if err != nil {
		return api.ChangesResponse{}, err
	}
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, 5000)
	// One read transaction: the page and the high-water mark come from the same snapshot.
	tx, err := c.db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return api.ChangesResponse{}, err
	}
	defer tx.Rollback()
	var top int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&top); err != nil {
		return api.ChangesResponse{}, err
	}
	if after > top {
		return api.ChangesResponse{}, errGone
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`, seq FROM events WHERE unit = ? AND seq > ? AND (device <> ? OR ?) ORDER BY seq LIMIT ?`,
		dev.Unit, after, dev.ID, own, limit+1)
	if err != nil {
		return api.ChangesResponse{}, err
	}
	defer rows.Close()
	resp := api.ChangesResponse{Events: []domain.Event{}}
	var last int64
	size, maxSize := 0, c.pageLimit() // bytes too: a page of large events must not be huge
	for rows.Next() {
		var seq int64
		e, err := scanEvent(rows, &seq)
		if err != nil {
			return api.ChangesResponse{}, err
		}
		if len(resp.Events) == limit || len(resp.Events) > 0 && size+encodedSize(e) > maxSize {
			resp.More = true
			break
		}
		resp.Events = append(resp.Events, e)
		size += encodedSize(e)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return api.ChangesResponse{}, err
	}
	if !resp.More {
		// Nothing else for this device up to the snapshot's end: skip past its own events.
		last = top
	}
	resp.Cursor = c.formatCursor(last)
	resp.ServerTime = c.now().UTC()
	return resp, nil
}

func (c *Central) formatCursor(seq int64) string { return fmt.Sprintf("%s.%d", c.epoch, seq) }

func (c *Central) parseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	epoch, seq, ok := strings.Cut(s, ".")
	if !ok || epoch != c.epoch {
		return 0, errGone
	}
	var n int64
	if _, err := fmt.Sscan(seq, &n); err != nil || n < 0 {
		return 0, errGone
	}
	return n, nil
}

// CursorSeq returns the server position a cursor stands for (tests and tools).
func CursorSeq(cursor string) int64 {
	_, seq, _ := strings.Cut(cursor, ".")
	var n int64
	fmt.Sscan(seq, &n)
	return n
}

// EventSeqs maps every stored event id to its server position (tests and tools).
func (c *Central) EventSeqs(ctx context.Context) (map[string]int64, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT id, seq FROM events`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

// Events returns every stored event in server order (tests and tools).
func (c *Central) Events(ctx context.Context) ([]domain.Event, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	return sqlitex.ScanEvents(rows)
}

// dossierByCode finds the one dossier with a code (in unit, when given). A code held by
// dossiers of several units is ambiguous: the operator must say which unit.
func (c *Central) dossierByCode(ctx context.Context, code, unit string) (string, error) {
	q, args := `SELECT id, unit FROM dossiers WHERE ma_ho_so = ?`, []any{code}
	if unit != "" {
		q, args = q+` AND unit = ?`, append(args, unit)
	}
	rows, err := c.db.r.QueryContext(ctx, q+` LIMIT 10`, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var id string
	var units, ids []string
	distinct := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return "", err
		}
		units, ids = append(units, u), append(ids, id)
		distinct[u] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch {
	case len(ids) == 0:
		return "", fmt.Errorf("hồ sơ %s: %w", code, domain.ErrNotFound)
	case len(distinct) > 1:
		return "", invalid(fmt.Sprintf("Mã hồ sơ %s có ở nhiều đơn vị (%s); hãy chỉ rõ đơn vị (--unit).", code, strings.Join(units, ", ")))
	case len(ids) > 1:
		// Left by an older server: two dossiers of one unit with one code.
		return "", invalid(fmt.Sprintf("Mã hồ sơ %s được dùng cho %d hồ sơ của đơn vị %s (%s); hãy chỉ rõ hồ sơ (--dossier).", code, len(ids), units[0], strings.Join(ids, ", ")))
	}
	return id, nil
}

// Record stamps and stores a processing-side event recorded at the city (forwarded,
// progress, result ready, refused, code assigned…) so that pull carries it to the unit's
// counters. It must be allowed by the dossier's state as the city sees it now.
func (c *Central) Record(ctx context.Context, req api.AdminEventRequest) (domain.Event, domain.Dossier, error) {
	typ := domain.EventType(strings.TrimSpace(req.Type))
	if !strings.Contains(string(typ), ".") {
		typ = "dossier." + typ
	}
	actor := strings.TrimSpace(req.Actor)
	if actor == "" {
		actor = "tp.operator"
	}
	payload := req.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	if !json.Valid(payload) {
		return domain.Event{}, domain.Dossier{}, invalid("Nội dung (payload) không phải JSON hợp lệ.")
	}
	id := strings.TrimSpace(req.DossierID)
	if id == "" {
		code := strings.ToUpper(strings.TrimSpace(req.Code))
		if code == "" {
			return domain.Event{}, domain.Dossier{}, invalid("Vui lòng cho biết mã hồ sơ hoặc mã định danh hồ sơ.")
		}
		var err error
		if id, err = c.dossierByCode(ctx, code, strings.ToUpper(strings.TrimSpace(req.Unit))); err != nil {
			return domain.Event{}, domain.Dossier{}, err
		}
	}
	var e domain.Event
	var d domain.Dossier
	err := c.db.tx(ctx, "record", func(tx *sql.Tx) error {
		// Another process (the CLI or the server) may have stored events since this clock
		// last looked: order after all of them.
		h, err := maxHLC(ctx, tx)
		if err != nil {
			return err
		}
		c.clock.Observe(h)
		f, err := newFolder(ctx, tx, c.now())
		if err != nil {
			return err
		}
		defer f.close()
		rows, err := f.load.QueryContext(ctx, id)
		if err != nil {
			return err
		}
		var evs []domain.Event
		for rows.Next() {
			ev, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return err
			}
			evs = append(evs, ev)
		}
		rows.Close()
		cur := domain.Fold(evs)
		if cur.ID == "" {
			return fmt.Errorf("hồ sơ %s: %w", id, domain.ErrNotFound)
		}
		e = domain.Event{ID: c.newID(), Stream: domain.StreamDossier, StreamID: id, Type: typ, Version: 1, Payload: payload,
			Actor: actor, Device: CentralDevice, Unit: cur.Unit, At: c.now().UTC().Truncate(time.Millisecond), HLC: c.clock.Now()}
		if err := e.Check(); err != nil {
			return invalid(err.Error())
		}
		if err := e.CheckLimits(); err != nil {
			return err
		}
		if _, err := domain.DecodePayload(e); err != nil {
			return invalid("Nội dung sự kiện không hợp lệ: " + err.Error())
		}
		if err := cur.Check(e); err != nil {
			return err
		}
		if e.Type == domain.EvCodeAssigned {
			var p domain.CodeAssignedPayload
			if err := json.Unmarshal(e.Payload, &p); err == nil && p.Code != "" {
				var other string
				err := tx.QueryRowContext(ctx, `SELECT id FROM dossiers WHERE unit = ? AND ma_ho_so = ? AND id <> ?`, cur.Unit, p.Code, id).Scan(&other)
				if err == nil {
					return conflict(fmt.Sprintf("Mã hồ sơ %s đã được dùng cho một hồ sơ khác của đơn vị %s.", p.Code, cur.Unit))
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
		}
		e.Sign(c.key, "")
		if _, err := tx.ExecContext(ctx, `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Stream, e.StreamID, string(e.Type), e.Version, string(e.Payload),
			e.Actor, e.Device, e.Unit, e.At.UnixMilli(), int64(e.HLC), e.Sig, e.SigBy, c.now().UnixMilli()); err != nil {
			return err
		}
		if err := f.refold(ctx, id); err != nil {
			return err
		}
		d = domain.Fold(append(evs, e))
		return nil
	})
	return e, d, err
}

// Dossier returns the city's fold of a dossier. The projection table holds the columns
// lists and reports need; the whole dossier is folded from its events when asked for (the
// push path stays lean).
func (c *Central) Dossier(ctx context.Context, id string) (domain.Dossier, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ? ORDER BY hlc, device, id`, id)
	if err != nil {
		return domain.Dossier{}, err
	}
	evs, err := sqlitex.ScanEvents(rows)
	if err != nil {
		return domain.Dossier{}, err
	}
	d := domain.Fold(evs)
	if d.ID == "" {
		return domain.Dossier{}, fmt.Errorf("hồ sơ %s: %w", id, domain.ErrNotFound)
	}
	return d, nil
}

// DossierFilter selects dossiers for GET /dossiers.
type DossierFilter struct {
	Unit   string
	Status domain.Status
	Code   string
	Limit  int
	Offset int
}

// Dossiers lists dossiers, most recently changed first.
func (c *Central) Dossiers(ctx context.Context, f DossierFilter) ([]domain.Dossier, error) {
	var conds []string
	var args []any
	if f.Unit != "" {
		conds, args = append(conds, "unit = ?"), append(args, f.Unit)
	}
	if f.Status != 0 {
		conds, args = append(conds, "trang_thai = ?"), append(args, int(f.Status))
	}
	if f.Code != "" {
		conds, args = append(conds, "ma_ho_so = ?"), append(args, strings.ToUpper(f.Code))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 10000)
	q := `SELECT id FROM dossiers`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	q += ` ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, max(f.Offset, 0))
	rows, err := c.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]domain.Dossier, 0, len(ids))
	for _, id := range ids {
		d, err := c.Dossier(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Stats counts what the city holds.
func (c *Central) Stats(ctx context.Context) (api.StatsResponse, error) {
	st := api.StatsResponse{ByStatus: map[string]int{}, ByUnit: map[string]int{}}
	rows, err := c.db.r.QueryContext(ctx, `SELECT unit, trang_thai, COUNT(*) FROM dossiers GROUP BY unit, trang_thai`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var unit string
		var status, n int
		if err := rows.Scan(&unit, &status, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.ByStatus[fmt.Sprint(status)] += n
		st.ByUnit[unit] += n
		st.Dossiers += n
	}
	rows.Close()
	err = c.db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM files),
		(SELECT COUNT(*) FROM devices WHERE active = 1)`).Scan(&st.Events, &st.Files, &st.Devices)
	return st, err
}
