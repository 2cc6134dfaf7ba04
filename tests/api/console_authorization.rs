//! Who may open which console page and post which form: every route under `src/console/`, by every
//! role, with the same expectations as the API operation it mirrors (`authorization.rs`). A
//! console route with no entry here fails the test. Patients and the worker cannot hold a console
//! session (a patient's sign-in is refused, the worker has no password), so they are anonymous.

use std::collections::BTreeSet;
use std::path::Path;

use crate::authorization::{appointment_type, exercise, fixture, open_red_flag_alert, time_off, wish, Fixture};
use crate::console_staff::{Console, Page};

/// One letter per role, in `authorization::ROLES` order: `Y` shown or done (200, or a redirect
/// to anywhere but the sign-in page), `S` sent to sign in, `F` 403, `N` 404, `U` 401, `C` 409.
const MATRIX: &[(&str, &str, &str)] = &[
    ("get", "/console", "SSSYYYYS"),
    ("get", "/console/sign-in", "YYYYYYYY"),
    ("post", "/console/sign-in", "UUUUUUUU"),
    ("get", "/console/day", "SSSYYYYS"),
    ("get", "/console/week", "SSSYYYYS"),
    ("get", "/console/audit", "SSSFFFYS"),
    ("get", "/console/settings", "SSSFFFYS"),
    ("post", "/console/settings", "SSSFFFYS"),
    ("get", "/console/types", "SSSFFFYS"),
    ("post", "/console/types", "SSSFFFYS"),
    ("get", "/console/types/{id}", "SSSFFFYS"),
    ("post", "/console/types/{id}", "SSSFFFYS"),
    ("get", "/console/rules", "SSSFYYYS"),
    ("post", "/console/rules", "SSSFFFYS"),
    ("get", "/console/exercises", "SSSFYYYS"),
    ("get", "/console/exercises/new", "SSSFYYYS"),
    ("post", "/console/exercises", "SSSFYYYS"),
    ("get", "/console/exercises/{id}", "SSSFYYYS"),
    ("post", "/console/exercises/{id}", "SSSFYYYS"),
    ("get", "/console/hours", "SSSYYFYS"),
    ("post", "/console/hours", "SSSYYFYS"),
    ("post", "/console/hours/exceptions", "SSSYYFYS"),
    ("post", "/console/hours/exceptions/{eid}/remove", "SSSYYFYS"),
    ("get", "/console/waitlist", "SSSYYYYS"),
    ("post", "/console/waitlist", "SSSYYYYS"),
    ("post", "/console/waitlist/{id}/remove", "SSSYYYYS"),
    ("get", "/console/deliveries", "SSSFFFYS"),
    ("post", "/console/deliveries/{id}/retry", "SSSFFFYS"),
    ("get", "/console/book", "SSSYYYYS"),
    ("post", "/console/book", "SSSYYYYS"),
    ("get", "/console/appointments/{id}", "SSSYYYYS"),
    ("post", "/console/appointments/{id}", "SSSYYYYS"),
    ("get", "/console/appointments/{id}/evaluation", "SSSFYFYS"),
    ("post", "/console/appointments/{id}/evaluation", "SSSFYFFS"),
    ("get", "/console/patients", "SSSYYYYS"),
    ("get", "/console/patients/new", "SSSYFFYS"),
    ("post", "/console/patients/new", "SSSYFFYS"),
    ("get", "/console/patients/{id}", "SSSYYYYS"),
    ("get", "/console/patients/{id}/record", "SSSFYFYS"),
    ("get", "/console/patients/{id}/program", "SSSFYFYS"),
    ("post", "/console/patients/{id}/program", "SSSFYFYS"),
    ("get", "/console/worklist", "SSSFYYYS"),
    ("post", "/console/worklist/{id}", "SSSFYFFS"),
    ("get", "/console/staff", "SSSFFFYS"),
    ("post", "/console/staff", "SSSFFFYS"),
    ("post", "/console/staff/{id}", "SSSFFFYS"),
    ("post", "/console/sign-out", "SSSYYYYS"),
];

