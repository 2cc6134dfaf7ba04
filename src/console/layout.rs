//! The page shell every console page shares, and the pieces of a form: a labelled field with its
//! hint and, when the service refused it, the message next to it.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use super::assets::STYLESHEET_PATH;
use crate::error::FieldError;

/// A whole page: the clinic's name on top, the title, the body.
pub fn page(clinic: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (clinic) }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header.bar { span.clinic { (clinic) } }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The page as an HTML answer with `status`.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(markup.into_string())
}

/// A notice above a form: `kind` is `""`, `"good"` or `"bad"`.
pub fn notice(kind: &str, text: &str) -> Markup {
    html! { p.notice.(kind) role=(if kind == "bad" { "alert" } else { "status" }) { (text) } }
}

/// The message the service gave for `field`, if it refused it.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
}

/// One text-like input with its label, an optional hint and the service's message for it.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub autocomplete: &'a str,
    pub hint: Option<Markup>,
}

impl Field<'_> {
    pub fn render(&self, errors: &[FieldError]) -> Markup {
        let error = error_for(errors, self.name);
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let described = match (&self.hint, error) {
            (Some(_), Some(_)) => format!("{hint_id} {error_id}"),
            (Some(_), None) => hint_id.clone(),
            (None, Some(_)) => error_id.clone(),
            (None, None) => String::new(),
        };
        html! {
            label for=(self.name) { (self.label) }
            input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                autocomplete=(self.autocomplete) required
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
            @if let Some(hint) = &self.hint { div.hint id=(hint_id) { (hint) } }
            @if let Some(error) = error { p.error id=(error_id) { (error) } }
        }
    }
}

/// A page with only a title and a sentence, for when not even the clinic's name can be read.
pub fn bare_page(title: &str, text: &str) -> Markup {
    page("BackTrack", title, notice("bad", text))
}

/// A whole number typed in `key` of a posted form: `None` when left empty, and when it is not a
/// number (then the field's message is added to `errors`).
pub fn typed_number(
    form: &std::collections::HashMap<String, String>,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let raw = form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())?;
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(key, "invalid_format", "a whole number"));
            None
        }
    }
}

/// The message the service gave for `field`, as the paragraph next to it.
pub fn message(errors: &[FieldError], field: &str) -> Markup {
    html! { @if let Some(e) = error_for(errors, field) { p.error id={ (field) "-error" } { (e) } } }
}

/// A labelled number input from `min` to `max` with its value as typed and its message.
pub fn number_input(
    values: &std::collections::HashMap<String, String>,
    errors: &[FieldError],
    field: &str,
    label: &str,
    (min, max): (i64, i64),
) -> Markup {
    html! {
        label for=(field) { (label) }
        input type="number" id=(field) name=(field) min=(min) max=(max) inputmode="numeric"
            value=[values.get(field)] aria-invalid=[error_for(errors, field).map(|_| "true")];
        (message(errors, field))
    }
}

/// A refused form's messages: the form's own (`mine`, for what was not even a number) first,
/// then the service's for other fields; a conflict (a taken code or slug) is `conflict_field`'s.
/// Any other refusal is not a field's and comes back as it was.
pub fn merged(
    mut mine: Vec<FieldError>,
    err: crate::error::ApiError,
    conflict_field: &str,
) -> Result<Vec<FieldError>, crate::error::ApiError> {
    match err {
        crate::error::ApiError::Validation(found) => {
            for e in found {
                if !mine.iter().any(|m| m.field == e.field) {
                    mine.push(e);
                }
            }
            Ok(mine)
        }
        crate::error::ApiError::Conflict { code, message } => {
            mine.push(FieldError::new(conflict_field, code.as_str(), message));
            Ok(mine)
        }
        other => Err(other),
    }
}
