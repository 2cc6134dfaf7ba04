-- Alerts on a clinician's worklist: red flags (emergency, urgent), plateau, low adherence, missed
-- check-ins. At most one open alert per patient and kind; a clinician closes it with a note.
-- Written together with ../../postgres/2026-11-23-000009_alerts/up.sql.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('red_flag', 'plateau', 'low_adherence', 'missed_check_ins')),
    severity TEXT NOT NULL CHECK (severity IN ('emergency', 'urgent', 'warning')),
    -- 0 emergency, 1 urgent, 2 warning: the worklist's order, most severe first.
    severity_rank INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
    -- What raised it, for the clinician (JSON); never written to logs.
    detail TEXT,
    opened_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT REFERENCES users (id),
    acknowledgement_note TEXT
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (patient_id, kind) WHERE status = 'open';
CREATE INDEX alerts_worklist ON alerts (status, severity_rank, opened_at, id);
CREATE INDEX alerts_patient ON alerts (patient_id, status);
