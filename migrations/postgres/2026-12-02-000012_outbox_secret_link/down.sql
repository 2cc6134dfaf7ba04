ALTER TABLE notification_outbox DROP COLUMN secret_link;
