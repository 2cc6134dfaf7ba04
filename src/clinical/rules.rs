//! The clinic's clinical rules (docs/clinical-rules.md): the thresholds that are the clinic's choice rather
//! than a published rule, which the scores and the alert rules read.

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::clinic::{self, ClinicalRules};
use crate::db::DbConnection;
use crate::error::ApiError;

/// The rules in force.
pub fn current(conn: &mut DbConnection) -> Result<ClinicalRules, ApiError> {
    Ok(clinic::clinical_rules(conn)?)
}

/// Puts `rules` (each within its bounds: checked by the caller) in force, audited; the rules as
/// stored. Run it in a write transaction.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    rules: &ClinicalRules,
) -> Result<ClinicalRules, ApiError> {
    clinic::save_clinical_rules(conn, rules)?;
    AuditEntry::new("clinic.clinical_rules.update", origin).actor(&actor.id, actor.role).write(conn)?;
    current(conn)
}
