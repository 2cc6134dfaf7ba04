//! HTTP routes, one module per resource. Handlers are thin: parse → authorize → call → respond.

pub mod alerts;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod check_ins;
pub mod clinic;
pub mod clinical_rules;
pub mod clinicians;
pub mod deliveries;
pub mod episode_settings;
pub mod episodes;
pub mod evaluations;
pub mod exercise_logs;
pub mod exercises;
pub mod export;
pub mod health;
pub mod me;
pub mod openapi;
pub mod password;
pub mod patients;
pub mod programs;
pub mod progress;
pub mod reminders;
pub mod schedule;
pub mod series;
pub mod staff;
pub mod views;
pub mod waitlist;
pub mod worker;

use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Every route: the documented ones, then an answer for the other methods on their paths.
pub fn configure(cfg: &mut ServiceConfig) {
    documented(cfg);
    cfg.map(|cfg| {
        for (path, allow) in allowed_methods() {
            let allow = allow.clone();
            cfg.route(path, web::route().to(move |req: HttpRequest| other_method(req, allow.clone())));
        }
        cfg
    });
}

/// Each documented path with its `Allow` value, from the OpenAPI document.
fn allowed_methods() -> &'static [(String, String)] {
    static TABLE: OnceLock<Vec<(String, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        openapi::document()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let mut allow: Vec<&str> = methods.iter().filter(|(_, has)| *has).map(|(m, _)| *m).collect();
                allow.push("OPTIONS");
                (path.clone(), allow.join(", "))
            })
            .collect()
    })
}

/// A documented path asked with a method it does not have: `OPTIONS` lists the methods, anything
/// else is 405 with the same list in `Allow` (RFC 9110).
async fn other_method(req: HttpRequest, allow: String) -> Result<HttpResponse, ApiError> {
    if req.method() == Method::OPTIONS {
        return Ok(HttpResponse::NoContent().insert_header((actix_web::http::header::ALLOW, allow)).finish());
    }
    Err(ApiError::MethodNotAllowed { method: req.method().to_string(), allow })
}

/// Every documented route. The OpenAPI document is collected from exactly these.
pub fn documented(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(auth::register)
        .service(auth::verify_email)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(password::forgot)
        .service(password::reset)
        .service(password::accept_invite)
        .service(me::get_me)
        .service(me::patch_me)
        .service(me::change_password)
        .service(me::resend_email_verification)
        .service(staff::invite_staff)
        .service(staff::list_staff)
        .service(staff::update_staff)
        .service(patients::create_patient)
        .service(patients::list_patients)
        .service(patients::get_patient)
        .service(patients::update_patient)
        .service(audit::list_audit)
        .service(worker::claim)
        .service(worker::sent)
        .service(worker::failed)
        .service(worker::release)
        .service(deliveries::list_deliveries)
        .service(deliveries::delivery_stats)
        .service(deliveries::retry_delivery)
        .service(deliveries::metrics)
        .service(clinic::get_clinic)
        .service(clinic::put_clinic)
        .service(clinic::list_types)
        .service(clinic::create_type)
        .service(clinic::update_type)
        .service(clinic::archive_type)
        .service(clinicians::list_clinicians)
        .service(clinicians::get_availability)
        .service(clinicians::put_availability)
        .service(clinicians::add_exception)
        .service(clinicians::delete_exception)
        .service(clinicians::put_services)
        .service(appointments::availability)
        .service(appointments::book)
        .service(appointments::list)
        .service(appointments::mine)
        .service(appointments::get_appointment)
        .service(appointments::reschedule)
        .service(appointments::cancel)
        .service(appointments::arrive)
        .service(appointments::no_show)
        .service(appointments::complete)
        .service(appointments::history)
        .service(appointments::calendar_file)
        .service(schedule::day)
        .service(waitlist::join)
        .service(waitlist::list)
        .service(waitlist::leave)
        .service(waitlist::accept)
        .service(exercises::list)
        .service(exercises::get_one)
        .service(exercises::create)
        .service(exercises::update)
        .service(exercises::archive)
        .service(programs::prescribe)
        .service(programs::revise)
        .service(programs::of_patient)
        .service(programs::get_program)
        .service(programs::mine)
        .service(exercise_logs::put_log)
        .service(exercise_logs::my_logs)
        .service(exercise_logs::patient_logs)
        .service(exercise_logs::my_adherence)
        .service(exercise_logs::patient_adherence)
        .service(reminders::get_reminders)
        .service(reminders::put_reminders)
        .service(reminders::get_preferences)
        .service(reminders::put_preferences)
        .service(reminders::unsubscribe_page)
        .service(reminders::unsubscribe)
        .service(evaluations::put_evaluation)
        .service(evaluations::get_evaluation)
        .service(check_ins::red_flag_questions)
        .service(check_ins::put_check_in)
        .service(check_ins::my_check_ins)
        .service(check_ins::patient_check_ins)
        .service(check_ins::my_red_flag)
        .service(progress::my_progress)
        .service(progress::patient_progress)
        .service(progress::progress_svg)
        .service(progress::progress_png)
        .service(alerts::worklist)
        .service(alerts::acknowledge)
        .service(clinical_rules::get_rules)
        .service(clinical_rules::put_rules)
        .service(export::export)
        .service(episode_settings::get_settings)
        .service(episode_settings::put_settings)
        .service(episodes::open_episode)
        .service(episodes::list_episodes)
        .service(episodes::get_episode)
        .service(episodes::revise_episode)
        .service(episodes::record_certification)
        .service(episodes::recertify)
        .service(episodes::close_episode)
        .service(episodes::add_authorization)
        .service(episodes::change_authorization)
        .service(series::book_series);
}

#[cfg(test)]
mod tests {
    use actix_web::{test, App};

    #[actix_web::test]
    async fn other_methods_on_documented_paths_are_405_with_allow() {
        let app =
            test::init_service(App::new().configure(|cfg| super::configure(&mut super::ServiceConfig::new(cfg)))).await;
        let response = test::call_service(
            &app,
            test::TestRequest::default().method(actix_web::http::Method::TRACE).uri("/healthz").to_request(),
        )
        .await;
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers().get("allow").unwrap(), "GET, OPTIONS");
        assert_eq!(response.headers().get("content-type").unwrap(), "application/problem+json");

        let response = test::call_service(
            &app,
            test::TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/v1/appointments/abc")
                .to_request(),
        )
        .await;
        assert_eq!(response.status(), 204);
        assert_eq!(response.headers().get("allow").unwrap(), "GET, OPTIONS");

        let response = test::call_service(&app, test::TestRequest::delete().uri("/v1/exercises").to_request()).await;
        assert_eq!(response.headers().get("allow").unwrap(), "GET, POST, OPTIONS");
    }
}
