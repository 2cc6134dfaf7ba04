-- Patients waiting for an earlier time, and the offers made to them when one frees up.
CREATE TABLE waitlist_entries (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES users (id),
    appointment_type_id TEXT NOT NULL REFERENCES appointment_types (id),
    clinician_id TEXT REFERENCES users (id),
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    -- ISO weekdays, comma-separated; empty for any day.
    weekdays TEXT NOT NULL,
    -- Preferred local start times, minutes after midnight; NULL for any.
    earliest_minute INTEGER,
    latest_minute INTEGER,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'cancelled')),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (from_date <= to_date)
);
CREATE INDEX waitlist_entries_status ON waitlist_entries (status, created_at);
CREATE INDEX waitlist_entries_patient ON waitlist_entries (patient_id);

CREATE TABLE waitlist_offers (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES waitlist_entries (id),
    token_hash TEXT NOT NULL UNIQUE,
    clinician_id TEXT NOT NULL REFERENCES users (id),
    starts_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'expired', 'withdrawn')),
    appointment_id TEXT REFERENCES appointments (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX waitlist_offers_status ON waitlist_offers (status, expires_at);
CREATE INDEX waitlist_offers_entry ON waitlist_offers (entry_id);
