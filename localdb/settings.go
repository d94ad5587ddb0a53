package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"motcua/assets"
	"motcua/domain"
	"motcua/domain/calendar"
)

// Config is the workstation's configuration, kept in the settings table.
type Config struct {
	UnitCode        string                `json:"unit_code"`
	UnitName        string                `json:"unit_name"`
	Parent          string                `json:"parent,omitempty"`  // the commune People's Committee ("UBND xã …"), printed above the centre's name
	Place           string                `json:"place,omitempty"`   // place name on the date line of forms
	Address         string                `json:"address,omitempty"` // the centre's address and phone, for forms
	Phone           string                `json:"phone,omitempty"`
	Slot            int                   `json:"slot"`
	DeviceID        string                `json:"device_id"`
	DeviceName      string                `json:"device_name"`
	ServerURL       string                `json:"server_url,omitempty"`
	ReturnPlace     string                `json:"return_place,omitempty"` // where results are collected (Mẫu 01, item 6)
	Book            string                `json:"book,omitempty"`         // tracking book volume (Quyển số)
	Language        string                `json:"language,omitempty"`     // "vi" or "en"
	IdleLockMinutes int                   `json:"idle_lock_minutes"`
	RescheduleLimit int                   `json:"reschedule_limit"` // how many times a due date may be set anew (unconfirmed rule: 1)
	Hours           calendar.WorkingHours `json:"hours"`
	BackupDir       string                `json:"backup_dir,omitempty"`
	Targets         Targets               `json:"targets"`
	Receipt         ReceiptSettings       `json:"receipt"`
	// AllowPlainHTTP: an administrator chose http:// to a sync server on another machine.
	AllowPlainHTTP bool           `json:"allow_plain_http,omitempty"`
	Report         ReportSettings `json:"report"`
}

// ReportSettings are the province's choices for the II.06a report (Biểu số 06/VPCP/KSTT),
// which provincial systems make differently: when a dossier counts as resolved, and how
// the dossiers withdrawn, stopped or refused are counted. The printed report states them.
type ReportSettings struct {
	ResolvedAt string                  `json:"resolved_at,omitempty"` // domain.FinishRule by name: "result" (default) or "return"
	Closed     domain.ClosedTreatments `json:"closed"`
}

// Options are the report options the settings give (the calendar and fields are the
// store's, filled in by Report).
func (r ReportSettings) Options() domain.ReportOptions {
	finish, _ := domain.ParseFinishRule(r.ResolvedAt)
	return domain.ReportOptions{Finish: finish, Closed: r.Closed.Normalized()}
}

// ReceiptSettings are how the province wants its receipts (Mẫu 01) printed.
type ReceiptSettings struct {
	// LookupURL is the address where citizens follow a dossier; the receipt's QR code
	// and its lookup line carry it with the code (in place of "{code}", or appended).
	LookupURL string `json:"lookup_url,omitempty"`
	// Copies is how many copies (liên) one print makes: 1, or 2 where the province asks
	// for one to hand out and one to keep.
	Copies int `json:"copies,omitempty"`
}

// Targets are the city's goals a supervisor compares the centre with, in percent. They
// change with each year's plan, so they are settings, not rules.
type Targets struct {
	Online           float64 `json:"online"`            // dossiers received online
	FullyDigital     float64 `json:"fully_digital"`     // processed fully digitally
	DigitizedEResult float64 `json:"digitized_eresult"` // digitized with an electronic result
	OnTime           float64 `json:"on_time"`           // resolved early or on time
}

// DefaultTargets are the city's targets for the end of 2025 (DOMAIN.md).
func DefaultTargets() Targets {
	return Targets{Online: 60, FullyDigital: 80, DigitizedEResult: 100, OnTime: 100}
}

// Configured reports whether the first-run set-up has been done.
func (c Config) Configured() bool { return c.UnitCode != "" && c.Slot > 0 }

// DefaultConfig is what a new store starts with.
func DefaultConfig() Config {
	return Config{IdleLockMinutes: 10, RescheduleLimit: 1, Hours: calendar.DefaultHours(), Language: "vi", Targets: DefaultTargets()}
}

