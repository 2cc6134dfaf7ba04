//! The OpenAPI document: generated from the routes, committed at `openapi/openapi.json`, served
//! at `/openapi.json` with Swagger UI at `/docs`.

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::http::schemas;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BackTrack API",
        description = "The back end of physical-therapy practices that treat chronic low back pain: \
                       the contract of the patients' phone app, the front desk, clinicians and the reminder worker. \
                       Errors are RFC 9457 problem+json documents with a stable `code`.",
    ),
    servers((url = "/", description = "The clinic's own BackTrack server: paths are relative to where it is served")),
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
        (name = "episodes", description = "Episodes of care: the plan of care, its certification, the payer's authorizations"),
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

/// The document for every route in [`super::documented`].
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(super::documented).split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    let schemas = &mut api.components.get_or_insert_with(Default::default).schemas;
    schemas.insert(schemas::TIME_ZONE.to_string(), schemas::time_zone_component().into());
    schemas.insert(schemas::RED_FLAG_ANSWERS.to_string(), schemas::red_flag_answers_component().into());
    describe_problem_codes(&mut api);
    for item in api.paths.paths.values_mut() {
        for operation in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            add_common_responses(operation);
            declare_file_bodies(operation);
        }
    }
    strings_hold_no_nul(api)
}

/// No string the API takes may hold a NUL (the body extractor and the query guard refuse one
/// with 422, as PostgreSQL cannot store it): every string schema of the components, request
/// bodies and parameters that no pattern, format or closed list bounds already says so with
/// [`NO_NUL`].
fn strings_hold_no_nul(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, SchemaType};
    fn mark(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else { return };
        match schema {
            Schema::Object(object) => {
                let string = match &object.schema_type {
                    SchemaType::Type(t) => *t == Type::String,
                    SchemaType::Array(types) => types.contains(&Type::String),
                    SchemaType::AnyValue => false,
                };
                if string && object.pattern.is_none() && object.format.is_none() && object.enum_values.is_none() {
                    object.pattern = Some(NO_NUL.to_string());
                }
                object.properties.values_mut().for_each(mark);
                if let Some(AdditionalProperties::RefOr(extra)) = object.additional_properties.as_deref_mut() {
                    mark(extra);
                }
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    mark(items);
                }
            }
            Schema::OneOf(one) => one.items.iter_mut().for_each(mark),
            Schema::AllOf(all) => all.items.iter_mut().for_each(mark),
            Schema::AnyOf(any) => any.items.iter_mut().for_each(mark),
            _ => {}
        }
    }
    if let Some(components) = api.components.as_mut() {
        components.schemas.values_mut().for_each(mark);
    }
    for item in api.paths.paths.values_mut() {
        for operation in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            if let Some(body) = operation.request_body.as_mut() {
                body.content.values_mut().filter_map(|c| c.schema.as_mut()).for_each(mark);
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                parameter.schema.as_mut().into_iter().for_each(mark);
            }
        }
    }
    api
}

/// A string without a NUL character.
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// A body that is not JSON declares what it is, so client generators keep it: text is a string,
/// anything else (the chart images, or the same as `application/octet-stream`) a binary string
/// of its media type.
fn declare_file_bodies(operation: &mut Operation) {
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else { continue };
        for (media_type, content) in response.content.iter_mut() {
            if content.schema.is_some() || media_type.ends_with("json") {
                continue;
            }
            let string = ObjectBuilder::new().schema_type(Type::String);
            let schema = if media_type.starts_with("text/") {
                string
            } else {
                string.format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).content_media_type(media_type)
            };
            content.schema = Some(schema.build().into());
        }
    }
}

/// The problem document's `code` lists every code the API answers with, from the one enum.
fn describe_problem_codes(api: &mut utoipa::openapi::OpenApi) {
    let problem = api.components.as_mut().and_then(|c| c.schemas.get_mut("Problem"));
    if let Some(RefOr::T(Schema::Object(problem))) = problem {
        if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
            code.description = Some(crate::error::documented_list());
        }
    }
}

/// The answers any operation of a kind can give, whatever its handler does: they come from the
/// extractors and the shared error handling, so they are added here rather than on every route.
fn add_common_responses(operation: &mut Operation) {
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let has_query =
        operation.parameters.as_ref().is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)));
    let mut add = |status: &str, description: &str| {
        operation.responses.responses.entry(status.to_string()).or_insert_with(|| problem(description));
    };
    if has_body {
        add("400", "The body is not JSON (`malformed_request`)");
        add("413", "The body is larger than 64 KiB (`payload_too_large`)");
        add("415", "The body is not sent as `application/json` (`unsupported_media_type`)");
        add("408", "The body did not arrive in time (`request_timeout`)");
    }
    if has_body || has_query {
        add("422", "A field is missing or not valid (`validation_failed`; `errors` names them)");
    }
    if signed_in {
        add("401", "No valid access token (`unauthorized`)");
        // The worker's credential is refused everywhere but its delivery endpoints; a patient
        // who has not confirmed their address reaches only `GET /v1/me` and a new confirmation.
        add("403", "Not for this role (`forbidden`), or a patient who has not confirmed their email address yet (`email_not_verified`)");
    }
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build(),
    )
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().expect("the OpenAPI document serializes");
    json.push('\n');
    json
}
