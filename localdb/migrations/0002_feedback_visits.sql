-- Schema 2: citizens' feedback register and counter visits (projections of their events).

CREATE TABLE feedback (
    id           TEXT PRIMARY KEY,
    status       INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    citizen      TEXT NOT NULL,
    dossier_code TEXT NOT NULL DEFAULT '',
    received_at  INTEGER NOT NULL,
    received_by  TEXT NOT NULL,
    assigned_to  TEXT NOT NULL DEFAULT '',
    resolved_at  INTEGER,
    published_at INTEGER,
    conflicts    INTEGER NOT NULL DEFAULT 0,
    doc          TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX feedback_received ON feedback(received_at);
CREATE INDEX feedback_status ON feedback(status, received_at);

CREATE TABLE visits (
    id         TEXT PRIMARY KEY,
    at         INTEGER NOT NULL,
    staff      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    dossier_id TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX visits_at ON visits(at);
