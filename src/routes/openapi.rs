//! The OpenAPI document: generated from the routes, committed at `openapi/openapi.json`, served
//! at `/openapi.json` with Swagger UI at `/docs`.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BackTrack API",
        description = "The back end of physical-therapy practices that treat chronic low back pain: \
                       the contract of the patients' phone app, the front desk, clinicians and the reminder worker. \
                       Errors are RFC 9457 problem+json documents with a stable `code`.",
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags(
        (name = "health", description = "Probes for orchestration"),
        (name = "auth", description = "Sign-up, sign-in, tokens and passwords"),
        (name = "me", description = "The signed-in user's own account"),
        (name = "staff", description = "The clinic's staff (admins)"),
        (name = "patients", description = "Patients' contact records (front desk)"),
        (name = "audit", description = "The audit log (admins)"),
        (name = "worker", description = "Outbox delivery, for the reminder worker (worker role)"),
        (name = "deliveries", description = "The outbox as admins see it"),
        (name = "clinic", description = "The clinic's settings and appointment types"),
        (name = "clinicians", description = "Clinicians, their weekly hours and exceptions"),
        (name = "appointments", description = "Finding a time, booking, moving, cancelling, the day's statuses"),
        (name = "waitlist", description = "Waiting for an earlier time, and the offers that come of it"),
        (name = "exercises", description = "The exercise library"),
        (name = "programs", description = "Home-exercise programs"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The document for every route in [`super::configure`].
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(super::configure).split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().expect("the OpenAPI document serializes");
    json.push('\n');
    json
}
