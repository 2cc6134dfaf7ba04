//! Black-box tests: each starts the app on port 0 with a fresh database (SQLite, or PostgreSQL
//! when `TEST_DATABASE_URL` is set) and speaks HTTP to it.

mod browser;
mod calendar_fixture;
mod helpers;
mod pg_cluster;
mod serve_process;
#[path = "../support/smtp_sink.rs"]
mod smtp_sink;
mod zone_changes;

mod accounts;
mod appointment_emails;
mod audit;
mod authorization;
mod backup;
mod booking;
mod booking_races;
mod check_ins;
mod clinic_emails;
mod clinical_record;
mod clinical_rules_doc;
mod clock_edges;
mod console_authorization;
mod console_clinic;
mod console_journeys;
mod console_keyboard_and_links;
mod console_links;
mod console_staff;
mod deliveries;
mod email_verification;
mod episode_worklist;
mod episodes;
mod errors;
mod exercises;
mod export;
mod faults;
mod file_modes;
mod health;
mod jwt;
mod layout;
mod log_privacy;
mod openapi;
mod outbox_secrets;
mod patients;
mod programs;
mod reminders;
mod series;
mod serve_output;
mod session_end;
mod smtp_delivery;
mod staff;
mod throttle;
mod transport_guards;
mod waitlist;
