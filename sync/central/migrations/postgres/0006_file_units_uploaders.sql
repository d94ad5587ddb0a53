-- (SQLite and PostgreSQL alike.) file_units now records which units proved they hold a
-- file's bytes: a device of the unit uploaded it (tus or a bundle) and its SHA-256 checked
-- out. Before, any hash named in a unit's dossier event granted that unit the file, so a
-- unit could read another's scan by naming its hash. The rows that came from event
-- references are dropped; what remains is what is known of the uploads: each held file's
-- uploading device's unit.
DELETE FROM file_units;
INSERT INTO file_units(sha256, unit)
    SELECT f.sha256, d.unit FROM files f JOIN devices d ON d.id = f.device;
