//! BackTrack: the back end of physical-therapy practices that treat chronic low back pain.
//!
//! `domain/` holds the clinic's rules as pure code; `db/` the two databases behind one
//! connection type; `auth/` passwords and tokens; `routes/` the HTTP contract; `mail/` the
//! messages. `startup.rs` puts them together.

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod clinical;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod housekeeping;
pub mod http;
pub mod idempotency;
pub mod mail;
pub mod progress_chart;
pub mod reminders;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod worker;
