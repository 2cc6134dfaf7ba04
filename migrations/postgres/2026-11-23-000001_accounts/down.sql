DROP TABLE notification_outbox;
DROP TRIGGER audit_log_no_change ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