// Validate checks the configuration a clerk or the wizard entered.
func (c Config) Validate() error {
	var v domain.ValidationError
	if err := domain.ValidateUnitCode(c.UnitCode); err != nil {
		v = append(v, domain.FieldError{Field: "unit_code", Code: "unit.code", Msg: err.Error()})
	}
	if strings.TrimSpace(c.UnitName) == "" {
		v = append(v, domain.FieldError{Field: "unit_name", Code: "unit.name", Msg: "Vui lòng nhập tên đơn vị (ví dụ: Trung tâm Phục vụ hành chính công xã …)."})
	}
	if err := domain.ValidateSlot(c.Slot); err != nil {
		v = append(v, domain.FieldError{Field: "slot", Code: "unit.slot", Msg: err.Error()})
	}
	if err := c.Hours.Validate(); err != nil {
		v = append(v, domain.FieldError{Field: "hours", Code: "unit.hours", Msg: "Giờ làm việc không hợp lệ: " + err.Error()})
	}
	for _, t := range []float64{c.Targets.Online, c.Targets.FullyDigital, c.Targets.DigitizedEResult, c.Targets.OnTime} {
		if t < 0 || t > 100 {
			v = append(v, domain.FieldError{Field: "targets", Code: "unit.targets", Msg: "Chỉ tiêu phải từ 0 đến 100%."})
			break
		}
	}
	if !domain.CommuneCommittee(c.Parent) {
		v = append(v, domain.FieldError{Field: "parent", Code: "unit.parent",
			Msg: "Dòng trên tên trung tâm là Ủy ban nhân dân cấp xã đã thành lập trung tâm: «UBND xã …», «UBND phường …» hoặc «UBND đặc khu …»."})
	}
	if u := strings.TrimSpace(c.Receipt.LookupURL); u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		v = append(v, domain.FieldError{Field: "lookup_url", Code: "unit.lookup_url", Msg: "Địa chỉ tra cứu phải bắt đầu bằng https:// (hoặc http://)."})
	}
	if c.Receipt.Copies < 0 || c.Receipt.Copies > 2 {
		v = append(v, domain.FieldError{Field: "receipt_copies", Code: "unit.copies", Msg: "Số liên của giấy tiếp nhận là 1 hoặc 2."})
	}
	if _, err := domain.ParseFinishRule(c.Report.ResolvedAt); err != nil {
		v = append(v, domain.FieldError{Field: "report", Code: "report.finish", Msg: err.Error()})
	}
	if err := c.Report.Closed.Validate(); err != nil {
		v = append(v, domain.FieldError{Field: "report", Code: "report.closed_treatment", Msg: err.Error()})
	}
	if c.IdleLockMinutes < 0 || c.IdleLockMinutes > 240 {
		v = append(v, domain.FieldError{Field: "idle_lock_minutes", Code: "unit.idle", Msg: "Thời gian tự khóa phải từ 0 đến 240 phút."})
	}
	if len(v) > 0 {
		return v
	}
	return nil
}

// Config returns the current configuration.
func (s *Store) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

// Catalogue returns the procedure catalogue in use.
func (s *Store) Catalogue() *domain.Catalogue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cat
}

// Calendar returns the working calendar in use.
func (s *Store) Calendar() *calendar.Calendar {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cal
}

// Declarations returns the declaration templates the store checks filled-in values
// against (the ones the app ships). Parsed once; they are embedded at build time and
// checked by the tests, so a failure is a build defect.
func (s *Store) Declarations() domain.Declarations {
	return shippedDeclarations()
}

var shippedDeclarations = sync.OnceValue(func() domain.Declarations {
	d, err := domain.ParseDeclarations(assets.DeclarationTemplates()...)
	if err != nil {
		panic(err)
	}
	return d
})

// Clock returns the store's hybrid logical clock.
func (s *Store) Clock() *domain.Clock { return s.clock }

// load reads configuration, catalogue and calendar, and primes the clock.
func (s *Store) load(ctx context.Context) error {
	cfg := DefaultConfig()
	raw, err := s.getSetting(ctx, s.w, "config")
	if err != nil {
		return err
	}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			return fmt.Errorf("load config: %w", err)
		}
	}
	if cfg.DeviceID == "" {
		// The device id names this workstation in every event it makes: fixed once.
		cfg.DeviceID = uuid.Must(uuid.NewV7()).String()
		if err := s.saveConfig(ctx, cfg); err != nil {
			return err
		}
	}
	cat, err := s.loadCatalogue(ctx)
	if err != nil {
		return err
	}
	tables, err := s.loadCalendarTables(ctx)
	if err != nil {
		return err
	}
	var last int64
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(hlc), 0) FROM events`).Scan(&last); err != nil {
		return fmt.Errorf("load clock: %w", err)
	}
	s.clock.Observe(domain.HLC(last))
	s.mu.Lock()
	s.cfg, s.cat, s.cal = cfg, cat, calendar.New(cfg.Hours, tables...)
	s.mu.Unlock()
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) getSetting(ctx context.Context, q queryer, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

func putSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (s *Store) saveConfig(ctx context.Context, cfg Config) error {
	raw, _ := json.Marshal(cfg)
	return s.tx(ctx, "save config", func(tx *sql.Tx) error { return putSetting(ctx, tx, "config", string(raw)) })
}

// UpdateConfig validates and stores a new configuration. The unit code and slot cannot be
// changed once dossiers exist: they are part of every code already issued.
func (s *Store) UpdateConfig(ctx context.Context, actor domain.Staff, cfg Config) error {
	if !actor.Role.Can(domain.PermAdminister) && s.Config().Configured() {
		return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được thay đổi cài đặt.", Kind: domain.ErrDenied}
	}
	cfg.UnitCode = strings.ToUpper(strings.TrimSpace(cfg.UnitCode))
	cfg.UnitName = strings.TrimSpace(cfg.UnitName)
	if err := cfg.Validate(); err != nil {
		return err
	}
	old := s.Config()
	cfg.DeviceID = old.DeviceID
	err := s.tx(ctx, "update config", func(tx *sql.Tx) error {
		if old.Configured() && (cfg.UnitCode != old.UnitCode || cfg.Slot != old.Slot) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE local = 1`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &domain.RuleError{Code: "unit.locked", Kind: domain.ErrConflict,
					Msg: "Không thể đổi mã đơn vị hoặc số máy trạm khi máy đã tiếp nhận hồ sơ."}
			}
		}
		raw, _ := json.Marshal(cfg)
		if err := putSetting(ctx, tx, "config", string(raw)); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor.Username, "config.update", "config", string(raw))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	hoursChanged := s.cfg.Hours != cfg.Hours
	s.cfg = cfg
	s.mu.Unlock()
	if hoursChanged {
		tables, err := s.loadCalendarTables(ctx)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.cal = calendar.New(cfg.Hours, tables...)
		s.mu.Unlock()
	}
	return nil
}

