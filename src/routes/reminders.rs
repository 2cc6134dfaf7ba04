//! A patient's reminders: when exercise reminders and the weekly check-in prompt come
//! (`/v1/me/reminders`), the same on/off switches as notification preferences
//! (`/v1/me/notification-preferences`), and one-click unsubscribe from the email itself
//! (`/v1/unsubscribe/{token}`, RFC 8058), which works without signing in.

use crate::http::json::Json;
use actix_web::http::header::ContentType;
use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db;
use crate::db::audit::Origin;
use crate::domain::person;
use crate::domain::reminders::{ReminderKind, ReminderTime};
use crate::domain::role::Role;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::mail::escape_html;
use crate::reminders::settings::{self, Settings};
use crate::reminders::ReminderLinks;
use crate::state::AppState;

/// When one kind of reminder comes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReminderChoice {
    pub enabled: bool,
    /// ISO weekdays (1 = Monday … 7 = Sunday). Exercise reminders come only on those of these
    /// days the program asks for a session.
    #[schema(schema_with = crate::http::schemas::some_weekdays)]
    pub weekdays: Vec<u32>,
    /// Local wall-clock time, `HH:MM` (24-hour), in the patient's time zone.
    #[schema(example = "07:30", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reminders {
    /// The patient's IANA time zone; reminder times are local to it.
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    pub exercise: ReminderChoice,
    pub check_in: ReminderChoice,
    /// The weekly summary email: adherence, pain and function, with the chart.
    pub weekly_summary: ReminderChoice,
}

/// Absent parts stay as they are.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RemindersUpdate {
    /// Moves the patient's time zone (and with it, every reminder) to this IANA zone.
    #[schema(schema_with = crate::http::schemas::time_zone_or_null)]
    pub time_zone: Option<String>,
    pub exercise: Option<ReminderChoice>,
    pub check_in: Option<ReminderChoice>,
    pub weekly_summary: Option<ReminderChoice>,
}

/// The email switches; the same ones `/v1/me/reminders` and one-click unsubscribe change.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPreferences {
    pub exercise_reminders: bool,
    pub check_in_reminders: bool,
    pub weekly_summary: bool,
}

/// Absent switches stay as they are.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PreferencesUpdate {
    pub exercise_reminders: Option<bool>,
    pub check_in_reminders: Option<bool>,
    pub weekly_summary: Option<bool>,
}

fn choice(settings: &Settings, kind: ReminderKind) -> ReminderChoice {
    let (enabled, time) = settings.of_kind(kind);
    ReminderChoice { enabled, weekdays: time.weekdays.iter().copied().collect(), time: time.clock() }
}

fn view(settings: Settings) -> Reminders {
    Reminders {
        exercise: choice(&settings, ReminderKind::Exercise),
        check_in: choice(&settings, ReminderKind::CheckIn),
        weekly_summary: choice(&settings, ReminderKind::WeeklySummary),
        time_zone: settings.time_zone,
    }
}

/// The signed-in patient's settings, with the read audited as `action`.
async fn read(state: &AppState, user: Actor, meta: Origin, action: &'static str) -> Result<Settings, ApiError> {
    user.require(&[Role::Patient])?;
    db::transaction(&state.pool, move |conn| settings::read(conn, &user, &meta, action)).await
}

#[utoipa::path(
    operation_id = "getMyReminders",
    summary = "Get my exercise reminders",
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Reminders),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me/reminders")]
pub async fn get_reminders(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    let settings = read(&state, user, meta, "reminders.read").await?;
    Ok(HttpResponse::Ok().json(view(settings)))
}

