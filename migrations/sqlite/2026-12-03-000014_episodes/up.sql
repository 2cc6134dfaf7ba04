-- Episodes of care: the plan of care (diagnoses, goals, frequency × duration), its
-- certification periods, the payer's authorizations, and visit series. Written together with
-- ../../postgres/2026-12-03-000014_episodes/up.sql.
CREATE TABLE episodes (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    clinician_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    -- The initial evaluation's day (the first treatment day when nothing earlier happened).
    evaluated_on DATE NOT NULL,
    evaluation_appointment_id TEXT REFERENCES appointments (id),
    -- The type and amount of therapy, in the plan's words.
    treatment TEXT NOT NULL,
    visits_per_week INTEGER NOT NULL CHECK (visits_per_week BETWEEN 1 AND 7),
    duration_weeks INTEGER NOT NULL CHECK (duration_weeks BETWEEN 1 AND 52),
    planned_visits INTEGER NOT NULL CHECK (planned_visits > 0),
    referral_source TEXT,
    referring_provider TEXT,
    referral_signed_on DATE,
    signed_order_on_file BOOLEAN NOT NULL,
    closed_on DATE,
    close_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX episodes_one_open ON episodes (patient_id) WHERE status = 'open';
CREATE INDEX episodes_patient ON episodes (patient_id, created_at);

CREATE TABLE episode_diagnoses (
    id TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (episode_id, position)
);

CREATE TABLE episode_goals (
    id TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    position INTEGER NOT NULL,
    term TEXT NOT NULL CHECK (term IN ('short_term', 'long_term')),
    description TEXT NOT NULL,
    target_date DATE,
    status TEXT NOT NULL CHECK (status IN ('not_met', 'partly_met', 'met')),
    UNIQUE (episode_id, position)
);

-- Number 1 is the initial certification; each recertification is the next number, its own
-- period, kept with the ones before.
CREATE TABLE certification_periods (
    id TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    number INTEGER NOT NULL CHECK (number > 0),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    sent_on DATE,
    signed_on DATE,
    signed_by TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (starts_on <= ends_on),
    UNIQUE (episode_id, number)
);

CREATE TABLE authorizations (
    id TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    payer TEXT NOT NULL,
    reference TEXT NOT NULL,
    visits INTEGER NOT NULL CHECK (visits > 0),
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (valid_from <= valid_to)
);
CREATE INDEX authorizations_episode ON authorizations (episode_id, valid_from);

CREATE TABLE visit_series (
    id TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    clinician_id TEXT NOT NULL REFERENCES users (id),
    appointment_type_id TEXT NOT NULL REFERENCES appointment_types (id),
    -- The weekdays and local times asked for (JSON), for the record.
    weekly TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

ALTER TABLE appointments ADD COLUMN episode_id TEXT REFERENCES episodes (id);
ALTER TABLE appointments ADD COLUMN series_id TEXT REFERENCES visit_series (id);
CREATE INDEX appointments_episode ON appointments (episode_id, starts_at);
CREATE INDEX appointments_series ON appointments (series_id, starts_at);

-- US Medicare's certification rules (a clinic elsewhere turns them off); what booking past an
-- authorization does ('refuse' unless an override reason is given, or 'warn'); worsening's
-- thresholds (points worse than baseline).
ALTER TABLE clinic_settings ADD COLUMN certification_rules BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE clinic_settings ADD COLUMN authorization_overrun TEXT NOT NULL DEFAULT 'refuse'
    CHECK (authorization_overrun IN ('refuse', 'warn'));
ALTER TABLE clinic_settings ADD COLUMN worsening_nrs_points INTEGER NOT NULL DEFAULT 2;
ALTER TABLE clinic_settings ADD COLUMN worsening_odi_points INTEGER NOT NULL DEFAULT 10;

-- The episode's worklist items clear themselves when what raised them is resolved. SQLite
-- cannot change a CHECK, so the table is built anew with the wider ones (nothing refers to it).
CREATE TABLE alerts_new (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('red_flag', 'plateau', 'low_adherence', 'missed_check_ins',
        'certification_unsigned', 'recertification_due', 'authorization_low', 'under_scheduled',
        'no_future_visit', 'worsening')),
    severity TEXT NOT NULL CHECK (severity IN ('emergency', 'urgent', 'warning')),
    severity_rank INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    detail TEXT,
    opened_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT REFERENCES users (id),
    acknowledgement_note TEXT
);
INSERT INTO alerts_new SELECT id, patient_id, kind, severity, severity_rank, status, detail, opened_at,
    acknowledged_at, acknowledged_by, acknowledgement_note FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE UNIQUE INDEX alerts_one_open ON alerts (patient_id, kind) WHERE status = 'open';
CREATE INDEX alerts_worklist ON alerts (status, severity_rank, opened_at, id);
CREATE INDEX alerts_patient ON alerts (patient_id, status);
