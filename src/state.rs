//! What every handler can reach: the configuration, the database pool, the password hasher and
//! the token keys. Built once in `startup.rs`.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::config::Config;
use crate::db::DbPool;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: DbPool,
    pub hasher: PasswordHasher,
    pub jwt: JwtKeys,
}

impl AppState {
    pub fn new(config: Config, pool: DbPool) -> Self {
        let jwt =
            JwtKeys::new(&config.jwt_secret, &config.jwt_issuer, &config.jwt_audience, config.access_token_ttl_secs());
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self { config: Arc::new(config), pool, hasher: PasswordHasher::new(cores), jwt }
    }
}
