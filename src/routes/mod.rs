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
pub mod evaluations;
pub mod exercise_logs;
pub mod exercises;
pub mod export;
pub mod health;
pub mod me;
mod nullable;
pub mod openapi;
pub mod paging;
pub mod password;
pub mod patients;
pub mod programs;
pub mod progress;
pub mod reminders;
pub mod schedule;
pub mod staff;
pub mod validate;
pub mod views;
pub mod waitlist;
pub mod worker;

use utoipa_actix_web::service_config::ServiceConfig;

/// Every documented route. The OpenAPI document is collected from exactly these.
pub fn configure(cfg: &mut ServiceConfig) {
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
        .service(export::export);
}
