//! Accounts: the clinic's people and how they get in. Sign-up and email verification
//! ([`sign_up`]), sign-in and its throttle ([`sign_in`]), refreshing and ending sessions
//! ([`sessions`]), reset links, resets and changed passwords ([`passwords`]), invitations and the
//! first admin ([`invitations`]), a person's own profile ([`profile`]), the front desk's patient
//! records ([`patients`]), the admins' staff list ([`staff`]) and the admins' read of the audit log
//! ([`audit_log`]). What every emailed link shares (its token, its page, the hourly cap, a free
//! address) is in [`mailbox`].
//!
//! How to call: each function takes the caller's connection and runs inside the caller's write
//! transaction (`db::transaction`; the reads that only add an audit row are fine in `db::run`),
//! with the [`Actor`](crate::auth::Actor) who acts and the audit [`Origin`](crate::db::audit::Origin)
//! where it acts or audits, the instant it happens, and parsed inputs (domain values, config values
//! such as the public URL). Password hashing never runs here: it runs on the hasher's own threads,
//! so an operation that needs a hash takes the hash, and one that checks a password is split into
//! the step before the check and the step after it (`sign_in::admit` then `sign_in::finish`).
//!
//! What they return: rows (`UserRow`), small result structs ([`sessions::SignedIn`]), or
//! `ApiError`. An operation whose refusal must keep its audit row returns [`Audited`].

pub mod audit_log;
pub mod console_sessions;
pub mod invitations;
pub mod mailbox;
pub mod passwords;
pub mod patients;
pub mod profile;
pub mod sessions;
pub mod sign_in;
pub mod sign_up;
pub mod staff;

use crate::error::ApiError;

/// The outer error rolls the caller's transaction back; the inner one is the answer to give once
/// the transaction, with the audit row of the refusal, has committed.
pub type Audited<T> = Result<Result<T, ApiError>, ApiError>;
