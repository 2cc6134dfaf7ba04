-- Sessions a patient logged, under ids their phone made (so a log sent twice is stored once),
-- against the program version they followed, on the local date they did it.
CREATE TABLE exercise_logs (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    program_id TEXT NOT NULL REFERENCES programs (id),
    program_version_id TEXT NOT NULL REFERENCES program_versions (id),
    performed_on DATE NOT NULL,
    -- JSON: [{"position", "sets", "reps", "hold_seconds", "duration_seconds"}]
    items TEXT NOT NULL,
    pain INTEGER CHECK (pain BETWEEN 0 AND 10),
    effort INTEGER CHECK (effort BETWEEN 0 AND 10),
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX exercise_logs_patient ON exercise_logs (patient_id, performed_on);
CREATE INDEX exercise_logs_sync ON exercise_logs (patient_id, updated_at, id);
