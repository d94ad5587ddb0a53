-- Schema 6: signed events, the keys that verify them, and pulled events refused.

-- The author's Ed25519 signature over domain.Event.Canonical, or the city's attestation
-- of an event stored before signing existed (sig_by = 'central').
ALTER TABLE events ADD COLUMN sig TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN sig_by TEXT NOT NULL DEFAULT '';

-- Public keys of the unit's other devices, each as the city vouched for it (record: the
-- signed domain.KeyRecord). Append-only: a device may hold several keys over its life.
CREATE TABLE device_keys (
    device     TEXT NOT NULL,
    public_key TEXT NOT NULL,
    unit       TEXT NOT NULL,
    record     TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (device, public_key)
) WITHOUT ROWID;

-- Events received from a carrier (the city, a peer, a bundle) and refused: a signature that
-- does not hold, a clock out of bounds, fields over the limits. Kept whole with the reason
-- for a supervisor; never applied.
CREATE TABLE inbound_quarantine (
    seq    INTEGER PRIMARY KEY,
    id     TEXT NOT NULL,
    event  TEXT NOT NULL,
    reason TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX inbound_quarantine_id ON inbound_quarantine(id);