#[utoipa::path(
    operation_id = "putMyReminders",
    summary = "Set my exercise reminders",
    tag = "reminders",
    security(("bearer" = [])),
    request_body = RemindersUpdate,
    responses(
        (status = 200, description = "Saved; what was queued for later follows the new choice", body = Reminders),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/me/reminders")]
pub async fn put_reminders(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<RemindersUpdate>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let body = body.into_inner();
    let mut checks = Checks::default();
    let zone = checks.optional("time_zone", body.time_zone, |z| person::time_zone(&z));
    let mut choices = Vec::new();
    let parts = [
        (ReminderKind::Exercise, body.exercise),
        (ReminderKind::CheckIn, body.check_in),
        (ReminderKind::WeeklySummary, body.weekly_summary),
    ];
    for (kind, choice) in parts {
        let Some(choice) = choice else { continue };
        match ReminderTime::parse(&choice.weekdays, &choice.time) {
            Ok(time) => choices.push((kind, choice.enabled, time)),
            Err((field, invalid)) => checks.fail(&format!("{}.{field}", kind.as_str()), invalid.code, &invalid.message),
        }
    }
    let zone = checks.finish(|| zone)?;
    let links = ReminderLinks::from_config(&state.config);
    let settings =
        db::transaction(&state.pool, move |conn| settings::choose(conn, &user, &meta, &links, zone, &choices)).await?;
    Ok(HttpResponse::Ok().json(view(settings)))
}

fn preferences(settings: &Settings) -> NotificationPreferences {
    NotificationPreferences {
        exercise_reminders: settings.of_kind(ReminderKind::Exercise).0,
        check_in_reminders: settings.of_kind(ReminderKind::CheckIn).0,
        weekly_summary: settings.of_kind(ReminderKind::WeeklySummary).0,
    }
}

#[utoipa::path(
    operation_id = "getMyNotificationPreferences",
    summary = "Get my notification preferences",
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 200, body = NotificationPreferences),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me/notification-preferences")]
pub async fn get_preferences(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    let settings = read(&state, user, meta, "notification_preferences.read").await?;
    Ok(HttpResponse::Ok().json(preferences(&settings)))
}

#[utoipa::path(
    operation_id = "putMyNotificationPreferences",
    summary = "Set my notification preferences",
    tag = "reminders",
    security(("bearer" = [])),
    request_body = PreferencesUpdate,
    responses(
        (status = 200, body = NotificationPreferences),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/me/notification-preferences")]
pub async fn put_preferences(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<PreferencesUpdate>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let body = body.into_inner();
    let switches: Vec<(ReminderKind, bool)> = [
        (ReminderKind::Exercise, body.exercise_reminders),
        (ReminderKind::CheckIn, body.check_in_reminders),
        (ReminderKind::WeeklySummary, body.weekly_summary),
    ]
    .into_iter()
    .filter_map(|(kind, switch)| Some((kind, switch?)))
    .collect();
    let links = ReminderLinks::from_config(&state.config);
    let settings =
        db::transaction(&state.pool, move |conn| settings::switch(conn, &user, &meta, &links, &switches)).await?;
    Ok(HttpResponse::Ok().json(preferences(&settings)))
}

/// A small page for people who open the link in a browser, styled by the console's stylesheet
/// (no inline style: the Content-Security-Policy allows none).
fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::html()).body(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{0}</title>\
         <link rel=\"stylesheet\" href=\"{2}\"></head><body><main><h1>{0}</h1>{1}</main></body></html>",
        escape_html(title),
        body,
        crate::console::STYLESHEET_PATH
    ))
}

#[utoipa::path(
    operation_id = "getUnsubscribePage",
    summary = "Show the unsubscribe page",
    security(),
    tag = "reminders",
    params(("token" = String, Path, description = "The token from the email's unsubscribe link")),
    responses(
        (status = 200, description = "A page with a button that unsubscribes (opening the link changes nothing)", content_type = "text/html"),
        (status = 400, description = "`invalid_token`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/unsubscribe/{token}")]
pub async fn unsubscribe_page(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let (_, kind) = ReminderLinks::from_config(&state.config).verify(&token).ok_or(ApiError::InvalidToken)?;
    Ok(page(
        "Stop these emails?",
        &format!(
            "<p>You will no longer get {} by email. You can turn them on again in the app.</p>\
             <form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>",
            kind.in_words()
        ),
    ))
}

#[utoipa::path(
    operation_id = "unsubscribe",
    summary = "Unsubscribe in one click",
    security(),
    tag = "reminders",
    params(("token" = String, Path, description = "The token from the email's unsubscribe link")),
    request_body(content = String, description = "`List-Unsubscribe=One-Click` (RFC 8058); any body is accepted", content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Turned off (again, if it was off already)", content_type = "text/html"),
        (status = 400, description = "`invalid_token`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/unsubscribe/{token}")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let links = ReminderLinks::from_config(&state.config);
    let (user_id, kind) = links.verify(&token).ok_or(ApiError::InvalidToken)?;
    db::transaction(&state.pool, move |conn| settings::unsubscribe(conn, &meta, &links, &user_id, kind)).await?;
    Ok(page(
        "Unsubscribed",
        &format!(
            "<p>You will no longer get {} by email.</p>\
             <form method=\"post\" action=\"/unsubscribe/{}/undo\"><p>Changed your mind?</p>\
             <button type=\"submit\">Turn them back on</button></form>",
            kind.in_words(),
            escape_html(&token)
        ),
    ))
}
