-- Schema 3: USB bundles (docs/BUNDLES.md): what each imported bundle brought, where the next
-- return bundle of each device starts, and the answers for its events waiting to go back.

-- Every bundle imported, by its id: importing the same file again is recognised and changes
-- nothing.
CREATE TABLE bundle_imports (
    id          TEXT PRIMARY KEY,
    device      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    accepted    INTEGER NOT NULL,
    duplicate   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    files       INTEGER NOT NULL
) WITHOUT ROWID;

-- Per device: the cursor the next return bundle starts after. An imported bundle sets it to
-- the pull cursor the workstation reported (what it really has); an exported return bundle
-- moves it past what that bundle carried.
CREATE TABLE bundle_devices (
    device         TEXT PRIMARY KEY,
    next_from      TEXT NOT NULL,
    last_import_at INTEGER,
    last_export_at INTEGER,
    last_export_id TEXT
) WITHOUT ROWID;

-- The city's answer for each event a bundle brought (accepted, duplicate, rejected and
-- why), until a return bundle carries it back to the workstation.
CREATE TABLE bundle_acks (
    device   TEXT NOT NULL,
    event_id TEXT NOT NULL,
    status   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (device, event_id)
) WITHOUT ROWID;

-- Scans a bundle brought, until a return bundle tells the workstation the city holds them.
CREATE TABLE bundle_files (
    device TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (device, sha256)
) WITHOUT ROWID;
