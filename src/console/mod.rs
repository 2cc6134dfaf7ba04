//! The console: pages `serve` renders itself. For now the public pages every emailed link opens
//! (confirm an address, ask for and set a new password, accept an invitation or
//! the first admin's link); the staff screens follow. Page handlers
//! call the same services as the JSON routes (`crate::accounts::link_actions`, …) and show the
//! services' own messages next to the fields they name. Forms work without JavaScript.

mod admin;
mod assets;
mod calendar;
mod clinical;
mod layout;
mod links;
mod patients;
mod post_guard;
mod session;
mod shell;
mod sign_in;

use actix_web::web;

pub use assets::STYLESHEET_PATH;

/// The console's routes, beside the JSON API's.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(assets::stylesheet)
        .service(sign_in::start)
        .service(sign_in::sign_in_page)
        .service(sign_in::submit)
        .service(sign_in::sign_out)
        .service(calendar::day_page)
        .service(calendar::week_page)
        .service(calendar::hours_page)
        .service(calendar::save_hours)
        .service(calendar::add_exception)
        .service(calendar::remove_exception)
        .service(calendar::book_page)
        .service(calendar::book_submit)
        .service(calendar::appointment_page)
        .service(calendar::waitlist_page)
        .service(calendar::join_waitlist)
        .service(calendar::leave_waitlist)
        .service(calendar::change_appointment)
        .service(patients::find_page)
        .service(patients::new_page)
        .service(patients::create)
        .service(patients::patient_page)
        .service(clinical::worklist_page)
        .service(clinical::acknowledge)
        .service(clinical::program_page)
        .service(clinical::record_page)
        .service(clinical::evaluation_page)
        .service(clinical::save_evaluation)
        .service(clinical::prescribe)
        .service(admin::staff_page)
        .service(admin::audit_page)
        .service(admin::deliveries_page)
        .service(admin::retry_delivery)
        .service(admin::settings_page)
        .service(admin::save_settings)
        .service(admin::types_page)
        .service(admin::create_type)
        .service(admin::type_page)
        .service(admin::change_type)
        .service(admin::rules_page)
        .service(admin::save_rules)
        .service(admin::exercises_page)
        .service(admin::new_exercise_page)
        .service(admin::create_exercise)
        .service(admin::exercise_page)
        .service(admin::change_exercise)
        .service(admin::invite_staff)
        .service(admin::change_staff)
        .service(links::verify_email_done)
        .service(links::verify_email_page)
        .service(links::verify_email)
        .service(links::forgot_password_sent)
        .service(links::forgot_password_page)
        .service(links::forgot_password)
        .service(links::reset_password_done)
        .service(links::reset_password_page)
        .service(links::reset_password)
        .service(links::accept_invite_done)
        .service(links::accept_invite_page)
        .service(links::accept_invite)
        .service(links::offer_booked)
        .service(links::offer_page)
        .service(links::take_offer)
        .service(links::unsubscribed)
        .service(links::unsubscribe_page)
        .service(links::confirm_unsubscribe)
        .service(links::undo_unsubscribe)
        .service(links::app_appointments)
        .service(links::app_appointment)
        .service(links::app_program)
        .service(links::app_check_in)
        .service(links::app_progress)
        .service(links::alert_link);
}
