-- motcua-central, schema 1: the schema the server created before numbered migrations.
-- Times are Unix milliseconds (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
) WITHOUT ROWID;

-- Workstations. The token is kept only as its SHA-256.
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL,
    enrolled_at INTEGER NOT NULL,
    revoked_at  INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX devices_slot ON devices(unit, slot) WHERE active = 1;

-- One-time enrollment codes, also kept hashed.
CREATE TABLE enroll_codes (
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
CREATE TABLE events (
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
CREATE INDEX events_unit ON events(unit, seq);
CREATE INDEX events_stream ON events(stream_id, hlc);

-- The fold of each dossier: the national portal's fields that lists, filters and reports
-- need, as columns (DVCQG names in snake case). The whole dossier is folded from its events
-- when asked for.
CREATE TABLE dossiers (
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
CREATE INDEX dossiers_unit_status ON dossiers(unit, trang_thai);
CREATE INDEX dossiers_code ON dossiers(ma_ho_so);

-- Files held, by content.
CREATE TABLE files (
    sha256    TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    mime      TEXT NOT NULL,
    device    TEXT NOT NULL,
    stored_at INTEGER NOT NULL
) WITHOUT ROWID;
