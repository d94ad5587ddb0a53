-- motcua local store, schema 1.
-- Times are Unix milliseconds (UTC); hlc is domain.HLC.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff (
    username      TEXT PRIMARY KEY,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Every event, local or pulled. Local events not yet acknowledged by the central system
-- are the outbox (sync_state 0); rejected ones are quarantined (2) with a reason.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
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
    local       INTEGER NOT NULL,          -- 1: made on this workstation
    sync_state  INTEGER NOT NULL,          -- 0 waiting, 1 acknowledged, 2 quarantined
    sync_reason TEXT NOT NULL DEFAULT '',
    synced_at   INTEGER
);
CREATE INDEX events_stream ON events(stream_id, hlc, device, id);
CREATE INDEX events_outbox ON events(seq) WHERE sync_state = 0;
CREATE INDEX events_quarantine ON events(seq) WHERE sync_state = 2;

-- The projection of each dossier's fold: the columns lists, search and reports need,
-- and the whole folded dossier as JSON.
CREATE TABLE dossiers (
    rid            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    code           TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    field_code     TEXT NOT NULL,
    applicant      TEXT NOT NULL,
    id_number      TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    channel        INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    received_at    INTEGER,
    due_at         INTEGER,
    result_at      INTEGER,
    returned_at    INTEGER,
    closed_at      INTEGER,
    received_by    TEXT NOT NULL DEFAULT '',
    assisted       INTEGER NOT NULL DEFAULT 0,
    digitized      INTEGER NOT NULL DEFAULT 0,   -- every component digitized
    e_result       INTEGER NOT NULL DEFAULT 0,
    conflicts      INTEGER NOT NULL DEFAULT 0,   -- open conflicts
    sync           INTEGER NOT NULL DEFAULT 0,   -- 0 synced, 1 waiting, 2 quarantined
    last_hlc       INTEGER NOT NULL,
    doc            TEXT NOT NULL
);
CREATE INDEX dossiers_code ON dossiers(code);
CREATE INDEX dossiers_due ON dossiers(due_at);
CREATE INDEX dossiers_status_due ON dossiers(status, due_at);
CREATE INDEX dossiers_field_due ON dossiers(field_code, due_at);
CREATE INDEX dossiers_staff_due ON dossiers(received_by, due_at);
CREATE INDEX dossiers_received ON dossiers(received_at);
CREATE INDEX dossiers_id_number ON dossiers(id_number) WHERE id_number <> '';
CREATE INDEX dossiers_phone ON dossiers(phone) WHERE phone <> '';
CREATE INDEX dossiers_sync ON dossiers(sync, due_at) WHERE sync <> 0;
CREATE INDEX dossiers_conflicts ON dossiers(conflicts) WHERE conflicts > 0;

-- Full-text search without diacritics: the text is folded by citizen.Fold before it is
-- indexed (unicode61 does not fold đ), and again when searching.
CREATE VIRTUAL TABLE dossier_fts USING fts5(
    code, name, id_number, phone, procedure,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Per workstation and day, the last dossier number issued.
CREATE TABLE code_counters (
    prefix TEXT PRIMARY KEY,
    last   INTEGER NOT NULL
) WITHOUT ROWID;

-- Every write, chained by SHA-256 to the entry before it.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- Stored files, content-addressed; the bytes live under files/ in the data folder.
CREATE TABLE files (
    sha256     TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    pages      INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0,  -- 1 once the central system holds it
    upload_url TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX files_upload ON files(created_at) WHERE uploaded = 0;

-- Sync bookkeeping that must move with the data it describes (pull cursor).
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
