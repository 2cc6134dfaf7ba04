//! Who may open a patient's clinical record: the patient (their own; another's is 404), the
//! patient's primary clinician, any clinician while the patient has none yet (before the
//! evaluation assigns one), admins; front desk and workers never (403). Another clinician opens
//! it only by giving a reason in `X-Access-Reason` ("emergency access"), which is audited.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::auth::Actor;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::users::{self, UserRow};
use crate::db::{evaluations, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

pub const REASON_HEADER: &str = "X-Access-Reason";

/// A clinician's stated reason for opening a record that is not theirs, if they gave one.
#[derive(Debug, Clone, Default)]
pub struct AccessReason(pub Option<String>);

/// Documents the header once for every route that takes it (`params(AccessReason)`).
impl utoipa::IntoParams for AccessReason {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        vec![ParameterBuilder::new()
            .name(REASON_HEADER)
            .parameter_in(ParameterIn::Header)
            .required(utoipa::openapi::Required::False)
            .description(Some("Why you open the record of a patient who is not yours (audited)"))
            .schema(Some(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))))
            .build()]
    }
}

impl FromRequest for AccessReason {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let reason = req
            .headers()
            .get(REASON_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().chars().take(500).collect::<String>())
            .filter(|v| !v.is_empty());
        ready(Ok(AccessReason(reason)))
    }
}

/// The patient whose record `user` may open, or why not. An emergency access leaves an audit
/// row with the reason.
pub fn open_record(
    conn: &mut DbConnection,
    user: &Actor,
    patient_id: &str,
    reason: &AccessReason,
    meta: &Origin,
) -> Result<UserRow, ApiError> {
    if matches!(user.role, Role::FrontDesk | Role::Worker) {
        return Err(ApiError::Forbidden);
    }
    if user.role == Role::Patient && user.id != patient_id {
        return Err(ApiError::NotFound);
    }
    let patient =
        users::find(conn, patient_id)?.filter(|p| p.role == Role::Patient.as_str()).ok_or(ApiError::NotFound)?;
    if user.role != Role::Clinician {
        return Ok(patient);
    }
    match evaluations::primary_clinician(conn, patient_id)? {
        None => Ok(patient),
        Some(primary) if primary == user.id => Ok(patient),
        Some(_) => match &reason.0 {
            Some(reason) => {
                AuditEntry::new("record.emergency_access", meta)
                    .actor(&user.id, user.role)
                    .patient(patient_id)
                    .detail(serde_json::json!({ "reason": reason }).to_string())
                    .write(conn)?;
                Ok(patient)
            }
            None => Err(ApiError::Denied {
                code: ProblemCode::AccessReasonRequired,
                message: format!(
                    "this patient has another primary clinician: give your reason in the {REASON_HEADER} header \
                     to open the record (it is audited)"
                ),
            }),
        },
    }
}
