//! The `backtrack` command: serve, migrate, print the OpenAPI document, admin helpers.

use std::process::ExitCode;

use std::sync::Arc;

use backtrack::config::{Config, WorkerConfig};
use backtrack::startup::{self, Application};
use backtrack::worker::{self, client::TokenSource};
use backtrack::{admin, routes, telemetry};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "backtrack", version, about = "The BackTrack API for physical-therapy practices")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API (migrates the database first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Deliver the outbox: claim emails from the API and send them (BACKTRACK_API_URL,
    /// BACKTRACK_WORKER_TOKEN and the mail settings).
    Worker,
    /// Create an API token for a worker and print it (shown once).
    IssueWorkerToken {
        /// The worker's name, e.g. "Mail worker 1"; a new name makes a new worker user.
        #[arg(long, default_value = "Reminder worker")]
        name: String,
        /// Revoke this worker's earlier tokens.
        #[arg(long)]
        replace: bool,
    },
    /// Create an admin and print the link where they set their password.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

fn config() -> Result<Config, ExitCode> {
    Config::from_env().map_err(|err| {
        eprintln!("backtrack: {err}");
        ExitCode::from(2)
    })
}

/// The configuration and a migrated database, for the admin commands.
fn config_and_database() -> Result<(Config, backtrack::db::DbPool), ExitCode> {
    let config = config()?;
    let pool = startup::open_database(&config).map_err(fail)?;
    Ok((config, pool))
}

fn fail(err: impl std::fmt::Display) -> ExitCode {
    eprintln!("backtrack: {err}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            print!("{}", routes::openapi::document_json());
            ExitCode::SUCCESS
        }
        Command::Migrate => {
            let config = match config() {
                Ok(config) => config,
                Err(code) => return code,
            };
            match startup::open_database(&config) {
                Ok(_) => {
                    println!("database is up to date");
                    ExitCode::SUCCESS
                }
                Err(err) => fail(err),
            }
        }
        Command::Worker => {
            telemetry::init();
            let config = match WorkerConfig::from_env() {
                Ok(config) => config,
                Err(err) => return fail(err),
            };
            tracing::info!(?config, "starting the worker");
            let token = config.token.clone();
            let source: TokenSource = Arc::new(move || token.clone());
            match worker::run(&config.api_url, source, &config.mail, config.settings, shutdown_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(err),
            }
        }
        Command::IssueWorkerToken { name, replace } => {
            let (config, pool) = match config_and_database() {
                Ok(both) => both,
                Err(code) => return code,
            };
            match admin::issue_worker_token(&pool, &name, &config.default_time_zone, replace) {
                Ok(token) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(err) => fail(err),
            }
        }
        Command::CreateAdmin { email, name } => {
            let (config, pool) = match config_and_database() {
                Ok(both) => both,
                Err(code) => return code,
            };
            match admin::create_admin(&pool, &config.public_url, &email, &name, &config.default_time_zone) {
                Ok(link) => {
                    println!("Admin created. They set their password here (valid 7 days):\n{link}");
                    ExitCode::SUCCESS
                }
                Err(err) => fail(err),
            }
        }
        Command::Serve => {
            telemetry::init();
            let config = match config() {
                Ok(config) => config,
                Err(code) => return code,
            };
            tracing::info!(?config, "starting");
            let public_url = config.public_url.clone();
            let app = match Application::build(config).await {
                Ok(app) => app,
                Err(err) => return fail(err),
            };
            match admin::bootstrap_invite(&app.state().pool, &public_url) {
                Ok(Some(link)) => println!(
                    "\nNo admin yet. Open this one-time link to create the first admin (valid 24 hours):\n{link}\n"
                ),
                Ok(None) => {}
                Err(err) => return fail(err),
            }
            tracing::info!(port = app.port(), "listening");
            match app.run_until(shutdown_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(err),
            }
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
}
