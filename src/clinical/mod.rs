//! The clinical record on top of the pure rules in `domain/` (outcomes, red flags, progress,
//! adherence): who may open a record ([`access`]), raising alerts and telling clinicians
//! ([`alerts`]), and a patient's progress ([`progress`]). Everything here runs inside the
//! caller's transaction.

pub mod access;
pub mod adherence;
pub mod alerts;
pub mod exercise_logs;
pub mod exercises;
pub mod programs;
pub mod progress;
pub mod record_reads;
