-- Schema 4: the city's view of feedback (phản ánh, kiến nghị) and visits (lượt tiếp đón),
-- projected from their event streams in the push path like dossiers, and which unit may
-- read each stored file. The same schema for PostgreSQL is postgres/0004_feedback_visits.sql.
-- Times are Unix milliseconds (UTC). The tables are filled from stored events when the
-- database opens (RebuildStreams, once: meta "streams.projected").

-- The fold of each feedback item (domain.FoldFeedback): the columns counts and lists need,
-- and the whole fold as JSON for the listing.
CREATE TABLE feedback (
    id           TEXT PRIMARY KEY,
    unit         TEXT NOT NULL,
    status       INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    citizen      TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    received_by  TEXT NOT NULL,
    assigned_to  TEXT NOT NULL,
    resolved_at  BIGINT,
    published_at BIGINT,
    conflicts    INTEGER NOT NULL,
    last_hlc     BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX feedback_unit_received ON feedback(unit, received_at);
CREATE INDEX feedback_received ON feedback(received_at);

-- One row per visit event: a citizen served at a counter.
CREATE TABLE visits (
    id         TEXT PRIMARY KEY,
    unit       TEXT NOT NULL,
    device     TEXT NOT NULL,
    at         BIGINT NOT NULL,
    staff      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    dossier_id TEXT NOT NULL
);
CREATE INDEX visits_unit_at ON visits(unit, at);
CREATE INDEX visits_at ON visits(at);

-- Which unit's events refer to a file (intake documents, attached scans, electronic
-- results): a device of that unit may download it (GET /files/{sha256}).
CREATE TABLE file_units (
    sha256 TEXT NOT NULL,
    unit   TEXT NOT NULL,
    PRIMARY KEY (sha256, unit)
);
