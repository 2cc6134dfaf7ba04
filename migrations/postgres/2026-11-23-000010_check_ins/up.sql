-- The clinical record: evaluations, the patient's PSFS activities, weekly check-ins, the
-- patient's primary clinician, and the clinic's clinical rules (CLINICAL.md; clinic settings).
-- Written together with ../../sqlite/2026-11-23-000010_check_ins/up.sql.

-- Set by the evaluation; other clinicians open the record only by giving a reason.
ALTER TABLE users ADD COLUMN primary_clinician_id TEXT REFERENCES users (id);

-- Settings whose defaults are a clinic's choice, not a published rule.
ALTER TABLE clinic_settings ADD COLUMN odi_min_answered INTEGER NOT NULL DEFAULT 8;
ALTER TABLE clinic_settings ADD COLUMN low_adherence_percent INTEGER NOT NULL DEFAULT 50;
ALTER TABLE clinic_settings ADD COLUMN plateau_weeks INTEGER NOT NULL DEFAULT 6;
ALTER TABLE clinic_settings ADD COLUMN missed_check_in_days INTEGER NOT NULL DEFAULT 14;

-- The comprehensive movement evaluation, one per appointment.
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL UNIQUE REFERENCES appointments (id),
    patient_id TEXT NOT NULL REFERENCES users (id),
    clinician_id TEXT NOT NULL REFERENCES users (id),
    -- The local date of the appointment: the baseline's date.
    evaluated_on DATE NOT NULL,
    -- JSON: mobility, hip range of motion, core activation, trunk endurance, movement patterns,
    -- response to repeated movements, impression and plan.
    findings TEXT NOT NULL,
    -- JSON: the nine STarT Back answers.
    start_back_answers TEXT NOT NULL,
    start_back_total INTEGER NOT NULL,
    start_back_psychosocial INTEGER NOT NULL,
    start_back_risk TEXT NOT NULL CHECK (start_back_risk IN ('low', 'medium', 'high')),
    baseline_nrs INTEGER NOT NULL CHECK (baseline_nrs BETWEEN 0 AND 10),
    -- JSON: ten ODI sections, null where skipped.
    baseline_odi_answers TEXT NOT NULL,
    baseline_odi DOUBLE PRECISION,
    -- JSON: the PSFS activities rated at this evaluation, [{name, rating}], in order.
    baseline_psfs_ratings TEXT NOT NULL,
    baseline_psfs DOUBLE PRECISION,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_patient ON evaluations (patient_id, evaluated_on);

-- The 3 to 5 activities a patient rates in every PSFS, the same each time.
CREATE TABLE psfs_activities (
    patient_id TEXT NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 5),
    name TEXT NOT NULL,
    PRIMARY KEY (patient_id, position)
);

-- Weekly check-ins under ids the phone makes, so one sent twice is stored once.
CREATE TABLE check_ins (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    -- The patient's local date it was filled in.
    completed_on DATE NOT NULL,
    pain_now INTEGER NOT NULL CHECK (pain_now BETWEEN 0 AND 10),
    pain_average INTEGER NOT NULL CHECK (pain_average BETWEEN 0 AND 10),
    pain_worst INTEGER NOT NULL CHECK (pain_worst BETWEEN 0 AND 10),
    odi_answers TEXT NOT NULL,
    odi_score DOUBLE PRECISION,
    psfs_ratings TEXT NOT NULL,
    psfs_score DOUBLE PRECISION,
    sleep_quality INTEGER CHECK (sleep_quality BETWEEN 0 AND 10),
    exercise_confidence INTEGER CHECK (exercise_confidence BETWEEN 0 AND 10),
    note TEXT,
    -- JSON: the red-flag question ids answered yes.
    red_flags TEXT NOT NULL,
    red_flag_severity TEXT CHECK (red_flag_severity IN ('emergency', 'urgent')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_patient ON check_ins (patient_id, completed_on);
