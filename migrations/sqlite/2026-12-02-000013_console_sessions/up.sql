-- Staff sign-ins to the browser console. The browser holds a random id in a cookie; only its
-- hash is kept here, and the row goes when the session ends (sign-out, idle time, lifetime).
CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    token_version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
-- Minutes without a page before a console session ends (front-desk computers are shared).
ALTER TABLE clinic_settings ADD COLUMN console_idle_minutes INTEGER NOT NULL DEFAULT 15;
