//! Builds the running service: pool, migrations, the actix `App` and its server. Tests call
//! [`Application::build`] with port 0 and read the port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::http::json;
use crate::http::{guards, request_id};
use crate::state::AppState;
use crate::{housekeeping, routes};

/// Request bodies larger than this are refused with 413.
pub const JSON_LIMIT_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Pool(#[from] db::PoolError),
    #[error("cannot migrate the database: {0}")]
    Migrate(db::migrations::MigrationError),
    #[error("cannot listen on the address: {0}")]
    Bind(#[from] std::io::Error),
}

/// Opens the pool and brings the schema up to date.
pub fn open_database(config: &Config) -> Result<DbPool, StartupError> {
    let pool = db::build_pool(&config.database_url, config.db_pool_size)?;
    let mut conn = pool.get()?;
    db::migrations::run_pending(&mut conn).map_err(StartupError::Migrate)?;
    Ok(pool)
}

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let pool = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || {
                crate::auth::password::prepare_decoy();
                open_database(&config)
            })
            .await
            .map_err(|e| StartupError::Bind(std::io::Error::other(e)))??
        };
        let listener = TcpListener::bind(config.bind)?;
        let port = listener.local_addr()?.port();
        let workers = config.http_workers;
        let client_timeout = config.client_timeout;
        let state = AppState::new(config, pool);
        let app_state = state.clone();
        let api = routes::openapi::document();
        // Signals are handled in `run_until`, so the in-process worker drains before the API stops.
        let mut server = HttpServer::new(move || build_app(app_state.clone(), api.clone()))
            .listen(listener)?
            .disable_signals()
            .client_request_timeout(client_timeout)
            .shutdown_timeout(10);
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(Self { port, server: server.run(), state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process ends (tests).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(std::future::pending()).await
    }

    /// Serves until `stop` completes; then the in-process worker finishes what it started and
    /// the server stops gracefully, letting in-flight requests complete.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()>) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = tokio::spawn(self.server);
        let sweeper = tokio::spawn(housekeeping::run(self.state.clone()));
        let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = if self.state.config.in_process_worker {
            match in_process_worker(&self.state, self.port, async move {
                let _ = worker_stopped.await;
            }) {
                Ok(worker) => Some(worker),
                Err(err) => {
                    tracing::error!(error = %err, "the in-process worker could not start; emails wait in the outbox");
                    None
                }
            }
        } else {
            None
        };
        let finished = tokio::select! {
            _ = stop => None,
            result = &mut server => Some(result),
        };
        let _ = stop_worker.send(());
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        sweeper.abort();
        match finished {
            Some(result) => result.map_err(std::io::Error::other)?,
            None => {
                handle.stop(true).await;
                server.await.map_err(std::io::Error::other)?
            }
        }
    }
}

/// One worker inside `serve`, talking to this server over loopback with a short-lived token
/// minted per request for the "In-process worker" user.
fn in_process_worker(
    state: &AppState,
    port: u16,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    let zone = state.config.default_time_zone.clone();
    let user =
        db::write_tx(&mut conn, |conn| crate::db::api_tokens::worker_user(conn, "In-process worker", &zone, db::now()))
            .map_err(|e| e.to_string())?;
    let keys = state.jwt.clone();
    let token: crate::worker::client::TokenSource = std::sync::Arc::new(move || {
        keys.issue(
            &user.id,
            crate::domain::role::Role::Worker,
            user.token_version,
            None,
            chrono::Utc::now().timestamp(),
        )
    });
    let mail = state.config.mail.clone();
    let settings = state.config.worker;
    let api_url = format!("http://127.0.0.1:{port}");
    Ok(tokio::spawn(async move {
        if let Err(err) = crate::worker::run(&api_url, token, &mail, settings, shutdown).await {
            tracing::error!(error = %err, "the in-process worker stopped");
        }
    }))
}

fn build_app(
    state: AppState,
    api: utoipa::openapi::OpenApi,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(json_config())
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .configure(|cfg| routes::configure(&mut utoipa_actix_web::service_config::ServiceConfig::new(cfg)))
        .service(web::redirect("/docs", "/docs/"))
        .configure(crate::console::configure)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(not_found))
        .wrap(from_fn(guards::body_deadline))
        .wrap(from_fn(guards::refuse_nul))
        .wrap(from_fn(guards::cors))
        .wrap(from_fn(guards::content_security_policy))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                // `same-origin`: no address (with its link token) leaves for another site, and a form
                // posted from our own page names its real origin (`no-referrer` would make it `null`).
                .add(("Referrer-Policy", "same-origin"))
                .add(("Cache-Control", "no-store")),
        )
        .wrap(from_fn(request_id::middleware))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(JSON_LIMIT_BYTES).error_handler(|err, _req| json_error(err).into())
}

/// Turns a body that could not be read into a problem: 413 too large, 415 not JSON,
/// 422 for JSON of the wrong shape (naming the field when serde does), 400 for broken JSON.
fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => ApiError::PayloadTooLarge,
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Payload(err) if guards::is_body_timeout(&err) => ApiError::RequestTimeout,
        JsonPayloadError::Deserialize(err) if err.is_data() => json::invalid_field(&err.to_string(), "body"),
        JsonPayloadError::Deserialize(err) => {
            ApiError::MalformedBody(format!("the body is not valid JSON: {}", json::strip_position(&err.to_string())))
        }
        other => ApiError::MalformedBody(other.to_string()),
    }
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::MalformedBody(format!("the path is not valid: {err}")).into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    json::invalid_field(&err.to_string(), "query").into()
}
