-- A second search index holding only the dossiers still being worked on (statuses 2, 4, 5
-- and 6: a few thousand at a busy centre, however many years the store holds). The queue's
-- search box looks there first, since its default list is those dossiers: a name as common
-- as "nguyen thi lan" matches thousands of dossiers over the years, and finding the few
-- open ones among them in the full index took 28 ms at a million dossiers, 0.3 ms here
-- (docs/BENCHMARKS.md). project.go keeps it (openSearch); same content and tokenizer as
-- dossier_fts (0004).
CREATE VIRTUAL TABLE dossier_open_fts USING fts5(
    code, name, id_number, phone, procedure,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6'
);
INSERT INTO dossier_open_fts(rowid, code, name, id_number, phone, procedure)
SELECT rid, lower(code),
    replace(replace(replace(replace(applicant || coalesce(' ' || json_extract(doc, '$.owner.name'), ''),
        'đ', 'd'), 'Đ', 'd'), 'ð', 'd'), 'Ð', 'd'),
    id_number || coalesce(' ' || json_extract(doc, '$.owner.id_number'), ''),
    phone || coalesce(' ' || json_extract(doc, '$.owner.phone'), ''),
    replace(replace(replace(replace(procedure_name, 'đ', 'd'), 'Đ', 'd'), 'ð', 'd'), 'Ð', 'd')
FROM dossiers WHERE status IN (2, 4, 5, 6);
