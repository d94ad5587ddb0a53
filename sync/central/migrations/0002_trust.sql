-- Schema 2: signed events, device keys, enrollment nonces, per-unit dossier codes and a
-- quarantine for stored events found out of bounds (repair-clocks).

-- The author's Ed25519 signature over domain.Event.Canonical (or the city's attestation of
-- an event stored before signing existed: sig_by = 'central').
ALTER TABLE events ADD COLUMN sig TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN sig_by TEXT NOT NULL DEFAULT '';

-- Every public key a device has held, with the unit it held it in. Never deleted: events a
-- device signed stay verifiable after it is revoked or re-enrolled.
CREATE TABLE device_keys (
    device     TEXT NOT NULL,
    unit       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (device, public_key)
) WITHOUT ROWID;
CREATE INDEX device_keys_unit ON device_keys(unit);

-- The device's current key (also in device_keys).
ALTER TABLE devices ADD COLUMN public_key TEXT NOT NULL DEFAULT '';

-- The nonce the workstation sent when it used a code: a lost reply may be retried, briefly,
-- only by the one who holds it.
ALTER TABLE enroll_codes ADD COLUMN nonce_hash TEXT NOT NULL DEFAULT '';

-- A dossier code belongs to one dossier of its unit: the UNIQUE index is made when the
-- database opens (uniqueCodes), once the codes an older server let through twice are named.

-- Events taken out of the log because they cannot be right (a clock far in the future or
-- before 2020), kept whole with the reason.
CREATE TABLE quarantine (
    id      TEXT NOT NULL,
    event   TEXT NOT NULL,
    reason  TEXT NOT NULL,
    at      INTEGER NOT NULL
);

-- The head of each workstation's local event chain, as it last showed it in a push.
CREATE TABLE device_heads (
    device TEXT PRIMARY KEY,
    seq    INTEGER NOT NULL,
    link   TEXT NOT NULL,
    at     INTEGER NOT NULL
) WITHOUT ROWID;
