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
    /// Write a consistent copy of the SQLite database to PATH (a new file), also while `serve`
    /// runs. PostgreSQL is refused: use pg_dump.
    Backup {
        /// Where to write the copy; it must not exist yet.
        path: std::path::PathBuf,
    },
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
        Command::Backup { path } => {
            let config = match config() {
                Ok(config) => config,
                Err(code) => return code,
            };
            match backtrack::db::backup::write(&config.database_url, &path) {
                Ok(backup) => {
                    println!("backup written to {} ({} bytes, integrity ok)", backup.path.display(), backup.bytes);
                    ExitCode::SUCCESS
                }
                Err(err @ backtrack::db::backup::BackupError::Postgres) => {
                    eprintln!("backtrack: {err}");
                    ExitCode::from(2)
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
                Ok(Some(link)) => {
                    // The link is a credential: it goes to standard output, framed, and never
                    // into the log (standard error), which only says where to look.
                    tracing::info!("no admin yet: the one-time link for the first admin is on standard output");
                    print_framed(&[
                        "No admin yet. Open this one-time link to create the first admin",
                        "(valid 24 hours; a new link is printed at each start until then):",
                        "",
                        &link,
                    ]);
                }
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

/// Lines a person must see, set apart on standard output between two rules.
fn print_framed(lines: &[&str]) {
    use std::io::Write;
    let width = lines.iter().map(|line| line.chars().count()).max().unwrap_or(0).clamp(40, 120);
    let rule = "=".repeat(width);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "\n{rule}");
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{rule}\n");
    let _ = out.flush();
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
