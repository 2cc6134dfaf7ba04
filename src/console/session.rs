//! The console's side of a sign-in: the cookie, the [`Staff`] extractor every staff page takes,
//! and [`Posted`], the extractor every state-changing staff form takes (the session, the form's
//! synchronizer token and the page's origin checked before the handler runs).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::post_guard;
use crate::accounts::console_sessions::{self, StaffSession};
use crate::state::AppState;

pub const COOKIE: &str = "backtrack_console";
/// The console's pages live under this path; the cookie goes nowhere else.
pub const PATH: &str = "/console";

/// The cookie that carries a new session's secret.
pub fn cookie(state: &AppState, secret: String) -> Cookie<'static> {
    Cookie::build(COOKIE, secret)
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.public_url.starts_with("https://"))
        .finish()
}

/// The cookie that makes the browser forget the session.
pub fn forget(state: &AppState) -> Cookie<'static> {
    let mut gone = cookie(state, String::new());
    gone.make_removal();
    gone
}

/// A staff member with a standing console session.
pub struct Staff(pub StaffSession);

/// Why a staff page cannot be shown: no session (sign in first), or a refused form.
#[derive(Debug)]
pub enum Turned {
    SignIn { next: String, ended: bool },
    Page(StatusCode, String),
}

impl std::fmt::Display for Turned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the console turned the request away")
    }
}

impl ResponseError for Turned {
    fn error_response(&self) -> HttpResponse {
        match self {
            Turned::SignIn { next, ended } => {
                let mut location = format!(
                    "{PATH}/sign-in?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                if *ended {
                    location.push_str("&ended=1");
                }
                let mut answer = HttpResponse::SeeOther();
                answer.insert_header((header::LOCATION, location));
                if *ended {
                    let mut gone = Cookie::build(COOKIE, "").path(PATH).finish();
                    gone.make_removal();
                    answer.cookie(gone);
                }
                answer.finish()
            }
            Turned::Page(status, html) => {
                HttpResponse::build(*status).content_type("text/html; charset=utf-8").body(html.clone())
            }
        }
    }
}

/// Where to come back to after signing in: this page, for a GET; the console's start otherwise.
fn come_back_to(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| PATH.into())
    } else {
        PATH.into()
    }
}

async fn resume(req: &HttpRequest) -> Result<StaffSession, Turned> {
    let next = come_back_to(req);
    let secret = req.cookie(COOKIE).map(|c| c.value().to_string()).filter(|s| !s.is_empty());
    let Some(secret) = secret else { return Err(Turned::SignIn { next, ended: false }) };
    let state =
        req.app_data::<web::Data<AppState>>().cloned().ok_or(Turned::SignIn { next: next.clone(), ended: false })?;
    let found =
        crate::db::run(&state.pool, move |conn| Ok(console_sessions::resume(conn, &secret, crate::db::now())?)).await;
    match found {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(Turned::SignIn { next, ended: true }),
        Err(_) => Err(Turned::Page(
            StatusCode::SERVICE_UNAVAILABLE,
            super::layout::bare_page(
                "Try again shortly",
                "The clinic's system is not answering just now. Reload this page in a minute.",
            )
            .into_string(),
        )),
    }
}

impl FromRequest for Staff {
    type Error = Turned;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resume(&req).await.map(Staff) })
    }
}

#[derive(Deserialize)]
struct FormToken {
    #[serde(default)]
    csrf: String,
}

/// The largest staff form the console takes.
const FORM_LIMIT: usize = 64 * 1024;

/// A staff form: posted from a console page (its `Origin`), in a standing session, with that
/// session's token in its `csrf` field, and readable as `T`.
pub struct Posted<T> {
    pub staff: StaffSession,
    pub form: T,
}

fn refused_form() -> Turned {
    Turned::Page(
        StatusCode::FORBIDDEN,
        super::layout::bare_page(
            "Not saved",
            "This form was sent from an old page or another site, so nothing was changed. Go back, reload the page and send it again.",
        )
        .into_string(),
    )
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = Turned;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let staff = resume(&req).await?;
            let public_url =
                req.app_data::<web::Data<AppState>>().map(|s| s.config.public_url.clone()).unwrap_or_default();
            if !post_guard::same_site(&req, &public_url) {
                return Err(refused_form());
            }
            let body = body.await.map_err(|_| refused_form())?;
            if body.len() > FORM_LIMIT {
                return Err(Turned::Page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    super::layout::bare_page(
                        "Not saved",
                        "This form is too long to take. Shorten the notes and send it again.",
                    )
                    .into_string(),
                ));
            }
            let token: FormToken = serde_urlencoded::from_bytes(&body).map_err(|_| refused_form())?;
            if !post_guard::same_secret(&token.csrf, &staff.form_token) {
                return Err(refused_form());
            }
            let form = serde_urlencoded::from_bytes(&body).map_err(|err| {
                Turned::Page(
                    StatusCode::BAD_REQUEST,
                    super::layout::bare_page(
                        "Not saved",
                        &format!("The form could not be read ({err}). Reload the page and send it again."),
                    )
                    .into_string(),
                )
            })?;
            Ok(Posted { staff, form })
        })
    }
}
