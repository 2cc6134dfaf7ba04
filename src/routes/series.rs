//! Booking a series of visits from the plan of care in one request (staff), all or nothing.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::appointments::{views, AppointmentView};
use crate::auth::Actor;
use crate::calendar::booking::Context;
use crate::calendar::notices::Notices;
use crate::calendar::series::{self, Booked};
pub use crate::calendar::series::{SeriesConflict, SeriesRequest, WeeklyTime};
use crate::clinical::access::AccessReason;
use crate::db;
use crate::db::audit::Origin;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::json::Json;
use crate::idempotency::{self, Answer, IdempotencyKey, Retry};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesBooked {
    pub series_id: String,
    /// Every visit of the series, in order.
    pub visits: Vec<AppointmentView>,
}

/// The 409 of a series that could not be booked whole: the problem, with every visit that could
/// not be booked and the nearest free starts for each.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesProblem {
    #[serde(flatten)]
    pub problem: Problem,
    pub conflicts: Vec<SeriesConflict>,
}

#[utoipa::path(
    operation_id = "bookSeries",
    summary = "Book a series of visits",
    description = "N visits on chosen weekdays and local times with one clinician, into the episode, in one request. \
                   Each visit is checked as a single booking is (the database's no-overlap guard, the authorization guard); \
                   when any cannot be booked, none is, and the 409 lists each with the nearest free starts. \
                   One email confirms the series. Retry-safe with `Idempotency-Key`.",
    tag = "episodes",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The episode's id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,200}$", description = "Retry-safe creation: a retry with the same key gets the same answer (1 to 200 visible ASCII characters)"),
        AccessReason
    ),
    request_body = SeriesRequest,
    responses(
        (status = 201, description = "Every visit booked", body = SeriesBooked),
        (status = 403, description = "Staff only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_taken`: some visits could not be booked (each listed in the conflicts member), so none was; `episode_closed`", body = SeriesProblem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/episodes/{id}/series")]
pub async fn book_series(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<SeriesRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = req.headers().get("idempotency-key").map(|v| IdempotencyKey::parse(v.to_str().unwrap_or_default()));
    let mut body = body.into_inner();
    body.override_reason = crate::error::fields::free_text("override_reason", body.override_reason.as_deref(), 500)?;
    let retry = key.transpose()?.map(|key| Retry::new(&user.id, key, &(path.as_str(), &body)));
    let call =
        Call { notices: Notices::from_config(&state.config), user, meta, reason, episode_id: path.into_inner(), body };
    let answer = db::transaction(&state.pool, move |conn| call.run(conn, retry.as_ref())).await?;
    Ok(answer.respond())
}

/// One series request, as the transaction runs it.
struct Call {
    notices: Notices,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    episode_id: String,
    body: SeriesRequest,
}

impl Call {
    fn run(self, conn: &mut db::DbConnection, retry: Option<&Retry>) -> Result<Answer, ApiError> {
        let now = db::now();
        let Call { notices, user, meta, reason, episode_id, body } = self;
        idempotency::run(
            conn,
            retry,
            &meta,
            now,
            |_, _| Ok(()),
            |conn| {
                let clinic = db::clinic::settings(conn)?;
                let cx =
                    Context { clinic: &clinic, notices: &notices, actor: &user, origin: &meta, now: now.and_utc() };
                let booked = series::book(conn, &cx, &reason, &episode_id, body)?;
                answer(conn, &user, &meta, booked)
            },
        )
    }
}

fn answer(conn: &mut db::DbConnection, user: &Actor, meta: &Origin, booked: Booked) -> Result<Answer, ApiError> {
    Ok(match booked {
        Booked::Series { id, visits } => {
            Answer::created(&SeriesBooked { series_id: id, visits: views(conn, user, visits)? })
        }
        Booked::Conflicts(conflicts) => {
            let n = conflicts.len();
            let refusal = ApiError::conflict(
                ProblemCode::SlotTaken,
                format!("{n} of the series' visits cannot be booked, so none was: see conflicts"),
            );
            let problem = SeriesProblem { problem: refusal.to_problem(meta.request_id.clone()), conflicts };
            Answer { status: 409, body: serde_json::to_string(&problem).unwrap_or_default() }
        }
    })
}
