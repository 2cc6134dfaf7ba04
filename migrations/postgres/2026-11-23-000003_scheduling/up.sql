-- The clinic calendar: settings, appointment types, clinicians' hours, appointments and their
-- history, and idempotency records for retried requests.

CREATE TABLE clinic_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    slot_granularity_minutes INTEGER NOT NULL,
    reminder_offsets_minutes TEXT NOT NULL,
    waitlist_offer_minutes INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO clinic_settings VALUES (1, 'BackTrack clinic', '', '', 'UTC', 15, '1440,120', 120, (now() AT TIME ZONE 'utc'));

CREATE TABLE appointment_types (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    buffer_before_minutes INTEGER NOT NULL CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes INTEGER NOT NULL CHECK (buffer_after_minutes >= 0),
    patient_bookable BOOLEAN NOT NULL,
    min_notice_hours INTEGER NOT NULL,
    horizon_days INTEGER NOT NULL,
    cancel_cutoff_hours INTEGER NOT NULL,
    reschedule_cutoff_hours INTEGER NOT NULL,
    archived BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO appointment_types VALUES
    ('type-comprehensive-evaluation', 'comprehensive_evaluation', 'Comprehensive evaluation', 60, 0, 15, TRUE, 12, 60, 24, 24, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('type-follow-up', 'follow_up', 'Follow-up visit', 45, 0, 0, FALSE, 12, 60, 24, 24, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('type-re-evaluation', 're_evaluation', 'Re-evaluation', 45, 0, 15, FALSE, 12, 60, 24, 24, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('type-dry-needling', 'dry_needling', 'Dry needling', 30, 0, 10, FALSE, 12, 60, 24, 24, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('type-acupuncture-evaluation', 'acupuncture_evaluation', 'Acupuncture evaluation', 60, 0, 15, FALSE, 12, 60, 24, 24, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc'));

-- Which types a clinician offers; a clinician with no rows offers every type.
CREATE TABLE clinician_services (
    clinician_id TEXT NOT NULL REFERENCES users (id),
    appointment_type_id TEXT NOT NULL REFERENCES appointment_types (id),
    PRIMARY KEY (clinician_id, appointment_type_id)
);

-- Weekly hours in the clinic's local time: ISO weekday (1 = Monday), minutes after midnight.
CREATE TABLE availability_rules (
    id TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES users (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    valid_from DATE,
    valid_until DATE,
    created_at TIMESTAMP NOT NULL,
    CHECK (start_minute < end_minute)
);
CREATE INDEX availability_rules_clinician ON availability_rules (clinician_id);

CREATE TABLE availability_exceptions (
    id TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('time_off', 'extra_hours')),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    note TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX availability_exceptions_clinician ON availability_exceptions (clinician_id, starts_at);

-- block_start/block_end are the appointment with its type's buffers: what the clinician's
-- no-overlap rule is about. starts_at/ends_at are what the patient's rule is about.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    clinician_id TEXT NOT NULL REFERENCES users (id),
    appointment_type_id TEXT NOT NULL REFERENCES appointment_types (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    block_start TIMESTAMP NOT NULL,
    block_end TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'arrived', 'completed', 'no_show', 'cancelled')),
    reason TEXT,
    late_cancellation BOOLEAN NOT NULL,
    cancel_reason TEXT,
    sequence INTEGER NOT NULL,
    booked_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (starts_at < ends_at),
    CHECK (block_start <= starts_at AND ends_at <= block_end)
);
CREATE INDEX appointments_clinician_time ON appointments (clinician_id, block_start);
CREATE INDEX appointments_patient_time ON appointments (patient_id, starts_at);
CREATE INDEX appointments_time ON appointments (starts_at, id);

CREATE TABLE appointment_events (
    id TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    actor_id TEXT,
    occurred_at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    from_starts_at TIMESTAMP,
    to_starts_at TIMESTAMP,
    from_clinician_id TEXT,
    to_clinician_id TEXT,
    detail TEXT
);
CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, occurred_at);

-- A retried request with the same key gets the first answer again.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

-- No double booking, enforced by the database itself, even across API replicas.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments ADD CONSTRAINT appointments_clinician_no_overlap
    EXCLUDE USING gist (clinician_id WITH =, tsrange(block_start, block_end, '[)') WITH &&)
    WHERE (status <> 'cancelled');
ALTER TABLE appointments ADD CONSTRAINT appointments_patient_no_overlap
    EXCLUDE USING gist (patient_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status <> 'cancelled');
