-- Schema 10: the hand-off queue of prepared declarations (projection of the "handoff"
-- streams). An entry is valid for its day (Vietnam time); expiry is read, not stored.
CREATE TABLE handoffs (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL,             -- H-<slot><nnn>, unique in the unit for the day
    day            TEXT NOT NULL,             -- YYYY-MM-DD, Vietnam time
    prepared_at    INTEGER NOT NULL,
    prepared_by    TEXT NOT NULL,
    applicant      TEXT NOT NULL,
    id_number      TEXT NOT NULL DEFAULT '',
    procedure_code TEXT NOT NULL,
    claimed_at     INTEGER,
    claimed_by     TEXT NOT NULL DEFAULT '',
    dossier_id     TEXT NOT NULL DEFAULT '',
    conflicts      INTEGER NOT NULL DEFAULT 0,
    doc            TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX handoffs_day ON handoffs(day, number);