/// Every `#[get("/console…")]` and `#[post("/console…")]` in the console's source.
fn console_routes() -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, found: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for method in ["get", "post"] {
                    let marker = format!("#[{method}(\"/console");
                    for (at, _) in text.match_indices(&marker) {
                        let rest = &text[at + marker.len() - "/console".len()..];
                        let route = &rest[..rest.find('"').unwrap()];
                        if route != "/console/console.css" {
                            found.insert((method.to_string(), route.to_string()));
                        }
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/console"), &mut found);
    found
}

fn letter(page: &Page) -> char {
    match page.status {
        303 | 302 => match page.location.as_deref() {
            Some(l) if l.starts_with("/console/sign-in?next=") => 'S',
            _ => 'Y',
        },
        200..=299 => 'Y',
        401 => 'U',
        403 => 'F',
        404 => 'N',
        409 => 'C',
        _ => '?',
    }
}

/// The path and form a permitted caller would send.
async fn request_for(fx: &Fixture, method: &str, template: &str) -> (String, Vec<(String, String)>) {
    let a = fx.patient_a.clone();
    let n = fx.unique();
    let owned = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    match (method, template) {
        ("post", "/console/sign-in") => {
            ("/console/sign-in".into(), owned(&[("email", "nobody@example.org"), ("password", "wrong")]))
        }
        ("get", "/console/hours") => (format!("/console/hours?clinician_id={}", fx.clinician), vec![]),
        ("post", "/console/hours") => (
            format!("/console/hours?clinician_id={}", fx.clinician),
            (1..=7)
                .flat_map(|d| {
                    [(format!("start_{d}_0"), "09:00".to_string()), (format!("end_{d}_0"), "17:00".to_string())]
                })
                .collect(),
        ),
        ("post", "/console/hours/exceptions") => (
            format!("/console/hours/exceptions?clinician_id={}", fx.clinician),
            owned(&[
                ("kind", "time_off"),
                ("from_date", &(fx.today() + chrono::Duration::days(300 + n % 60)).to_string()),
            ]),
        ),
        ("post", "/console/hours/exceptions/{eid}/remove") => {
            let path = format!("/v1/clinicians/{}/exceptions", fx.clinician);
            let created = fx.created(fx.admin(), &path, &time_off(fx, n)).await;
            let eid = created["id"].as_str().unwrap();
            (format!("/console/hours/exceptions/{eid}/remove?clinician_id={}", fx.clinician), vec![])
        }
        ("post", "/console/waitlist") => {
            let day = (fx.today() + chrono::Duration::days(20)).to_string();
            let fields = [
                ("patient_id", a.as_str()),
                ("appointment_type", "comprehensive_evaluation"),
                ("from_date", &day),
                ("to_date", &day),
                ("day_2", "1"),
            ];
            ("/console/waitlist".into(), owned(&fields))
        }
        ("post", "/console/waitlist/{id}/remove") => {
            let created = fx.created(fx.admin(), "/v1/waitlist", &wish(fx)).await;
            (format!("/console/waitlist/{}/remove", created["id"].as_str().unwrap()), vec![])
        }
        ("post", "/console/deliveries/{id}/retry") => {
            (format!("/console/deliveries/{}/retry", fx.failed_delivery()), vec![])
        }
        ("get", "/console/appointments/{id}/evaluation") => {
            (format!("/console/appointments/{}/evaluation", fx.appointment), vec![])
        }
        ("post", "/console/appointments/{id}/evaluation") => {
            (format!("/console/appointments/{}/evaluation", fx.appointment), evaluation_form(&[]))
        }
        ("get", "/console/patients/{id}/record") => (format!("/console/patients/{a}/record"), vec![]),
        ("post", "/console/types") => ("/console/types".into(), type_form(&format!("matrix_{n}"))),
        ("get", "/console/types/{id}") => ("/console/types/follow_up".into(), vec![]),
        ("post", "/console/types/{id}") => {
            let created = fx.created(fx.admin(), "/v1/appointment-types", &appointment_type(n)).await;
            (format!("/console/types/{}", created["id"].as_str().unwrap()), type_form(""))
        }
        ("post", "/console/rules") => (
            "/console/rules".into(),
            owned(&[
                ("odi_min_answered", "8"),
                ("low_adherence_percent", "50"),
                ("plateau_weeks", "6"),
                ("missed_check_in_days", "14"),
            ]),
        ),
        ("post", "/console/exercises") => ("/console/exercises".into(), exercise_form(&format!("matrix-{n}"))),
        ("get", "/console/exercises/{id}") => ("/console/exercises/bird-dog".into(), vec![]),
        ("post", "/console/exercises/{id}") => {
            let created = fx.created(fx.admin(), "/v1/exercises", &exercise(n)).await;
            (format!("/console/exercises/{}", created["id"].as_str().unwrap()), exercise_form(""))
        }
        ("get", "/console/book") => (format!("/console/book?patient_id={a}&appointment_type=follow_up"), vec![]),
        ("post", "/console/book") => {
            let slot = format!("{} {}", fx.clinician, fx.slot());
            ("/console/book".into(), owned(&[("patient_id", &a), ("appointment_type", "follow_up"), ("slot", &slot)]))
        }
        ("get", "/console/appointments/{id}") => (format!("/console/appointments/{}", fx.appointment), vec![]),
        ("post", "/console/appointments/{id}") => {
            (format!("/console/appointments/{}", fx.book_for_a().await), owned(&[("action", "arrived")]))
        }
        ("post", "/console/patients/new") => {
            let name = format!("Matrix Patient {}", (b'a' + (n % 26) as u8) as char).repeat(1) + &format!(" N{n}");
            ("/console/patients/new".into(), owned(&[("full_name", &name), ("date_of_birth", "1970-01-01")]))
        }
        ("get", "/console/patients/{id}") => (format!("/console/patients/{a}"), vec![]),
        ("get", "/console/patients/{id}/program") => (format!("/console/patients/{a}/program"), vec![]),
        ("post", "/console/patients/{id}/program") => (
            format!("/console/patients/{a}/program"),
            owned(&[
                ("program_id", &fx.program),
                ("title", "Phase 2"),
                ("starts_on", &fx.today_text()),
                ("wd_1", "1"),
                ("ex_bird-dog", "1"),
            ]),
        ),
        ("post", "/console/worklist/{id}") => {
            (format!("/console/worklist/{}", open_red_flag_alert(fx).await), owned(&[("note", "Phoned; seen in A&E")]))
        }
        ("post", "/console/staff") => {
            let email = format!("invitee{n}@clinic.example");
            ("/console/staff".into(), owned(&[("email", &email), ("full_name", "Ian Vitee"), ("role", "front_desk")]))
        }
        ("post", "/console/settings") => (
            "/console/settings".into(),
            owned(&[
                ("name", "Lakeside Physical Therapy"),
                ("address", "12 Lake St"),
                ("phone", "+1 312 555 0100"),
                ("time_zone", "America/Chicago"),
                ("slot_granularity_minutes", "15"),
                ("reminder_offsets_minutes", "1440, 120"),
                ("waitlist_offer_minutes", "120"),
                ("console_idle_minutes", "15"),
            ]),
        ),
        ("post", "/console/staff/{id}") => {
            (format!("/console/staff/{}", fx.spare_staff), owned(&[("action", "role"), ("role", "front_desk")]))
        }
        (_, path) => (path.to_string(), vec![]),
    }
}

/// A whole appointment type as the console's form posts it; `code` only when creating.
pub(crate) fn type_form(code: &str) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("name", "Matrix visit"),
        ("duration_minutes", "30"),
        ("buffer_before_minutes", "0"),
        ("buffer_after_minutes", "0"),
        ("min_notice_hours", "2"),
        ("horizon_days", "90"),
        ("cancel_cutoff_hours", "24"),
        ("reschedule_cutoff_hours", "24"),
        ("action", "save"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if !code.is_empty() {
        form.push(("code".into(), code.into()));
    }
    form
}

/// A whole exercise as the console's form posts it; `slug` only when creating.
pub(crate) fn exercise_form(slug: &str) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("name", "Matrix bridge"),
        ("category", "strength"),
        ("phase", "2"),
        ("instructions", "Lie on your back, knees bent; lift the hips."),
        ("cues", "Squeeze the glutes\nKeep ribs down"),
        ("default_dose.sets", "3"),
        ("default_dose.reps", "10"),
        ("action", "save"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if !slug.is_empty() {
        form.push(("slug".into(), slug.into()));
    }
    form
}

/// A whole evaluation as the console's form posts it, with `changes` over it.
pub(crate) fn evaluation_form(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = (0..8)
        .map(|i| (format!("start_back.agree[{i}]"), if i < 2 { "agree" } else { "disagree" }.to_string()))
        .collect();
    for (i, (name, rating)) in
        [("Lifting my toddler", "3"), ("Sitting through a film", "5"), ("Gardening", "4")].iter().enumerate()
    {
        form.push((format!("psfs_activities[{i}].name"), name.to_string()));
        form.push((format!("psfs_activities[{i}].rating"), rating.to_string()));
    }
    for (k, v) in [
        ("start_back.bothersome", "moderately"),
        ("baseline_nrs", "6"),
        ("lumbar_mobility", "Flexion limited to mid-shin"),
        ("hip_range_of_motion.left.flexion", "110"),
    ] {
        form.push((k.to_string(), v.to_string()));
    }
    for i in 0..10 {
        form.push((format!("baseline_odi[{i}]"), "2".to_string()));
    }
    for (k, v) in changes {
        form.retain(|(key, _)| key != k);
        if !v.is_empty() {
            form.push((k.to_string(), v.to_string()));
        }
    }
    form
}

#[tokio::test]
async fn every_console_route_answers_every_role_as_the_matrix_says() {
    let listed: BTreeSet<(String, String)> = MATRIX.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let routes = console_routes();
    let missing: Vec<_> = routes.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&routes).collect();
    assert!(missing.is_empty(), "console routes without an entry in the matrix: {missing:?}");
    assert!(stale.is_empty(), "entries for console routes that are gone: {stale:?}");

    let fx = fixture().await;
    let app = &fx.cal.app;
    let emails = [
        None,
        None,
        None,
        Some("desk@clinic.example"),
        Some("pt0@clinic.example"),
        Some("pt1@clinic.example"),
        Some("admin@clinic.example"),
        None,
    ];
    let mut consoles = Vec::new();
    for email in emails {
        consoles.push(match email {
            Some(email) => Some(Console::sign_in(app, email).await),
            None => None,
        });
    }
    let anonymous = Console::anonymous(app);
    let mut wrong = Vec::new();
    for (method, template, expected) in MATRIX {
        for (role, want) in expected.chars().enumerate() {
            let (path, form) = request_for(&fx, method, template).await;
            let console = consoles[role].as_ref().unwrap_or(&anonymous);
            let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let page = match *method {
                "get" => console.get(&path).await,
                _ if consoles[role].is_some() => console.post(&path, &fields).await,
                _ => console.post_raw(&path, &fields, None).await,
            };
            let got = letter(&page);
            if got != want {
                wrong.push(format!(
                    "{method} {template} as role {role}: expected {want}, got {} {:?}",
                    page.status, page.location
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
}
