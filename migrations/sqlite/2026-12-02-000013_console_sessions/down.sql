DROP TABLE console_sessions;
ALTER TABLE clinic_settings DROP COLUMN console_idle_minutes;
