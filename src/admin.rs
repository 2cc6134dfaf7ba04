//! Admin helpers for the command line: the first admin's invitation, an admin created by hand,
//! workers' API tokens. They call the accounts services where the web does the same.

use crate::accounts::invitations;
use crate::auth::secret_token;
use crate::db::api_tokens;
use crate::db::users::UserRow;
use crate::db::{self, now, DbPool};
use crate::domain::contact::EmailAddress;
use crate::domain::person::FullName;
use crate::domain::role::Role;
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database: {0}")]
    Pool(#[from] db::PoolError),
    #[error("{0}")]
    Refused(ApiError),
}

impl From<ApiError> for AdminError {
    fn from(err: ApiError) -> Self {
        match err {
            // The command line has no status codes: the reason is the message.
            ApiError::Conflict { message, .. } => AdminError::Invalid(message),
            other => AdminError::Refused(other),
        }
    }
}

/// With no active admin, a one-time link for the first one (they give their email and name
/// when they accept it). `None` when the clinic already has an admin.
pub fn bootstrap_invite(pool: &DbPool, public_url: &str) -> Result<Option<String>, AdminError> {
    let mut conn = pool.get()?;
    db::write_tx(&mut conn, |conn| Ok(invitations::first_admin_link(conn, public_url, now())?))
}

/// Creates an admin without a password and returns the link where they set one.
pub fn create_admin(
    pool: &DbPool,
    public_url: &str,
    email: &str,
    name: &str,
    zone: &str,
) -> Result<String, AdminError> {
    let email = EmailAddress::parse(email).map_err(|e| AdminError::Invalid(format!("email: {}", e.message)))?;
    let name = FullName::parse(name).map_err(|e| AdminError::Invalid(format!("name: {}", e.message)))?;
    let mut conn = pool.get()?;
    db::write_tx(&mut conn, |conn| {
        let now = now();
        let user = UserRow { email: Some(email.into_string()), ..UserRow::new(Role::Admin, &name, zone, now) };
        Ok(invitations::invite(conn, public_url, &user, now)?)
    })
}

/// A new API token for the worker user called `name` (made if needed). With `replace`, that
/// worker's earlier tokens stop working. The token is shown once; only its hash is kept.
pub fn issue_worker_token(pool: &DbPool, name: &str, zone: &str, replace: bool) -> Result<String, AdminError> {
    let token = format!("{}{}", api_tokens::PREFIX, secret_token::generate());
    let mut conn = pool.get()?;
    db::write_tx(&mut conn, |conn| {
        let now = now();
        let worker = api_tokens::worker_user(conn, name, zone, now)?;
        api_tokens::insert(conn, &worker.id, name, &secret_token::hash(&token), replace, now)?;
        Ok::<_, AdminError>(())
    })?;
    Ok(token)
}
