package central

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// legacySchema is the schema string the server ran on every start before numbered
// migrations (sync/central/db.go at the parent of commit 14a5b6c, which added
// migrations/0001_init.sql), copied verbatim: a city upgraded from that build holds exactly
// these tables and no schema_migrations.
const legacySchema = `
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
) WITHOUT ROWID;

-- Workstations. The token is kept only as its SHA-256.
CREATE TABLE IF NOT EXISTS devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL,
    enrolled_at INTEGER NOT NULL,
    revoked_at  INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS devices_slot ON devices(unit, slot) WHERE active = 1;

-- One-time enrollment codes, also kept hashed.
CREATE TABLE IF NOT EXISTS enroll_codes (
    code_hash  TEXT PRIMARY KEY,
    unit       TEXT NOT NULL,
    unit_name  TEXT NOT NULL,
    slot       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
) WITHOUT ROWID;

-- Every event in server order: seq is the pull cursor's position.
CREATE TABLE IF NOT EXISTS events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    stream      TEXT NOT NULL,
    stream_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    v           INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    device      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    hlc         INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_unit ON events(unit, seq);
CREATE INDEX IF NOT EXISTS events_stream ON events(stream_id, hlc);

-- The fold of each dossier: the national portal's fields that lists, filters and reports
-- need, as columns (DVCQG names in snake case). The whole dossier is folded from its events
-- when asked for.
CREATE TABLE IF NOT EXISTS dossiers (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    unit            TEXT NOT NULL,
    ma_ho_so        TEXT NOT NULL,
    ma_tthc         TEXT NOT NULL,
    ten_tthc        TEXT NOT NULL,
    ma_linh_vuc     TEXT NOT NULL,
    ten_linh_vuc    TEXT NOT NULL,
    kenh_thuc_hien  INTEGER NOT NULL,
    chu_ho_so       TEXT NOT NULL,
    so_giay_to      TEXT NOT NULL,
    loai_doi_tuong  INTEGER NOT NULL,
    trang_thai      INTEGER NOT NULL,
    ngay_tiep_nhan  INTEGER,
    ngay_hen_tra    INTEGER,
    ngay_tra        INTEGER,
    ngay_ket_thuc   INTEGER,
    ngay_tu_choi    INTEGER,
    don_vi_xu_ly    TEXT NOT NULL,
    conflicts       INTEGER NOT NULL,
    events          INTEGER NOT NULL,
    last_hlc        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dossiers_unit_status ON dossiers(unit, trang_thai);
CREATE INDEX IF NOT EXISTS dossiers_code ON dossiers(ma_ho_so);

-- Files held, by content.
CREATE TABLE IF NOT EXISTS files (
    sha256    TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    mime      TEXT NOT NULL,
    device    TEXT NOT NULL,
    stored_at INTEGER NOT NULL
) WITHOUT ROWID;
`

