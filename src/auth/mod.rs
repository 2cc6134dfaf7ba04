//! Who is calling: the [`Actor`] services take, passwords (argon2id, off the async workers),
//! access tokens (JWT), refresh and one-time tokens (random, stored hashed).

pub mod actor;
pub mod jwt;
pub mod password;
pub mod secret_token;
pub mod session;
pub mod unsubscribe_token;

pub use actor::Actor;
