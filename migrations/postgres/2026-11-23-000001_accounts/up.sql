-- Accounts, sign-in, the audit log and the notification outbox.
-- Written together with ../../sqlite/2026-11-23-000001_accounts/up.sql: same tables, same names.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT UNIQUE,
    email_verified_at TIMESTAMP,
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('patient', 'front_desk', 'clinician', 'admin', 'worker')),
    full_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    phone TEXT,
    date_of_birth DATE,
    time_zone TEXT NOT NULL,
    title TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    token_version INTEGER NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_role_name ON users (role, name_key, id);
CREATE INDEX users_phone ON users (phone);
CREATE INDEX users_date_of_birth ON users (date_of_birth);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (id),
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    account_key TEXT NOT NULL,
    client_key TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (account_key, created_at);
CREATE INDEX login_attempts_client ON login_attempts (client_key, created_at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    patient_id TEXT,
    action TEXT NOT NULL,
    target_id TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT,
    client_ip TEXT,
    detail TEXT
);
CREATE INDEX audit_log_time ON audit_log (occurred_at, id);
CREATE INDEX audit_log_patient ON audit_log (patient_id, occurred_at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, occurred_at);

-- Append-only: the database itself refuses to change or remove an audit row.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE notification_outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    dedupe_key TEXT NOT NULL UNIQUE,
    priority INTEGER NOT NULL DEFAULT 0,
    due_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('pending', 'leased', 'sent', 'failed', 'cancelled', 'expired')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_expires_at TIMESTAMP,
    -- The latest lease ever given: a late "sent" report from it is still the truth.
    last_lease_owner TEXT,
    last_error TEXT,
    sent_at TIMESTAMP,
    smtp_message_id TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    attachments TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
CREATE INDEX notification_outbox_user ON notification_outbox (user_id);
