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
	"motcua/query"
)

// DefaultTargets are the city's targets for the end of 2025 (DOMAIN.md).
func DefaultTargets() Targets { return query.DefaultTargets() }

// DefaultConfig is what a new store starts with.
func DefaultConfig() Config { return query.DefaultConfig() }

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
