-- Schema 8: every event linked into a hash chain in the order this store holds them
-- (domain.ChainLink over the previous link and the canonical event), so a changed, removed
-- or inserted event breaks the chain. Links of the events stored before are computed when
-- the store opens.
ALTER TABLE events ADD COLUMN link TEXT NOT NULL DEFAULT '';
