-- Reports (Biểu II.06a, the books): the monthly report over a million dossiers reads only
-- indexes for the dossiers received in the period, and finds those received earlier that
-- were still open at its start by when they were resolved, returned or closed.
-- Names are looked up by localdb/report.go (reportIndexNames).

CREATE INDEX IF NOT EXISTS dossiers_report ON dossiers(received_at, status, channel, field_code, due_at, result_at, returned_at,
    closed_at, assisted, digitized, e_result);
CREATE INDEX IF NOT EXISTS dossiers_result_at ON dossiers(result_at, received_at) WHERE result_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS dossiers_returned_at ON dossiers(returned_at, received_at) WHERE returned_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS dossiers_closed_at ON dossiers(closed_at, received_at) WHERE closed_at IS NOT NULL;