// A city database made before numbered migrations (the old schema string, no
// schema_migrations, unsigned events) is adopted as schema 1 and brought to the newest
// schema; its unit, device, events and dossier survive, the old device's token and the old
// cursors keep working, and the upgraded server takes pushes and serves changes.
func TestUpgradeFromPreNumberedSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.VN())
	const epoch, legacyToken, legacyCode = "0123456789abcdef", "legacy-token", unit + "-260301-1001"

	// The database as the old server left it.
	old, err := sql.Open("sqlite", dsn(filepath.Join(dir, DBFile), false))
	if err != nil {
		t.Fatal(err)
	}
	legacyDev := Device{ID: uuid.Must(uuid.NewV7()).String(), Name: "Quầy 1", Unit: unit, Slot: 1, Active: true}
	at := now.Add(-24 * time.Hour)
	sid := uuid.Must(uuid.NewV7()).String()
	received := receivedAs(t, legacyDev, sid, at, domain.MakeHLC(at.UnixMilli(), 0), legacyCode) // unsigned: no test key
	accepted, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, sid, domain.EvCodeAssigned,
		domain.CodeAssignedPayload{Code: legacyCode}, "admin", CentralDevice, unit, at.Add(time.Minute), domain.MakeHLC(at.Add(time.Minute).UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	legacyEvents := []domain.Event{received, accepted}
	stmts := []struct {
		q    string
		args []any
	}{
		{legacySchema, nil},
		{`INSERT INTO meta(key, value) VALUES ('epoch', ?)`, []any{epoch}},
		{`INSERT INTO units(code, name) VALUES (?, 'Xã An Hưng')`, []any{unit}},
		{`INSERT INTO devices(id, name, unit, slot, token_hash, active, enrolled_at) VALUES (?, ?, ?, 1, ?, 1, ?)`,
			[]any{legacyDev.ID, legacyDev.Name, unit, hashSecret(legacyToken), at.Add(-time.Hour).UnixMilli()}},
	}
	for _, e := range legacyEvents {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{`INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{e.ID, string(e.Stream), e.StreamID, string(e.Type), e.Version, string(e.Payload), e.Actor, e.Device, e.Unit, e.At.UnixMilli(), int64(e.HLC), at.UnixMilli()}})
	}
	fold := domain.Fold(legacyEvents)
	stmts = append(stmts, struct {
		q    string
		args []any
	}{`INSERT INTO dossiers(id, unit, ma_ho_so, ma_tthc, ten_tthc, ma_linh_vuc, ten_linh_vuc, kenh_thuc_hien, chu_ho_so,
			so_giay_to, loai_doi_tuong, trang_thai, ngay_tiep_nhan, ngay_hen_tra, don_vi_xu_ly, conflicts, events, last_hlc, updated_at)
			VALUES (?, ?, ?, '1.001193', 'Thủ tục đăng ký khai sinh', 'HT', 'Hộ tịch', 1, 'Nguyễn Văn An', '001099012345', 1, ?, ?, ?, '', 0, 2, ?, ?)`,
		[]any{sid, unit, legacyCode, int(fold.Status), at.UnixMilli(), at.Add(8 * time.Hour).UnixMilli(), int64(accepted.HLC), at.UnixMilli()}})
	for _, s := range stmts {
		if _, err := old.ExecContext(ctx, s.q, s.args...); err != nil {
			t.Fatalf("legacy database: %v", err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	// Today's code opens it (twice: the upgrade is done once).
	var c *Central
	for range 2 {
		if c != nil {
			c.Close()
		}
		if c, err = OpenCentral(ctx, Config{Dir: dir, Now: func() time.Time { return now }}); err != nil {
			t.Fatalf("open the pre-numbered database: %v", err)
		}
	}
	defer c.Close()

	var version, records int
	if err := c.db.r.QueryRowContext(ctx, `SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&version, &records); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion || records != SchemaVersion {
		t.Fatalf("schema version %d (%d records), want %d", version, records, SchemaVersion)
	}
	var first string
	if err := c.db.r.QueryRowContext(ctx, `SELECT name FROM schema_migrations WHERE version = 1`).Scan(&first); err != nil || first != "0001_init.sql" {
		t.Fatalf("schema 1 recorded as %q: %v", first, err)
	}
	if c.epoch != epoch {
		t.Fatalf("epoch %q, want the old %q: old cursors would be answered with 410", c.epoch, epoch)
	}

	// The data survived: the device and its token, the events (now attested by the city),
	// the dossier's projection and fold, the figures.
	dev, err := c.Authenticate(ctx, legacyToken)
	if err != nil || dev.ID != legacyDev.ID || dev.Unit != unit || dev.Slot != 1 {
		t.Fatalf("old device after the upgrade: %+v %v", dev, err)
	}
	if devs, err := c.Devices(ctx); err != nil || len(devs) != 1 {
		t.Fatalf("devices %+v %v", devs, err)
	}
	evs, err := c.Events(ctx)
	if err != nil || len(evs) != len(legacyEvents) {
		t.Fatalf("%d events %v", len(evs), err)
	}
	cityKey, _ := domain.ParseKey(c.PublicKey())
	for i, e := range evs {
		// The city signs its own events as their author, and attests a device's.
		attested := e.Device == CentralDevice || e.SigBy == domain.SignerCentral
		if e.ID != legacyEvents[i].ID || e.Sig == "" || !attested || e.Verify(cityKey) != nil {
			t.Fatalf("event %d after the upgrade: %+v", i, e)
		}
	}
	ds, err := c.Dossiers(ctx, DossierFilter{Unit: unit})
	if err != nil || len(ds) != 1 || ds[0].ID != sid || ds[0].Code != legacyCode {
		t.Fatalf("dossiers %+v %v", ds, err)
	}
	if d, err := c.Dossier(ctx, sid); err != nil || d.Code != legacyCode || d.Status != fold.Status {
		t.Fatalf("dossier %+v %v", d, err)
	}
	if st, err := c.Stats(ctx); err != nil || st.Dossiers != 1 || st.Events != len(legacyEvents) {
		t.Fatalf("stats %+v %v", st, err)
	}

	// The upgraded server works: a new workstation enrolls and pushes, each sees the other's
	// events, and a cursor handed out by the old server still continues where it was.
	code, _, err := c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 2)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Enroll(ctx, enrollReq(code, ""))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := c.Authenticate(ctx, resp.Token)
	if err != nil {
		t.Fatal(err)
	}
	e := receivedAs(t, fresh, uuid.Must(uuid.NewV7()).String(), now, domain.MakeHLC(now.UnixMilli(), 0), unit+"-260302-2001")
	if res, err := c.Push(ctx, fresh, []domain.Event{e}); err != nil || res.Results[0].Status != api.Accepted {
		t.Fatalf("push after the upgrade: %+v %v", res, err)
	}
	got, err := c.Changes(ctx, fresh, "", 100)
	if err != nil || len(got.Events) != len(legacyEvents) || got.Events[0].ID != received.ID {
		t.Fatalf("changes for the new device: %+v %v", got, err)
	}
	got, err = c.Changes(ctx, dev, epoch+".2", 100) // the old server's cursor after its two events
	if err != nil || len(got.Events) != 1 || got.Events[0].ID != e.ID {
		t.Fatalf("changes for the old device from its old cursor: %+v %v", got, err)
	}
	if st, err := c.Stats(ctx); err != nil || st.Dossiers != 2 {
		t.Fatalf("stats after the push %+v %v", st, err)
	}
}
