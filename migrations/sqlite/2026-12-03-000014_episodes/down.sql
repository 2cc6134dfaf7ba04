DROP INDEX alerts_patient;
DROP INDEX alerts_worklist;
DROP INDEX alerts_one_open;
CREATE TABLE alerts_old (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('red_flag', 'plateau', 'low_adherence', 'missed_check_ins')),
    severity TEXT NOT NULL CHECK (severity IN ('emergency', 'urgent', 'warning')),
    severity_rank INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
    detail TEXT,
    opened_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT REFERENCES users (id),
    acknowledgement_note TEXT
);
INSERT INTO alerts_old SELECT id, patient_id, kind, severity, severity_rank, status, detail, opened_at,
    acknowledged_at, acknowledged_by, acknowledgement_note FROM alerts
    WHERE kind IN ('red_flag', 'plateau', 'low_adherence', 'missed_check_ins') AND status <> 'resolved';
DROP TABLE alerts;
ALTER TABLE alerts_old RENAME TO alerts;
CREATE UNIQUE INDEX alerts_one_open ON alerts (patient_id, kind) WHERE status = 'open';
CREATE INDEX alerts_worklist ON alerts (status, severity_rank, opened_at, id);
CREATE INDEX alerts_patient ON alerts (patient_id, status);
ALTER TABLE clinic_settings DROP COLUMN worsening_odi_points;
ALTER TABLE clinic_settings DROP COLUMN worsening_nrs_points;
ALTER TABLE clinic_settings DROP COLUMN authorization_overrun;
ALTER TABLE clinic_settings DROP COLUMN certification_rules;
DROP INDEX appointments_series;
DROP INDEX appointments_episode;
ALTER TABLE appointments DROP COLUMN series_id;
ALTER TABLE appointments DROP COLUMN episode_id;
DROP TABLE visit_series;
DROP TABLE authorizations;
DROP TABLE certification_periods;
DROP TABLE episode_goals;
DROP TABLE episode_diagnoses;
DROP TABLE episodes;
