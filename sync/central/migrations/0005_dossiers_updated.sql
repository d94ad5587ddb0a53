-- (SQLite and PostgreSQL alike.) The export of dossiers changed since a time (GET /export/dvcqg, `motcua-central export
-- dvcqg`) reads the projection in the order it changed, page after page from where the last
-- page ended: an index on the time of the change, with the row id to break ties.
CREATE INDEX dossiers_updated ON dossiers(updated_at, rid);
