//! Black-box tests: each starts the app on port 0 with a fresh database (SQLite, or PostgreSQL
//! when `TEST_DATABASE_URL` is set) and speaks HTTP to it.

mod calendar_fixture;
mod helpers;
#[path = "../support/smtp_sink.rs"]
mod smtp_sink;

mod accounts;
mod appointment_emails;
mod audit;
mod booking;
mod booking_races;
mod check_ins;
mod clinical_record;
mod deliveries;
mod errors;
mod exercises;
mod export;
mod health;
mod jwt;
mod openapi;
mod patients;
mod programs;
mod reminders;
mod smtp_delivery;
mod staff;
mod throttle;
mod waitlist;
