//! The JSON body extractor every handler uses: `actix_web::web::Json` (its size limit, content
//! type check and error answers stay as configured in `startup`), then the body read as a
//! `serde_json::Value` is made into the handler's type.
//!
//! In between, a whole number written as a float (`2.0`) becomes the integer it is: JSON Schema
//! calls `2.0` an integer, so a client following the document may send it, and serde would
//! otherwise refuse it for an `i32` field.
//!
//! A NUL character in a string the handler reads is refused with 422 `invalid_format` naming
//! the field: no text a person types holds one, and PostgreSQL cannot store it, so the answer is
//! the same on every database. Fields the handler's type does not have are ignored, NULs and all.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Number, Value};

use crate::error::{ApiError, FieldError};

/// A request body of type `T`, read as JSON.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Serialize + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let mut value = read.await?.into_inner();
            integral_floats_to_integers(&mut value);
            read_body(value).map(Json).map_err(Into::into)
        })
    }
}

/// The answer's message for text holding a NUL character (bodies and query strings).
pub const NUL_MESSAGE: &str = "text cannot hold a NUL character";

/// The first string holding a NUL, value or key, by field name (`items[2].notes`; `body` for the
/// whole document; a key names the object it is in).
fn nul_at(value: &Value, path: &str) -> Option<String> {
    let here = || if path.is_empty() { "body".to_string() } else { path.to_string() };
    match value {
        Value::String(text) => text.contains('\0').then(here),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| nul_at(item, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(here());
            }
            nul_at(item, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") })
        }),
        _ => None,
    }
}

/// The body as `T`. A NUL in what `T` holds is 422 `invalid_format` on that field; one in a
/// field `T` does not have changes nothing, as any such field. (What `T` holds is `T` written
/// back as JSON: the fields it read, under the names it read them by.)
fn read_body<T: DeserializeOwned + Serialize>(value: Value) -> Result<T, ApiError> {
    let sent_a_nul = nul_at(&value, "").is_some();
    let body: T = serde_json::from_value(value).map_err(|err| shape_error(&err))?;
    if sent_a_nul {
        let held = serde_json::to_value(&body).map_err(ApiError::internal)?;
        if let Some(field) = nul_at(&held, "") {
            return Err(ApiError::field(&field, "invalid_format", NUL_MESSAGE));
        }
    }
    Ok(body)
}

/// `2.0` → `2`, everywhere in the document; other numbers stay as they are.
fn integral_floats_to_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(f) = number.as_f64().filter(|_| number.is_f64()) {
                // Within ±2^53 every integer is exact as a float, and fits an i64.
                if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                    *number = Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// JSON of the wrong shape: 422 naming the field when serde does.
fn shape_error(err: &serde_json::Error) -> ApiError {
    invalid_field(&err.to_string(), "body")
}

/// A serde message as a 422 on the field it names (`fallback` when it names none), without the
/// line and column; for bodies and query strings alike.
pub fn invalid_field(message: &str, fallback: &str) -> ApiError {
    let message = strip_position(message);
    let field = message
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map_or(fallback, |(field, _)| field)
        .to_string();
    ApiError::Validation(vec![FieldError::new(field, "invalid", message)])
}

/// serde's message without its " at line L column C".
pub fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_become_integers_and_others_stay() {
        let mut value = serde_json::json!({"a": 2.0, "b": [-7.0, 1.5], "c": {"d": 1e300, "e": 3}});
        integral_floats_to_integers(&mut value);
        assert_eq!(value, serde_json::json!({"a": 2, "b": [-7, 1.5], "c": {"d": 1e300, "e": 3}}));
        assert!(value["a"].is_i64());
    }

    #[derive(Debug, serde::Deserialize, serde::Serialize)]
    #[allow(dead_code)]
    struct Program {
        title: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize, serde::Serialize)]
    #[allow(dead_code)]
    struct Item {
        exercise: String,
        notes: Option<String>,
    }

    fn refused_at(value: Value) -> Option<String> {
        match read_body::<Program>(value) {
            Ok(_) => None,
            Err(ApiError::Validation(errors)) => Some(errors[0].field.clone()),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_nul_is_refused_where_the_body_is_read_and_nowhere_else() {
        let read =
            serde_json::json!({"title": "ok", "items": [{"exercise": "a"}, {"exercise": "b", "notes": "x\u{0}"}]});
        assert_eq!(refused_at(read).as_deref(), Some("items[1].notes"));
        let title = serde_json::json!({"title": "\u{0}", "items": []});
        assert_eq!(refused_at(title).as_deref(), Some("title"));
        let unread = serde_json::json!({"title": "ok", "extra": ["\u{0}"], "items": [{"exercise": "a", "more": {"x": "\u{0}"}}], "\u{0}": "\u{0}"});
        assert_eq!(refused_at(unread), None);
    }

    #[test]
    fn shape_errors_name_the_field() {
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        #[allow(dead_code)]
        struct Body {
            reps: i32,
        }
        let err = serde_json::from_value::<Body>(serde_json::json!({})).unwrap_err();
        let ApiError::Validation(errors) = shape_error(&err) else { panic!("422") };
        assert_eq!(errors[0].field, "reps");
        let err = serde_json::from_value::<Body>(serde_json::json!({"reps": 1.5})).unwrap_err();
        let ApiError::Validation(errors) = shape_error(&err) else { panic!("422") };
        assert_eq!(errors[0].field, "body");
    }
}
