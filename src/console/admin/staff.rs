//! Staff: who works at the clinic, inviting someone by email with a role, changing a role, and
//! deactivating (their sessions end at once). `accounts::staff` does each, audited.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::accounts::console_sessions::StaffSession;
use crate::accounts::staff::{self, StaffInvite, StaffUpdate};
use crate::console::layout::{error_for, notice, Field};
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::refused;
use crate::console::shell::{self, csrf};
use crate::db::audit::Origin;
use crate::db::users::UserRow;
use crate::db::{self, clinic, now};
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

const ROLES: [(Role, &str); 3] =
    [(Role::FrontDesk, "Front desk"), (Role::Clinician, "Clinician"), (Role::Admin, "Admin")];

fn role_label(role: &str) -> &'static str {
    ROLES.iter().find(|(r, _)| r.as_str() == role).map_or("Machine", |(_, l)| l)
}

#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    title: String,
}

fn invite_form(staff: &StaffSession, form: &InviteForm, errors: &[FieldError]) -> Markup {
    let email = Field {
        name: "email",
        label: "Email address",
        kind: "email",
        value: &form.email,
        autocomplete: "off",
        hint: None,
    };
    let name = Field {
        name: "full_name",
        label: "Full name",
        kind: "text",
        value: &form.full_name,
        autocomplete: "off",
        hint: None,
    };
    html! {
        form.panel method="post" action="/console/staff" {
            h2 { "Invite someone" }
            (csrf(staff))
            (email.render(errors))
            (name.render(errors))
            label for="role" { "Role" }
            select id="role" name="role" {
                @for (role, label) in ROLES { option value=(role.as_str()) selected[form.role == role.as_str()] { (label) } }
            }
            @if let Some(e) = error_for(errors, "role") { p.error { (e) } }
            label for="title" { "Title " span.hint { "(optional, e.g. DPT)" } }
            input type="text" id="title" name="title" value=(form.title) maxlength="120";
            @if let Some(e) = error_for(errors, "title") { p.error { (e) } }
            p.hint { "They get an email with a link to set their password; it works for 7 days." }
            button type="submit" { "Send the invitation" }
        }
    }
}

fn listing(staff: &StaffSession, rows: &[UserRow]) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr { th { "Name" } th { "Email" } th { "Role" } th { "Status" } th { span.visually-hidden { "Change" } } } }
                tbody {
                    @for person in rows.iter().filter(|p| p.role != Role::Worker.as_str()) {
                        tr {
                            td { (person.full_name) @if let Some(t) = &person.title { " " span.hint { (t) } } }
                            td { (person.email.clone().unwrap_or_default()) }
                            td { (role_label(&person.role)) }
                            td { @if !person.active { "Deactivated" } @else if person.password_hash.is_none() { "Invited" } @else { "Active" } }
                            td {
                                @if person.id != staff.actor.id && person.active {
                                    form.inline method="post" action={ "/console/staff/" (person.id) } {
                                        (csrf(staff))
                                        label.visually-hidden for={ "role-" (person.id) } { "New role for " (person.full_name) }
                                        select id={ "role-" (person.id) } name="role" {
                                            @for (role, label) in ROLES { option value=(role.as_str()) selected[person.role == role.as_str()] { (label) } }
                                        }
                                        button.secondary type="submit" name="action" value="role" { "Change role" }
                                        button.danger type="submit" name="action" value="deactivate" { "Deactivate" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct StaffQuery {
    done: Option<String>,
}

async fn staff_view(
    state: &AppState,
    staff: StaffSession,
    meta: Origin,
    form: InviteForm,
    errors: Vec<FieldError>,
    message: Option<Markup>,
    status: StatusCode,
) -> HttpResponse {
    let actor = staff.actor.clone();
    let read = db::run(&state.pool, move |conn| {
        let settings = clinic::settings(conn)?;
        let rows = actor.require(&[Role::Admin]).and_then(|()| staff::list(conn, &actor, &meta, None, 200));
        Ok((settings, rows))
    })
    .await;
    match read {
        Ok((settings, Ok(rows))) => {
            let body = html! {
                @if let Some(message) = message { (message) }
                (listing(&staff, &rows))
                (invite_form(&staff, &form, &errors))
            };
            shell::show(status, &settings, &staff, "/console/staff", "Staff", body)
        }
        Ok((settings, Err(err))) => shell::failure(&settings, &staff, err),
        Err(err) => refused(state, &staff, err).await,
    }
}

#[get("/console/staff")]
pub async fn staff_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<StaffQuery>,
) -> HttpResponse {
    let message = query.done.as_deref().map(|done| {
        notice(
            "good",
            match done {
                "invited" => "Invitation sent. They appear as “Invited” until they set their password.",
                "deactivate" => "Deactivated. Their sessions ended at once.",
                _ => "Role changed. They sign in again to use it.",
            },
        )
    });
    let form = InviteForm { role: Role::Clinician.as_str().into(), ..Default::default() };
    staff_view(&state, staff.0, meta, form, Vec::new(), message, StatusCode::OK).await
}

#[post("/console/staff")]
pub async fn invite_staff(state: web::Data<AppState>, meta: Origin, posted: Posted<InviteForm>) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let role = Role::parse(&form.role).unwrap_or(Role::Patient);
    let checked = actor
        .require(&[Role::Admin])
        .and_then(|()| StaffInvite::check(&form.email, &form.full_name, role, Some(&form.title)));
    let (public_url, zone) = (state.config.public_url.clone(), state.config.default_time_zone.clone());
    let done = match checked {
        Ok(invite) => {
            let meta = meta.clone();
            db::transaction(&state.pool, move |conn| {
                staff::invite(conn, &actor, &meta, &public_url, &zone, invite, now())
            })
            .await
        }
        Err(err) => Err(err),
    };
    match done {
        Ok(_) => see_other("/console/staff?done=invited"),
        Err(ApiError::Validation(errors)) => {
            staff_view(&state, staff, meta, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ApiError::Conflict { message, .. }) => {
            let errors = vec![FieldError::new("email", "email_taken", message)];
            staff_view(&state, staff, meta, form, errors, None, StatusCode::CONFLICT).await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    role: String,
}

#[post("/console/staff/{id}")]
pub async fn change_staff(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<ChangeForm>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let update = match form.action.as_str() {
        "deactivate" => Some(StaffUpdate { role: None, active: Some(false), name: None, title: None }),
        "role" => Role::parse(&form.role).filter(|r| r.is_staff()).map(|r| StaffUpdate {
            role: Some(r),
            active: None,
            name: None,
            title: None,
        }),
        _ => None,
    };
    let done = form.action.clone();
    let changed = match update {
        Some(update) => {
            let meta = meta.clone();
            db::transaction(&state.pool, move |conn| {
                actor.require(&[Role::Admin])?;
                staff::update(conn, &actor, &meta, &id, update, now())
            })
            .await
        }
        None => Err(ApiError::field("role", "invalid", "choose front desk, clinician or admin")),
    };
    match changed {
        Ok(_) => see_other(&format!("/console/staff?done={done}")),
        Err(err @ (ApiError::Conflict { .. } | ApiError::Validation(_))) => {
            let text = shell::refusal_text(&err);
            let message = notice("bad", &format!("Not changed: {text}."));
            staff_view(&state, staff, meta, InviteForm::default(), Vec::new(), Some(message), StatusCode::CONFLICT)
                .await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