// loadCatalogue returns the stored catalogue (from the central system) or the embedded seed.
func (s *Store) loadCatalogue(ctx context.Context) (*domain.Catalogue, error) {
	raw, err := s.getSetting(ctx, s.w, "catalogue")
	if err != nil {
		return nil, err
	}
	if raw != "" {
		if cat, err := domain.ParseCatalogue([]byte(raw)); err == nil {
			return cat, nil
		}
		// A stored catalogue that no longer parses must not stop the counter: fall back.
	}
	return domain.ParseCatalogue(assets.CatalogueJSON)
}

// SetCatalogue stores a catalogue received from the central system and uses it from now on.
func (s *Store) SetCatalogue(ctx context.Context, raw []byte) (*domain.Catalogue, error) {
	cat, err := domain.ParseCatalogue(raw)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, "set catalogue", func(tx *sql.Tx) error {
		if err := putSetting(ctx, tx, "catalogue", string(raw)); err != nil {
			return err
		}
		return s.audit(ctx, tx, "system", "catalogue.update", cat.Version, strconv.Itoa(len(cat.Procedures))+" thủ tục")
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cat = cat
	s.mu.Unlock()
	return cat, nil
}

// loadCalendarTables merges the embedded official tables with any received later.
func (s *Store) loadCalendarTables(ctx context.Context) ([]calendar.YearTable, error) {
	byYear := map[int]calendar.YearTable{}
	for _, raw := range assets.CalendarTables() {
		t, err := calendar.ParseYearTable(raw)
		if err != nil {
			return nil, fmt.Errorf("embedded calendar: %w", err)
		}
		byYear[t.Year] = t
	}
	rows, err := s.w.QueryContext(ctx, `SELECT value FROM settings WHERE key LIKE 'calendar.%'`)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		if t, err := calendar.ParseYearTable([]byte(raw)); err == nil {
			byYear[t.Year] = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]calendar.YearTable, 0, len(byYear))
	for _, t := range byYear {
		out = append(out, t)
	}
	return out, nil
}

// SetCalendarTable stores a yearly table received from the central system.
func (s *Store) SetCalendarTable(ctx context.Context, raw []byte) error {
	t, err := calendar.ParseYearTable(raw)
	if err != nil {
		return err
	}
	if err := s.tx(ctx, "set calendar", func(tx *sql.Tx) error {
		if err := putSetting(ctx, tx, fmt.Sprintf("calendar.%d", t.Year), string(raw)); err != nil {
			return err
		}
		return s.audit(ctx, tx, "system", "calendar.update", strconv.Itoa(t.Year), t.Source)
	}); err != nil {
		return err
	}
	tables, err := s.loadCalendarTables(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cal = calendar.New(s.cfg.Hours, tables...)
	s.mu.Unlock()
	return nil
}

// SyncValue reads a sync bookkeeping value (pull cursor, token, …). The token comes from
// SecretsFile, not the database.
func (s *Store) SyncValue(ctx context.Context, key string) (string, error) {
	if key == SyncKeyToken {
		return s.token()
	}
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSyncValue stores a sync bookkeeping value (the token in SecretsFile).
func (s *Store) SetSyncValue(ctx context.Context, key, value string) error {
	if key == SyncKeyToken {
		return s.updateSecrets(func(sec *deviceSecrets) { sec.Token = value })
	}
	return s.tx(ctx, "sync state", func(tx *sql.Tx) error { return putSyncValue(ctx, tx, key, value) })
}

func putSyncValue(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_state(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
