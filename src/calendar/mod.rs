//! The clinic calendar's operations, shared by the routes and the waitlist: finding free times,
//! booking, moving, cancelling and the status changes, each with its history, audit row and
//! emails, inside the caller's transaction. The rules themselves are in `domain/`.

pub mod availability;
pub mod booking;
pub mod notices;
pub mod waitlist;

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn to_naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}
