-- Schema 9: LAN peers. Addresses of the unit's other workstations, typed by an admin or
-- found by DNS-SD, and what the last exchange with each did. Trust is not kept here: a
-- peer is admitted on each connection by its key in the city's signed roster (sync_state
-- 'peer.roster'), and its cursor is kept in sync_state beside the events it covers.
CREATE TABLE peers (
    addr          TEXT PRIMARY KEY,           -- host:port
    source        TEXT NOT NULL,              -- 'manual' or 'mdns'
    device        TEXT NOT NULL DEFAULT '',   -- the device whose key answered there last
    name          TEXT NOT NULL DEFAULT '',
    added_at      INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL DEFAULT 0, -- announced or answered
    last_exchange INTEGER NOT NULL DEFAULT 0, -- last exchange that reached the end
    last_error    TEXT NOT NULL DEFAULT '',
    received      INTEGER NOT NULL DEFAULT 0  -- new events taken from it, in total
) WITHOUT ROWID;
