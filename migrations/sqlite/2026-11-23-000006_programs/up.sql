-- Home-exercise programs. Editing makes a new version; every version is kept, and logs point at
-- the version they were done against.
CREATE TABLE programs (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    current_version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX programs_patient ON programs (patient_id, created_at);

CREATE TABLE program_versions (
    id TEXT PRIMARY KEY,
    program_id TEXT NOT NULL REFERENCES programs (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    -- ISO weekdays, comma-separated, or empty when sessions_per_week is set instead.
    weekdays TEXT NOT NULL,
    sessions_per_week INTEGER,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (program_id, version)
);

CREATE TABLE program_items (
    id TEXT PRIMARY KEY,
    version_id TEXT NOT NULL REFERENCES program_versions (id),
    position INTEGER NOT NULL,
    exercise_id TEXT NOT NULL REFERENCES exercises (id),
    sets INTEGER,
    reps INTEGER,
    hold_seconds INTEGER,
    duration_seconds INTEGER,
    load TEXT,
    side TEXT,
    notes TEXT,
    phase INTEGER
);
CREATE INDEX program_items_version ON program_items (version_id, position);
