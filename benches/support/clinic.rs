//! The benchmark clinic: 8 clinicians working 08:00–18:00 every day in America/Chicago, 250
//! patients, one front-desk user and 2,000 dry-needling appointments over the next 31 days, all
//! written through the app's own db functions.

use backtrack::db::appointments::{self, AppointmentRow};
use backtrack::db::availability::{self, NewRule};
use backtrack::db::users::UserRow;
use backtrack::db::{self, clinic, DbConnection};
use backtrack::domain::person::FullName;
use backtrack::domain::role::Role;
use chrono::{DateTime, Duration as Span, TimeZone, Utc};

pub const CLINICIANS: usize = 8;
pub const PATIENTS: usize = 250;
pub const EXISTING: usize = 2_000;
pub const PASSWORD: &str = "Lumbar-hinge-2026";
pub const ZONE: chrono_tz::Tz = chrono_tz::America::Chicago;
pub const DESK_EMAIL: &str = "desk@clinic.example";

pub fn patient_email(p: usize) -> String {
    format!("patient{p}@example.org")
}

pub struct Clinic {
    pub clinicians: Vec<String>,
    pub patients: Vec<String>,
    pub desk: String,
}

/// `hour`:00 clinic-local time on the day `day` days from today.
pub fn local(day: i64, hour: u32) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    ZONE.from_local_datetime(&(today + Span::days(day)).and_hms_opt(hour, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// The query string of the measured availability: dry needling, days 1 to 15 (14 days).
pub fn availability_query() -> String {
    format!(
        "appointment_type=dry_needling&from={}&to={}",
        local(1, 0).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        local(15, 0).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

/// Seeds the clinic; every person signs in with [`PASSWORD`] (`password_hash` is its hash).
pub fn seed(conn: &mut DbConnection, password_hash: &str) -> Clinic {
    db::write_tx(conn, |conn| {
        let now = db::now();
        let mut settings = clinic::settings(conn)?;
        settings.time_zone = ZONE.name().into();
        clinic::save_settings(conn, &settings)?;
        let mut dry_needling = clinic::find_type(conn, "dry_needling")?.unwrap();
        dry_needling.horizon_days = 365;
        clinic::save_type(conn, &dry_needling)?;
        let person = |role: Role, email: String, name: String| UserRow {
            email: Some(email),
            password_hash: Some(password_hash.to_string()),
            // Confirmed addresses: an unconfirmed patient reaches only their own status.
            email_verified_at: Some(now),
            ..UserRow::new(role, &FullName::parse(&name).unwrap(), ZONE.name(), now)
        };
        let mut clinicians = Vec::new();
        for c in 0..CLINICIANS {
            let user = person(Role::Clinician, format!("pt{c}@clinic.example"), format!("Clinician {c}"));
            db::users::insert(conn, &user)?;
            let rules: Vec<NewRule> = (1..=7)
                .map(|weekday| NewRule {
                    weekday,
                    start_minute: 8 * 60,
                    end_minute: 18 * 60,
                    valid_from: None,
                    valid_until: None,
                })
                .collect();
            availability::replace_rules(conn, &user.id, &rules, now)?;
            clinicians.push(user.id);
        }
        let mut patients = Vec::new();
        for p in 0..PATIENTS {
            let user = person(Role::Patient, patient_email(p), format!("Patient {p}"));
            db::users::insert(conn, &user)?;
            patients.push(user.id);
        }
        let desk = person(Role::FrontDesk, DESK_EMAIL.into(), "Front Desk".into());
        db::users::insert(conn, &desk)?;
        // Appointment k of clinician c: day 1 + k / 8 at 08:00 + k % 8 hours; its patient is
        // (k + 31c) mod 250, which never puts one patient in two places at once.
        for (c, clinician) in clinicians.iter().enumerate() {
            for k in 0..EXISTING / CLINICIANS {
                let start = local(1 + (k / 8) as i64, 8 + (k % 8) as u32);
                let row = AppointmentRow {
                    id: db::new_id(),
                    patient_id: patients[(k + 31 * c) % PATIENTS].clone(),
                    clinician_id: clinician.clone(),
                    appointment_type_id: dry_needling.id.clone(),
                    starts_at: start.naive_utc(),
                    ends_at: (start + Span::minutes(30)).naive_utc(),
                    block_start: start.naive_utc(),
                    block_end: (start + Span::minutes(40)).naive_utc(),
                    status: "booked".into(),
                    reason: None,
                    late_cancellation: false,
                    cancel_reason: None,
                    sequence: 0,
                    booked_by: None,
                    created_at: now,
                    updated_at: now,
                    episode_id: None,
                    series_id: None,
                };
                appointments::insert(conn, &row)?;
            }
        }
        Ok::<_, diesel::result::Error>(Clinic { clinicians, patients, desk: desk.id })
    })
    .unwrap()
}

/// Free hours no seeded appointment touches, one per (clinician, hour, day) from day 40 on,
/// 08:00–17:00 local, each with a patient who is free then: `(clinician, patient, start)`.
pub fn free_hours(clinic: &Clinic, count: usize) -> Vec<(String, String, DateTime<Utc>)> {
    (0..count)
        .map(|i| {
            let (clinician, hour, day) = (i % CLINICIANS, (i / CLINICIANS) % 10, i / (CLINICIANS * 10));
            (
                clinic.clinicians[clinician].clone(),
                clinic.patients[i % PATIENTS].clone(),
                local(40 + day as i64, 8 + hour as u32),
            )
        })
        .collect()
}
