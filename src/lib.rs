//! BackTrack: the back end of physical-therapy practices that treat chronic low back pain.
//!
//! The crate map. Dependencies point one way: `routes/` and `console/` (and start-up) → the
//! services → `db/`, `mail/`, `domain/`.
//!
//! - `domain/`: the clinic's rules as pure code (slots, outcomes, red flags, adherence, programs,
//!   local time); no I/O.
//! - `db/`: the two databases behind one connection type, the queries beside their rows, and the
//!   SQLite backup (`backtrack backup`).
//! - `error/`: the one error type, its problem codes, and the field checks that become a 422.
//! - `auth/`: who acts (`Actor`), passwords, access and one-time tokens.
//! - The services, each called inside the caller's transaction with an `Actor` and an audit
//!   `Origin`: `accounts/` (sign-up, sign-in, passwords, invitations, patients, staff),
//!   `calendar/` (availability, booking, moves, the day sheet, the waitlist), `clinical/` (the
//!   clinical record and the home program), `reminders/` (reminder settings and the scheduler).
//! - `idempotency/`: retry-safe creates (reserve, replay or run and save the answer).
//! - `mail/`: the messages (text, HTML, ICS); `progress_chart/`: the chart as SVG and PNG.
//! - `http/`: HTTP plumbing (request ids, guards, the caller from its credential, JSON, paging,
//!   and `link_actions`: what an emailed link does, for the JSON API and the console alike);
//!   `routes/`: the JSON handlers and the OpenAPI document; `console/`: the pages `serve`
//!   renders (so far the public pages behind the emailed links), over the same services.
//! - `worker/`: the outbox worker, and its wire contract with the server.
//! - `config/`: one typed configuration from the environment.
//! - `startup.rs` builds the app; `housekeeping.rs` runs the periodic sweeps; `admin.rs` the
//!   operator's commands; `state.rs` what every handler reaches; `telemetry.rs` the logs.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod calendar;
pub mod clinical;
pub mod config;
pub mod console;
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
