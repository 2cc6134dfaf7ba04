//! The clinic's clinical rules (docs/clinical-rules.md): the thresholds that are a clinic's choice rather
//! than a published rule. Clinicians and admins read them; admins change them.

use crate::http::json::Json;
use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::clinical::rules as clinical_rules;
use crate::db;
use crate::db::audit::Origin;
use crate::db::clinic::ClinicalRules;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClinicalRulesView {
    /// ODI sections that must be answered for a score (1–10; default 8).
    #[schema(minimum = 1, maximum = 10)]
    pub odi_min_answered: i32,
    /// Adherence over the last 14 days below this percent raises an alert (1–100; default 50).
    #[schema(minimum = 1, maximum = 100)]
    pub low_adherence_percent: i32,
    /// Weeks after the baseline before a plateau is called (4–26; default 6).
    #[schema(minimum = 4, maximum = 26)]
    pub plateau_weeks: i32,
    /// Days without a check-in, while a program is active, before an alert (7–60; default 14).
    #[schema(minimum = 7, maximum = 60)]
    pub missed_check_in_days: i32,
}

impl From<ClinicalRules> for ClinicalRulesView {
    fn from(r: ClinicalRules) -> Self {
        Self {
            odi_min_answered: r.odi_min_answered,
            low_adherence_percent: r.low_adherence_percent,
            plateau_weeks: r.plateau_weeks,
            missed_check_in_days: r.missed_check_in_days,
        }
    }
}

#[utoipa::path(
    operation_id = "getClinicalRules",
    summary = "Get the clinical rules",
    tag = "clinic",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ClinicalRulesView),
        (status = 403, description = "Clinicians and admins", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/clinic/clinical-rules")]
pub async fn get_rules(state: web::Data<AppState>, user: Actor) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let rules = db::run(&state.pool, clinical_rules::current).await?;
    Ok(HttpResponse::Ok().json(ClinicalRulesView::from(rules)))
}

#[utoipa::path(
    operation_id = "putClinicalRules",
    summary = "Change the clinical rules",
    tag = "clinic",
    security(("bearer" = [])),
    request_body = ClinicalRulesView,
    responses(
        (status = 200, body = ClinicalRulesView),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinic/clinical-rules")]
pub async fn put_rules(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<ClinicalRulesView>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let rules = clinical_rules::check(
        body.odi_min_answered.into(),
        body.low_adherence_percent.into(),
        body.plateau_weeks.into(),
        body.missed_check_in_days.into(),
    )?;
    let saved = db::transaction(&state.pool, move |conn| clinical_rules::update(conn, &user, &meta, &rules)).await?;
    Ok(HttpResponse::Ok().json(ClinicalRulesView::from(saved)))
}
