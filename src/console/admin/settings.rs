//! The clinic's settings: name, address, phone, time zone, slot size, reminder times, how long a
//! waitlist offer stays open, and the console's idle time. Checked and saved by
//! `calendar::clinic`, as `PUT /v1/clinic` does; each refused field shows its message.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::accounts::console_sessions::StaffSession;
use crate::calendar::clinic::{self as settings, SettingsAsTyped};
use crate::console::layout::{error_for, notice};
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::refused;
use crate::console::shell::{self, csrf};
use crate::db;
use crate::db::audit::Origin;
use crate::db::clinic::{self, ClinicRow};
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    slot_granularity_minutes: String,
    #[serde(default)]
    reminder_offsets_minutes: String,
    #[serde(default)]
    waitlist_offer_minutes: String,
    #[serde(default)]
    console_idle_minutes: String,
}

impl SettingsForm {
    fn of(row: &ClinicRow) -> Self {
        Self {
            name: row.name.clone(),
            address: row.address.clone(),
            phone: row.phone.clone(),
            time_zone: row.time_zone.clone(),
            slot_granularity_minutes: row.slot_granularity_minutes.to_string(),
            reminder_offsets_minutes: row.reminder_offsets_minutes.replace(',', ", "),
            waitlist_offer_minutes: row.waitlist_offer_minutes.to_string(),
            console_idle_minutes: row.console_idle_minutes.to_string(),
        }
    }
}

fn input(name: &str, label: &str, value: &str, hint: &str, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, name);
    html! {
        label for=(name) { (label) }
        input type="text" id=(name) name=(name) value=(value) aria-describedby={ (name) "-hint" } aria-invalid=[error.map(|_| "true")];
        p.hint id={ (name) "-hint" } { (hint) }
        @if let Some(e) = error { p.error { (e) } }
    }
}

fn form(staff: &StaffSession, f: &SettingsForm, errors: &[FieldError]) -> Markup {
    html! {
        p { strong { "Clinic settings" } " · " a href="/console/types" { "Appointment types" } " · " a href="/console/rules" { "Clinical rules" } }
        form.panel method="post" action="/console/settings" {
            (csrf(staff))
            (input("name", "Clinic name", &f.name, "Signs every email and page.", errors))
            (input("address", "Address", &f.address, "Shown in confirmations.", errors))
            (input("phone", "Phone", &f.phone, "Patients are told to call it when it is too late to change a visit in the app.", errors))
            (input("time_zone", "Time zone", &f.time_zone, "An IANA name such as America/Chicago: hours and times are in it.", errors))
            (input("slot_granularity_minutes", "Appointments start every (minutes)", &f.slot_granularity_minutes, "5, 10, 15, 20, 30 or 60.", errors))
            (input("reminder_offsets_minutes", "Reminders before a visit (minutes)", &f.reminder_offsets_minutes, "Up to five, separated by commas; 1440 is a day.", errors))
            (input("waitlist_offer_minutes", "A waitlist offer stays open (minutes)", &f.waitlist_offer_minutes, "5 to 1440.", errors))
            (input("console_idle_minutes", "Sign staff out after (minutes without a page)", &f.console_idle_minutes, "5 to 480; front-desk computers are shared, so 15 is the default.", errors))
            button type="submit" { "Save the settings" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SettingsQuery {
    done: Option<String>,
}

#[get("/console/settings")]
pub async fn settings_page(state: web::Data<AppState>, staff: Staff, query: web::Query<SettingsQuery>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let done = query.done.is_some();
    shell::read_page(
        &state,
        &staff,
        "/console/settings",
        move |conn| {
            actor.require(&[Role::Admin])?;
            Ok(clinic::settings(conn)?)
        },
        move |_, row| {
            let body = html! {
                @if done { (notice("good", "Saved.")) }
                (form(&forms, &SettingsForm::of(&row), &[]))
            };
            ("Clinic settings".into(), body)
        },
    )
    .await
}

/// A number as typed; unreadable is `i32::MIN`, which every range refuses with its message.
fn number(raw: &str) -> i32 {
    raw.trim().parse().unwrap_or(i32::MIN)
}

#[post("/console/settings")]
pub async fn save_settings(state: web::Data<AppState>, meta: Origin, posted: Posted<SettingsForm>) -> HttpResponse {
    let Posted { staff, form: f } = posted;
    let actor = staff.actor.clone();
    let offsets: Vec<i64> = f
        .reminder_offsets_minutes
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| m.parse().unwrap_or(-1))
        .collect();
    let checked = actor.require(&[Role::Admin]).and_then(|()| {
        settings::check_settings(SettingsAsTyped {
            name: &f.name,
            address: &f.address,
            phone: &f.phone,
            time_zone: f.time_zone.trim(),
            slot_granularity_minutes: number(&f.slot_granularity_minutes),
            reminder_offsets_minutes: &offsets,
            waitlist_offer_minutes: number(&f.waitlist_offer_minutes),
            console_idle_minutes: Some(number(&f.console_idle_minutes)),
        })
    });
    let saved = match checked {
        Ok((row, idle)) => {
            db::transaction(&state.pool, move |conn| settings::save_checked(conn, &actor, &meta, row, idle)).await
        }
        Err(err) => Err(err),
    };
    match saved {
        Ok(_) => see_other("/console/settings?done=1"),
        Err(ApiError::Validation(errors)) => match db::run(&state.pool, |conn| Ok(clinic::settings(conn)?)).await {
            Ok(row) => shell::show(
                StatusCode::UNPROCESSABLE_ENTITY,
                &row,
                &staff,
                "/console/settings",
                "Clinic settings",
                form(&staff, &f, &errors),
            ),
            Err(err) => refused(&state, &staff, err).await,
        },
        Err(err) => refused(&state, &staff, err).await,
    }
}
