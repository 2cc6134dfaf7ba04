//! The `X-Access-Reason` header as an extractor and as a documented parameter: a clinician's
//! reason for opening a record that is not theirs (the rule is `clinical::access`).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::clinical::access::{AccessReason, REASON_HEADER};

/// Documents the header once for every route that takes it (`params(AccessReason)`).
impl utoipa::IntoParams for AccessReason {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        vec![ParameterBuilder::new()
            .name(REASON_HEADER)
            .parameter_in(ParameterIn::Header)
            .required(utoipa::openapi::Required::False)
            .description(Some("Why you open the record of a patient who is not yours (audited)"))
            .schema(Some(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))))
            .build()]
    }
}

impl FromRequest for AccessReason {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let reason = req
            .headers()
            .get(REASON_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().chars().take(500).collect::<String>())
            .filter(|v| !v.is_empty());
        ready(Ok(AccessReason(reason)))
    }
}
