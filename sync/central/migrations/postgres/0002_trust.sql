-- Schema 2 (SQLite's 0002_trust.sql): signed events, device keys, enrollment nonces and a
-- quarantine for stored events found out of bounds (repair-clocks).

ALTER TABLE events ADD COLUMN sig TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN sig_by TEXT COLLATE "C" NOT NULL DEFAULT '';

-- Every public key a device has held, with the unit it held it in. Never deleted.
CREATE TABLE device_keys (
    device     TEXT COLLATE "C" NOT NULL,
    unit       TEXT COLLATE "C" NOT NULL,
    public_key TEXT COLLATE "C" NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (device, public_key)
);
CREATE INDEX device_keys_unit ON device_keys(unit);

ALTER TABLE devices ADD COLUMN public_key TEXT COLLATE "C" NOT NULL DEFAULT '';

ALTER TABLE enroll_codes ADD COLUMN nonce_hash TEXT COLLATE "C" NOT NULL DEFAULT '';

-- The UNIQUE index on (unit, ma_ho_so) is made when the database opens (uniqueCodes).

CREATE TABLE quarantine (
    id      TEXT COLLATE "C" NOT NULL,
    event   TEXT COLLATE "C" NOT NULL,
    reason  TEXT COLLATE "C" NOT NULL,
    at      BIGINT NOT NULL
);

CREATE TABLE device_heads (
    device TEXT COLLATE "C" PRIMARY KEY,
    seq    BIGINT NOT NULL,
    link   TEXT COLLATE "C" NOT NULL,
    at     BIGINT NOT NULL
);
