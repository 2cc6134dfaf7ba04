DROP TABLE idempotency_keys;
DROP TABLE appointment_events;
DROP TABLE appointments;
DROP TABLE availability_exceptions;
DROP TABLE availability_rules;
DROP TABLE clinician_services;
DROP TABLE appointment_types;
DROP TABLE clinic_settings;
