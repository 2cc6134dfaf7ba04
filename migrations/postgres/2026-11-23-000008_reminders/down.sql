DROP INDEX notification_outbox_user_kind;
ALTER TABLE notification_outbox DROP COLUMN headers;
DROP TABLE reminder_settings;
