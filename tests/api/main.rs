//! Black-box tests: each starts the app on port 0 with a fresh database (SQLite, or PostgreSQL
//! when `TEST_DATABASE_URL` is set) and speaks HTTP to it.

mod helpers;

mod accounts;
mod audit;
mod errors;
mod health;
mod jwt;
mod openapi;
mod patients;
mod staff;
mod throttle;
