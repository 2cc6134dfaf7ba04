-- Reminders at the patient's own local time, and the extra headers an email carries.
-- Written together with ../../postgres/2026-11-23-000008_reminders/up.sql: same tables, same names.

-- One row per patient and kind ('exercise', 'check_in', 'weekly_summary'). `enabled` is the switch that the
-- notification preferences and one-click unsubscribe change; the time is local wall-clock time
-- in the patient's IANA zone (users.time_zone), so daylight saving never moves it.
CREATE TABLE reminder_settings (
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('exercise', 'check_in', 'weekly_summary')),
    enabled BOOLEAN NOT NULL DEFAULT 1,
    -- ISO weekdays (1 = Monday), comma-separated.
    weekdays TEXT NOT NULL,
    local_minute INTEGER NOT NULL CHECK (local_minute BETWEEN 0 AND 1439),
    -- When the scheduler next looks ahead for this row.
    next_run_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE INDEX reminder_settings_due ON reminder_settings (next_run_at);
-- Patients who already have a program get the defaults (domain::reminders::ReminderKind::default_time).
INSERT INTO reminder_settings (user_id, kind, enabled, weekdays, local_minute, next_run_at, updated_at)
SELECT DISTINCT patient_id, 'exercise', 1, '1,2,3,4,5,6,7', 480, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM programs;
INSERT INTO reminder_settings (user_id, kind, enabled, weekdays, local_minute, next_run_at, updated_at)
SELECT DISTINCT patient_id, 'check_in', 1, '7', 1080, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM programs;
INSERT INTO reminder_settings (user_id, kind, enabled, weekdays, local_minute, next_run_at, updated_at)
SELECT DISTINCT patient_id, 'weekly_summary', 1, '7', 1140, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM programs;

-- JSON object of extra headers (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058).
ALTER TABLE notification_outbox ADD COLUMN headers TEXT;
CREATE INDEX notification_outbox_user_kind ON notification_outbox (user_id, kind, status);
