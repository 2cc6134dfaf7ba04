//! The clinical record, on top of the pure rules in `domain/` (outcomes, red flags, progress,
//! adherence): recording check-ins ([`check_ins`]) and evaluations ([`evaluations`]), raising
//! alerts and telling clinicians ([`alerts`]), the clinician's worklist and the patient's open red
//! flag ([`worklist`]), the patient's own copy ([`export`]), the clinic's clinical rules
//! ([`rules`]), who may open a record ([`access`]), and a patient's progress ([`progress`]);
//! the home program: the exercise library ([`exercises`]), prescribing and revising programs
//! ([`programs`]), logged sessions ([`exercise_logs`]) and adherence ([`adherence`]); the
//! episode of care: the plan ([`episodes`], its fields in [`episode_plan`], its answer in
//! [`episode_view`]), certification ([`certifications`]) and the payer's authorizations
//! ([`authorizations`]).
//!
//! How to call it: each function takes the connection, the [`crate::auth::Actor`] and the audit
//! [`crate::db::audit::Origin`] where it acts or audits, and plain inputs (checked values, ids,
//! small input structs defined beside it). It runs inside the caller's transaction
//! (`db::transaction` where it writes, `db::run` for a read) and opens none of its own; only the
//! background sweep ([`alerts::sweep`]) takes the pool, for one transaction per patient.
//!
//! What it returns: rows, or plain result structs; or an `ApiError`: `NotFound` for what the actor
//! may not know exists, a conflict with its `ProblemCode`, a field error for a rule the answers
//! break together.

pub mod access;
pub mod adherence;
pub mod alerts;
pub mod authorizations;
pub mod certifications;
pub mod check_ins;
pub mod episode_alerts;
pub mod episode_plan;
pub mod episode_settings;
pub mod episode_view;
pub mod episodes;
pub mod evaluations;
pub mod exercise_logs;
pub mod exercises;
pub mod export;
pub mod programs;
pub mod progress;
pub mod rules;
pub mod worklist;

/// The copy stored before under an id the phone made, if any. Another patient's id is not
/// theirs to know about, whatever the body says: not found.
pub fn earlier_copy<R: crate::db::phone_made::PhoneMade>(
    found: Option<R>,
    patient_id: &str,
) -> Result<Option<R>, crate::error::ApiError> {
    match found {
        Some(row) if row.patient_id() != patient_id => Err(crate::error::ApiError::NotFound),
        other => Ok(other),
    }
}
