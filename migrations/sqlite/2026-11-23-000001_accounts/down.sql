DROP TABLE notification_outbox;
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
