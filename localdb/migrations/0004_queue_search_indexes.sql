-- The queue and search at a million dossiers (docs/BENCHMARKS.md).

-- A queue page filtered by field or staff and one status reads its 50 rows in due-date
-- order from one of these (localdb/queries.go, queueDue), instead of walking the field's or
-- the staff member's every dossier to keep the ones of that status.
CREATE INDEX IF NOT EXISTS dossiers_field_status_due ON dossiers(field_code, status, due_at);
CREATE INDEX IF NOT EXISTS dossiers_staff_status_due ON dossiers(received_by, status, due_at);
-- "Waiting to sync" within a status: few rows once the outbox drains, but all of them right
-- after a long time offline; either way one index answers in order.
CREATE INDEX IF NOT EXISTS dossiers_status_sync_due ON dossiers(status, sync, due_at) WHERE sync <> 0;

-- Opening the store reads the newest event's clock (load, settings.go) to keep the hybrid
-- clock ahead of it: without an index that was a scan of every event, a second or more at a
-- million dossiers, before the first frame.
CREATE INDEX IF NOT EXISTS events_hlc ON events(hlc);

-- The search index again, with prefix indexes for 1 to 6 letters (a Vietnamese syllable
-- has at most 7): the last word of a search is a prefix ("nguyen van a"), and without them
-- FTS5 merges the lists of every word starting with it on each search, which for "nguyen"
-- is four dossiers in ten (19 ms instead of 0.1 ms at a million; the index grows by a
-- quarter). The content is what
-- searchFields (project.go) writes: unicode61 folds case and diacritics itself; only đ
-- (and ð, which some keyboards give for it) is not a diacritic and is folded here as
-- citizen.Fold does.
DROP TABLE IF EXISTS dossier_fts;
CREATE VIRTUAL TABLE dossier_fts USING fts5(
    code, name, id_number, phone, procedure,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6'
);
INSERT INTO dossier_fts(rowid, code, name, id_number, phone, procedure)
SELECT rid, lower(code),
    replace(replace(replace(replace(applicant || coalesce(' ' || json_extract(doc, '$.owner.name'), ''),
        'đ', 'd'), 'Đ', 'd'), 'ð', 'd'), 'Ð', 'd'),
    id_number || coalesce(' ' || json_extract(doc, '$.owner.id_number'), ''),
    phone || coalesce(' ' || json_extract(doc, '$.owner.phone'), ''),
    replace(replace(replace(replace(procedure_name, 'đ', 'd'), 'Đ', 'd'), 'ð', 'd'), 'Ð', 'd')
FROM dossiers;
