-- An account email's one-time link lives here, not in its bodies (which hold a placeholder),
-- and only until the email is settled (sent, failed, cancelled or expired).
ALTER TABLE notification_outbox ADD COLUMN secret_link TEXT;
