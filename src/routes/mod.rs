//! HTTP routes, one module per resource. Handlers are thin: parse → authorize → call → respond.

pub mod audit;
pub mod auth;
pub mod deliveries;
pub mod health;
pub mod me;
mod nullable;
pub mod openapi;
pub mod paging;
pub mod password;
pub mod patients;
pub mod staff;
pub mod validate;
pub mod views;
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
        .service(deliveries::metrics);
}
