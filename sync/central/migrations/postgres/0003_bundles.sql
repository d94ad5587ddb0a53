-- Schema 3 (SQLite's 0003_bundles.sql): USB bundles (docs/BUNDLES.md).

CREATE TABLE bundle_imports (
    id          TEXT COLLATE "C" PRIMARY KEY,
    device      TEXT COLLATE "C" NOT NULL,
    unit        TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    events      INTEGER NOT NULL,
    accepted    INTEGER NOT NULL,
    duplicate   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    files       INTEGER NOT NULL
);

CREATE TABLE bundle_devices (
    device         TEXT COLLATE "C" PRIMARY KEY,
    next_from      TEXT COLLATE "C" NOT NULL,
    last_import_at BIGINT,
    last_export_at BIGINT,
    last_export_id TEXT COLLATE "C"
);

CREATE TABLE bundle_acks (
    device   TEXT COLLATE "C" NOT NULL,
    event_id TEXT COLLATE "C" NOT NULL,
    status   TEXT COLLATE "C" NOT NULL,
    reason   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (device, event_id)
);

CREATE TABLE bundle_files (
    device TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (device, sha256)
);
